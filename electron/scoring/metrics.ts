/** Retrieval and classification metrics: ROC AUC (ties counted half), ROC points, precision@k, bootstrap CIs. */

/** Area under the ROC curve via the Mann–Whitney U statistic; NaN when a class is absent. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const midRank = (i + j) / 2 + 1; // ranks start at 1; ties share the mean rank
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!]) {
        pos++;
        rankSum += midRank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * ROC curve points (false-positive rate, true-positive rate, threshold), highest threshold first; none when a class
 * is absent (no positive or no negative: one of the rates is 0/0), as rocAuc is NaN then.
 */
export function rocPoints(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): { fpr: number; tpr: number; threshold: number }[] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const P = Array.from(labels).filter(Boolean).length;
  const N = scores.length - P;
  if (!P || !N) return [];
  const points = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < order.length; i++) {
    if (labels[order[i]!]) tp++;
    else fp++;
    const next = order[i + 1];
    if (next === undefined || scores[next] !== scores[order[i]!]) {
      points.push({ fpr: fp / N, tpr: tp / P, threshold: scores[order[i]!]! });
    }
  }
  return points;
}

/** Fraction of the k highest-scoring items that are positive. */
export function precisionAtK(scores: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const top = order.slice(0, Math.min(k, order.length));
  return top.length ? top.filter((i) => labels[i]).length / top.length : NaN;
}

/** Deterministic PRNG (mulberry32) so reported intervals are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Fisher–Yates shuffled copy, drawn from `rnd` (seededRandom: the same draw for the same seed). */
export function shuffled<T>(items: readonly T[], rnd: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Percentile bootstrap interval of the AUC (resampling cases with replacement). */
export function bootstrapAuc(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: { resamples?: number; confidence?: number; seed?: number } = {},
): { auc: number; low: number; high: number } {
  const { resamples = 1000, confidence = 0.95, seed = 1 } = options;
  const rnd = seededRandom(seed);
  const n = scores.length;
  const s = new Float64Array(n);
  const l = new Uint8Array(n);
  const aucs: number[] = [];
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const j = Math.floor(rnd() * n);
      s[i] = scores[j]!;
      l[i] = labels[j] ? 1 : 0;
    }
    const a = rocAuc(s, l);
    if (!Number.isNaN(a)) aucs.push(a);
  }
  aucs.sort((a, b) => a - b);
  const q = (p: number) => aucs[Math.min(aucs.length - 1, Math.max(0, Math.floor(p * aucs.length)))] ?? NaN;
  const tail = (1 - confidence) / 2;
  return { auc: rocAuc(scores, labels), low: q(tail), high: q(1 - tail) };
}
