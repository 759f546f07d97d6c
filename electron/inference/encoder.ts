/**
 * The main-thread handle on the encoder worker. Calls are promises; pixel
 * buffers are transferred, not copied. If the worker dies (a native crash in a
 * provider), pending calls fail with a clear error and the next load starts a
 * fresh worker.
 */
import { Worker } from 'node:worker_threads';
import { ModelError } from './errors.js';
import { disableOrtTelemetry } from './ort-environment.js';
import type { EncoderRequest, EncoderResponse, EncoderResult, LoadedModel } from './encoder-protocol.js';
import type { DisplayImage, ImageTensor } from './preprocess.js';
import type { ProviderName } from './providers.js';
import type { ImageEncoding, TextEmbeddings } from './runtime.js';

type Pending = { resolve: (v: EncoderResult) => void; reject: (e: Error) => void };
type Payload<T> = T extends { id: number } ? Omit<T, 'id'> : never;

export class Encoder {
  #worker: Worker | null = null;
  #pending = new Map<number, Pending>();
  #next = 1;
  #loaded: LoadedModel | null = null;

  get loaded(): LoadedModel | null {
    return this.#loaded;
  }

  async load(
    dir: string,
    options: { providers?: ProviderName[]; threads?: { intraOp: number; interOp: number } } = {},
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

  async close(): Promise<void> {
    if (!this.#worker) return;
    await this.#call({ type: 'release' }).catch(() => null);
    await this.#worker?.terminate();
    this.#worker = null;
  }

  #spawn(): Worker {
    disableOrtTelemetry(); // in the process environment, before the worker loads onnxruntime
    const worker = new Worker(new URL('./encoder-worker.js', import.meta.url));
    worker.on('message', (res: EncoderResponse) => {
      const p = this.#pending.get(res.id);
      if (!p) return;
      this.#pending.delete(res.id);
      if (res.ok) p.resolve(res.value);
      else
        p.reject(new ModelError(res.error.code === 'INTERNAL' ? 'SESSION_FAILED' : res.error.code, res.error.message));
    });
    const fail = (why: string) => {
      for (const p of this.#pending.values()) p.reject(new ModelError('SESSION_FAILED', `the encoder stopped: ${why}`));
      this.#pending.clear();
      this.#worker = null;
      this.#loaded = null;
    };
    worker.on('error', (e) => fail(e.message));
    worker.on('exit', (code) => code !== 0 && fail(`exit code ${code}`));
    return worker;
  }

  #call(req: Payload<EncoderRequest>, transfer: ArrayBuffer[] = []): Promise<EncoderResult> {
    this.#worker ??= this.#spawn();
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker!.postMessage({ ...req, id }, transfer);
    });
  }
}
