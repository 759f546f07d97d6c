/**
 * Exact-quality top-k over large collections: an int8 copy of the embeddings
 * is scanned in full with SIMD kernels (usearch's exactSearch) to get a few
 * times k candidates, which are then rescored with the float32 vectors. Unlike
 * a graph index (HNSW), it needs no build step, takes additions at no cost and
 * keeps recall at ≈1 even on structureless data; at 1M × 128 (the default
 * model) the int8 copy is 128 MB and a query takes ~15 ms (`npm run bench:index`).
 */
import { exactSearch, MetricKind } from 'usearch';
import type { Hit } from './top-k.js';

export class QuantizedMatrix {
  private constructor(
    readonly codes: Int8Array,
    readonly dim: number,
    readonly rows: number,
    /** code = round(value · scale): one scale for all rows keeps dot products comparable. */
    readonly scale: number,
  ) {}

  static from(data: Float32Array, dim: number): QuantizedMatrix {
    let max = 0;
    for (let i = 0; i < data.length; i++) max = Math.max(max, Math.abs(data[i]!));
    const scale = max > 0 ? 127 / max : 1;
    const codes = new Int8Array(data.length);
    for (let i = 0; i < data.length; i++) codes[i] = Math.round(data[i]! * scale);
    return new QuantizedMatrix(codes, dim, data.length / dim, scale);
  }

  /**
   * Candidate rows for `query`, best first by the int8 dot product. One thread by default: for a
   * single query usearch's thread pool costs more than it saves (1M × 128 here: 15 ms on one
   * thread, 26 ms on two — `npm run bench:index`).
   */
  candidates(query: Float32Array, count: number, threads = 1): number[] {
    let max = 0;
    for (const v of query) max = Math.max(max, Math.abs(v));
    const q = Int8Array.from(query, (v) => Math.round((v * 127) / (max || 1)));
    const n = Math.min(count, this.rows);
    if (n <= 0) return [];
    const m = exactSearch(this.codes, q, this.dim, n, MetricKind.IP, threads) as { keys: BigUint64Array };
    return Array.from(m.keys, (k) => Number(k));
  }

  /**
   * Top-k: int8 candidates (oversample × k of them), rescored exactly with
   * `exact(row)` — the float32 inner product, from memory or the store.
   */
  search(query: Float32Array, k: number, exact: (row: number) => number, oversample = 4): Hit[] {
    return this.candidates(query, k * oversample)
      .map((row) => ({ row, score: exact(row) }))
      .sort((a, b) => b.score - a.score || a.row - b.row)
      .slice(0, k);
  }
}
