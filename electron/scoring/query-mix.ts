/**
 * How the Query view ranks by example scans, alone or beside typed phrases (docs/few-shot.md, "The Query view's
 * example scans", a rule fixed before it was measured). Examples are compared as Screening's example sets compare
 * scans: each scan's descriptor (example-profile.ts), and a scan's score is its weighted mean cosine to the
 * examples' descriptors. Phrases live in the text–image space and examples in the descriptor space, so a query of
 * both kinds standardises each kind over the scans ranked and weighs it by the size of its weights: on validation
 * phantoms that ranked 0.903 (mean AUC over findings, a phrase and 1 or 4 examples) against 0.854 for the sum of
 * plain embeddings the view used before, and 0.890 for a plain sum of the two kinds' cosines.
 */
import { dot } from './vectors.js';

/** One kind of query term (the phrases, or the examples): its score per scan and the sum of its weights' sizes. */
export interface QueryPart {
  scores: ArrayLike<number>;
  weight: number;
}

/** Scores standardised over the scans (mean 0, deviation 1); all 0 when they do not vary. */
export function standardised(xs: ArrayLike<number>): Float64Array {
  const n = xs.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += xs[i]! / n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (xs[i]! - mean) ** 2 / n;
  const sd = Math.sqrt(variance);
  const out = new Float64Array(n);
  if (sd > 0) for (let i = 0; i < n; i++) out[i] = (xs[i]! - mean) / sd;
  return out;
}

/**
 * Each scan's weighted mean cosine to the examples' descriptors (weights: + like, − unlike; the mean over the
 * weights' sizes, so that a score stays a cosine).
 */
export function exampleQueryScores(
  descriptors: readonly ArrayLike<number>[],
  examples: readonly { row: number; weight: number }[],
): Float64Array {
  if (!examples.length) throw new RangeError('no examples');
  const size = examples.reduce((a, e) => a + Math.abs(e.weight), 0);
  if (!(size > 0)) throw new RangeError('examples of weight 0');
  const out = new Float64Array(descriptors.length);
  for (const { row, weight } of examples) {
    const e = descriptors[row];
    if (!e) throw new RangeError(`no scan ${row} among ${descriptors.length}`);
    for (let i = 0; i < descriptors.length; i++) out[i]! += (weight * dot(descriptors[i]!, e)) / size;
  }
  return out;
}

/**
 * The score a query ranks by: one kind's own scores as they are; with both kinds, each standardised over the
 * scans and the two summed by their weights' sizes, divided by the total (a weighted mean of standard scores).
 */
export function mixQueryParts(parts: readonly QueryPart[]): Float64Array {
  if (!parts.length) throw new RangeError('no query terms');
  const n = parts[0]!.scores.length;
  if (parts.some((p) => p.scores.length !== n)) throw new RangeError('query parts over different scans');
  if (parts.length === 1) return Float64Array.from(parts[0]!.scores);
  const total = parts.reduce((a, p) => a + p.weight, 0);
  if (!(total > 0) || parts.some((p) => !(p.weight >= 0))) throw new RangeError('query parts without weight');
  const out = new Float64Array(n);
  for (const p of parts) {
    const z = standardised(p.scores);
    for (let i = 0; i < n; i++) out[i]! += (p.weight * z[i]!) / total;
  }
  return out;
}
