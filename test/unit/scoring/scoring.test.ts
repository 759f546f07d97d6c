import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { applyProbe, crossValidatedAuc, trainProbe } from '../../../electron/scoring/linear-probe.js';
import { bootstrapAuc, precisionAtK, rocAuc, rocPoints, seededRandom } from '../../../electron/scoring/metrics.js';
import { promptPair } from '../../../electron/scoring/prompts.js';
import { rankScans } from '../../../electron/scoring/rank.js';
import { robustCut } from '../../../electron/scoring/threshold.js';
import { probabilities, pairProbability } from '../../../electron/scoring/zero-shot.js';
import { meanRow, normalise, similarityMatrix, weightedSum, type Matrix } from '../../../electron/scoring/vectors.js';
import { PROJECT_ROOT } from '../../support/paths.js';
import { pythonMissing, runPython } from '../../support/python.js';

/** AUC by its definition: P(score of a positive > score of a negative) + ½ P(tie). */
function pairwiseAuc(s: number[], l: number[]): number {
  let wins = 0;
  let pairs = 0;
  s.forEach((si, i) =>
    s.forEach((sj, j) => {
      if (l[i] && !l[j]) {
        pairs++;
        wins += si > sj ? 1 : si === sj ? 0.5 : 0;
      }
    }),
  );
  return wins / pairs;
}

function gaussianCloud(n: number, dim: number, seed: number, shift: number[]): Matrix {
  const rnd = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const data = new Float32Array(n * dim);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < dim; k++) data[i * dim + k] = gauss() + (shift[i] ?? 0) * (k === 0 ? 1 : 0);
  return { data, rows: n, dim };
}

describe('metrics', () => {
  it('AUC equals the pairwise definition, ties included', () => {
    const rnd = seededRandom(7);
    for (let trial = 0; trial < 20; trial++) {
      const n = 5 + Math.floor(rnd() * 60);
      const s = Array.from({ length: n }, () => Math.round(rnd() * 10) / 10); // many ties
      const l = Array.from({ length: n }, () => (rnd() < 0.3 ? 1 : 0));
      if (!l.some(Boolean) || l.every(Boolean)) continue;
      assert.ok(Math.abs(rocAuc(s, l) - pairwiseAuc(s, l)) < 1e-12);
    }
    assert.equal(rocAuc([0.1, 0.9], [0, 1]), 1);
    assert.equal(rocAuc([0.9, 0.1], [0, 1]), 0);
    assert.ok(Number.isNaN(rocAuc([1, 2], [1, 1])));
  });

  it('ROC points run from (0,0) to (1,1) and their area is the AUC', () => {
    const s = [0.1, 0.4, 0.35, 0.8, 0.8, 0.2];
    const l = [0, 0, 1, 1, 0, 1];
    const pts = rocPoints(s, l);
    assert.deepEqual(pts[0], { fpr: 0, tpr: 0, threshold: Infinity });
    assert.deepEqual([pts.at(-1)!.fpr, pts.at(-1)!.tpr], [1, 1]);
    let area = 0;
    for (let i = 1; i < pts.length; i++)
      area += ((pts[i]!.fpr - pts[i - 1]!.fpr) * (pts[i]!.tpr + pts[i - 1]!.tpr)) / 2;
    assert.ok(Math.abs(area - rocAuc(s, l)) < 1e-12);
  });

  it('ROC points: none when a class is absent (no made-up curve where the AUC is NaN)', () => {
    assert.deepEqual(rocPoints([0.1, 0.4, 0.9], [0, 0, 0]), []);
    assert.deepEqual(rocPoints([0.1, 0.4, 0.9], [1, 1, 1]), []);
    assert.deepEqual(rocPoints([], []), []);
  });

  it('precision@k counts positives among the top k', () => {
    assert.equal(precisionAtK([0.9, 0.8, 0.1, 0.7], [1, 0, 1, 1], 2), 0.5);
    assert.equal(precisionAtK([0.9, 0.8, 0.1, 0.7], [1, 0, 1, 1], 3), 2 / 3);
  });

  it('bootstrap interval contains the AUC and is reproducible', () => {
    const rnd = seededRandom(3);
    const l = Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const s = l.map((y) => y * 0.8 + rnd());
    const a = bootstrapAuc(s, l, { resamples: 300, seed: 9 });
    assert.ok(a.low < a.auc && a.auc < a.high);
    assert.deepEqual(bootstrapAuc(s, l, { resamples: 300, seed: 9 }), a);
  });
});

describe('zero-shot scoring and prompts', () => {
  it('the two-way softmax is the logistic of the scaled difference, stable at extremes', () => {
    assert.equal(pairProbability(0.3, 0.3, 100), 0.5);
    const p = pairProbability(0.32, 0.3, 100);
    assert.ok(Math.abs(p - Math.exp(32) / (Math.exp(32) + Math.exp(30))) < 1e-12);
    assert.equal(pairProbability(1, -1, 1000), 1);
    assert.equal(pairProbability(-1, 1, 1000), 0);
    assert.deepEqual(
      Array.from(probabilities([0.2, 0.1], [0.1, 0.2], 10)).map((x) => +x.toFixed(4)),
      [0.7311, 0.2689],
    );
  });

  it('builds phrase/negation pairs and never "no no finding"', () => {
    const p = promptPair('  Pleural   Effusion. ', { templates: ['{}', 'there is {}.'] });
    assert.deepEqual(p, {
      phrase: 'pleural effusion',
      positive: ['pleural effusion', 'there is pleural effusion.'],
      negative: ['no pleural effusion', 'there is no pleural effusion.'],
    });
    const neg = promptPair('no pneumothorax', { templates: ['{}'] });
    assert.deepEqual([neg.positive, neg.negative], [['no pneumothorax'], ['pneumothorax']]);
    const nf = promptPair('No Finding');
    assert.ok(nf.positive.every((t) => !/no no/.test(t)) && nf.negative.every((t) => !/no no/.test(t)));
    assert.throws(() => promptPair('   '), /empty/);
  });

  it(
    "the training recipe's copy of the app's prompt pair is the app's (its regionOffset is set with it)",
    { skip: pythonMissing(['re']) ?? false },
    () => {
      const fromPython = JSON.parse(
        runPython(
          'import json, sys; sys.path.insert(0, sys.argv[1]); from radsift_train import prompts; ' +
            'print(json.dumps(prompts.app_pair("pleural effusion")))',
          [path.join(PROJECT_ROOT, 'models', 'train')],
        ),
      ) as [string[], string[]];
      const app = promptPair('pleural effusion');
      assert.deepEqual(fromPython, [app.positive, app.negative]);
    },
  );
});

describe('vectors, thresholds and probes', () => {
  it('weighted queries and similarity matrices', () => {
    const a = normalise(Float32Array.from([1, 0, 0]));
    const b = normalise(Float32Array.from([0, 1, 0]));
    const q = weightedSum(
      [
        { vector: a, weight: 1 },
        { vector: b, weight: -1 },
      ],
      3,
    );
    assert.ok(Math.abs(q[0]! - Math.SQRT1_2) < 1e-6 && Math.abs(q[1]! + Math.SQRT1_2) < 1e-6);
    const m: Matrix = { data: Float32Array.from([...a, ...b]), rows: 2, dim: 3 };
    assert.deepEqual(Array.from(similarityMatrix(m, m)), [1, 0, 0, 1]);
    assert.ok(Math.abs(meanRow(m)[0]! - Math.SQRT1_2) < 1e-6);
  });

  it('the robust cut flags outliers and nothing in a featureless collection', () => {
    const rnd = seededRandom(5);
    const flat = Array.from({ length: 500 }, () => 0.2 + rnd() * 0.01);
    assert.equal(flat.filter((s) => s > robustCut(flat).cut).length, 0);
    const withHits = [...flat, 0.3, 0.31, 0.29];
    const cut = robustCut(withHits).cut;
    assert.equal(withHits.filter((s) => s > cut).length, 3);
    assert.equal(robustCut([0.5, 0.5, 0.5]).cut, Infinity);
  });

  it('a linear probe reaches the regularised optimum, with more dimensions than rows too', () => {
    // At the optimum of Σ log-loss + (l2·n/2)·|w|² (bias free) the gradient vanishes: checked in double precision
    // from the returned weights, whatever solver found them.
    for (const [rows, dim] of [
      [300, 24],
      [80, 512],
    ] as const) {
      const labels = Array.from({ length: rows }, (_, i) => (i % 4 === 0 ? 1 : 0));
      const x = gaussianCloud(
        rows,
        dim,
        rows + dim,
        labels.map((y) => (y ? 0.8 : 0)),
      );
      const probe = trainProbe(x, labels);
      const grad = new Float64Array(dim + 1);
      for (let i = 0; i < rows; i++) {
        const xi = x.data.subarray(i * dim, (i + 1) * dim);
        let z = probe.bias;
        for (let k = 0; k < dim; k++) z += probe.weights[k]! * xi[k]!;
        const g = 1 / (1 + Math.exp(-z)) - labels[i]!;
        for (let k = 0; k < dim; k++) grad[k]! += g * xi[k]!;
        grad[dim]! += g;
      }
      for (let k = 0; k < dim; k++) grad[k]! += 1e-2 * rows * probe.weights[k]!;
      const largest = Math.max(...grad.map(Math.abs));
      assert.ok(largest < 1e-6 * rows, `${rows}×${dim}: gradient ${largest}`);
    }
  });

  it('a linear probe separates shifted classes and stays near chance on noise', () => {
    const labels = Array.from({ length: 120 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const separable = gaussianCloud(
      120,
      8,
      11,
      labels.map((y) => (y ? 3 : 0)),
    );
    assert.ok(crossValidatedAuc(separable, labels) > 0.95);
    const probe = trainProbe(separable, labels);
    assert.ok(probe.weights[0]! > 0, 'weight on the informative axis is positive');
    assert.ok(rocAuc(applyProbe(probe, separable), labels) > 0.97);
    const noise = gaussianCloud(120, 8, 12, []);
    const auc = crossValidatedAuc(noise, labels);
    assert.ok(auc > 0.3 && auc < 0.7, `noise AUC ${auc}`);
    assert.ok(
      Number.isNaN(
        crossValidatedAuc(
          noise,
          labels.map(() => 0),
        ),
      ),
    );
  });
});

describe('ranking scans for a query', () => {
  const scans = [
    { id: 'a', similarity: 0.3, probability: 0.4 },
    { id: 'b', similarity: 0.1, probability: 0.9 },
    { id: 'c', similarity: 0.5, probability: 0.9 },
    { id: 'd', similarity: 0.2, probability: 0.6 },
  ];
  it('orders by probability, then similarity; matches at the probability threshold', () => {
    const ranked = rankScans(scans, { probabilityAtLeast: 0.6 });
    assert.deepEqual(
      ranked.map((r) => `${r.id}${r.match ? '+' : ''}`),
      ['c+', 'b+', 'd+', 'a'],
    );
  });
  it('without probabilities, orders by similarity and matches above the cut', () => {
    const ranked = rankScans(
      scans.map((s) => ({ ...s, probability: null })),
      { similarityAbove: 0.25 },
    );
    assert.deepEqual(
      ranked.map((r) => `${r.id}${r.match ? '+' : ''}`),
      ['c+', 'a+', 'd', 'b'],
    );
  });
});
