/**
 * A loaded model: description, tokenizer and the two encoder sessions, with
 * batch encoding of images (display images or preprocessed tensors) and texts.
 * What the graph declares decides the details — ids dtype, optional inputs,
 * fixed batch or text length — so one code path serves every layout.
 * One instance per process; the encoder worker owns it.
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { verifyModelFiles } from './checksums.js';
import { FileDigests } from './file-digests.js';
import { ModelError } from './errors.js';
import { describeModel } from './layouts/index.js';
import type { ModelDescription } from './model-description.js';
import { fingerprintModel } from './model-fingerprint.js';
import { toImageTensor, type DisplayImage, type ImageTensor } from '../imaging/preprocess.js';
import { defaultPreference, type ProviderName, type ProviderReport } from './providers.js';
import { checkSessionNames, createSession } from './session.js';
import { fixedBatch, inputShape, type InputShape } from './tensor-shapes.js';
import { TextTokenizer, type TokenBatch } from './tokenizer.js';

/** Texts per text-model run when the graph leaves the batch size free. */
export const TEXT_CHUNK = 256;

export interface Embeddings {
  /** Row-major [count, dim], L2-normalised. */
  data: Float32Array;
  count: number;
  dim: number;
}

export interface TextEmbeddings extends Embeddings {
  /** Indexes of the texts longer than the model's context, cut to it (as its tokenizer does). */
  truncated: number[];
}

export interface ImageEncoding extends Embeddings {
  /** Patch embeddings [count, gridRows*gridCols, dim], L2-normalised, when the model has them. */
  patches: Float32Array | null;
  grid: [number, number] | null;
}

export interface LoadOptions {
  providers?: ProviderName[];
  threads?: { intraOp: number; interOp: number };
  /** Skip sha256 verification (for folders being built, e.g. during export). */
  skipChecksums?: boolean;
  /** Digests remembered from earlier loads (the encoder worker keeps one); else the files are read. */
  digests?: FileDigests;
}

interface TextGraph {
  ids: string;
  idsShape: InputShape;
  mask: string | null;
  tokenTypes: string | null;
  output: string;
}

interface ImageGraph {
  input: string;
  batch: number | null;
  embeds: string;
  patches: string | null;
}

export class ModelRuntime {
  private constructor(
    readonly model: ModelDescription,
    readonly tokenizer: TextTokenizer,
    private readonly imageSession: ort.InferenceSession,
    private readonly textSession: ort.InferenceSession,
    private readonly imageGraph: ImageGraph,
    private readonly textGraph: TextGraph,
    readonly provider: ProviderReport,
    /** What its embeddings are a function of (model-fingerprint.ts). */
    readonly fingerprint: string,
  ) {}

  static async load(dir: string, options: LoadOptions = {}): Promise<ModelRuntime> {
    const model = await describeModel(dir);
    const digests = options.digests ?? new FileDigests();
    const digest = (file: string) => digests.sha256(file);
    if (!options.skipChecksums) await verifyModelFiles(model, digest);
    const { fingerprint, files } = await fingerprintModel(model, digest);
    const tokenizer = await TextTokenizer.load(dir, model.text);
    const providers = options.providers ?? defaultPreference();
    const image = await createSession(path.join(dir, model.image.file), { providers, threads: options.threads });
    // The text tower runs where the image tower runs: one provider per model, reported once.
    const text = await createSession(path.join(dir, model.text.file), {
      providers: [image.report.active],
      threads: options.threads,
    });

    const imageGraph: ImageGraph = {
      input: model.image.input,
      batch: fixedBatch(inputShape(image.session, model.image.input)),
      embeds: model.image.outputs.embeds ?? image.session.outputNames[0]!,
      patches: model.image.outputs.patches,
    };
    checkSessionNames(
      image.session,
      `${model.name} image model`,
      [imageGraph.input],
      [imageGraph.embeds, ...(imageGraph.patches ? [imageGraph.patches] : [])],
    );
    // The description against the graph, where the graph fixes the sizes: a wrong one fails here naming the
    // manifest's fields, not at the first scan with onnxruntime's words.
    const declared = inputShape(image.session, imageGraph.input)?.dims ?? [];
    const described = [model.image.channels, ...model.image.size];
    if (declared.length === 4 && declared.slice(1).some((d, k) => d !== null && d !== described[k]))
      throw new ModelError(
        'BAD_MODEL',
        `${model.name}: the image model takes [${declared.map((d) => d ?? '?').join(', ')}], the description says ${model.image.channels} channel(s) of ${model.image.size.join('×')} (image.channels, image.size)`,
      );
    const textOutput = model.text.output ?? text.session.outputNames[0]!;
    checkSessionNames(text.session, `${model.name} text model`, [model.text.inputs.ids], [textOutput]);
    const idsShape = inputShape(text.session, model.text.inputs.ids)!;
    if (idsShape.type && idsShape.type !== 'int64' && idsShape.type !== 'int32') {
      throw new ModelError(
        'BAD_MODEL',
        `${model.name} text model takes ${idsShape.type} token ids; int64 or int32 expected`,
      );
    }
    const textInputs = text.session.inputNames;
    const mask = model.text.inputs.mask;
    // A RadSift manifest names its mask input, so one the graph lacks is a wrong name (else it would go unfed and
    // fail as a tokenizer mismatch). The published layouts name attention_mask by convention, fed if declared.
    if (mask && !textInputs.includes(mask) && model.layout === 'radsift')
      throw new ModelError(
        'BAD_MODEL',
        `${model.name}: text.inputs.mask names ${mask}, which the text model does not take (its inputs: ${textInputs.join(', ')})`,
      );
    const textGraph: TextGraph = {
      ids: model.text.inputs.ids,
      idsShape,
      mask: mask && textInputs.includes(mask) ? mask : null,
      tokenTypes: textInputs.includes('token_type_ids') ? 'token_type_ids' : null,
      output: textOutput,
    };
    // Every input the graph declares must be fed; one left out (an attention mask the description does not name)
    // would fail every run with onnxruntime's words.
    const unfed = textInputs.filter((n) => ![textGraph.ids, textGraph.mask, textGraph.tokenTypes].includes(n));
    if (unfed.length)
      throw new ModelError(
        'BAD_MODEL',
        `${model.name}: the text model also takes ${unfed.join(', ')}, which RadSift does not feed: it feeds the ids (text.inputs.ids), an attention mask (text.inputs.mask) and token_type_ids`,
      );
    const runtime = new ModelRuntime(
      model,
      tokenizer,
      image.session,
      text.session,
      imageGraph,
      textGraph,
      image.report,
      fingerprint,
    );
    // The sessions and the tokenizer must have read the files fingerprinted: a copy that replaced one meanwhile
    // would have its embeddings stored under the other model's key.
    if (!(await digests.unchanged(files))) {
      await runtime.release();
      throw new ModelError('CHANGED_WHILE_LOADING', `${model.name}: its files changed while it loaded; load it again`);
    }
    runtime.#dim = await runtime.#checkVocabulary();
    await runtime.#checkImageOutputs();
    return runtime;
  }

  #dim = 0;

  /** Size of the joint embedding space (read from the text tower's output at load). */
  get dim(): number {
    return this.#dim;
  }

  /**
   * The tokenizer's largest id must be a row of the text model's embedding table, and a text of text.maxLength
   * tokens must fit its position table. Returns the embedding size.
   */
  async #checkVocabulary(): Promise<number> {
    // An out-of-range id or length is the expected failure here: keep onnxruntime from logging it.
    const probe = (length: number) =>
      this.#runText(
        {
          ids: new Int32Array(length).fill(this.tokenizer.vocabSize - 1),
          mask: new Int32Array(length).fill(1),
          batch: 1,
          length,
          truncated: [],
        },
        { logSeverityLevel: 4 },
      );
    const fixed = this.textGraph.idsShape.dims[1] ?? null;
    let dim: number;
    try {
      // Short first where the length is free, so that a failure here is the vocabulary's, not the length's.
      const out = await probe(fixed ?? 2);
      if (out.dims.length !== 2)
        throw new ModelError(
          'BAD_MODEL',
          `${this.model.name}: text output ${this.textGraph.output} has shape [${out.dims.join(', ')}], one embedding per text expected (text.output)`,
        );
      dim = Number(out.dims[1]);
    } catch (error) {
      if (error instanceof ModelError) throw error;
      throw new ModelError(
        'TOKENIZER_MISMATCH',
        `${this.model.name}: the tokenizer (${this.tokenizer.vocabSize} tokens) does not fit the text model: ${(error as Error).message.split('\n')[0]}`,
      );
    }
    // A length beyond the graph's position table would otherwise fail only the texts that long, at scan time.
    const { maxLength } = this.model.text;
    if (fixed === null && maxLength > 2)
      await probe(maxLength).catch((error: Error) => {
        throw new ModelError(
          'BAD_MODEL',
          `${this.model.name}: text.maxLength ${maxLength} is more than the text model accepts: ${error.message.split('\n')[0]}`,
        );
      });
    return dim;
  }

  /**
   * One blank image through the image tower: its embedding must have the text's size (one joint space), and its
   * patch embeddings fill the described grid. Either wrong would score silently wrong or fail per scan later.
   */
  async #checkImageOutputs(): Promise<void> {
    const [h, w] = this.model.image.size;
    const c = this.model.image.channels;
    const n = this.imageGraph.batch ?? 1; // a graph with a fixed batch takes that many
    const out = await this.imageSession.run({
      [this.imageGraph.input]: new ort.Tensor('float32', new Float32Array(n * c * h * w), [n, c, h, w]),
    });
    const embeds = out[this.imageGraph.embeds]!;
    if (embeds.dims.length !== 2 || Number(embeds.dims[1]) !== this.#dim)
      throw new ModelError(
        'BAD_MODEL',
        `${this.model.name}: image embeddings have shape [${embeds.dims.join(', ')}], text embeddings ${this.#dim} values: the two towers are not one joint space`,
      );
    const grid = this.model.image.patchGrid;
    const patches = this.imageGraph.patches ? out[this.imageGraph.patches] : undefined;
    if (grid && patches && patches.size !== n * grid[0] * grid[1] * this.#dim)
      throw new ModelError(
        'BAD_MODEL',
        `${this.model.name}: the patch embeddings hold ${patches.size / n / this.#dim} patches an image, the description a ${grid.join('×')} grid (image.patchGrid)`,
      );
  }

  async encodeImages(images: readonly DisplayImage[]): Promise<ImageEncoding> {
    return this.encodeImageTensor(toImageTensor(images, this.model.image));
  }

  async encodeImageTensor(tensor: ImageTensor): Promise<ImageEncoding> {
    const [n, c, h, w] = tensor.dims;
    const step = this.imageGraph.batch ?? n;
    const embeds: Float32Array[] = [];
    const patches: Float32Array[] = [];
    for (let start = 0; start < n; start += step) {
      const count = Math.min(step, n - start);
      const slice = tensor.data.subarray(start * c * h * w, (start + count) * c * h * w);
      const out = await this.imageSession.run({
        [this.imageGraph.input]: new ort.Tensor('float32', slice, [count, c, h, w]),
      });
      embeds.push(rows(out[this.imageGraph.embeds]!, count, `${this.model.name} image embeddings`));
      if (this.imageGraph.patches && out[this.imageGraph.patches])
        patches.push(outputFloats(out[this.imageGraph.patches]!, `${this.model.name} patch embeddings`));
    }
    const data = concat(embeds);
    const dim = data.length / n;
    normaliseRows(data, dim);
    const patchData = patches.length ? concat(patches) : null;
    if (patchData) normaliseRows(patchData, dim);
    return { data, count: n, dim, patches: patchData, grid: this.model.image.patchGrid };
  }

  async encodeTexts(texts: readonly string[]): Promise<TextEmbeddings> {
    // A graph with a free batch size still runs in chunks: a report corpus's thousands of sentences in one run
    // would hold every one's token outputs at once (N × length × dim floats: gigabytes at 100k sentences).
    const step = fixedBatch(this.textGraph.idsShape) ?? TEXT_CHUNK;
    const parts: Float32Array[] = [];
    const truncated: number[] = [];
    for (let start = 0; start < texts.length; start += step) {
      const chunk = texts.slice(start, start + step);
      const batch = this.tokenizer.encode(chunk, this.textGraph.idsShape.dims[1] ?? undefined);
      truncated.push(...batch.truncated.map((i) => start + i));
      const out = await this.#runText(batch);
      parts.push(rows(out, chunk.length, `${this.model.name} text embeddings`));
    }
    const data = concat(parts);
    const dim = data.length / texts.length;
    normaliseRows(data, dim);
    return { data, count: texts.length, dim, truncated };
  }

  async #runText(batch: TokenBatch, runOptions: ort.InferenceSession.RunOptions = {}): Promise<ort.Tensor> {
    const g = this.textGraph;
    const dims = [batch.batch, batch.length];
    const int = (values: Int32Array) =>
      g.idsShape.type === 'int32'
        ? new ort.Tensor('int32', values, dims)
        : new ort.Tensor('int64', BigInt64Array.from(values, BigInt), dims);
    const feeds: Record<string, ort.Tensor> = { [g.ids]: int(batch.ids) };
    if (g.mask) feeds[g.mask] = int(batch.mask);
    if (g.tokenTypes) feeds[g.tokenTypes] = int(new Int32Array(batch.ids.length));
    const out = await this.textSession.run(feeds, runOptions);
    return out[g.output]!;
  }

  async release(): Promise<void> {
    await Promise.all([this.imageSession.release(), this.textSession.release()]);
  }
}

/** Checks an output is [count, dim] and copies it out of the session's memory (floats). */
function rows(tensor: ort.Tensor, count: number, what: string): Float32Array {
  const dims = tensor.dims;
  if (dims.length !== 2 || dims[0] !== count) {
    throw new ModelError('BAD_MODEL', `${what} have shape [${dims.join(', ')}], expected [${count}, dim]`);
  }
  return outputFloats(tensor, what);
}

/**
 * An output's values as float32, all finite. A float16 output arrives as raw bits (a Uint16Array) that would
 * read as large numbers, and a NaN (a std of 0 in a config, a division in the graph) would be stored and
 * scored, and never computed again: both are refused, naming the model.
 */
export function outputFloats(tensor: ort.Tensor, what: string): Float32Array {
  if (tensor.type !== 'float32')
    throw new ModelError('BAD_MODEL', `${what} are ${tensor.type}, not float32: export the model with float32 outputs`);
  const data = Float32Array.from(tensor.data as Float32Array);
  for (const v of data)
    if (!Number.isFinite(v)) throw new ModelError('BAD_MODEL', `${what} hold non-finite values (NaN or infinity)`);
  return data;
}

function concat(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** L2-normalises each row in place (idempotent: some exports normalise, Hugging Face's towers do not). */
export function normaliseRows(data: Float32Array, dim: number): void {
  for (let r = 0; r < data.length; r += dim) {
    let sum = 0;
    for (let i = 0; i < dim; i++) sum += data[r + i]! ** 2;
    const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let i = 0; i < dim; i++) data[r + i]! *= inv;
  }
}
