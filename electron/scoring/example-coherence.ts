/**
 * Whether a set of example scans has something in common that the model's image features carry: the mean cosine
 * between two examples' descriptors (exampleDescriptor, in the space the scans screened are compared in), against
 * the mean cosine of as many random pairs of the scans screened (a permutation test). Examples of a finding the
 * embedding carries are far more alike than two scans at random (docs/few-shot.md: 0.17–0.49 against 0.01 for 16
 * examples); examples of one it does not carry are not, and flagging by them is close to chance — which the app
 * and the CLI then say. Each draw is a random set of as many scans as there are examples, so that its pairs share
 * members as the examples' pairs do: in a folder of clusters (one site, one scanner, one patient's series) the
 * pairs of a set are alike together, and independent random pairs vary less than a set's pairs, which made p too
 * small for 3–16 examples. Past MAX_RANDOM_PAIRS pairs a draw is that many independent pairs (the effect size
 * decides there). Label-free: it reads only the examples and the scans screened.
 */
import { seededRandom } from './metrics.js';
import { dot } from './vectors.js';

/** Examples no more alike than this share of random draws are reported as not alike (a one-sided test). */
export const COHERENCE_P = 0.05;
/**
 * Nor are examples whose mean cosine is less than this many standard deviations of a random pair's cosine above
 * a random pair's mean: with many examples a slight likeness is significant and still screens close to chance.
 * Set on phantoms of a seed no evaluation uses (seed 92, 1,000 at 512²; model 0.7.11): 16 examples of each
 * finding the embedding carries stood 0.61–1.72 above, of those it does not −0.01–0.28 (docs/few-shot.md).
 */
export const MIN_COHERENCE_EFFECT = 0.4;
/** Random draws of as many pairs as the examples make: p has a resolution of 1/(RANDOM_SETS + 1). */
export const RANDOM_SETS = 199;
/**
 * At most this many random pairs a draw, whatever the examples (200, the most a set holds, make 19,900 pairs:
 * 1.3 s a read of the results). Up to 45 examples (990 pairs) a draw is a random set of as many scans; past
 * 1,000 pairs a draw is as many independent pairs, whose mean varies by a 32nd of a pair's spread or less, so any
 * likeness as large as MIN_COHERENCE_EFFECT is far beyond every draw either way.
 */
export const MAX_RANDOM_PAIRS = 1000;

export interface ExampleCoherence {
  /** Mean cosine between two different examples. */
  value: number;
  /** The same over random pairs of scans screened (the mean over every draw). */
  random: number;
  /** (value − random) in standard deviations of a random pair's cosine: scale-free, whatever the model. */
  effect: number;
  /** Share of draws of as many random pairs (and the examples' own) at least as alike: (1 + r) / (1 + draws). */
  p: number;
  /** p at most COHERENCE_P and effect at least MIN_COHERENCE_EFFECT. */
  alike: boolean;
  /** Not alike, but only for want of examples: as far above random pairs as alike ones, not significantly (p). */
  undecided: boolean;
}

/** Mean cosine over the pairs of different vectors (unit length, as descriptors are). */
export function meanPairCosine(vectors: readonly ArrayLike<number>[]): number {
  let sum = 0;
  for (let i = 0; i < vectors.length; i++)
    for (let j = i + 1; j < vectors.length; j++) sum += dot(vectors[i]!, vectors[j]!);
  return sum / ((vectors.length * (vectors.length - 1)) / 2);
}

/** Descriptors this close to an earlier one are the same scan given twice (or a copy of it): counted once. */
const SAME_SCAN_COSINE = 1 - 1e-6;

/** The vectors less any that repeat an earlier one (cosine ≥ SAME_SCAN_COSINE). */
export function distinctVectors<V extends ArrayLike<number>>(vectors: readonly V[]): V[] {
  const out: V[] = [];
  for (const v of vectors) if (!out.some((u) => dot(u, v) >= SAME_SCAN_COSINE)) out.push(v);
  return out;
}

/**
 * The examples' coherence against `sets` draws from the `scans` (descriptor of scan i on demand): each a random
 * set of as many different scans as there are examples, or, where the examples make more than MAX_RANDOM_PAIRS
 * pairs or outnumber the scans, as many independent random pairs as the examples make (MAX_RANDOM_PAIRS at
 * most). A scan given twice counts once: its pair with itself would look perfectly alike. Null where it cannot
 * say: fewer than two distinct examples, fewer than three scans, or scans all alike (no spread to measure
 * against). Seeded: the same examples and scans give the same p whenever results are read.
 */
export function exampleCoherence(
  given: readonly ArrayLike<number>[],
  scans: Scans,
  sets = RANDOM_SETS,
): ExampleCoherence | null {
  const examples = distinctVectors(given);
  const k = examples.length;
  if (k < 2 || scans.count < 3) return null;
  const value = meanPairCosine(examples);
  const bySets = (k * (k - 1)) / 2 <= MAX_RANDOM_PAIRS && k <= scans.count;
  // As many pairs as the examples make (up to MAX_RANDOM_PAIRS): a mean over more pairs than theirs would vary
  // less than theirs does, and make p too small.
  const pairs = Math.min((k * (k - 1)) / 2, MAX_RANDOM_PAIRS);
  const rnd = seededRandom(0x5eed + k);
  const draw = bySets ? randomSets(scans, k, rnd) : randomPairs(scans, pairs, rnd);
  let atLeast = 0;
  let total = 0;
  let squares = 0;
  for (let s = 0; s < sets; s++) {
    let sum = 0;
    draw((c) => {
      sum += c;
      squares += c * c;
    });
    total += sum;
    if (sum / pairs >= value) atLeast++;
  }
  const n = sets * pairs;
  const random = total / n;
  const spread = Math.sqrt(Math.max(squares / n - random * random, 0));
  if (spread <= 1e-6) return null; // every scan alike (to rounding): nothing to tell the examples apart from
  const effect = (value - random) / spread;
  const p = (1 + atLeast) / (1 + sets);
  const large = effect >= MIN_COHERENCE_EFFECT;
  return { value, random, effect, p, alike: p <= COHERENCE_P && large, undecided: p > COHERENCE_P && large };
}

type Scans = { count: number; descriptor: (i: number) => ArrayLike<number> };
/** One draw: calls `pair` with the cosine of each of its pairs. */
type Draw = (pair: (cosine: number) => void) => void;

/** Draws of k different scans (a partial Fisher–Yates shuffle, undone after each draw), every pair of each. */
function randomSets(scans: Scans, k: number, rnd: () => number): Draw {
  const order = Int32Array.from({ length: scans.count }, (_, i) => i);
  const chosen: ArrayLike<number>[] = new Array<ArrayLike<number>>(k);
  const swapped = new Int32Array(k);
  return (pair) => {
    for (let m = 0; m < k; m++) {
      const r = m + Math.floor(rnd() * (scans.count - m));
      swapped[m] = r;
      const t = order[m]!;
      order[m] = order[r]!;
      order[r] = t;
      chosen[m] = scans.descriptor(order[m]!);
    }
    for (let m = k - 1; m >= 0; m--) {
      const r = swapped[m]!;
      const t = order[m]!;
      order[m] = order[r]!;
      order[r] = t;
    }
    for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) pair(dot(chosen[i]!, chosen[j]!));
  };
}

/** Draws of `pairs` independent random pairs of different scans. */
function randomPairs(scans: Scans, pairs: number, rnd: () => number): Draw {
  return (pair) => {
    for (let q = 0; q < pairs; q++) {
      const i = Math.floor(rnd() * scans.count);
      const j = (i + 1 + Math.floor(rnd() * (scans.count - 1))) % scans.count; // another scan
      pair(dot(scans.descriptor(i), scans.descriptor(j)));
    }
  };
}
