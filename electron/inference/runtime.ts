/**
 * A loaded model: description, tokenizer and the two encoder sessions, with
 * batch encoding of images (already preprocessed tensors or display images)
 * and texts. One instance per process; the worker (encoder-worker.ts) owns it
 * so that inference never blocks the main event loop.
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { verifyModelFiles } from './checksums.js';
import { ModelError } from './errors.js';
import { describeModel } from './layouts/index.js';
import type { ModelDescription } from './model-description.js';
import { toImageTensor, type DisplayImage, type ImageTensor } from './preprocess.js';
import { defaultPreference, type ProviderName, type ProviderReport } from './providers.js';
import { checkSessionNames, createSession } from './session.js';
import { TextTokenizer } from './tokenizer.js';

export interface Embeddings {
  /** Row-major [count, dim], L2-normalised. */
  data: Float32Array;
  count: number;
  dim: number;
}

export interface ImageEncoding extends Embeddings {
  /** Patch embeddings [count, gridRows*gridCols, dim], L2-normalised, when the model has them. */
  patches: Float32Array | null;
  grid: [number, number] | null;
}

export interface LoadOptions {
  providers?: ProviderName[];
  threads?: { intraOp: number; interOp: number };
  /** Skip sha256 verification (only for folders without checksums, e.g. during export). */
  skipChecksums?: boolean;
}

export class ModelRuntime {
  private constructor(
    readonly model: ModelDescription,
    readonly tokenizer: TextTokenizer,
    private readonly imageSession: ort.InferenceSession,
    private readonly textSession: ort.InferenceSession,
    readonly provider: ProviderReport,
  ) {}

  static async load(dir: string, options: LoadOptions = {}): Promise<ModelRuntime> {
    const model = await describeModel(dir);
    if (!options.skipChecksums) await verifyModelFiles(model);
    const tokenizer = await TextTokenizer.load(dir, model.text);
    const providers = options.providers ?? defaultPreference();
    const image = await createSession(path.join(dir, model.image.file), { providers, threads: options.threads });
    // The text tower runs where the image tower runs: one provider per model, reported once.
    const text = await createSession(path.join(dir, model.text.file), {
      providers: [image.report.active],
      threads: options.threads,
    });
    const imageOutputs = [
      model.image.outputs.embeds,
      ...(model.image.outputs.patches ? [model.image.outputs.patches] : []),
    ];
    checkSessionNames(image.session, `${model.name} image model`, [model.image.input], imageOutputs);
    const textInputs = [model.text.inputs.ids, ...(model.text.inputs.mask ? [model.text.inputs.mask] : [])];
    checkSessionNames(text.session, `${model.name} text model`, textInputs, [model.text.output]);
    const runtime = new ModelRuntime(model, tokenizer, image.session, text.session, image.report);
    await runtime.#checkVocabulary();
    return runtime;
  }

  /** The tokenizer's largest id must be a row of the text model's embedding table. */
  async #checkVocabulary(): Promise<void> {
    const length = this.model.text.padToMaxLength ? this.model.text.maxLength : 2;
    const ids = new BigInt64Array(length).fill(BigInt(this.tokenizer.vocabSize - 1));
    try {
      await this.#runText({ ids, mask: new BigInt64Array(length).fill(1n), batch: 1, length });
    } catch (error) {
      throw new ModelError(
        'TOKENIZER_MISMATCH',
        `${this.model.name}: the tokenizer (${this.tokenizer.vocabSize} tokens) does not fit the text model: ${(error as Error).message.split('\n')[0]}`,
      );
    }
  }

  async encodeImages(images: readonly DisplayImage[]): Promise<ImageEncoding> {
    return this.encodeImageTensor(toImageTensor(images, this.model.image));
  }

  async encodeImageTensor(tensor: ImageTensor): Promise<ImageEncoding> {
    const spec = this.model.image;
    const feeds = { [spec.input]: new ort.Tensor('float32', tensor.data, tensor.dims) };
    const out = await this.imageSession.run(feeds);
    const embeds = toEmbeddings(out[spec.outputs.embeds]!, tensor.dims[0], `${this.model.name} image embeddings`);
    let patches: Float32Array | null = null;
    if (spec.outputs.patches && out[spec.outputs.patches]) {
      patches = Float32Array.from(out[spec.outputs.patches]!.data as Float32Array);
      normaliseRows(patches, embeds.dim);
    }
    return { ...embeds, patches, grid: spec.patchGrid };
  }

  async encodeTexts(texts: readonly string[]): Promise<Embeddings> {
    const batch = this.tokenizer.encode(texts);
    const out = await this.#runText(batch);
    return toEmbeddings(out, texts.length, `${this.model.name} text embeddings`);
  }

  async #runText(batch: {
    ids: BigInt64Array;
    mask: BigInt64Array;
    batch: number;
    length: number;
  }): Promise<ort.Tensor> {
    const spec = this.model.text;
    const dims = [batch.batch, batch.length];
    const feeds: Record<string, ort.Tensor> = { [spec.inputs.ids]: new ort.Tensor('int64', batch.ids, dims) };
    if (spec.inputs.mask) feeds[spec.inputs.mask] = new ort.Tensor('int64', batch.mask, dims);
    const out = await this.textSession.run(feeds);
    return out[spec.output]!;
  }

  async release(): Promise<void> {
    await Promise.all([this.imageSession.release(), this.textSession.release()]);
  }
}

/** Output tensor → L2-normalised rows (normalising twice is harmless; some exports don't). */
function toEmbeddings(tensor: ort.Tensor, count: number, what: string): Embeddings {
  const dims = tensor.dims;
  if (dims.length !== 2 || dims[0] !== count) {
    throw new ModelError('BAD_MODEL', `${what} have shape [${dims.join(', ')}], expected [${count}, dim]`);
  }
  const dim = dims[1]!;
  const data = Float32Array.from(tensor.data as Float32Array);
  normaliseRows(data, dim);
  return { data, count, dim };
}

export function normaliseRows(data: Float32Array, dim: number): void {
  for (let r = 0; r < data.length; r += dim) {
    let sum = 0;
    for (let i = 0; i < dim; i++) sum += data[r + i]! ** 2;
    const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let i = 0; i < dim; i++) data[r + i]! *= inv;
  }
}
