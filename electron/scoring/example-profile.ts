/**
 * Few-shot screening from example scans: their mean embedding, and the similarity that flags a scan — as
 * similar to the mean as the least typical example is, minus a margin. With few examples the mean is a
 * poor estimate of the finding, so callers warn below MIN_CONFIDENT_EXAMPLES.
 *
 * Embeddings are compared centred on the mean embedding of the scans being screened (when there are enough
 * of them): every scan of one model shares a large common direction, which otherwise dominates the cosine
 * to the examples' mean and hides what the examples have in common (docs/few-shot.md: AUC from 16 examples
 * 0.79 → 0.89 on held-out phantoms, never-seen findings most). Where the model has patch embeddings, their
 * max-pool (centred the same way) sits beside the global embedding: a finding small or outside the lungs,
 * which the text-aligned global embedding averages away, still lights some patch (0.89 → 0.90 overall,
 * subcutaneous emphysema 0.82 → 0.93).
 */
import { dot, normalise, weightedSum, type Matrix } from './vectors.js';

/** Below this many examples, screening by examples rests on too little (the app and the CLI say so). */
export const MIN_CONFIDENT_EXAMPLES = 4;
/** How far below the least typical example a scan may fall and still be flagged. */
export const EXAMPLE_MARGIN = 0.05;
/** Fewer scans than this give no mean worth centring on: their embeddings are compared as they are. */
export const MIN_CENTRING_SCANS = 20;
/**
 * How far counter-examples (scans a reviewer marked "not the finding") push the examples' direction away
 * from their own (Rocchio's relevance feedback): the profile is the examples' mean direction less this times
 * the counter-examples'. Set on phantoms of seed 92, which no evaluation uses: 4 examples, the top 20 reviewed,
 * P@10 of the scans not reviewed 0.68 → 0.74 (0.25: 0.72; 0.75: 0.74; 1.0: 0.69, where it starts to push the
 * examples' own finding away); docs/few-shot.md.
 */
export const COUNTER_WEIGHT = 0.5;

/** A scan as example sets compare it: its global embedding and, where the model has them, its patch
 * embeddings max-pooled (example-features.ts: maxPoolPatches). */
export interface ExampleScan {
  embedding: ArrayLike<number>;
  pooled?: ArrayLike<number> | null;
}

/** What scans are compared in. */
export interface ExampleSpace {
  /** The mean embedding every global embedding is centred on before the cosine; null: compared as they are. */
  centre: Float32Array | null;
  /** The same for the pooled patch embeddings (null when centre is, or patches is false). */
  pooledCentre: Float32Array | null;
  /** Whether the pooled patch embeddings stand beside the global embedding. */
  patches: boolean;
}

/** Global embeddings only, as they are. */
export const PLAIN_SPACE: ExampleSpace = Object.freeze({ centre: null, pooledCentre: null, patches: false });

export interface ExampleProfile {
  vector: Float32Array;
  threshold: number;
  count: number;
  /** Counter-examples the direction was pushed away from (0: none). */
  counterCount: number;
  /**
   * With counter-examples, the examples' own rule (their mean direction and its cut): a scan is flagged only if
   * this flags it too, so a counter-example can take flags away but never add them (one that looks like an
   * example lowers that example's score, and with it the pushed cut). Null without counter-examples.
   */
  base: { vector: Float32Array; threshold: number } | null;
  space: ExampleSpace;
}

/** v − centre, L2-normalised (v itself without a centre). */
export function centred(v: ArrayLike<number>, centre: ArrayLike<number> | null): Float32Array {
  if (!centre) return Float32Array.from(v);
  const out = new Float32Array(v.length);
  unitInto(out, 0, v, centre);
  return out;
}

/**
 * Writes v − centre (v itself without a centre), L2-normalised, into out from `at`. A plain loop: Float32Array.from
 * with a map function is several times slower, and every scan of a folder is centred each time its results are
 * ranked afresh.
 */
function unitInto(out: Float32Array, at: number, v: ArrayLike<number>, centre: ArrayLike<number> | null): void {
  if (centre && centre.length !== v.length)
    throw new RangeError(`a ${v.length}-d vector and a ${centre.length}-d centre`);
  let sum = 0;
  for (let k = 0; k < v.length; k++) {
    const x = Math.fround(centre ? v[k]! - centre[k]! : v[k]!);
    out[at + k] = x;
    sum += x * x;
  }
  const n = Math.sqrt(sum);
  if (n > 0) for (let k = 0; k < v.length; k++) out[at + k]! /= n;
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
 * The space a set of scans is compared in: their mean global embedding and mean pooled patch embedding to
 * centre on (none below MIN_CENTRING_SCANS), patches only if every scan has them; and how many scans.
 */
export function exampleSpace(scans: Iterable<ExampleScan>, dim: number): { space: ExampleSpace; count: number } {
  const global = new Float64Array(dim);
  const pooled = new Float64Array(dim);
  let count = 0;
  let withPatches = 0;
  for (const { embedding, pooled: p } of scans) {
    if (embedding.length !== dim) throw new RangeError(`a ${embedding.length}-d vector among ${dim}-d ones`);
    for (let k = 0; k < dim; k++) global[k]! += embedding[k]!;
    if (p) {
      if (p.length !== dim) throw new RangeError(`a ${p.length}-d pooled vector among ${dim}-d ones`);
      for (let k = 0; k < dim; k++) pooled[k]! += p[k]!;
      withPatches++;
    }
    count++;
  }
  const patches = count > 0 && withPatches === count;
  const centre = count >= MIN_CENTRING_SCANS;
  const mean = (sum: Float64Array) => Float32Array.from(sum, (x) => x / count);
  return {
    space: { centre: centre ? mean(global) : null, pooledCentre: centre && patches ? mean(pooled) : null, patches },
    count,
  };
}

/**
 * The vector a scan is compared by: its centred global embedding, or with patches that and its centred
 * pooled patch embedding side by side, each unit length, the pair L2-normalised (both halves weigh the same).
 */
export function exampleDescriptor(scan: ExampleScan, space: ExampleSpace): Float32Array {
  if (!space.patches) return normalise(centred(scan.embedding, space.centre));
  if (!scan.pooled) throw new RangeError('a scan without pooled patch embeddings, compared with them');
  // Both halves written into one array: a large folder's first read describes every scan.
  const dim = scan.embedding.length;
  const out = new Float32Array(dim + scan.pooled.length);
  unitInto(out, 0, scan.embedding, space.centre);
  unitInto(out, dim, scan.pooled, space.pooledCentre);
  return normalise(out);
}

/**
 * Every scan's descriptor in `space`, one row each: what the linear probe reads, so that a probe on a few labels
 * sees what example sets compare (docs/few-shot.md, "The linear probe: which features it reads").
 */
export function descriptorMatrix(scans: readonly ExampleScan[], space: ExampleSpace): Matrix {
  if (!scans.length) throw new RangeError('no scans to describe');
  const first = exampleDescriptor(scans[0]!, space);
  const data = new Float32Array(scans.length * first.length);
  data.set(first);
  for (let i = 1; i < scans.length; i++) data.set(exampleDescriptor(scans[i]!, space), i * first.length);
  return { data, rows: scans.length, dim: first.length };
}

/**
 * The examples' mean descriptor in `space`, and the similarity that flags a scan. The pooled patches are
 * used only if every example and counter-example has them (the profile's space says whether they were).
 * With counter-examples the direction is the examples' mean direction less COUNTER_WEIGHT times theirs,
 * normalised (Rocchio): scans like the ones a reviewer rejected fall, scans like the examples stay.
 */
export function exampleProfile(
  examples: readonly ExampleScan[],
  space: ExampleSpace = PLAIN_SPACE,
  counterExamples: readonly ExampleScan[] = [],
): ExampleProfile {
  if (!examples.length) throw new RangeError('no example embeddings');
  const all = [...examples, ...counterExamples];
  const used: ExampleSpace =
    space.patches && !all.every((e) => e.pooled) ? { ...space, pooledCentre: null, patches: false } : space;
  const own = examples.map((e) => exampleDescriptor(e, used));
  const mean = weightedSum(
    own.map((v) => ({ vector: v, weight: 1 })),
    own[0]!.length,
  );
  // Centred examples that cancel out (or all equal to the centre) have no direction: every scan would score
  // 0 and be flagged. They are compared as they are instead.
  if (used.centre && dot(mean, mean) === 0)
    return exampleProfile(examples, { ...used, centre: null, pooledCentre: null }, counterExamples);
  let vector = mean;
  if (counterExamples.length) {
    const against = weightedSum(
      counterExamples.map((e) => ({ vector: exampleDescriptor(e, used), weight: 1 })),
      mean.length,
    );
    // |mean| = 1 and |COUNTER_WEIGHT · against| ≤ 0.5: the difference never vanishes.
    vector = weightedSum(
      [
        { vector: mean, weight: 1 },
        { vector: against, weight: -COUNTER_WEIGHT },
      ],
      mean.length,
    );
  }
  const cut = (v: Float32Array) => Math.min(...own.map((e) => dot(e, v))) - EXAMPLE_MARGIN;
  return {
    vector,
    threshold: cut(vector),
    count: examples.length,
    counterCount: counterExamples.length,
    base: counterExamples.length ? { vector: mean, threshold: cut(mean) } : null,
    space: used,
  };
}

/** Whether the examples flag a scan whose descriptor (in the profile's space) is `d`: as similar as the least
 * typical example, less the margin, and (with counter-examples) flagged by the examples' own rule too. */
export function flaggedByExamples(profile: ExampleProfile, d: ArrayLike<number>): boolean {
  if (dot(d, profile.vector) < profile.threshold) return false;
  return !profile.base || dot(d, profile.base.vector) >= profile.base.threshold;
}

/** A scan's similarity to the examples, in the profile's space. */
export function exampleSimilarity(profile: ExampleProfile, scan: ExampleScan): number {
  return dot(exampleDescriptor(scan, profile.space), profile.vector);
}
