/**
 * Linear probe: L2-regularised logistic regression on frozen image features (the
 * evaluation ConVIRT and CLIP report, and the app's "train on my labels"; both read
 * the examples' descriptor, example-profile.ts, up to twice the embedding's width).
 * Newton's method on a few hundred rows of up to ~1,000 dimensions converges in ~10 steps.
 */
import type { Matrix } from './vectors.js';
import { row } from './vectors.js';
import { rocAuc, seededRandom } from './metrics.js';

export interface Probe {
  weights: Float64Array; // [dim]
  bias: number;
}

export function trainProbe(
  x: Matrix,
  labels: ArrayLike<number>,
  options: { l2?: number; iterations?: number } = {},
): Probe {
  const { l2 = 1e-2, iterations = 25 } = options;
  const d = x.dim + 1; // last coordinate: bias (not regularised)
  const w = new Float64Array(d);
  const grad = new Float64Array(d);
  const hess = new Float64Array(d * d);
  for (let it = 0; it < iterations; it++) {
    grad.fill(0);
    hess.fill(0);
    for (let i = 0; i < x.rows; i++) {
      const xi = row(x, i);
      let z = w[d - 1]!;
      for (let k = 0; k < x.dim; k++) z += w[k]! * xi[k]!;
      const p = 1 / (1 + Math.exp(-z));
      const g = p - (labels[i] ? 1 : 0);
      const h = Math.max(p * (1 - p), 1e-9);
      for (let a = 0; a < d; a++) {
        const xa = a < x.dim ? xi[a]! : 1;
        grad[a]! += g * xa;
        for (let b = a; b < d; b++) hess[a * d + b]! += h * xa * (b < x.dim ? xi[b]! : 1);
      }
    }
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < a; b++) hess[a * d + b] = hess[b * d + a]!;
      if (a < x.dim) {
        grad[a]! += l2 * x.rows * w[a]!;
        hess[a * d + a]! += l2 * x.rows;
      } else hess[a * d + a]! += 1e-9 * x.rows;
    }
    const step = solve(hess, grad, d);
    let change = 0;
    for (let a = 0; a < d; a++) {
      w[a]! -= step[a]!;
      change = Math.max(change, Math.abs(step[a]!));
    }
    if (change < 1e-6) break;
  }
  return { weights: w.subarray(0, x.dim), bias: w[d - 1]! };
}

export function applyProbe(probe: Probe, x: Matrix): Float32Array {
  const out = new Float32Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    const xi = row(x, i);
    let z = probe.bias;
    for (let k = 0; k < x.dim; k++) z += probe.weights[k]! * xi[k]!;
    out[i] = 1 / (1 + Math.exp(-z));
  }
  return out;
}

/** Stratified k-fold cross-validated AUC: how well a probe on these labels ranks unseen scans. */
export function crossValidatedAuc(x: Matrix, labels: ArrayLike<number>, folds = 5, seed = 1): number {
  const pos = [...Array(x.rows).keys()].filter((i) => labels[i]);
  const neg = [...Array(x.rows).keys()].filter((i) => !labels[i]);
  const k = Math.min(folds, pos.length, neg.length);
  if (k < 2) return NaN;
  const rnd = seededRandom(seed);
  const shuffle = (a: number[]) =>
    a
      .map((v) => [rnd(), v] as const)
      .sort((p, q) => p[0] - q[0])
      .map((p) => p[1]);
  const fold = new Int32Array(x.rows);
  [shuffle(pos), shuffle(neg)].forEach((group) => group.forEach((idx, j) => (fold[idx] = j % k)));
  const scores = new Float32Array(x.rows);
  for (let f = 0; f < k; f++) {
    const train = [...Array(x.rows).keys()].filter((i) => fold[i] !== f);
    const test = [...Array(x.rows).keys()].filter((i) => fold[i] === f);
    const probe = trainProbe(
      subset(x, train),
      train.map((i) => (labels[i] ? 1 : 0)),
    );
    const s = applyProbe(probe, subset(x, test));
    test.forEach((i, j) => (scores[i] = s[j]!));
  }
  return rocAuc(scores, labels);
}

function subset(x: Matrix, rows: number[]): Matrix {
  const data = new Float32Array(rows.length * x.dim);
  rows.forEach((r, i) => data.set(row(x, r), i * x.dim));
  return { data, rows: rows.length, dim: x.dim };
}

/** Solves A·s = b (A symmetric positive definite, n×n) by Cholesky decomposition. */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / l[j * n + j]!;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * y[k]!;
    y[i] = s / l[i * n + i]!;
  }
  const out = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * out[k]!;
    out[i] = s / l[i * n + i]!;
  }
  return out;
}
