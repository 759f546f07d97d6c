/**
 * Few-shot screening from example scans: their mean embedding, and the similarity that flags a scan — as
 * similar to the mean as the least typical example is, minus a margin. With few examples the mean is a
 * poor estimate of the finding, so callers warn below MIN_CONFIDENT_EXAMPLES.
 *
 * Embeddings are compared centred on the mean embedding of the scans being screened (when there are enough
 * of them): every scan of one model shares a large common direction, which otherwise dominates the cosine
 * to the examples' mean and hides what the examples have in common (docs/few-shot.md: AUC from 16 examples
 * 0.79 → 0.89 on held-out phantoms, never-seen findings most).
 */
import { dot, normalise, weightedSum } from './vectors.js';

/** Below this many examples, screening by examples rests on too little (the app and the CLI say so). */
export const MIN_CONFIDENT_EXAMPLES = 4;
/** How far below the least typical example a scan may fall and still be flagged. */
export const EXAMPLE_MARGIN = 0.05;
/** Fewer scans than this give no mean worth centring on: their embeddings are compared as they are. */
export const MIN_CENTRING_SCANS = 20;

export interface ExampleProfile {
  vector: Float32Array;
  threshold: number;
  count: number;
  /** The mean embedding every vector is centred on before the cosine; null: compared as they are. */
  centre: Float32Array | null;
}

/** v − centre, L2-normalised (v itself without a centre). */
export function centred(v: ArrayLike<number>, centre: ArrayLike<number> | null): Float32Array {
  if (!centre) return Float32Array.from(v);
  if (centre.length !== v.length) throw new RangeError(`a ${v.length}-d vector and a ${centre.length}-d centre`);
  return normalise(Float32Array.from(v, (x, k) => x - centre[k]!));
}

/** The mean of the vectors (not normalised; zeros for none), and how many there were. */
export function meanVector(vectors: Iterable<ArrayLike<number>>, dim: number): { mean: Float32Array; count: number } {
  const sum = new Float64Array(dim);
  let count = 0;
  for (const v of vectors) {
    if (v.length !== dim) throw new RangeError(`a ${v.length}-d vector among ${dim}-d ones`);
    for (let k = 0; k < dim; k++) sum[k]! += v[k]!;
    count++;
  }
  return { mean: Float32Array.from(sum, (x) => (count ? x / count : 0)), count };
}

/**
 * The centre to compare against: the vectors' mean, or null when there are fewer than MIN_CENTRING_SCANS;
 * and how many vectors there were.
 */
export function centreOf(
  vectors: Iterable<ArrayLike<number>>,
  dim: number,
): { centre: Float32Array | null; count: number } {
  const { mean, count } = meanVector(vectors, dim);
  return { centre: count < MIN_CENTRING_SCANS ? null : mean, count };
}

export function exampleProfile(
  embeddings: readonly Float32Array[],
  centre: Float32Array | null = null,
): ExampleProfile {
  if (!embeddings.length) throw new RangeError('no example embeddings');
  const dim = embeddings[0]!.length;
  const own = embeddings.map((v) => centred(v, centre));
  const vector = weightedSum(
    own.map((v) => ({ vector: v, weight: 1 })),
    dim,
  );
  // Centred examples that cancel out (or all equal to the centre) have no direction: every scan would score
  // 0 and be flagged. They are compared as they are instead.
  if (centre && dot(vector, vector) === 0) return exampleProfile(embeddings, null);
  const least = Math.min(...own.map((v) => dot(v, vector)));
  return { vector, threshold: least - EXAMPLE_MARGIN, count: embeddings.length, centre };
}

/** A scan's similarity to the examples, in the profile's (centred) space. */
export function exampleSimilarity(profile: ExampleProfile, embedding: ArrayLike<number>): number {
  return dot(centred(embedding, profile.centre), profile.vector);
}
