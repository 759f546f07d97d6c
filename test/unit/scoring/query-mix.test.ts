/**
 * How the Query view scores a query of example scans, and of phrases and examples together (query-mix.ts). On
 * real phantoms through the collection service: test/unit/api/query-examples.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COUNTER_WEIGHT, exampleProfile, PLAIN_SPACE } from '../../../electron/scoring/example-profile.js';
import {
  exampleQuery,
  examplesAuc,
  exampleScores,
  leaveOneOutAuc,
  mixQueryParts,
  partSkill,
  SKILL_MAX_LEFT_OUT,
  SKILL_MAX_OTHERS,
  phraseAndExampleScores,
  probabilityLogit,
  standardised,
} from '../../../electron/scoring/query-mix.js';
import { dot, normalise } from '../../../electron/scoring/vectors.js';

const unit = (xs: number[]) => normalise(Float32Array.from(xs));
const close = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  assert.deepEqual(
    Array.from(a, (x) => Math.round(x * 1e6) / 1e6),
    Array.from(b, (x) => Math.round(x * 1e6) / 1e6),
  );

describe('query mix', () => {
  it('standardises to mean 0 and deviation 1, and scores that do not vary to 0', () => {
    const z = standardised([1, 2, 3, 4]);
    assert.ok(Math.abs(z.reduce((a, b) => a + b, 0)) < 1e-12);
    assert.ok(Math.abs(z.reduce((a, b) => a + b * b, 0) / 4 - 1) < 1e-12);
    assert.ok(z[0]! < z[1]! && z[1]! < z[2]! && z[2]! < z[3]!);
    assert.deepEqual(Array.from(standardised([0.3, 0.3, 0.3])), [0, 0, 0]);
  });

  /** Scans 0–2 along axis 0, 3 and 4 on the other axes, 5 opposite. */
  const axisScans = [
    unit([1, 0.1, 0]),
    unit([1, -0.1, 0]),
    unit([1, 0, 0.1]),
    unit([0, 1, 0]),
    unit([0, 0, 1]),
    unit([-1, 0, 0]),
  ];
  const d = [unit([1, 0, 0]), unit([0, 1, 0]), unit([1, 1, 0]), unit([-1, 0, 0]), unit([0.5, 0.2, 1])];

  it("ranks by examples as Screening's example set and its counter-examples do", () => {
    // Like scans 0 and 2, unlike scan 1: Screening's profile of the same (example-profile.ts) gives the direction.
    const q = exampleQuery(d, [
      { row: 0, weight: 1 },
      { row: 2, weight: 1 },
      { row: 1, weight: -1 },
    ]);
    const screening = exampleProfile([{ embedding: d[0]! }, { embedding: d[2]! }], PLAIN_SPACE, [{ embedding: d[1]! }]);
    close(q.vector, screening.vector);
    // Beside phrases they weigh their mean weight (Rocchio), the unlike ones' at COUNTER_WEIGHT.
    assert.deepEqual([q.likes, q.unlikes, q.weight], [2, 1, 1 + COUNTER_WEIGHT]);
    // Like ones alone: their mean direction, each scan's score its cosine to it.
    const likes = exampleQuery(d, [
      { row: 0, weight: 1 },
      { row: 2, weight: 1 },
    ]);
    close(likes.vector, exampleProfile([{ embedding: d[0]! }, { embedding: d[2]! }]).vector);
    close(
      exampleScores(d, likes),
      d.map((v) => v[0]! * likes.vector[0]! + v[1]! * likes.vector[1]! + v[2]! * likes.vector[2]!),
    );
  });

  it('weighs examples by their weights, ranks away from unlike ones alone, and ignores weight 0', () => {
    // Scan 0 twice as much as scan 1: the direction leans to axis 0.
    const q = exampleQuery(d, [
      { row: 0, weight: 2 },
      { row: 1, weight: 1 },
    ]);
    close(q.vector, unit([2, 1, 0]));
    assert.equal(q.weight, 1.5);
    // Unlike scan 0 alone: the scans least like it first, weighing half as a like one would.
    const away = exampleQuery(d, [{ row: 0, weight: -1 }]);
    close(away.vector, unit([-1, 0, 0]));
    assert.equal(away.weight, COUNTER_WEIGHT);
    assert.equal(exampleScores(d, away).indexOf(Math.max(...exampleScores(d, away))), 3);
    close(
      exampleQuery(d, [
        { row: 0, weight: 1 },
        { row: 4, weight: 0 },
      ]).vector,
      d[0]!,
    );
    assert.throws(() => exampleQuery(d, []), /no examples/);
    assert.throws(() => exampleQuery(d, [{ row: 0, weight: 0 }]), /no examples of weight other than 0/);
    assert.throws(() => exampleQuery(d, [{ row: 9, weight: 1 }]), /no scan 9 among 5/);
  });

  it('keeps one kind of term as it is and mixes two by their standard scores, weighed', () => {
    const phrase = [0.1, 0.2, 0.3, 0.4];
    const examples = [0.9, 0.1, 0.5, 0.3];
    assert.deepEqual(Array.from(mixQueryParts([{ scores: phrase, weight: 3 }])), phrase);
    const zp = standardised(phrase);
    const ze = standardised(examples);
    const mixed = mixQueryParts([
      { scores: phrase, weight: 1 },
      { scores: examples, weight: 3 },
    ]);
    close(
      mixed,
      Array.from(zp, (z, i) => (z + 3 * ze[i]!) / 4),
    );
    // The cosines' scales do not matter: the examples' spread is 8 times the phrase's and still weigh 3 to 1.
    close(
      mixQueryParts([
        { scores: phrase, weight: 1 },
        { scores: examples.map((x) => 8 * x - 2), weight: 3 },
      ]),
      mixed,
    );
    // Of two kinds, one of weight 0 (a part without skill) is left out, the other standardised, as a mix's column
    // says; no weight at all, or a negative one, is an error.
    close(
      mixQueryParts([
        { scores: phrase, weight: 0 },
        { scores: examples, weight: 2 },
      ]),
      standardised(examples),
    );
    assert.throws(() => mixQueryParts([]), /no query terms/);
    assert.throws(
      () =>
        mixQueryParts([
          { scores: phrase, weight: 0 },
          { scores: examples, weight: 0 },
        ]),
      /without weight/,
    );
    assert.throws(() => mixQueryParts([{ scores: phrase, weight: -1 }]), /negative weight/);
    assert.throws(
      () =>
        mixQueryParts([
          { scores: phrase, weight: 1 },
          { scores: [1, 2], weight: 1 },
        ]),
      /different scans/,
    );
  });

  it("scores a screening's rows as a phrase beside examples: the logit and the similarity, standardised", () => {
    const rows = [
      { probability: 0.9, exampleSimilarity: 0.1 },
      { probability: 0.2, exampleSimilarity: 0.4 },
      { probability: null, exampleSimilarity: 0.3 },
      { probability: 0.6, exampleSimilarity: -0.2 },
      { probability: 0.5, exampleSimilarity: null },
    ];
    const both = [0, 1, 3];
    const want = (w: number) =>
      mixQueryParts([
        { scores: both.map((i) => Math.log(rows[i]!.probability! / (1 - rows[i]!.probability!))), weight: 1 },
        { scores: both.map((i) => rows[i]!.exampleSimilarity!), weight: w },
      ]);
    for (const [counter, w] of [
      [false, 1],
      [true, 1 + COUNTER_WEIGHT],
    ] as const) {
      // Examples outside the rows (none marked): the phrase's skill on them is not at hand, so 1 : the examples' weight.
      const got = phraseAndExampleScores(rows, { likes: 3, unlikes: counter ? 1 : 0 });
      assert.deepEqual([got.weights, got.bySkill], [[1, w], false]);
      assert.deepEqual([got.scores[2], got.scores[4]], [null, null]);
      close(
        both.map((i) => got.scores[i]!),
        want(w),
      );
    }
    // The weights matter: with counter-examples the examples weigh more, and row 0 (phrase-led) falls behind row 1.
    const [plain, counter] = [
      phraseAndExampleScores(rows, { likes: 2, unlikes: 0 }).scores,
      phraseAndExampleScores(rows, { likes: 2, unlikes: 1 }).scores,
    ];
    assert.ok(plain[0]! - plain[1]! > counter[0]! - counter[1]!);
    assert.deepEqual(
      phraseAndExampleScores([{ probability: null, exampleSimilarity: 0.2 }], { likes: 1, unlikes: 0 }).scores,
      [null],
    );
    // A probability of exactly 0 or 1 still gives a finite logit.
    assert.ok(Number.isFinite(probabilityLogit(1)) && Number.isFinite(probabilityLogit(0)));
    assert.ok(probabilityLogit(1) > probabilityLogit(0.999999) && probabilityLogit(0) < probabilityLogit(1e-6));
  });

  it("rates a part by how it ranks the examples, and the examples' direction by examples it was not made from", () => {
    // Scans 0 and 1 are the examples: ranked above all three others, then above one of three, ties half.
    assert.equal(examplesAuc([0.9, 0.8, 0.1, 0.2, 0.3], [0, 1]), 1);
    assert.equal(examplesAuc([0.9, 0.15, 0.1, 0.2, 0.3], [0, 1]), (1 + 1 / 3) / 2);
    assert.equal(examplesAuc([0.2, 0.2, 0.2, 0.2], [0]), 0.5);
    assert.ok(Number.isNaN(examplesAuc([0.1, 0.2], [0, 1])));
    // Skill: chance or worse is 0, a perfect ranking 1.
    assert.deepEqual(
      [partSkill(1), partSkill(0.75), partSkill(0.5), partSkill(0.2), partSkill(NaN)],
      [1, 0.5, 0, 0, 0],
    );
    // Three examples along axis 0 among scans elsewhere: each one, left out, is found by the other two.
    const scans = axisScans;
    const along = [0, 1, 2].map((row) => ({ row, weight: 1 }));
    assert.equal(leaveOneOutAuc(scans, along), 1);
    // Examples that share nothing (the three axes) among scans that each lie between two of them: left out, each
    // example falls below every scan the other two point at.
    const between = [
      unit([1, 0, 0]),
      unit([0, 1, 0]),
      unit([0, 0, 1]),
      unit([0, 1, 1]),
      unit([1, 0, 1]),
      unit([1, 1, 0]),
    ];
    assert.equal(leaveOneOutAuc(between, along), 0);
    // One like example cannot vouch for itself (an unlike one does not count).
    assert.equal(leaveOneOutAuc(scans, [{ row: 0, weight: 1 }]), null);
    assert.equal(
      leaveOneOutAuc(scans, [
        { row: 0, weight: 1 },
        { row: 5, weight: -1 },
      ]),
      null,
    );
  });

  it("weighs a screening's parts by their skill when every example is among its rows", () => {
    // Six scans: 0–2 the like examples, along axis 0; the phrase ranks them first but for one, the examples' direction
    // finds each from the other two. Row 5 has no probability (a scan the phrase was not scored for).
    const descriptors = axisScans;
    const probabilities = [0.9, 0.8, 0.3, 0.4, 0.2, null];
    const rows = descriptors.map((descriptor, i) => ({
      probability: probabilities[i]!,
      exampleSimilarity: descriptor[0]!,
      mark: i < 3 ? 1 : 0,
    }));
    // Asked for a row's descriptor only where the skills need it: the examples and the rows they are ranked against.
    const asked = new Set<number>();
    const describe = (row: number) => (asked.add(row), descriptors[row]!);
    const got = phraseAndExampleScores(rows, { likes: 3, unlikes: 0 }, describe);
    assert.deepEqual([...asked].sort(), [0, 1, 2, 3, 4]);
    // Over the five rows with both: the phrase ranks the examples above both others, both, and one of two (AUC 5/6,
    // skill 2/3); each example, left out, is ranked first by the other two (skill 1).
    assert.equal(got.bySkill, true);
    close(got.weights, [2 / 3, 1]);
    const both = [0, 1, 2, 3, 4];
    close(
      both.map((i) => got.scores[i]!),
      mixQueryParts([
        { scores: both.map((i) => probabilityLogit(probabilities[i]!)), weight: 2 / 3 },
        { scores: both.map((i) => descriptors[i]![0]!), weight: 1 },
      ]),
    );
    assert.equal(got.scores[5], null);
    // One example outside the rows, a row without its descriptor, or none to be had: 1 : 1, said so.
    for (const partial of [
      phraseAndExampleScores(rows, { likes: 4, unlikes: 0 }, describe),
      phraseAndExampleScores(rows, { likes: 3, unlikes: 0 }, (row) => (row === 4 ? null : descriptors[row]!)),
      phraseAndExampleScores(rows, { likes: 3, unlikes: 0 }),
    ])
      assert.deepEqual([partial.weights, partial.bySkill], [[1, 1], false]);
  });

  it('judges a part against the scans given apart, and caps what the skills cost on large folders', () => {
    // Scan 2 (an unlike example) is no "other scan" when set apart: the like example 0 then tops both others.
    assert.equal(examplesAuc([0.4, 0.1, 0.5, 0.2], [0]), 2 / 3);
    assert.equal(examplesAuc([0.4, 0.1, 0.5, 0.2], [0], [0, 2]), 1);
    // 40 like examples among 5,000 scans: 32 of them left out in turn (evenly spaced), each ranked against 1,024
    // of the 4,960 others (evenly spaced), exactly as a plain count over those does.
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const scans = Array.from({ length: 5000 }, (_, i) =>
      unit([random() + (i < 40 ? 1.5 : 0), random(), random(), random()]),
    );
    const examples = Array.from({ length: 40 }, (_, row) => ({ row, weight: 1 }));
    const spacedOf = <T>(xs: T[], max: number) =>
      Array.from({ length: max }, (_, i) => xs[Math.floor((i * xs.length) / max)]!);
    const others = spacedOf(scans.slice(40), SKILL_MAX_OTHERS);
    const leftOut = spacedOf(examples, SKILL_MAX_LEFT_OUT);
    const plain =
      leftOut.reduce((sum, left) => {
        const q = exampleQuery(
          scans,
          examples.filter((e) => e !== left),
        ).vector;
        const x = dot(scans[left.row]!, q);
        const below = others.reduce((a, o) => a + (dot(o, q) < x ? 1 : dot(o, q) === x ? 0.5 : 0), 0);
        return sum + below / others.length;
      }, 0) / leftOut.length;
    assert.ok(Math.abs(leaveOneOutAuc(scans, examples)! - plain) < 1e-12);
    assert.ok(plain > 0.8, String(plain));
    // A screening of those 5,000 rows asks for the descriptors of the examples and the 1,024 others only.
    const asked = new Set<number>();
    const mix = phraseAndExampleScores(
      scans.map((v, i) => ({ probability: (v[1]! + 1) / 2, exampleSimilarity: v[0]!, mark: i < 40 ? 1 : 0 })),
      { likes: 40, unlikes: 0 },
      (row) => (asked.add(row), scans[row]!),
    );
    assert.equal(mix.bySkill, true);
    assert.equal(asked.size, 40 + SKILL_MAX_OTHERS);
    assert.ok(Math.abs(mix.weights[1] - (2 * plain - 1)) < 1e-12, 'the examples weigh their leave-one-out skill');
  });
});
