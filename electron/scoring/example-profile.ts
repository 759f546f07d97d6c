/**
 * Few-shot screening from example scans: their mean embedding, and the similarity that flags a scan — as
 * similar to the mean as the least typical example is, minus a margin. With few examples the mean is a
 * poor estimate of the finding, so callers warn below MIN_CONFIDENT_EXAMPLES.
 */
import { dot, weightedSum } from './vectors.js';

/** Below this many examples, screening by examples rests on too little (the app and the CLI say so). */
export const MIN_CONFIDENT_EXAMPLES = 4;
/** How far below the least typical example a scan may fall and still be flagged. */
export const EXAMPLE_MARGIN = 0.05;

export interface ExampleProfile {
  vector: Float32Array;
  threshold: number;
  count: number;
}

export function exampleProfile(embeddings: readonly Float32Array[]): ExampleProfile {
  if (!embeddings.length) throw new RangeError('no example embeddings');
  const dim = embeddings[0]!.length;
  const vector = weightedSum(
    embeddings.map((v) => ({ vector: v, weight: 1 })),
    dim,
  );
  const own = Math.min(...embeddings.map((v) => dot(v, vector)));
  return { vector, threshold: own - EXAMPLE_MARGIN, count: embeddings.length };
}
