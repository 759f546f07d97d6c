/**
 * `npm run bench:probe`: the linear probe's training (Newton-CG, electron/scoring/linear-probe.ts) against the
 * same objective solved by exact Newton steps in numpy (test/bench/probe_reference.py), on the same rows in the
 * same run: seconds, their ratio, and the largest difference of the weights. Sizes span the app's (a few hundred
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
    const reference = JSON.parse(
      execFileSync(
        'python3',
        [path.join(PROJECT_ROOT, 'test', 'bench', 'probe_reference.py'), file, `${rows}`, `${dim}`],
        {
          maxBuffer: 64 << 20,
        },
      ).toString(),
    ) as { seconds: number; weights: number[] };
    let diff = Math.abs(ours.bias - reference.weights[dim]!);
    for (let k = 0; k < dim; k++) diff = Math.max(diff, Math.abs(ours.weights[k]! - reference.weights[k]!));
    results.push({
      rows,
      dim,
      seconds: Number(seconds.toFixed(3)),
      numpySeconds: Number(reference.seconds.toFixed(3)),
      speedup: Number((reference.seconds / seconds).toFixed(2)),
      maxWeightDifference: Number(diff.toExponential(2)),
    });
  }
  console.log(JSON.stringify({ bench: 'probe', reference: 'numpy exact Newton (LAPACK solve)', results }, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
