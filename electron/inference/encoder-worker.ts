/**
 * The encoder worker: owns the one long-lived ModelRuntime (Electron's advice
 * for onnxruntime-node: one process/worker with long-lived sessions) and runs
 * preprocessing and inference off the main event loop. Failures leave with
 * their code (ModelError, or CodedError BAD_INPUT from imaging/).
 */
import { serveJobs } from '../util/worker-pool.js';
import { ModelError } from './errors.js';
import type { EncoderRequest, EncoderResult } from './encoder-protocol.js';
import { FileDigests } from './file-digests.js';
import { ModelRuntime } from './runtime.js';

let runtime: ModelRuntime | null = null;
/** Kept across loads: switching back to a model reads none of its files again. */
let digests: { cache: string | undefined; value: FileDigests } | null = null;

function digestsFor(cache: string | undefined): FileDigests {
  if (!digests || digests.cache !== cache) digests = { cache, value: new FileDigests(cache ?? null) };
  return digests.value;
}

function need(): ModelRuntime {
  if (!runtime) throw new ModelError('BAD_INPUT', 'no model is loaded');
  return runtime;
}

async function handle(req: EncoderRequest): Promise<EncoderResult> {
  switch (req.type) {
    case 'load': {
      await runtime?.release();
      runtime = null;
      const known = digestsFor(req.digestCache);
      try {
        runtime = await ModelRuntime.load(req.dir, { providers: req.providers, threads: req.threads, digests: known });
      } finally {
        await known.save();
      }
      return {
        model: runtime.model,
        provider: runtime.provider,
        vocabSize: runtime.tokenizer.vocabSize,
        dim: runtime.dim,
        fingerprint: runtime.fingerprint,
      };
    }
    case 'images':
      return need().encodeImages(req.images);
    case 'tensor':
      return need().encodeImageTensor(req.tensor);
    case 'texts':
      return need().encodeTexts(req.texts);
    case 'words':
      return req.texts.map((t) => need().tokenizer.unknownWords(t));
    case 'release':
      await runtime?.release();
      runtime = null;
      return null;
  }
}

// Embeddings leave by transfer, not copy.
serveJobs(handle, (value) => {
  if (!value || Array.isArray(value) || !('data' in value)) return [];
  const buffers: ArrayBuffer[] = [value.data.buffer as ArrayBuffer];
  if ('patches' in value && value.patches) buffers.push(value.patches.buffer as ArrayBuffer);
  return buffers;
});
