/**
 * The encoder worker: owns the one long-lived ModelRuntime (Electron's advice
 * for onnxruntime-node: one process/worker with long-lived sessions) and runs
 * preprocessing and inference off the main event loop.
 */
import { parentPort } from 'node:worker_threads';
import { ModelError } from './errors.js';
import type { EncoderRequest, EncoderResponse } from './encoder-protocol.js';
import { ModelRuntime } from './runtime.js';

let runtime: ModelRuntime | null = null;

function need(): ModelRuntime {
  if (!runtime) throw new ModelError('BAD_INPUT', 'no model is loaded');
  return runtime;
}

async function handle(req: EncoderRequest): Promise<EncoderResponse> {
  try {
    switch (req.type) {
      case 'load': {
        await runtime?.release();
        runtime = null;
        runtime = await ModelRuntime.load(req.dir, { providers: req.providers, threads: req.threads });
        return {
          id: req.id,
          ok: true,
          value: {
            model: runtime.model,
            provider: runtime.provider,
            vocabSize: runtime.tokenizer.vocabSize,
            dim: runtime.dim,
          },
        };
      }
      case 'images':
        return { id: req.id, ok: true, value: await need().encodeImages(req.images) };
      case 'tensor':
        return { id: req.id, ok: true, value: await need().encodeImageTensor(req.tensor) };
      case 'texts':
        return { id: req.id, ok: true, value: await need().encodeTexts(req.texts) };
      case 'release':
        await runtime?.release();
        runtime = null;
        return { id: req.id, ok: true, value: null };
    }
  } catch (error) {
    if (error instanceof ModelError)
      return { id: req.id, ok: false, error: { code: error.code, message: error.message } };
    return {
      id: req.id,
      ok: false,
      error: { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) },
    };
  }
}

// Requests are answered one at a time, in order: ORT sessions run one batch at a time anyway.
let queue = Promise.resolve();
parentPort?.on('message', (req: EncoderRequest) => {
  queue = queue.then(async () => {
    const res = await handle(req);
    const transfer: ArrayBuffer[] = [];
    if (res.ok && res.value && 'data' in res.value) {
      transfer.push(res.value.data.buffer as ArrayBuffer);
      if ('patches' in res.value && res.value.patches) transfer.push(res.value.patches.buffer as ArrayBuffer);
    }
    parentPort!.postMessage(res, transfer);
  });
});
