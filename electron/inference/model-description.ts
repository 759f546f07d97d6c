/**
 * What the pipeline needs to know about a model, whatever layout it came in.
 * Loaders (layouts/) translate a RadSift manifest, a Hugging Face CLIP folder
 * or an OpenCLIP/Immich folder into this one description — the OpenCLIP idea
 * of "models as data": no `if (model === …)` anywhere downstream.
 */
import type { ImageInputSpec } from '../imaging/image-spec.js';

export interface ImageSpec extends ImageInputSpec {
  /** ONNX file, relative to the model folder. */
  file: string;
  input: string;
  /** embeds null: the model's first output (OpenCLIP/Immich exports name it differently across versions). */
  outputs: { embeds: string | null; patches: string | null };
  /** Patch-embedding grid [rows, cols] when the model has one (grounding heatmaps). */
  patchGrid: [number, number] | null;
}

export interface TextSpec {
  file: string;
  tokenizer: string;
  /** tokenizer_config.json when the layout has one (special tokens, lower-casing). */
  tokenizerConfig: string | null;
  /** The ids input; the mask is fed only when the graph declares it (CLIP text towers take ids only). */
  inputs: { ids: string; mask: string | null };
  /** null: the model's first output. */
  output: string | null;
  maxLength: number;
  /** Pad every sequence to maxLength (CLIP-style exports need a fixed 77). */
  padToMaxLength: boolean;
  /** Token id used for padding; null: the tokenizer's own pad token ([PAD], <pad>), else 0. */
  padId: number | null;
  lowercase: boolean;
  /** How a finding is negated for zero-shot scoring, "{}" standing for the phrase. */
  negationTemplate: string;
}

export interface ModelDescription {
  layout: string;
  dir: string;
  id: string;
  name: string;
  version: string;
  licence: string;
  intendedUse: string;
  trainedOnSyntheticData: boolean;
  provenance: Record<string, unknown>;
  /** null when the layout does not say; then taken from the first output. */
  embeddingDim: number | null;
  /** Multiplier on cosine similarity before a softmax (CLIP's exp(t)); 100 for CLIP, 1/τ for ConVIRT. */
  logitScale: number;
  /**
   * Zero-shot also from the best patch-grid region: the offset on its margin (scoring/region-score.ts); null:
   * the whole image alone (every layout but a RadSift bundle that measured it).
   */
  regionOffset: number | null;
  /** The best region's weight against the whole image, where regionOffset is set (0.5: their mean). */
  regionWeight: number;
  image: ImageSpec;
  text: TextSpec;
  /** Files with the checksum the layout declares (RadSift bundles), verified on load. */
  checksums: Record<string, { sha256: string; bytes: number }>;
}
