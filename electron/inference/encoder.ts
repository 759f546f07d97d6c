/**
 * The main-thread handle on the encoder worker (a one-worker WorkerPool). Calls
 * are promises; pixel buffers are transferred, not copied. If the worker dies (a
 * native crash in a provider), pending calls fail with a clear error and the
 * next load starts a fresh worker.
 */
import { WorkerPool } from '../util/worker-pool.js';
import { ModelError, type ModelErrorCode } from './errors.js';
import { disableOrtTelemetry } from './ort-environment.js';
import type { EncoderRequest, EncoderResult, LoadedModel, WordReport } from './encoder-protocol.js';
import type { DisplayImage, ImageTensor } from '../imaging/preprocess.js';
import type { ProviderName } from './providers.js';
import type { ImageEncoding, TextEmbeddings } from './runtime.js';

/** Longer than any load or batch takes (a ViT-B/16 batch of 64 on two cores: seconds), bounding a hang. */
const ENCODER_REQUEST_LIMIT_MS = 5 * 60_000;
/** How long a close waits for the model's release before ending the worker. */
const RELEASE_WAIT_MS = 5000;

export class Encoder {
  #pool: WorkerPool<EncoderRequest, EncoderResult> | null = null;
  #loaded: LoadedModel | null = null;

  get loaded(): LoadedModel | null {
    return this.#loaded;
  }

  async load(
    dir: string,
    options: {
      providers?: ProviderName[];
      threads?: { intraOp: number; interOp: number };
      /** Where model files' digests are remembered across runs (the data folder's model-digests.json). */
      digestCache?: string;
    } = {},
  ): Promise<LoadedModel> {
    this.#loaded = null;
    const loaded = (await this.#call({ type: 'load', dir, ...options })) as LoadedModel;
    this.#loaded = loaded;
    return loaded;
  }

  async encodeImages(images: DisplayImage[]): Promise<ImageEncoding> {
    const transfer = images.map((i) => i.data.buffer as ArrayBuffer).filter((b, i, all) => all.indexOf(b) === i);
    return (await this.#call({ type: 'images', images }, transfer)) as ImageEncoding;
  }

  async encodeTensor(tensor: ImageTensor): Promise<ImageEncoding> {
    return (await this.#call({ type: 'tensor', tensor }, [tensor.data.buffer as ArrayBuffer])) as ImageEncoding;
  }

  async encodeTexts(texts: string[]): Promise<TextEmbeddings> {
    return (await this.#call({ type: 'texts', texts })) as TextEmbeddings;
  }

  /** Per text, the words the model's tokenizer does not know as words. */
  async unknownWords(texts: string[]): Promise<WordReport> {
    return (await this.#call({ type: 'words', texts })) as WordReport;
  }

  async close(): Promise<void> {
    if (!this.#pool) return;
    // The release queues behind any request running: one that hangs (a tokenizer's regex) must not hold a quit.
    const release = this.#call({ type: 'release' }).catch(() => null);
    await Promise.race([release, new Promise((resolve) => setTimeout(resolve, RELEASE_WAIT_MS).unref())]);
    await this.#pool.close();
    this.#pool = null;
  }

  /** Ends the worker as a native crash would (tests): pending calls fail, the next load starts a fresh one. */
  killWorker(): void {
    this.#pool?.killWorker();
  }

  #call(req: EncoderRequest, transfer: ArrayBuffer[] = []): Promise<EncoderResult> {
    this.#pool ??= this.#spawn();
    return this.#pool.run(req, { transfer });
  }

  #spawn(): WorkerPool<EncoderRequest, EncoderResult> {
    disableOrtTelemetry(); // in the process environment, before the worker loads onnxruntime
    // One worker: requests are answered one at a time, in order (ORT sessions run one batch at a time anyway).
    return new WorkerPool({
      url: new URL('./encoder-worker.js', import.meta.url),
      size: 1,
      // A request that never ends (a hostile tokenizer's regex, a graph that loops) ends the worker: the model
      // is loaded afresh at the next request, and other models can be switched to meanwhile.
      timeoutMs: ENCODER_REQUEST_LIMIT_MS,
      error: (f) =>
        f.kind === 'failed'
          ? new ModelError(f.code === 'FAILED' ? 'SESSION_FAILED' : (f.code as ModelErrorCode), f.message)
          : new ModelError('SESSION_FAILED', `the encoder stopped: ${f.message}`),
      // The replacement worker has no model: the next load starts afresh.
      onWorkerLost: () => {
        this.#loaded = null;
      },
    });
  }
}
