/**
 * Zero-shot scoring from the whole image and its best region. A small finding (a rib fracture, a calcified
 * granuloma, a nodule) fills a few cells of the model's patch grid and little of the global embedding, so
 * the cell that matches the phrase best says more about it than the whole image does; a finding that is a
 * shape of the whole (scoliosis, an enlarged heart) is the other way round, and is scored by the whole image
 * alone, as is a phrase of absence (prompts.ts, scoresWholeImageOnly). The score is a weighted mean of the two
 * margins (phrase over its negation), then CheXzero's two-way softmax. The weight is the model's (its manifest's
 * regionWeight), chosen on validation phantoms before held-out ones were scored (docs/region-scores.md): the mean
 * (0.5) for model 0.7.11, which raised the mean P@10 of 20 findings from 0.65 to 0.70 with the mean AUC unchanged;
 * the best region alone (1) for 0.7.18 to 0.7.21, whose training weighs that region's margin itself.
 */
import type { QuantisedGrid } from '../util/quantised-grid.js';
import { scoresWholeImageOnly } from './prompts.js';
import { pairProbability } from './zero-shot.js';

/** A phrase's prompt-ensemble embeddings (PhraseVectors). */
export interface PhrasePair {
  pair: { phrase: string };
  positive: ArrayLike<number>;
  negative: ArrayLike<number>;
}

/**
 * Per phrase, the best cell's margin: the largest, over the patch grid ([cells × dim], unit rows), of the
 * cell's cosine with the phrase minus its cosine with the phrase's negation. NaN for a phrase that says
 * something is absent ("no effusion", "normal") or names a shape of the whole thorax ("scoliosis", "enlarged
 * heart"): no region can show either. The grid is float32 (as encoded) or as the index keeps it (int8 with a
 * scale per cell: each cell's int8 dot product times its scale, with nothing dequantised).
 */
export function regionMargins(patches: Float32Array | QuantisedGrid, phrases: readonly PhrasePair[]): Float32Array {
  const out = new Float32Array(phrases.length);
  if (!phrases.length) return out;
  const dim = phrases[0]!.positive.length;
  const quantised = !(patches instanceof Float32Array);
  if (quantised && patches.dim !== dim) throw new RangeError(`a grid of ${patches.dim}-d cells, phrases of ${dim}`);
  const values = quantised ? patches.values : patches;
  const cells = values.length / dim;
  if (!Number.isInteger(cells) || cells < 1) throw new RangeError(`${values.length} values are not cells × ${dim}`);
  phrases.forEach((p, j) => {
    if (scoresWholeImageOnly(p.pair.phrase)) {
      out[j] = NaN;
      return;
    }
    // One direction per phrase: cos(cell, pos) − cos(cell, neg) = cell · (pos − neg).
    const d = new Float32Array(dim);
    for (let k = 0; k < dim; k++) d[k] = p.positive[k]! - p.negative[k]!;
    out[j] = quantised ? bestQuantised(patches, d, cells) : bestFloat(patches, d, cells);
  });
  return out;
}

// Two loops, not one over either array type: each stays monomorphic, so V8 keeps it fast.
function bestFloat(values: Float32Array, d: Float32Array, cells: number): number {
  const dim = d.length;
  let best = -Infinity;
  for (let c = 0, o = 0; c < cells; c++, o += dim) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += values[o + k]! * d[k]!;
    if (s > best) best = s;
  }
  return best;
}

function bestQuantised({ values, scales }: QuantisedGrid, d: Float32Array, cells: number): number {
  const dim = d.length;
  let best = -Infinity;
  for (let c = 0, o = 0; c < cells; c++, o += dim) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += values[o + k]! * d[k]!;
    s *= scales[c]!;
    if (s > best) best = s;
  }
  return best;
}

/**
 * How a model's zero-shot scores are computed: its logit scale, the offset on region margins (or null: the whole
 * image alone) and the best region's weight against the whole image.
 */
export interface ZeroShotRule {
  logitScale: number;
  regionOffset: number | null;
  regionWeight: number;
}

/**
 * The zero-shot margin of the phrase over its negation that zeroShotProbability turns into a probability: the
 * global embedding's (simPositive − simNegative) when the model scores no regions (regionOffset null) or no region
 * margin is known (null, undefined or NaN: a scan indexed before) or the phrase is one the whole image alone is
 * weighed for (scoresWholeImageOnly: decided here too, so that a margin an index kept for it earlier is not read),
 * else (1 − w)·the global margin + w·(the best region's less the model's offset), w the model's regionWeight. The
 * offset places the best region's margin on the whole image's scale (the flag threshold): it shifts every scan's
 * score for a phrase alike, so the ranking is the same without it. What a phrase alone ranks by.
 */
export function zeroShotMargin(
  simPositive: number,
  simNegative: number,
  regionMargin: number | null | undefined,
  rule: ZeroShotRule,
  phrase: string,
): number {
  if (
    rule.regionOffset === null ||
    regionMargin === null ||
    regionMargin === undefined ||
    Number.isNaN(regionMargin) ||
    scoresWholeImageOnly(phrase)
  )
    return simPositive - simNegative;
  const w = rule.regionWeight;
  return (1 - w) * (simPositive - simNegative) + w * (regionMargin - rule.regionOffset);
}

/**
 * The zero-shot probability that the phrase rather than its negation describes the scan: its zeroShotMargin,
 * scaled by the model's logit scale, through CheXzero's two-way softmax.
 */
export function zeroShotProbability(...args: Parameters<typeof zeroShotMargin>): number {
  return pairProbability(zeroShotMargin(...args), 0, args[3].logitScale);
}

/**
 * What a model's scores of a phrase it scores regions for weigh, in words: its best region alone (weight 1), the
 * whole image alone (0) or both.
 */
export function regionRuleWords(rule: Pick<ZeroShotRule, 'regionWeight'>): string {
  if (rule.regionWeight >= 1) return 'its best region';
  return rule.regionWeight <= 0 ? 'whole image' : 'whole image and its best region';
}

/** The phrases whose region margins a model scores: none for a model without a region offset. */
export function regionPhrases<P extends PhrasePair>(
  rule: Pick<ZeroShotRule, 'regionOffset'>,
  phrases: readonly P[],
): P[] {
  return rule.regionOffset === null ? [] : phrases.filter((p) => !scoresWholeImageOnly(p.pair.phrase));
}
