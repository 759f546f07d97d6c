import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { imageToImagePrecision, negationOrdering, probeCurve } from '../../../electron/scoring/evaluation.js';
import { seededRandom } from '../../../electron/scoring/metrics.js';
import { normalise, row, type Matrix } from '../../../electron/scoring/vectors.js';
import { descriptorMatrix, exampleSpace } from '../../../electron/scoring/example-profile.js';

const DIM = 16;

/** Unit vectors around `centre` (an axis index, negative for the opposite direction) with noise. */
function cluster(n: number, centre: number, noise: number, rnd: () => number): Float32Array[] {
  return Array.from({ length: n }, () => {
    const v = Float32Array.from({ length: DIM }, () => (rnd() - 0.5) * noise);
    v[Math.abs(centre)]! += Math.sign(centre) || 1;
    return normalise(v);
  });
}

function matrix(rows: Float32Array[]): Matrix {
  const data = new Float32Array(rows.length * DIM);
  rows.forEach((r, i) => data.set(r, i * DIM));
  return { data, rows: rows.length, dim: DIM };
}

describe('evaluation on embeddings', () => {
  const rnd = seededRandom(3);
  const positives = cluster(30, 1, 0.6, rnd);
  const negatives = cluster(90, 2, 0.6, rnd);
  const images = matrix([...positives, ...negatives]);
  const labels = [...positives.map(() => 1), ...negatives.map(() => 0)];

  it('image→image precision@10 is 1 for separated classes and near the prevalence for arbitrary labels', () => {
    assert.equal(imageToImagePrecision(images, labels, 10), 1);
    const arbitrary = labels.map((_, i) => (i % 4 === 0 ? 1 : 0));
    const p = imageToImagePrecision(images, arbitrary, 10);
    assert.ok(p > 0.1 && p < 0.45, `precision ${p}`);
  });

  it('probes learn a separable finding from few labels; zero-shot is scored on the same held-out half', () => {
    const curve = probeCurve(images, labels, labels);
    assert.equal(curve.testScans, 60);
    assert.equal(curve.zeroShot, 1);
    assert.ok(curve.fractions['1']! > 0.99 && curve.fractions['0.1']! > 0.9, JSON.stringify(curve));
    assert.ok(curve.shots['4']! > 0.9 && curve.shots['1']! > 0.7, JSON.stringify(curve));
    assert.ok(Number.isNaN(curve.shots['16']!), 'only 15 training positives: 16 shots cannot be drawn');
    // Example sets (positives only): one example already separates these clusters; 16 cannot be drawn.
    assert.ok(curve.examples['1']! > 0.9 && curve.examples['4']! > 0.95, JSON.stringify(curve.examples));
    assert.ok(Number.isNaN(curve.examples['16']!));
    // With labels that mean nothing, examples find nothing either.
    const noise = probeCurve(
      images,
      labels.map(() => (rnd() < 0.25 ? 1 : 0)),
      labels,
    );
    assert.ok(Math.abs(noise.examples['4']! - 0.5) < 0.2, JSON.stringify(noise.examples));
    const reversed = probeCurve(
      images,
      labels,
      labels.map((y) => 1 - y),
    );
    assert.equal(reversed.zeroShot, 0);
  });

  it("probes read the examples' descriptor: a finding only the pooled patches carry is learnt from them", () => {
    // The global embeddings say nothing of the finding; the pooled patches place positives along one axis.
    const r = seededRandom(11);
    const y = Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const global = matrix(y.map(() => cluster(1, 3, 1.5, r)[0]!));
    const pooled = matrix(y.map((v) => cluster(1, v ? 7 : 8, 1.2, r)[0]!));
    const described = probeCurve(global, y, y, { pooled });
    const plain = probeCurve(global, y, y, { pooled, probeFeatures: 'embedding' });
    assert.ok(described.shots['16']! > 0.9 && described.fractions['1']! > 0.9, JSON.stringify(described));
    assert.ok(Math.abs(plain.shots['16']! - 0.5) < 0.15, JSON.stringify(plain.shots));
    // The same draws as a probe on the descriptors given as they are: the probe's rows are the descriptors.
    const scans = y.map((_, i) => ({ embedding: row(global, i), pooled: row(pooled, i) }));
    const rows = descriptorMatrix(scans, exampleSpace(scans, DIM).space);
    const given = probeCurve(rows, y, y, { centre: false, probeFeatures: 'embedding' });
    assert.deepEqual(described.shots, given.shots);
    assert.deepEqual(described.fractions, given.fractions);
    // Each says what it read.
    assert.deepEqual(described.probeFeatures, { descriptor: true, patches: true, centred: true });
    assert.deepEqual(plain.probeFeatures, { descriptor: false });
    assert.deepEqual(probeCurve(global, y, y, { centre: false }).probeFeatures, {
      descriptor: true,
      patches: false,
      centred: false,
    });
  });

  it('negation ordering counts the pairs ranked the right way round', () => {
    const phrase = normalise(Float32Array.from({ length: DIM }, (_, i) => (i === 5 ? 1 : 0)));
    const stated = matrix(cluster(10, 5, 0.4, rnd));
    const negated = matrix(cluster(12, -5, 0.4, rnd));
    assert.equal(negationOrdering(phrase, stated, negated), 1);
    assert.equal(negationOrdering(phrase, negated, stated), 0);
    assert.ok(Number.isNaN(negationOrdering(phrase, stated, matrix([]))));
  });
});
