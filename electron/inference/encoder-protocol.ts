/** Messages between the main thread and the encoder worker. */
import type { ModelErrorCode } from './errors.js';
import type { ImageTensor, DisplayImage } from './preprocess.js';
import type { ProviderName, ProviderReport } from './providers.js';
import type { Embeddings, ImageEncoding } from './runtime.js';
import type { ModelDescription } from './model-description.js';

export type EncoderRequest =
  | {
      id: number;
      type: 'load';
      dir: string;
      providers?: ProviderName[];
      threads?: { intraOp: number; interOp: number };
    }
  | { id: number; type: 'images'; images: DisplayImage[] }
  | { id: number; type: 'tensor'; tensor: ImageTensor }
  | { id: number; type: 'texts'; texts: string[] }
  | { id: number; type: 'release' };

export interface LoadedModel {
  model: ModelDescription;
  provider: ProviderReport;
  vocabSize: number;
  /** Embedding size of the joint space. */
  dim: number;
}

export type EncoderResult = LoadedModel | ImageEncoding | Embeddings | null;

export type EncoderResponse =
  | { id: number; ok: true; value: EncoderResult }
  | { id: number; ok: false; error: { code: ModelErrorCode | 'INTERNAL'; message: string } };
