/**
 * `npm run bench:index [-- --count 1000000 --dim 128 --queries 200]` (128: the default model's size)
 * Over random unit vectors (the hardest case: no structure to exploit), compares
 * in one run the top-50 of float32 exact search (the reference), of the int8 scan
 * with float32 rescoring that the index uses (queries one after another, and each
 * right after a sweep of other memory), and of an HNSW graph (usearch, --hnsw):
 * latency p50/p95 and recall@50 against exact. Prints JSON.
 */
import { parseArgs } from 'node:util';
import { AnnIndex } from '../../electron/index/ann.js';
import { QuantizedMatrix } from '../../electron/index/quantized-search.js';
import { topK } from '../../electron/index/top-k.js';
import { seededRandom } from '../../electron/scoring/metrics.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000000' },
    dim: { type: 'string', default: '128' },
    queries: { type: 'string', default: '200' },
    k: { type: 'string', default: '50' },
    'expansion-search': { type: 'string', default: '128' },
    hnsw: { type: 'boolean', default: false },
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

const dot = (row: number, query: Float32Array) => {
  let sum = 0;
  const base = row * dim;
  for (let i = 0; i < dim; i++) sum += data[base + i]! * query[i]!;
  return sum;
};

process.stderr.write('quantising…\n');
let t = performance.now();
const quantized = QuantizedMatrix.from(data, dim);
const quantizeSeconds = (performance.now() - t) / 1000;

let ann: AnnIndex | null = null;
let buildSeconds: number | null = null;
if (values.hnsw) {
  process.stderr.write('building HNSW (slow)…\n');
  t = performance.now();
  ann = AnnIndex.create(dim, { expansionSearch: Number(values['expansion-search']) });
  const keys = Int32Array.from({ length: count }, (_, i) => i);
  for (let i = 0; i < count; i += 50_000) {
    const n = Math.min(50_000, count - i);
    ann.add(keys.subarray(i, i + n), data.subarray(i * dim, (i + n) * dim));
  }
  buildSeconds = (performance.now() - t) / 1000;
}

process.stderr.write('searching…\n');
// Exact float32 top-k first: the reference answers (and their latency).
const timings = { exact: [] as number[], quantized: [] as number[], cold: [] as number[], hnsw: [] as number[] };
const truths: Set<number>[] = [];
for (let j = 0; j < queries; j++) {
  const query = q.subarray(j * dim, (j + 1) * dim);
  t = performance.now();
  const exact = topK(data, dim, query, k);
  timings.exact.push(performance.now() - t);
  truths.push(new Set(exact.map((h) => h.row)));
}
// Queries one after another, as a user or a screening job issues them (the int8 copy stays warm in cache
// when the machine's cache can hold it).
const found = { quantized: 0, hnsw: 0 };
for (let j = 0; j < queries; j++) {
  const query = q.subarray(j * dim, (j + 1) * dim);
  t = performance.now();
  const hits = quantized.search(query, k, (row) => dot(row, query));
  timings.quantized.push(performance.now() - t);
  found.quantized += hits.filter((h) => truths[j]!.has(h.row)).length;
}
// Cold: each query right after something else swept memory (the float32 scan evicts the int8 copy).
for (let j = 0; j < Math.min(queries, 50); j++) {
  const query = q.subarray(j * dim, (j + 1) * dim);
  topK(data, dim, query, 1);
  t = performance.now();
  quantized.search(query, k, (row) => dot(row, query));
  timings.cold.push(performance.now() - t);
}
if (ann) {
  for (let j = 0; j < queries; j++) {
    const query = q.subarray(j * dim, (j + 1) * dim);
    t = performance.now();
    const approx = ann.search(query, k);
    timings.hnsw.push(performance.now() - t);
    found.hnsw += approx.filter((h) => truths[j]!.has(h.row)).length;
  }
}
const stats = (xs: number[]) => ({ p50Ms: +percentile(xs, 0.5).toFixed(2), p95Ms: +percentile(xs, 0.95).toFixed(2) });

console.log(
  JSON.stringify(
    {
      bench: 'index',
      count,
      dim,
      k,
      queries,
      exact: stats(timings.exact),
      int8ScanWithRescoring: {
        ...stats(timings.quantized),
        recallAtK: +(found.quantized / (queries * k)).toFixed(4),
        quantizeSeconds: +quantizeSeconds.toFixed(1),
        afterAnotherMemorySweep: stats(timings.cold),
      },
      ...(ann
        ? {
            hnsw: {
              ...stats(timings.hnsw),
              recallAtK: +(found.hnsw / (queries * k)).toFixed(4),
              buildSeconds: +buildSeconds!.toFixed(1),
            },
          }
        : {}),
      speedupP95: +(percentile(timings.exact, 0.95) / percentile(timings.quantized, 0.95)).toFixed(1),
    },
    null,
    2,
  ),
);
