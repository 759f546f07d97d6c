/**
 * `npm run bench:index [-- --count 1000000 --dim 256 --queries 200]`
 * Builds an HNSW index over random unit vectors and compares its top-50 with
 * exact search on the same data, in one run: latency (p50/p95) of both and
 * recall@50. Prints JSON.
 */
import { parseArgs } from 'node:util';
import { AnnIndex } from '../../electron/index/ann.js';
import { topK } from '../../electron/index/top-k.js';
import { seededRandom } from '../../electron/scoring/metrics.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000000' },
    dim: { type: 'string', default: '256' },
    queries: { type: 'string', default: '200' },
    k: { type: 'string', default: '50' },
    'expansion-search': { type: 'string', default: '128' },
  },
});
const count = Number(values.count);
const dim = Number(values.dim);
const queries = Number(values.queries);
const k = Number(values.k);

const rnd = seededRandom(1);
const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-300)) * Math.cos(2 * Math.PI * rnd());
function unit(n: number): Float32Array {
  const out = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let i = 0; i < dim; i++) s += (out[r * dim + i] = gauss()) ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < dim; i++) out[r * dim + i]! *= inv;
  }
  return out;
}

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

process.stderr.write(`generating ${count} × ${dim} unit vectors…\n`);
const data = unit(count);
const q = unit(queries);

process.stderr.write('building HNSW…\n');
let t = performance.now();
const ann = AnnIndex.create(dim, { expansionSearch: Number(values['expansion-search']) });
const keys = Int32Array.from({ length: count }, (_, i) => i);
const chunk = 50_000;
for (let i = 0; i < count; i += chunk) {
  const n = Math.min(chunk, count - i);
  ann.add(keys.subarray(i, i + n), data.subarray(i * dim, (i + n) * dim));
  process.stderr.write(`\r  ${i + n}/${count}`);
}
const buildSeconds = (performance.now() - t) / 1000;
process.stderr.write('\nsearching…\n');

const annMs: number[] = [];
const exactMs: number[] = [];
let found = 0;
for (let j = 0; j < queries; j++) {
  const query = q.subarray(j * dim, (j + 1) * dim);
  t = performance.now();
  const approx = ann.search(query, k);
  annMs.push(performance.now() - t);
  t = performance.now();
  const exact = topK(data, dim, query, k);
  exactMs.push(performance.now() - t);
  const truth = new Set(exact.map((h) => h.row));
  found += approx.filter((h) => truth.has(h.row)).length;
}

console.log(
  JSON.stringify(
    {
      bench: 'index',
      count,
      dim,
      k,
      queries,
      buildSeconds: +buildSeconds.toFixed(1),
      ann: { p50Ms: +percentile(annMs, 0.5).toFixed(3), p95Ms: +percentile(annMs, 0.95).toFixed(3) },
      exact: { p50Ms: +percentile(exactMs, 0.5).toFixed(1), p95Ms: +percentile(exactMs, 0.95).toFixed(1) },
      recallAtK: +(found / (queries * k)).toFixed(4),
      speedupP95: +(percentile(exactMs, 0.95) / percentile(annMs, 0.95)).toFixed(1),
    },
    null,
    2,
  ),
);
