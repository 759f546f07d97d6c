/**
 * The evaluations the CLIP and ConVIRT papers report, on frozen embeddings
 * with labels: image→image retrieval, linear probes on a fraction of the
 * labels and few-shot probes next to zero-shot on the same held-out scans,
 * and negation ordering of report sentences. Pure functions; `radsift eval`
 * prints them and the model card quotes them.
 */
import {
  descriptorMatrix,
  exampleProfile,
  exampleSimilarity,
  exampleSpace,
  PLAIN_SPACE,
  type ExampleScan,
} from './example-profile.js';
import { applyProbe, trainProbe } from './linear-probe.js';
import { rocAuc, seededRandom, shuffled } from './metrics.js';
import { row, scoresAgainst, type Matrix } from './vectors.js';

/**
 * Image→image precision@k: for each positive scan as the query, the fraction of its k nearest
 * other scans (cosine) that are positive too, averaged over the positives.
 */
export function imageToImagePrecision(images: Matrix, labels: ArrayLike<number>, k = 10): number {
  const positives = [...Array(images.rows).keys()].filter((i) => labels[i]);
  if (!positives.length || images.rows <= k) return NaN;
  let total = 0;
  for (const q of positives) {
    const scores = scoresAgainst(images, row(images, q));
    scores[q] = -Infinity; // not itself
    const order = [...scores.keys()].sort((a, b) => scores[b]! - scores[a]!);
    let hits = 0;
    for (let r = 0; r < k; r++) hits += labels[order[r]!] ? 1 : 0;
    total += hits / k;
  }
  return total / positives.length;
}

export interface ProbeCurve {
  /** Held-out scans the AUCs are measured on (the other half trains). */
  testScans: number;
  zeroShot: number;
  /**
   * Linear probe AUC by fraction of the training half's labels (e.g. "0.01"). The probes (these and `shots`) read
   * what the examples compare (`probeFeatures`), unless told to read the embedding as given.
   */
  fractions: Record<string, number>;
  /** Probe AUC from k positive and k negative examples. */
  shots: Record<string, number>;
  /**
   * AUC of the cosine to the mean of k positive examples only, centred on the mean of every scan evaluated
   * (unless `centre: false`), by the global embedding and, given `pooled`, the pooled patch embeddings beside
   * it: what the app's example sets do (few-shot screening of a rare finding, where negatives are not picked).
   */
  examples: Record<string, number>;
  /** What the probes read: the descriptor (with the pooled patches or not, centred or not), or the rows as given. */
  probeFeatures: { descriptor: false } | { descriptor: true; patches: boolean; centred: boolean };
}

/** The given rows of a matrix, in that order, as a new matrix. */
export function pick(rows: readonly number[], data: Matrix): Matrix {
  const out = new Float32Array(rows.length * data.dim);
  rows.forEach((r, i) => out.set(row(data, r), i * data.dim));
  return { data: out, rows: rows.length, dim: data.dim };
}

/**
 * Linear probe with a fraction of the labels and few-shot probes, next to zero-shot, all scored
 * on the same held-out half (stratified split). Small label sets are noisy, so each point is the
 * mean over `repeats` random draws of the training labels; a draw without both classes is skipped.
 */
export function probeCurve(
  images: Matrix,
  labels: ArrayLike<number>,
  zeroShotScores: ArrayLike<number>,
  options: {
    fractions?: number[];
    shots?: number[];
    repeats?: number;
    seed?: number;
    centre?: boolean;
    /** Each scan's patch embeddings max-pooled (rows as `images`): example sets compare by them too. */
    pooled?: Matrix;
    /**
     * What the probes read: each scan's example descriptor in the same space as the examples (the app's linear
     * probe; chosen on validation phantoms, docs/few-shot.md), or `images` as given (a benchmark's own features).
     */
    probeFeatures?: 'descriptor' | 'embedding';
  } = {},
): ProbeCurve {
  const {
    fractions = [0.01, 0.1, 1],
    shots = [1, 4, 16],
    repeats = 5,
    seed = 1,
    centre = true,
    pooled,
    probeFeatures = 'descriptor',
  } = options;
  if (pooled && (pooled.rows !== images.rows || pooled.dim !== images.dim))
    throw new RangeError(`${pooled.rows} pooled rows of ${pooled.dim} beside ${images.rows} of ${images.dim}`);
  const scan = (i: number): ExampleScan => ({ embedding: row(images, i), pooled: pooled ? row(pooled, i) : null });
  // Example profiles are centred on the mean of every scan evaluated, as the app centres on the scans it screens.
  const space = centre
    ? exampleSpace(
        Array.from({ length: images.rows }, (_, i) => scan(i)),
        images.dim,
      ).space
    : { ...PLAIN_SPACE, patches: !!pooled };
  const rnd = seededRandom(seed);
  const pos = shuffled(
    [...Array(images.rows).keys()].filter((i) => labels[i]),
    rnd,
  );
  const neg = shuffled(
    [...Array(images.rows).keys()].filter((i) => !labels[i]),
    rnd,
  );
  const half = (a: number[]) => Math.floor(a.length / 2);
  const trainPos = pos.slice(0, half(pos));
  const trainNeg = neg.slice(0, half(neg));
  const test = [...pos.slice(half(pos)), ...neg.slice(half(neg))];
  const features =
    probeFeatures === 'embedding' || !images.rows
      ? images
      : descriptorMatrix(
          Array.from({ length: images.rows }, (_, i) => scan(i)),
          space,
        );
  const testX = pick(test, features);
  const testY = test.map((i) => (labels[i] ? 1 : 0));
  const aucOf = (trainRows: number[]): number => {
    const y = trainRows.map((i) => (labels[i] ? 1 : 0));
    if (!y.some(Boolean) || y.every(Boolean)) return NaN;
    return rocAuc(applyProbe(trainProbe(pick(trainRows, features), y), testX), testY);
  };
  const mean = (draw: () => number[]): number => {
    const aucs = Array.from({ length: repeats }, () => aucOf(draw())).filter(Number.isFinite);
    return aucs.length ? aucs.reduce((a, b) => a + b, 0) / aucs.length : NaN;
  };
  const train = [...trainPos, ...trainNeg];
  const result: ProbeCurve = {
    testScans: test.length,
    zeroShot: rocAuc(
      test.map((i) => zeroShotScores[i]!),
      testY,
    ),
    fractions: {},
    shots: {},
    examples: {},
    probeFeatures:
      features === images
        ? { descriptor: false }
        : { descriptor: true, patches: space.patches, centred: space.centre !== null },
  };
  for (const f of fractions) {
    const n = Math.max(2, Math.round(f * train.length));
    result.fractions[String(f)] = f >= 1 ? aucOf(train) : mean(() => shuffled(train, rnd).slice(0, n));
  }
  for (const k of shots) {
    result.shots[String(k)] =
      k > trainPos.length || k > trainNeg.length
        ? NaN
        : mean(() => [...shuffled(trainPos, rnd).slice(0, k), ...shuffled(trainNeg, rnd).slice(0, k)]);
  }
  for (const k of shots) {
    if (k > trainPos.length) {
      result.examples[String(k)] = NaN;
      continue;
    }
    const aucs = Array.from({ length: repeats }, () => {
      const profile = exampleProfile(shuffled(trainPos, rnd).slice(0, k).map(scan), space);
      return rocAuc(
        test.map((i) => exampleSimilarity(profile, scan(i))),
        testY,
      );
    });
    result.examples[String(k)] = aucs.reduce((a, b) => a + b, 0) / aucs.length;
  }
  return result;
}

/**
 * Negation ordering: the fraction of (positive sentence, negated sentence) pairs that a phrase
 * embedding ranks the right way round (more similar to the positive). Over all pairs this is
 * the AUC of the similarity with positive = 1, ties counting half.
 */
export function negationOrdering(phrase: ArrayLike<number>, positives: Matrix, negated: Matrix): number {
  if (!positives.rows || !negated.rows) return NaN;
  const s = [...scoresAgainst(positives, phrase), ...scoresAgainst(negated, phrase)];
  const y = s.map((_, i) => (i < positives.rows ? 1 : 0));
  return rocAuc(s, y);
}
