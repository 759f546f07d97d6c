/**
 * The last results read of a job's scope, kept while the index does not change: reviewing a row ranks the
 * rows again with one more example or counter-example, and the scans, their embeddings, the space they are
 * compared in, each scan's descriptor in it and its phrase scores are what they were a click ago. Reading them
 * again cost most of a review's wait (docs/few-shot.md, "Reviewing results"; `npm run bench:review-click`).
 *
 * One entry (the job a reader has open), dropped after IDLE_MS without a read, when the service closes, and
 * before a fresh read (so two are never held). A read holds each scan's record, embedding, pooled patch
 * embedding and descriptor: about 80 MB for 20,000 scans of a 128-d model, and a few MB more for each scan's
 * lookup and phrase scores. Reads of more than MAX_KEPT_SCANS embeddings are not kept.
 */
import type { IndexStore, ModelSlot } from '../index/index-store.js';
import type { ExampleProfile, ExampleSpace } from '../scoring/example-profile.js';
import {
  descriptorMemo,
  scopeEmbeddings,
  scopeSpace,
  type ResultScope,
  type ScanDescriber,
  type ScopeEmbeddings,
  type ScreenRow,
} from './results.js';

/** A kept read is dropped after this long without another. */
export const IDLE_MS = 120_000;
/** Reads of more embeddings than this (about 200 MB kept) are read afresh each time instead. */
export const MAX_KEPT_SCANS = 50_000;

/** What a results read of a scope needs, read at most once while the index stays as it is. */
export interface ScopeRead {
  embeddings: ScopeEmbeddings;
  /** The space the scope's scans are compared with examples in (scopeSpace), read on first use. */
  space(): ReturnType<typeof scopeSpace>;
  /** Each scan's descriptor in the profile's space: kept across reads while the profile compares in the
   * scope's own space (not when its examples forced another: exampleProfile). */
  describer(profile: ExampleProfile): ScanDescriber;
  /** Each scan's phrase scores (screenResults' phraseScores) for the phrases and rule `key` names: kept across
   * reads for the last key asked. */
  phraseScores(key: string): Map<number, ScreenRow['scores']>;
}

interface Entry {
  key: string;
  store: IndexStore;
  version: number;
  read: ScopeRead;
}

export class ScopeReadCache {
  #entry: Entry | null = null;
  readonly #maxScans: number;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** Reads served without reading the index (for tests and benches). */
  hits = 0;

  constructor(options: { maxScans?: number } = {}) {
    this.#maxScans = options.maxScans ?? MAX_KEPT_SCANS;
  }

  /**
   * The scope's read for `job`: the kept one if it is of the same job, model, scope and pooled flag, from the
   * same store at the same data version; else a fresh one, which is kept instead.
   */
  read(job: string, store: IndexStore, model: ModelSlot, scope: ResultScope, options: { pooled: boolean }): ScopeRead {
    const key = JSON.stringify([job, model.key, model.id, scope, options.pooled]);
    const kept = this.#entry;
    this.#touch();
    if (kept && kept.key === key && kept.store === store && kept.version === store.dataVersion) {
      this.hits++;
      return kept.read;
    }
    this.#entry = null; // not held beside the fresh read
    const version = store.dataVersion;
    const read = freshRead(store, model, scope, options);
    if (read.embeddings.scanIds.length <= this.#maxScans) this.#entry = { key, store, version, read };
    return read;
  }

  clear(): void {
    this.#entry = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #touch(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.clear(), IDLE_MS);
    this.#timer.unref?.();
  }
}

function freshRead(store: IndexStore, model: ModelSlot, scope: ResultScope, options: { pooled: boolean }): ScopeRead {
  const embeddings = scopeEmbeddings(store, model, scope, options);
  let space: ReturnType<typeof scopeSpace> | null = null;
  let described: { space: ExampleSpace; describe: ScanDescriber } | null = null;
  let scored: { key: string; scores: Map<number, ScreenRow['scores']> } | null = null;
  return {
    embeddings,
    space: () => (space ??= scopeSpace(store, model, scope, embeddings)),
    describer(profile) {
      if (described?.space === profile.space) return described.describe;
      const describe = descriptorMemo(profile);
      // Kept only for the scope's own space: a profile whose examples forced another is made afresh each read.
      if (profile.space === space?.space) described = { space: profile.space, describe };
      return describe;
    },
    phraseScores(key) {
      if (scored?.key !== key) scored = { key, scores: new Map() };
      return scored.scores;
    },
  };
}
