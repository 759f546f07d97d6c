/**
 * The examples' coherence test at its edges (its behaviour on real scans is in test/unit/api/examples-api.test.ts
 * and test/unit/screening/screen-examples.test.ts): nothing to say under two examples or three scans, the same p
 * on every read, nothing said where every scan is the same, a likeness it reports only when it is both
 * significant and large, and a p that keeps its level in a folder of clusters.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  COHERENCE_P,
  exampleCoherence,
  meanPairCosine,
  MAX_RANDOM_PAIRS,
  MIN_COHERENCE_EFFECT,
  RANDOM_SETS,
} from '../../../electron/scoring/example-coherence.js';
import { seededRandom, shuffled } from '../../../electron/scoring/metrics.js';
import { normalise } from '../../../electron/scoring/vectors.js';

const rnd = seededRandom(3);
const unit = (v: number[]) => normalise(Float32Array.from(v));
const noise = (dim: number) => unit(Array.from({ length: dim }, () => rnd() - 0.5));
const scans = (vs: Float32Array[]) => ({ count: vs.length, descriptor: (i: number) => vs[i]! });

test('mean pair cosine is over the pairs of different vectors', () => {
  const [a, b, c] = [unit([1, 0]), unit([0, 1]), unit([1, 1])];
  assert.ok(Math.abs(meanPairCosine([a, b, c]) - (0 + Math.SQRT1_2 + Math.SQRT1_2) / 3) < 1e-6);
});

test('says nothing under two examples or three scans, and the same p on every read', () => {
  const pool = Array.from({ length: 50 }, () => noise(16));
  assert.equal(exampleCoherence([pool[0]!], scans(pool)), null);
  assert.equal(exampleCoherence(pool.slice(0, 2), scans(pool.slice(0, 2))), null);
  const once = exampleCoherence(pool.slice(0, 4), scans(pool));
  assert.deepEqual(exampleCoherence(pool.slice(0, 4), scans(pool)), once);
  assert.ok(once!.p >= 1 / (RANDOM_SETS + 1) && once!.p <= 1);
});

test('a scan given twice counts once, and scans all alike leave nothing to say', () => {
  const pool = Array.from({ length: 60 }, () => noise(16));
  const [a, b] = [pool[0]!, pool[1]!];
  // the same scan twice would be a pair at cosine 1: alike, though two unrelated scans are not
  assert.equal(exampleCoherence([a, Float32Array.from(a)], scans(pool)), null);
  assert.deepEqual(exampleCoherence([a, b, Float32Array.from(a)], scans(pool)), exampleCoherence([a, b], scans(pool)));
  const same = Array.from({ length: 30 }, () => Float32Array.from(a));
  assert.equal(exampleCoherence([a, b], scans(same)), null);
});

test('examples sharing a direction are alike; the scans themselves are not', () => {
  const shared = noise(32);
  const pool = Array.from({ length: 200 }, () => noise(32));
  const near = Array.from({ length: 8 }, () => unit([...noise(32)].map((x, k) => x + 0.6 * shared[k]!)));
  const alike = exampleCoherence(near, scans(pool))!;
  assert.ok(alike.alike && alike.p <= COHERENCE_P && alike.effect >= MIN_COHERENCE_EFFECT, JSON.stringify(alike));
  const drawn = exampleCoherence(pool.slice(0, 8), scans(pool))!;
  assert.ok(!drawn.alike, JSON.stringify(drawn));
  assert.ok(Math.abs(drawn.random) < 0.05, JSON.stringify(drawn));
});

test('a slight likeness that many examples make significant is still not enough', () => {
  const shared = noise(64);
  const pool = Array.from({ length: 400 }, () => noise(64));
  // 40 examples a little towards one direction: hundreds of pairs make it significant, its size is small.
  const faint = Array.from({ length: 40 }, () => unit([...noise(64)].map((x, k) => x + 0.2 * shared[k]!)));
  const c = exampleCoherence(faint, scans(pool))!;
  assert.ok(c.p <= COHERENCE_P, `significant: ${JSON.stringify(c)}`);
  assert.ok(c.effect < MIN_COHERENCE_EFFECT && !c.alike && !c.undecided, JSON.stringify(c));
});

test('a few examples as far apart from random pairs as alike ones, not significantly, are undecided', () => {
  // Examples at cosine 0.2 to each other (a shared axis and one of their own), among random 16-d scans, whose
  // pairs have a spread of about 0.25: 0.8 deviations above, which three examples' three pairs cannot show.
  const example = (i: number) =>
    unit(Array.from({ length: 16 }, (_, k) => (k === 0 ? Math.sqrt(0.2) : k === i ? Math.sqrt(0.8) : 0)));
  const pool = Array.from({ length: 300 }, () => noise(16));
  const c = exampleCoherence([1, 2, 3].map(example), scans(pool))!;
  assert.ok(Math.abs(c.value - 0.2) < 1e-6 && c.effect >= MIN_COHERENCE_EFFECT && c.p > COHERENCE_P, JSON.stringify(c));
  assert.ok(c.undecided && !c.alike, JSON.stringify(c));
  // Twelve such examples decide it.
  const decided = exampleCoherence(
    Array.from({ length: 12 }, (_, i) => example(i + 1)),
    scans(pool),
  )!;
  assert.ok(decided.alike && !decided.undecided, JSON.stringify(decided));
});

test('a large set draws at most MAX_RANDOM_PAIRS pairs, and a likeness still shows', () => {
  // 60 examples (1,770 pairs) at cosine 0.2 among random 64-d scans; the random pairs drawn are counted.
  const example = (i: number) =>
    unit(Array.from({ length: 64 }, (_, k) => (k === 0 ? Math.sqrt(0.2) : k === i ? Math.sqrt(0.8) : 0)));
  const pool = Array.from({ length: 300 }, () => noise(64));
  let drawn = 0;
  const counted = { count: pool.length, descriptor: (i: number) => (drawn++, pool[i]!) };
  const c = exampleCoherence(
    Array.from({ length: 60 }, (_, i) => example(i + 1)),
    counted,
  )!;
  assert.equal(drawn, 2 * RANDOM_SETS * MAX_RANDOM_PAIRS);
  assert.ok(c.alike && Math.abs(c.value - 0.2) < 1e-6, JSON.stringify(c));
  const unlike = exampleCoherence(pool.slice(0, 60), scans(pool))!;
  assert.ok(!unlike.alike && !unlike.undecided, JSON.stringify(unlike));
});

test('more examples than scans: each draw is as many independent pairs as the examples make', () => {
  // 21 examples (210 pairs) and 20 scans: no set of 21 different scans can be drawn. A mean over more pairs than
  // the examples' would vary less than theirs, and make p too small.
  const pool = Array.from({ length: 20 }, () => noise(16));
  let drawn = 0;
  const counted = { count: pool.length, descriptor: (i: number) => (drawn++, pool[i]!) };
  const c = exampleCoherence(
    Array.from({ length: 21 }, () => noise(16)),
    counted,
  )!;
  assert.equal(drawn, 2 * RANDOM_SETS * 210);
  assert.ok(c.p > 0 && c.p <= 1, JSON.stringify(c));
});

test('where every scan is the same there is nothing to tell apart', () => {
  const same = noise(8);
  const other = noise(8);
  assert.equal(exampleCoherence([same, other], scans([same, same, same, same])), null);
});

test('p keeps its level in folders of clusters: sets of scans drawn at random are significant 5 % of the time', () => {
  // Folders of 10 clusters of 50 alike scans (a site, a scanner, a patient's series), in a random order; from each,
  // ten sets of k scans drawn at random as "examples". Their pairs share members, and in such a folder two pairs
  // with one scan in common are alike together: independent random pairs to compare with made p too small
  // (p ≤ 0.05 in 8 % of the sets of 8 and 10.5 % of the sets of 16 here). Seeded: the same shares every run.
  const draw = seededRandom(11);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - draw())) * Math.cos(2 * Math.PI * draw());
  const folder = () => {
    const pool: Float32Array[] = [];
    for (let c = 0; c < 10; c++) {
      const centre = Array.from({ length: 32 }, gauss);
      for (let i = 0; i < 50; i++) pool.push(unit(centre.map((x) => 1.5 * x + gauss())));
    }
    return shuffled(pool, draw);
  };
  for (const k of [8, 16]) {
    let significant = 0;
    let sets = 0;
    for (let f = 0; f < 60; f++) {
      const pool = folder();
      for (let t = 0; t < 10; t++, sets++) {
        const c = exampleCoherence(shuffled(pool, draw).slice(0, k), scans(pool))!;
        if (c.p <= COHERENCE_P) significant++;
      }
    }
    // 600 sets: a test at its level gives 30 ± 5.3; 42 is over two standard deviations above.
    assert.ok(significant / sets <= 0.07, `${k} examples: ${significant}/${sets} significant`);
  }
});
