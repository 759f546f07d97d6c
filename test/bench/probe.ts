/**
 * `npm run bench:probe`: the linear probe's training (Newton-CG, electron/scoring/linear-probe.ts) against the
 * same objective solved in numpy (test/bench/probe_reference.py) by the same algorithm (Newton-CG: one ratio of
 * implementations) and by exact Newton steps (the textbook solver), on the same rows in the same run: seconds,
 * the ratios, and the largest difference of the weights from each. Sizes span the app's (a few hundred
 * labels of the default model's 256-d descriptor) to the API's limit (10,000 labels) and a 1,024-d descriptor.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seededRandom } from '../../electron/scoring/metrics.js';
import { trainProbe } from '../../electron/scoring/linear-probe.js';
import { PROJECT_ROOT } from '../support/paths.js';

const SIZES: [rows: number, dim: number][] = [
  [400, 256],
  [2000, 256],
  [10000, 256],
  [2000, 1024],
];

const dir = mkdtempSync(path.join(tmpdir(), 'radsift-bench-probe-'));
try {
  const results = [];
  for (const [rows, dim] of SIZES) {
    // Unit-length rows (as embeddings are), a weak signal on a few axes: a realistic, not separable, problem.
    const rnd = seededRandom(rows + dim);
    const x = new Float32Array(rows * dim);
    const y = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) {
      y[i] = rnd() < 0.3 ? 1 : 0;
      let norm = 0;
      for (let k = 0; k < dim; k++) {
        const v = rnd() - 0.5 + (y[i] && k < 8 ? 0.15 : 0);
        x[i * dim + k] = v;
        norm += v * v;
      }
      for (let k = 0; k < dim; k++) x[i * dim + k]! /= Math.sqrt(norm);
    }
    const file = path.join(dir, `${rows}x${dim}`);
    writeFileSync(`${file}.x`, x);
    writeFileSync(`${file}.y`, y);
    const matrix = { data: x, rows, dim };
    trainProbe(matrix, y); // warm-up
    const start = performance.now();
    const ours = trainProbe(matrix, y);
    const seconds = (performance.now() - start) / 1000;
    type Solved = { seconds: number; weights: number[] };
    const reference = JSON.parse(
      execFileSync(
        'python3',
        [path.join(PROJECT_ROOT, 'test', 'bench', 'probe_reference.py'), file, `${rows}`, `${dim}`],
        {
          maxBuffer: 64 << 20,
        },
      ).toString(),
    ) as { newton: Solved; newtonCg: Solved };
    const difference = (other: Solved) => {
      let diff = Math.abs(ours.bias - other.weights[dim]!);
      for (let k = 0; k < dim; k++) diff = Math.max(diff, Math.abs(ours.weights[k]! - other.weights[k]!));
      return Number(diff.toExponential(2));
    };
    results.push({
      rows,
      dim,
      seconds: Number(seconds.toFixed(3)),
      numpyNewtonCgSeconds: Number(reference.newtonCg.seconds.toFixed(3)),
      speedupOverNumpyNewtonCg: Number((reference.newtonCg.seconds / seconds).toFixed(2)),
      numpyNewtonSeconds: Number(reference.newton.seconds.toFixed(3)),
      speedupOverNumpyNewton: Number((reference.newton.seconds / seconds).toFixed(2)),
      maxWeightDifferenceNewtonCg: difference(reference.newtonCg),
      maxWeightDifferenceNewton: difference(reference.newton),
    });
  }
  console.log(
    JSON.stringify(
      { bench: 'probe', references: ['numpy Newton-CG (BLAS products)', 'numpy exact Newton (LAPACK solve)'], results },
      null,
      2,
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
