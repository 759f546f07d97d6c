/**
 * Phrase embeddings, cached per model: the same phrases ("pleural effusion",
 * its negation, prompt templates) are embedded again and again by queries,
 * the matrix and screening. Bounded LRU; keyed by model id and exact text.
 */
export class TextEmbeddingCache {
  readonly #entries = new Map<string, Float32Array>();
  constructor(private readonly capacity = 4096) {}

  /** Embeds whatever is not cached with `encode` (one batch), returns all rows in order. */
  async get(
    modelKey: string,
    texts: readonly string[],
    encode: (missing: string[]) => Promise<{ data: Float32Array; dim: number }>,
  ): Promise<Float32Array[]> {
    const key = (t: string) => `${modelKey}\u0000${t}`;
    const missing = [...new Set(texts.filter((t) => !this.#entries.has(key(t))))];
    if (missing.length) {
      const { data, dim } = await encode(missing);
      missing.forEach((t, i) => this.#put(key(t), data.slice(i * dim, (i + 1) * dim)));
    }
    return texts.map((t) => {
      const k = key(t);
      const v = this.#entries.get(k)!;
      // Refresh recency.
      this.#entries.delete(k);
      this.#entries.set(k, v);
      return v;
    });
  }

  #put(k: string, v: Float32Array): void {
    this.#entries.set(k, v);
    while (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get size(): number {
    return this.#entries.size;
  }
}
