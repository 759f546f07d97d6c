/**
 * Scans × phrases: cosine similarity to each phrase (its prompt ensemble) and
 * the zero-shot probability that the phrase, rather than its negation,
 * describes the scan. Text encoding is passed in, so this module stays pure.
 */
import { promptPair, type PromptPair } from './prompts.js';
import { meanRow, scoresAgainst, type Matrix } from './vectors.js';
import { zeroShotProbability, type ZeroShotRule } from './region-score.js';

export type EncodeTexts = (texts: string[]) => Promise<{ data: Float32Array; dim: number }>;

export interface PhraseVectors {
  pair: PromptPair;
  positive: Float32Array;
  negative: Float32Array;
}

/** Embeds each phrase's positive and negative prompts (one batch) and averages each ensemble. */
export async function phraseVectors(
  phrases: string[],
  encode: EncodeTexts,
  options: { templates?: string[]; negation?: string } = {},
): Promise<PhraseVectors[]> {
  const pairs = phrases.map((p) => promptPair(p, options));
  const texts = pairs.flatMap((p) => [...p.positive, ...p.negative]);
  const { data, dim } = await encode(texts);
  const all: Matrix = { data, rows: texts.length, dim };
  let offset = 0;
  return pairs.map((pair) => {
    const pos = Array.from({ length: pair.positive.length }, (_, i) => offset + i);
    const neg = Array.from({ length: pair.negative.length }, (_, i) => offset + pair.positive.length + i);
    offset += pair.positive.length + pair.negative.length;
    return { pair, positive: meanRow(all, pos), negative: meanRow(all, neg) };
  });
}

export interface PhraseScores {
  /** [scans × phrases], row-major. */
  similarity: Float32Array;
  probability: Float32Array;
  phrases: string[];
  scans: number;
}

/**
 * `regions`: per scan, its best region's margin per phrase (regionMargins), for a model that scores regions
 * (`rule.regionOffset`); the probability then weighs the whole image and that region (zeroShotProbability).
 * Without, or for a scan whose entry is null: the whole image alone.
 */
export function scorePhrases(
  images: Matrix,
  vectors: PhraseVectors[],
  rule: ZeroShotRule,
  regions?: readonly (Float32Array | null)[],
): PhraseScores {
  const n = images.rows;
  const m = vectors.length;
  const similarity = new Float32Array(n * m);
  const probability = new Float32Array(n * m);
  vectors.forEach((v, j) => {
    const pos = scoresAgainst(images, v.positive);
    const neg = scoresAgainst(images, v.negative);
    for (let i = 0; i < n; i++) {
      similarity[i * m + j] = pos[i]!;
      probability[i * m + j] = zeroShotProbability(pos[i]!, neg[i]!, regions?.[i]?.[j], rule, v.pair.phrase);
    }
  });
  return { similarity, probability, phrases: vectors.map((v) => v.pair.phrase), scans: n };
}
