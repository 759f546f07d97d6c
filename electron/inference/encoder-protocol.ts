/** Requests to the encoder worker and what they answer (util/worker-pool.ts carries them). */
import type { ImageTensor, DisplayImage } from '../imaging/preprocess.js';
import type { ProviderName, ProviderReport } from './providers.js';
import type { Embeddings, ImageEncoding } from './runtime.js';
import type { ModelDescription } from './model-description.js';

export type EncoderRequest =
  | {
      type: 'load';
      dir: string;
      providers?: ProviderName[];
      threads?: { intraOp: number; interOp: number };
      /** Where the digests of model files are remembered across runs (FileDigests). */
      digestCache?: string;
    }
  | { type: 'images'; images: DisplayImage[] }
  | { type: 'tensor'; tensor: ImageTensor }
  | { type: 'texts'; texts: string[] }
  | { type: 'words'; texts: string[] }
  | { type: 'release' };

export interface LoadedModel {
  model: ModelDescription;
  provider: ProviderReport;
  vocabSize: number;
  /** Embedding size of the joint space. */
  dim: number;
  /** What its embeddings are a function of (model-fingerprint.ts); modelKey() keys stored embeddings by it. */
  fingerprint: string;
}

/** Per text: its word count and the words the tokenizer does not know as words. */
export type WordReport = { count: number; unknown: string[] }[];

export type EncoderResult = LoadedModel | ImageEncoding | Embeddings | WordReport | null;
