/**
 * When does a scan "match" a query? Users of CLIP search complain it "returns
 * everything": a ranking always has a top. RadSift shows a match only when
 *  - a negation exists (phrases): the phrase beats its negation, p ≥ 0.5 by
 *    default (the model's own decision boundary), or
 *  - for queries without a negation (example scans, weighted mixes): the score
 *    is an outlier of this collection's score distribution — above
 *    median + k·1.4826·MAD (a robust z ≥ k, default k = 3), so a query that fits
 *    nothing in particular honestly returns nothing.
 */

export interface RobustCut {
  median: number;
  mad: number;
  cut: number;
}

function median(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

export function robustCut(scores: ArrayLike<number>, k = 3): RobustCut {
  const sorted = Float64Array.from(scores).sort();
  const med = median(sorted);
  const dev = Float64Array.from(sorted, (s) => Math.abs(s - med)).sort();
  const mad = median(dev);
  // A degenerate (constant) distribution has no outliers.
  return { median: med, mad, cut: mad > 0 ? med + k * 1.4826 * mad : Infinity };
}

export const DEFAULT_PROBABILITY_THRESHOLD = 0.5;
