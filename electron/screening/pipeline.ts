/**
 * Files → embeddings, pipelined: a pool of decode workers turns DICOM files
 * into model inputs (decode, window, resample to the model's size and
 * normalise, all in the worker) while the encoder worker runs the previous
 * batch.
 * Back-pressure: at most `maxInFlight` files are being decoded or waiting to be
 * encoded, so memory stays flat however long the input stream is. Per-file
 * failures come out as results with a reason; they never stop the stream.
 * Files that are not DICOM at all come out marked `notDicom`, for callers to
 * count as skipped rather than failed.
 */
import type { DecodePool } from './decode-pool.js';
import type { ImageIdentity } from './decode-job.js';
import { isNotDicomFile } from '../dicom/errors.js';
import type { Encoder } from '../inference/encoder.js';
import { ModelError } from '../inference/errors.js';
import { modelKey } from '../inference/model-key.js';

export interface EncodedFile {
  path: string;
  /** L2-normalised embedding, when the file could be encoded. */
  embedding?: Float32Array;
  patches?: Float32Array | null;
  /** Header facts from the decode. */
  frames?: number;
  identity?: ImageIdentity;
  error?: FileError;
  /** Not DICOM at all (dicom/errors.ts isNotDicomFile): to be counted apart, not as a failure. */
  notDicom?: true;
}

export interface PipelineOptions {
  batchSize?: number;
  /** Files decoding or waiting to be encoded, at most. */
  maxInFlight?: number;
  /** Which frame of multi-frame files to encode (default 0). */
  frame?: number;
  /**
   * The key (inference/model-key.ts) of the model the caller's results belong to, e.g. the index slot it chose:
   * another model loaded by the time the run starts (a switch in between) is MODEL_CHANGED, not embeddings
   * of the other model under this one's key.
   */
  model?: string;
}

interface Decoded {
  path: string;
  /** The model's input, [C, H, W]. */
  input?: Float32Array;
  frames?: number;
  identity?: ImageIdentity;
  error?: FileError;
}

/** Why a file could not be encoded: its error's code and message, and its `detail` (util/coded-error.ts) where it has
 * one (NOT_AN_IMAGE: which object), kept as a code so that nobody reads it back out of the message. */
export interface FileError {
  code: string;
  message: string;
  detail?: string;
}

function reason(error: unknown): FileError {
  const e = error as { code?: unknown; message?: unknown; detail?: unknown };
  return {
    code: typeof e.code === 'string' ? e.code : 'FAILED',
    message: String(e.message ?? error),
    ...(typeof e.detail === 'string' ? { detail: e.detail } : {}),
  };
}

export async function* encodeFiles(
  files: AsyncIterable<string> | Iterable<string>,
  pool: DecodePool,
  encoder: Encoder,
  options: PipelineOptions = {},
): AsyncGenerator<EncodedFile> {
  const batchSize = options.batchSize ?? 16;
  // A batch of 0 (or NaN) would read no file at all, and a walk that met none prunes the whole index.
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size ${batchSize} is not a count`);
  // The model every embedding of this run must come from: a load of another (a switch in the Models view)
  // while the run goes on would put its embeddings in this model's slot of the index, silently and for good.
  const model = encoder.loaded;
  // None loaded: a load (a switch in the Models view) is under way, or the encoder stopped.
  if (!model || (options.model !== undefined && modelKey(model) !== options.model)) {
    throw new ModelError(
      'MODEL_CHANGED',
      model
        ? 'Another model was loaded after this run chose the one to encode with'
        : 'No model is loaded now (another model is loading, or the encoder stopped)',
    );
  }
  const spec = model.model.image;
  const [H, W] = spec.size;
  const inputSize = spec.channels * H * W;
  const maxInFlight = Math.max(batchSize * 2, options.maxInFlight ?? batchSize * 3);
  const pending: Promise<Decoded>[] = [];
  const iterator = (
    Symbol.asyncIterator in files ? files[Symbol.asyncIterator]() : (files as Iterable<string>)[Symbol.iterator]()
  ) as AsyncIterator<string> | Iterator<string>;
  let exhausted = false;

  const fill = async () => {
    while (!exhausted && pending.length < maxInFlight) {
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      const file = next.value;
      pending.push(
        pool.decode({ path: file, frame: options.frame ?? 0, outputs: ['model', 'identity'], model: spec }).then(
          (r) => ({ path: file, input: r.modelInput, frames: r.frames, identity: r.identity }),
          (error: unknown) => ({ path: file, error: reason(error) }),
        ),
      );
    }
  };

  await fill();
  while (pending.length > 0) {
    // Take the next batch in input order; decoding of later files continues meanwhile.
    const batch = await Promise.all(pending.splice(0, batchSize));
    const refill = fill();
    // Awaited below, after the encode: a source that fails meanwhile (a PACS listing cut) must not count as
    // an unhandled rejection before then.
    refill.catch(() => undefined);
    const ok = batch.filter((d) => d.input);
    let encoded: Awaited<ReturnType<Encoder['encodeTensor']>> | null = null;
    let batchError: { code: string; message: string } | null = null;
    if (ok.length) {
      try {
        const data = new Float32Array(ok.length * inputSize);
        ok.forEach((d, i) => data.set(d.input!, i * inputSize));
        encoded = await encoder.encodeTensor({ data, dims: [ok.length, spec.channels, H, W] });
      } catch (error) {
        batchError = reason(error);
      }
      // A load starts by clearing `loaded` and replies before any request sent after it (one worker, in
      // order), and a lost worker clears it too: the same object here means this batch is the run's model's.
      if (encoder.loaded !== model) {
        throw new ModelError(
          'MODEL_CHANGED',
          'The model this run encoded with is no longer loaded (another model was chosen, or the encoder stopped)',
        );
      }
    }
    await refill;
    let k = 0;
    for (const d of batch) {
      if (!d.input) {
        const error = d.error ?? { code: 'NO_IMAGE', message: 'no displayable image' };
        yield { path: d.path, error, ...(isNotDicomFile(d.path, error.code) ? { notDicom: true as const } : {}) };
        continue;
      }
      const i = k++;
      if (!encoded) {
        yield { path: d.path, frames: d.frames, identity: d.identity, error: batchError! };
        continue;
      }
      const dim = encoded.dim;
      const patchSize = encoded.patches ? encoded.patches.length / encoded.count : 0;
      yield {
        path: d.path,
        frames: d.frames,
        identity: d.identity,
        embedding: encoded.data.slice(i * dim, (i + 1) * dim),
        patches: encoded.patches ? encoded.patches.slice(i * patchSize, (i + 1) * patchSize) : null,
      };
    }
  }
}
