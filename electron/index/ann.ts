/**
 * Approximate nearest-neighbour search (HNSW, usearch) for large collections.
 * A derived cache: built from the embeddings in SQLite, saved beside the index
 * with the model's embedding version, rebuilt when stale — never the source
 * of truth. Keys are scan ids.
 */
import { Index, MetricKind, ScalarKind } from 'usearch';
import type { Hit } from './top-k.js';

export interface AnnOptions {
  /** Graph degree; 16 is usearch's default and enough for recall@50 ≥ 0.99 at 1M. */
  connectivity?: number;
  expansionAdd?: number;
  /** Candidate list size at query time: recall vs latency. */
  expansionSearch?: number;
  threads?: number;
}

export class AnnIndex {
  readonly #index: Index;
  readonly dim: number;

  private constructor(index: Index, dim: number) {
    this.#index = index;
    this.dim = dim;
  }

  static create(dim: number, options: AnnOptions = {}): AnnIndex {
    const index = new Index({
      dimensions: dim,
      metric: MetricKind.IP, // embeddings are L2-normalised: inner product = cosine
      quantization: ScalarKind.F32,
      connectivity: options.connectivity ?? 16,
      expansion_add: options.expansionAdd ?? 128,
      expansion_search: options.expansionSearch ?? 128,
      multi: false,
    });
    return new AnnIndex(index, dim);
  }

  /** Adds rows of a row-major matrix under the given keys. */
  add(keys: ArrayLike<number>, data: Float32Array, threads = 0): void {
    const n = keys.length;
    if (data.length !== n * this.dim) throw new RangeError(`${n} keys but ${data.length / this.dim} rows`);
    const big = BigUint64Array.from(Array.from(keys, (k) => BigInt(k)));
    const rows: Float32Array[] = [];
    for (let i = 0; i < n; i++) rows.push(data.subarray(i * this.dim, (i + 1) * this.dim));
    this.#index.add(big, rows, threads);
  }

  search(query: Float32Array, k: number): Hit[] {
    const m = this.#index.search(query, k, 1);
    const hits: Hit[] = [];
    for (let i = 0; i < m.keys.length; i++) hits.push({ row: Number(m.keys[i]!), score: 1 - m.distances[i]! });
    return hits;
  }

  get size(): number {
    return Number(this.#index.size());
  }

  save(file: string): void {
    this.#index.save(file);
  }

  static load(file: string, dim: number, options: AnnOptions = {}): AnnIndex {
    const ann = AnnIndex.create(dim, options);
    ann.#index.load(file);
    return ann;
  }
}
