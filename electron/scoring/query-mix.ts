/**
 * How the Query view ranks by example scans, alone or beside typed phrases (docs/few-shot.md, "The Query view's
 * example scans", a rule fixed before it was measured). Examples are compared as Screening's example sets compare
 * scans: each scan's descriptor (example-profile.ts) against the examples' mean direction, less COUNTER_WEIGHT times
 * the direction of those marked unlike (as a review's counter-examples push a screening's ranking). Phrases live in
 * the text–image space and examples in the descriptor space, so a query of both kinds standardises each kind over
 * the scans ranked and weighs it: on validation phantoms that ranked 0.903 (mean AUC over findings, a phrase and 1
 * or 4 examples) against 0.854 for the sum of plain embeddings the view used before, and 0.890 for a plain sum of
 * the two kinds' cosines. The phrases' part is what a phrase alone ranks by, its zero-shot margin (region-score.ts:
 * the best region for the default model), since a second rule measured 0.918 against 0.910 for its whole-image
 * cosine; and examples weigh the mean of their weights, not their sum, since a third measured 0.925 against 0.918
 * (a phrase and four examples 1 : 1, not 1 : 4), and beside phrases each part's weight is multiplied by its skill at
 * ranking the like examples themselves (partSkills), since a fourth measured 0.942 against 0.933 with 4 and 16
 * examples. Phrases still weigh the sum of their weights' sizes.
 */
import { COUNTER_WEIGHT } from './example-profile.js';
import { rocAuc } from './metrics.js';
import { dot, weightedSum } from './vectors.js';

/** One kind of query term (the phrases, or the examples): its score per scan and how much it weighs in a mix. */
export interface QueryPart {
  scores: ArrayLike<number>;
  weight: number;
}

/** What example scans rank by: a direction in the descriptors' space, and how much they weigh beside phrases. */
export interface ExampleQuery {
  vector: Float32Array;
  /**
   * How much the examples weigh beside phrases: the like ones' mean weight plus COUNTER_WEIGHT times the unlike
   * ones' mean size, as relevance feedback (Rocchio) adds the relevant documents' mean, so that four examples do not
   * drown a phrase the model reads well (docs/few-shot.md, "How much examples weigh beside a phrase").
   */
  weight: number;
  likes: number;
  unlikes: number;
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
 * The examples' direction (weights: + like, − unlike; 0 ignored): the like ones' weighted mean direction less
 * COUNTER_WEIGHT times the unlike ones' (example-profile.ts does the same for a screening's counter-examples),
 * normalised; with unlike ones only, away from theirs. A zero vector when the examples cancel out.
 */
export function exampleQuery(
  descriptors: readonly ArrayLike<number>[],
  examples: readonly { row: number; weight: number }[],
): ExampleQuery {
  const dim = descriptors[0]?.length ?? 0;
  const side = (like: boolean) =>
    examples
      .filter((e) => (like ? e.weight > 0 : e.weight < 0))
      .map((e) => {
        const vector = descriptors[e.row];
        if (!vector) throw new RangeError(`no scan ${e.row} among ${descriptors.length}`);
        return { vector, weight: Math.abs(e.weight) };
      });
  const likes = side(true);
  const unlikes = side(false);
  if (!likes.length && !unlikes.length) throw new RangeError('no examples of weight other than 0');
  const parts = [
    ...(likes.length ? [{ vector: weightedSum(likes, dim), weight: 1 }] : []),
    ...(unlikes.length ? [{ vector: weightedSum(unlikes, dim), weight: likes.length ? -COUNTER_WEIGHT : -1 }] : []),
  ];
  return {
    vector: weightedSum(parts, dim),
    weight: examplesWeight(
      likes.map((e) => e.weight),
      unlikes.map((e) => e.weight),
    ),
    likes: likes.length,
    unlikes: unlikes.length,
  };
}

/**
 * How much examples weigh beside phrases (ExampleQuery.weight): the like ones' mean weight plus COUNTER_WEIGHT times
 * the unlike ones' mean size.
 */
export function examplesWeight(likes: readonly number[], unlikes: readonly number[]): number {
  const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, x) => a + Math.abs(x), 0) / xs.length : 0);
  return mean(likes) + COUNTER_WEIGHT * mean(unlikes);
}

/**
 * The score a query ranks by: one kind's own scores as they are; with both kinds, each standardised over the
 * scans and the two summed by their weights, divided by the total (a weighted mean of standard scores). A kind of
 * weight 0 is left out, the other still standardised.
 */
export function mixQueryParts(parts: readonly QueryPart[]): Float64Array {
  if (parts.some((p) => !(p.weight >= 0))) throw new RangeError('a query part of negative weight');
  const weighed = parts.filter((p) => p.weight > 0);
  if (!weighed.length) throw new RangeError(parts.length ? 'query parts without weight' : 'no query terms');
  const n = weighed[0]!.scores.length;
  if (weighed.some((p) => p.scores.length !== n)) throw new RangeError('query parts over different scans');
  // One kind of term ranks by its own scores; of two, one whose weight came to 0 leaves the other standardised.
  if (parts.length === 1) return Float64Array.from(weighed[0]!.scores);
  const total = weighed.reduce((a, p) => a + p.weight, 0);
  const out = new Float64Array(n);
  for (const p of weighed) {
    const z = standardised(p.scores);
    for (let i = 0; i < n; i++) out[i]! += (p.weight * z[i]!) / total;
  }
  return out;
}

/** How many like examples leaveOneOutAuc leaves out in turn, and how many other scans each is ranked against, at
 * most: each left-out example costs a pass over the scans, and a review can confirm hundreds of rows of 20,000. */
export const SKILL_MAX_LEFT_OUT = 32;
export const SKILL_MAX_OTHERS = 1024;

/** The ROC AUC of `ranked` (positives) against `others` (metrics.ts's rocAuc, ties half). */
const againstOthers = (ranked: readonly number[], others: readonly number[]): number =>
  rocAuc([...ranked, ...others], [...ranked.map(() => 1), ...others.map(() => 0)]);

/** Up to `max` of `items`, evenly spaced in their order (all of them when there are no more). */
function spaced<T>(items: readonly T[], max: number): readonly T[] {
  if (items.length <= max) return items;
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)]!);
}

/**
 * How high scores rank the examples (rows) among the other scans, those not in `apart` (by default the examples):
 * the mean, over the examples, of the share of the other scans scored below it (ties half), an ROC AUC of the
 * examples against the rest.
 */
export function examplesAuc(
  scores: ArrayLike<number>,
  examples: readonly number[],
  apart: readonly number[] = examples,
): number {
  const excluded = new Set(apart);
  const others: number[] = [];
  for (let i = 0; i < scores.length; i++) if (!excluded.has(i)) others.push(scores[i]!);
  if (!examples.length || !others.length) return NaN;
  return againstOthers(
    examples.map((e) => scores[e]!),
    others,
  );
}

/**
 * How well the examples' direction ranks an example it was not made from: each like example scored by the
 * direction of the other examples (exampleQuery without it) against the scans that are no example, like or unlike,
 * averaged (an ROC AUC). Null with fewer than two like examples: one cannot vouch for the others. Above
 * SKILL_MAX_LEFT_OUT like examples, that many (evenly spaced in their order) are left out in turn; above
 * SKILL_MAX_OTHERS other scans, that many (evenly spaced) are ranked against.
 */
export function leaveOneOutAuc(
  descriptors: readonly ArrayLike<number>[],
  examples: readonly { row: number; weight: number }[],
): number | null {
  const likes = examples.filter((e) => e.weight > 0);
  if (likes.length < 2) return null;
  const isExample = new Set(examples.map((e) => e.row));
  const others = spaced(
    descriptors.flatMap((d, i) => (isExample.has(i) ? [] : [d])),
    SKILL_MAX_OTHERS,
  );
  if (!others.length) return null;
  const leftOut = spaced(likes, SKILL_MAX_LEFT_OUT);
  let sum = 0;
  for (const left of leftOut) {
    const query = exampleQuery(
      descriptors,
      examples.filter((e) => e.row !== left.row),
    );
    sum += againstOthers(
      [dot(descriptors[left.row]!, query.vector)],
      others.map((d) => dot(d, query.vector)),
    );
  }
  return sum / leftOut.length;
}

/** A part's skill from its AUC on the examples: 0 at chance or worse, 1 when it ranks them above every other scan. */
export function partSkill(auc: number): number {
  return Number.isFinite(auc) ? Math.max(0, 2 * auc - 1) : 0;
}

/** How well each part of a mix ranks the like examples themselves (partSkill): what its weight is multiplied by. */
export interface PartSkills {
  phrases: number;
  examples: number;
}

/**
 * Each part's skill on the examples (docs/few-shot.md, "Each part weighed by how it ranks the examples", a rule
 * fixed before it was measured: mean AUC 0.933 → 0.942 with 4 and 16 examples): the phrases' part by how high its
 * scores rank the like examples among the other scans, the examples' part by how high the other examples' direction
 * ranks each one (leaveOneOutAuc). Null where they cannot say (fewer than two like examples) or both are 0: the
 * weights stay as they are.
 */
export function partSkills(
  phraseScores: ArrayLike<number>,
  descriptors: readonly ArrayLike<number>[],
  examples: readonly { row: number; weight: number }[],
): PartSkills | null {
  return skillsOf(phraseScores, examples, leaveOneOutAuc(descriptors, examples));
}

/** partSkills from the examples' leave-one-out AUC, however it was had. */
function skillsOf(
  phraseScores: ArrayLike<number>,
  examples: readonly { row: number; weight: number }[],
  byOthers: number | null,
): PartSkills | null {
  if (byOthers === null) return null;
  // Both parts are judged against the same scans: those that are no example, like or unlike.
  const likes = examples.filter((e) => e.weight > 0).map((e) => e.row);
  const apart = examples.map((e) => e.row);
  const skills = { phrases: partSkill(examplesAuc(phraseScores, likes, apart)), examples: partSkill(byOthers) };
  return skills.phrases + skills.examples > 0 ? skills : null;
}

/** A scan's score by examples: its descriptor's cosine to their direction. */
export function exampleScores(descriptors: readonly ArrayLike<number>[], query: ExampleQuery): Float64Array {
  return Float64Array.from(descriptors, (d) => dot(d, query.vector));
}

/** A zero-shot probability back to its logit (the margin times the model's logit scale), kept finite. */
export function probabilityLogit(p: number): number {
  const q = Math.min(1 - 1e-15, Math.max(1e-15, p));
  return Math.log(q / (1 - q));
}

/** A screening row as its phrase-and-examples score reads it. */
export interface MixRow {
  probability: number | null;
  exampleSimilarity: number | null;
  /** +1 one of the like examples (a job's example or a row reviewed as the finding), −1 a counter-example. */
  mark?: number;
}

/** A screening's phrase-and-examples scores, and the weights they were mixed by. */
export interface PhraseAndExamples {
  /** Per row; null for a row without both a probability and an example similarity. */
  scores: (number | null)[];
  /** The phrase's and the examples' weights. */
  weights: [number, number];
  /** Whether the weights are the parts' skills on the examples (partSkills), not 1 : the examples' weight. */
  bySkill: boolean;
}

/**
 * A screening's rows scored as the Query view mixes one phrase and example scans (docs/few-shot.md): the phrase's
 * zero-shot logit (from its probability) and the example similarity, each standardised over the rows that have both
 * and weighed 1 : the examples' weight (examplesWeight of scans of weight 1, like and, with counter-examples,
 * unlike), each times its skill on the examples (partSkills) where every example the similarity rests on is among
 * the rows (marked, and `describe` gives their descriptors): the phrase's skill needs the examples' own zero-shot
 * scores. `describe` is asked only for the examples and the other rows their leave-one-out ranks them against (at
 * most SKILL_MAX_OTHERS): no map or pass over every row's descriptor.
 */
export function phraseAndExampleScores(
  rows: readonly MixRow[],
  examples: { likes: number; unlikes: number },
  describe?: (row: number) => ArrayLike<number> | null,
): PhraseAndExamples {
  const base: [number, number] = [1, examplesWeight([1], examples.unlikes ? [1] : [])];
  const both = rows.flatMap((r, i) => (r.probability !== null && r.exampleSimilarity !== null ? [i] : []));
  const scores: (number | null)[] = rows.map(() => null);
  if (!both.length) return { scores, weights: base, bySkill: false };
  const logits = both.map((i) => probabilityLogit(rows[i]!.probability!));
  const marked = both.flatMap((i, row) => (rows[i]!.mark ? [{ row, weight: rows[i]!.mark! }] : []));
  const among = (sign: number) => marked.filter((e) => Math.sign(e.weight) === sign).length;
  let skills: PartSkills | null = null;
  if (describe && examples.likes >= 2 && among(1) === examples.likes && among(-1) === examples.unlikes) {
    // leaveOneOutAuc over the examples and the others it would rank them against: the same figure as over every row.
    const isExample = new Set(marked.map((e) => e.row));
    const others = spaced(
      both.flatMap((_, k) => (isExample.has(k) ? [] : [k])),
      SKILL_MAX_OTHERS,
    );
    const described = [...marked.map((e) => e.row), ...others].map((k) => describe(both[k]!));
    if (described.every((d) => d))
      skills = skillsOf(
        logits,
        marked,
        leaveOneOutAuc(
          described as ArrayLike<number>[],
          marked.map((e, j) => ({ row: j, weight: e.weight })),
        ),
      );
  }
  const weights: [number, number] = skills ? [base[0] * skills.phrases, base[1] * skills.examples] : base;
  const mixed = mixQueryParts([
    { scores: logits, weight: weights[0] },
    { scores: both.map((i) => rows[i]!.exampleSimilarity!), weight: weights[1] },
  ]);
  both.forEach((i, k) => (scores[i] = mixed[k]!));
  return { scores, weights, bySkill: !!skills };
}
