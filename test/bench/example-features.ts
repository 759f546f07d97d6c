/**
 * `npm run bench:examples -- <labelled folder> [--model-dir <bundle>] [--min-positives N]`
 * Few-shot AUC on a labelled phantom set (labels.csv beside the scans, as `radsift demo` writes) from four
 * image descriptors (electron/scoring/example-features.ts): the plain global embedding (what example sets
 * compared before centring), the same centred on the set's mean (what the app does with a model without patch
 * embeddings), the patch embeddings max-pooled and centred, and both side by side (what the app does with a
 * model that has them: exampleSpace and exampleDescriptor, the app's own code), and three the app does not use (each
 * patch less the mean patch at its position, max-pooled; the grid max-pooled per 2 × 2 block, alone and beside the
 * app's descriptor). For each finding with enough positives: 16-shot probe AUC (16
 * positive and 16 negative examples, logistic) and 16-example AUC (cosine to the mean of 16 positives, what
 * an example set does), both on the held-out half, as `radsift eval` measures them (probeCurve; its probes read
 * the "both, centred" descriptor, as the app's linear probe does: docs/few-shot.md); and the
 * app's flag rule with 16 examples (recall of the other positives, share of negatives flagged); then the
 * means and their ratios to the global embedding's, measured in the same run; and per finding, how alike 16 and 4
 * examples are by the app's test (exampleCoherence) and how often it calls them no more alike than random scans.
 * Prints JSON.
 */
import { parseArgs } from 'node:util';
import { encodeLabelled, readLabelled } from './labelled-folder.js';
import { probeCurve } from '../../electron/scoring/evaluation.js';
import { centreRows, maxPoolPatches } from '../../electron/scoring/example-features.js';
import { exampleCoherence } from '../../electron/scoring/example-coherence.js';
import {
  exampleDescriptor,
  exampleProfile,
  exampleSimilarity,
  exampleSpace,
} from '../../electron/scoring/example-profile.js';
import { seededRandom, shuffled } from '../../electron/scoring/metrics.js';
import { row, type Matrix } from '../../electron/scoring/vectors.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'model-dir': { type: 'string' }, 'min-positives': { type: 'string', default: '34' } },
});
const folder = await readLabelled(positionals[0]);
const { findings, labelled } = folder;
const { scores, model: loaded } = await encodeLabelled(folder, values['model-dir']);
const keep = scores.paths.map((p, i) => [p, i] as const).filter(([p, i]) => labelled.has(p) && scores.patches![i]);
if (!keep.length) throw new Error('the model gives no patch embeddings, or no labelled scan was read');
const dim = scores.images.dim;
const patchesOf: (Float32Array | null)[] = scores.patches!;
const matrix = (rows: Float32Array[]): Matrix => {
  const data = new Float32Array(rows.length * rows[0]!.length);
  rows.forEach((r, i) => data.set(r, i * r.length));
  return { data, rows: rows.length, dim: rows[0]!.length };
};
const global = matrix(keep.map(([, i]) => scores.images.data.slice(i * dim, (i + 1) * dim)));
const pooledRows = keep.map(([, i]) => maxPoolPatches(scores.patches![i]!, dim));
const scans = pooledRows.map((pooled, r) => ({ embedding: row(global, r), pooled }));
const { space } = exampleSpace(scans, dim);
const features: Record<string, Matrix> = {
  global,
  'global, centred': centreRows(global),
  'patches max-pooled, centred': centreRows(matrix(pooledRows)),
  'both, centred': matrix(scans.map((scan) => exampleDescriptor(scan, space))),
  // Not in the app: whether the patch grid holds, in where it is, what the max-pool loses (a finding in a fixed
  // place, as a hiatal hernia behind the heart): each patch less the mean patch at its position over the scans.
  'patches less their position mean, max-pooled, centred': centreRows(matrix(positionCentredMaxPool())),
  // Not in the app: where in the grid a finding is, kept by pooling each of 2 × 2 blocks apart (a quadrant behind
  // the heart, a lower zone), alone and beside the app's descriptor.
  'patches in 2 × 2 blocks, max-pooled, centred': centreRows(matrix(blockMaxPools(2))),
  'both, centred, and 2 × 2 blocks': sideBySide(
    matrix(scans.map((scan) => exampleDescriptor(scan, space))),
    centreRows(matrix(blockMaxPools(2))),
  ),
};

/** Each scan's square patch grid cut into b × b blocks, each max-pooled per dimension, side by side. */
function blockMaxPools(b: number): Float32Array[] {
  return keep.map(([, i]) => {
    const g = patchesOf[i]!;
    const side = Math.round(Math.sqrt(g.length / dim));
    if (side * side * dim !== g.length || side % b)
      throw new RangeError(`a ${g.length / dim}-cell grid in ${b} × ${b}`);
    const out = new Float32Array(b * b * dim).fill(-Infinity);
    for (let r = 0; r < side; r++)
      for (let c = 0; c < side; c++) {
        const block = Math.floor((r * b) / side) * b + Math.floor((c * b) / side);
        for (let k = 0; k < dim; k++) {
          const v = g[(r * side + c) * dim + k]!;
          if (v > out[block * dim + k]!) out[block * dim + k] = v;
        }
      }
    return out;
  });
}

/** Two descriptors side by side, each row unit length first, so that both halves weigh the same. */
function sideBySide(a: Matrix, b: Matrix): Matrix {
  const rows = Array.from({ length: a.rows }, (_, i) => {
    const unit = (v: Float32Array) => {
      const n = Math.hypot(...v) || 1;
      return v.map((x) => x / n / Math.SQRT2);
    };
    const out = new Float32Array(a.dim + b.dim);
    out.set(unit(row(a, i)));
    out.set(unit(row(b, i)), a.dim);
    return out;
  });
  return matrix(rows);
}

/** Each scan's patches less the mean patch at the same position over every scan, max-pooled per dimension. */
function positionCentredMaxPool(): Float32Array[] {
  const grids: Float32Array[] = keep.map(([, i]) => patchesOf[i]!);
  const mean = new Float32Array(grids[0]!.length);
  for (const g of grids) for (let j = 0; j < g.length; j++) mean[j]! += g[j]! / grids.length;
  return grids.map((g) =>
    maxPoolPatches(
      g.map((v, j) => v - mean[j]!),
      dim,
    ),
  );
}

const min = Number(values['min-positives']);
/**
 * The app's flag rule (as similar to the examples' mean as the least typical example, minus the margin) with
 * 16 examples drawn 5 times: the share of the other positives flagged (recall) and of negatives (false alarms).
 */
function flagRule(m: Matrix, y: number[]): { recall: number; falseAlarms: number } {
  const rnd = seededRandom(7);
  const pos = y.flatMap((v, i) => (v ? [i] : []));
  let recall = 0;
  let alarms = 0;
  for (let d = 0; d < 5; d++) {
    const picked = new Set(shuffled(pos, rnd).slice(0, 16));
    const profile = exampleProfile([...picked].map((i) => ({ embedding: row(m, i) })));
    let tp = 0;
    let fp = 0;
    y.forEach((v, i) => {
      if (picked.has(i) || exampleSimilarity(profile, { embedding: row(m, i) }) < profile.threshold) return;
      if (v) tp++;
      else fp++;
    });
    recall += tp / (pos.length - 16) / 5;
    alarms += fp / (y.length - pos.length) / 5;
  }
  return { recall: round(recall), falseAlarms: round(alarms) };
}

/**
 * How alike k examples are (exampleCoherence, the app's test: against as many random pairs of the scans, in the
 * app's space), drawn `draws` times as flagRule draws them: the mean coherence, the share of draws the app would
 * not call alike, and of those the share it calls undecided (far enough above random pairs, too few to be sure).
 */
function coherence(
  y: number[],
  k: number,
  draws: number,
): { coherence: number; randomPairs: number; effect: number; notAlike: number; undecided: number } {
  const rnd = seededRandom(7);
  const pos = y.flatMap((v, i) => (v ? [i] : []));
  const app = features['both, centred']!;
  const scans = { count: app.rows, descriptor: (i: number) => row(app, i) };
  let value = 0;
  let random = 0;
  let effect = 0;
  let notAlike = 0;
  let undecided = 0;
  for (let d = 0; d < draws; d++) {
    const c = exampleCoherence(
      shuffled(pos, rnd)
        .slice(0, k)
        .map((i) => row(app, i)),
      scans,
    )!;
    value += c.value / draws;
    random += c.random / draws;
    effect += c.effect / draws;
    if (!c.alike) notAlike += 1 / draws;
    if (c.undecided) undecided += 1 / draws;
  }
  return {
    coherence: round(value),
    randomPairs: round(random),
    effect: round(effect),
    notAlike: round(notAlike),
    undecided: round(undecided),
  };
}

const coherenceByFinding: Record<
  string,
  { examples16: ReturnType<typeof coherence>; examples4: ReturnType<typeof coherence> }
> = {};
const perFinding: Record<
  string,
  Record<string, { shots16: number; examples16: number; recall: number; falseAlarms: number }>
> = {};
for (const [j, finding] of findings.entries()) {
  const y = keep.map(([p]) => labelled.get(p)![j]!);
  if (y.filter(Boolean).length < min) continue;
  perFinding[finding] = {};
  // 16 examples drawn 5 times (as the flag rule), 4 drawn 20 times (a small set varies more)
  coherenceByFinding[finding] = { examples16: coherence(y, 16, 5), examples4: coherence(y, 4, 20) };
  for (const [name, m] of Object.entries(features)) {
    // centre: false — each descriptor is compared as given (the centred ones are centred already); the
    // default fractions and shots draw the examples as `radsift eval` does, so its card's columns match.
    const c = probeCurve(m, y, y, { centre: false, probeFeatures: 'embedding' });
    perFinding[finding]![name] = {
      shots16: round(c.shots['16']!),
      examples16: round(c.examples['16']!),
      ...flagRule(m, y),
    };
  }
}
const mean = (name: string, k: 'shots16' | 'examples16' | 'recall' | 'falseAlarms') => {
  const xs = Object.values(perFinding)
    .map((f) => f[name]![k])
    .filter(Number.isFinite);
  return round(xs.reduce((a, b) => a + b, 0) / xs.length);
};
const summary = Object.fromEntries(
  Object.keys(features).map((name) => [
    name,
    {
      shots16: mean(name, 'shots16'),
      examples16: mean(name, 'examples16'),
      ratioShots16: round(mean(name, 'shots16') / mean('global', 'shots16')),
      ratioExamples16: round(mean(name, 'examples16') / mean('global', 'examples16')),
      flagRecall: mean(name, 'recall'),
      flagFalseAlarms: mean(name, 'falseAlarms'),
    },
  ]),
);
console.log(
  JSON.stringify(
    {
      model: loaded.id,
      version: loaded.version,
      scans: keep.length,
      summary,
      coherence: coherenceByFinding,
      perFinding,
    },
    null,
    1,
  ),
);

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
