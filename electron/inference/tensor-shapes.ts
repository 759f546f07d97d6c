/**
 * What a session's graph says about its inputs: the dtype of token ids (int64
 * in Hugging Face exports, int32 in Immich's), fixed batch or sequence sizes
 * (Immich exports a batch of exactly 1 and a text length of exactly 77), and
 * which optional inputs exist. Read from onnxruntime's input metadata.
 */
import type * as ort from 'onnxruntime-node';

export interface InputShape {
  type: string | null;
  /** The fixed size of each axis, or null where it is symbolic/dynamic. */
  dims: (number | null)[];
}

export function inputShape(session: ort.InferenceSession, name: string): InputShape | null {
  const meta = session.inputMetadata?.find((m) => m.name === name);
  if (!meta) return session.inputNames.includes(name) ? { type: null, dims: [] } : null;
  if (!meta.isTensor) return { type: null, dims: [] };
  return { type: meta.type, dims: meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : null)) };
}

/** The first axis, when the graph fixes it (e.g. 1). */
export function fixedBatch(shape: InputShape | null): number | null {
  return shape?.dims[0] ?? null;
}
