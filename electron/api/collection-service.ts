/**
 * The scans the user opened, indexed with the active model, and queries over
 * them: phrases (with weights: "effusion − edema"), example scans ("like
 * these, not like that"), a relevance threshold. Indexing runs through the
 * screening pipeline into the app's index (SQLite in the data folder), so a
 * scan is encoded once per model, ever.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { DecodePool } from '../screening/decode-pool.js';
import type { IndexStore, ModelSlot } from '../index/index-store.js';
import type { AppIndex } from './app-index.js';
import type { ModelService } from './model-service.js';
import { applyProbe, crossValidatedAuc, trainProbe } from '../scoring/linear-probe.js';
import { distinctPhrases } from '../scoring/phrase-list.js';
import {
  descriptorMatrix,
  exampleDescriptor,
  exampleSpace,
  type ExampleScan,
  type ExampleSpace,
} from '../scoring/example-profile.js';
import {
  exampleQuery,
  exampleScores,
  mixQueryParts,
  partSkills,
  type ExampleQuery,
  type PartSkills,
  type QueryPart,
} from '../scoring/query-mix.js';
import { pick } from '../scoring/evaluation.js';
import { gridBox, phraseHeatmap } from '../scoring/grounding.js';
import { phraseVectors, type PhraseVectors } from '../scoring/phrase-scores.js';
import { rankScans } from '../scoring/rank.js';
import { robustCut, DEFAULT_PROBABILITY_THRESHOLD } from '../scoring/threshold.js';
import { dot, weightedSum } from '../scoring/vectors.js';
import {
  regionMargins,
  regionPhrases,
  regionRuleWords,
  zeroShotMargin,
  zeroShotProbability,
  type ZeroShotRule,
} from '../scoring/region-score.js';
import { indexFolder, type ScreenProgress } from '../screening/screen-job.js';
import { embeddingById } from '../screening/results.js';
import type { Request, Response } from './contract.js';
import { ApiError } from './errors.js';

type QueryRequest = Request<'query.run'>;
type QueryResult = Response<'query.run'>;
type ProbeResult = Response<'probe.train'>;
type MatrixResult = Response<'matrix.run'>;

/**
 * Up to this many opened scans, the index keeps their whole patch grids (int8 with a scale per cell since schema 7:
 * 132 KB a scan for the default model's 32×32×128 grid, 264 MiB at most), so that a phrase typed later gets its
 * best-region margins from them instead of a second decode and encode of every scan. A larger collection is
 * encoded again per new phrase. Why 2,048: docs/index.md.
 */
export const KEEP_PATCHES_UP_TO = 2048;

export class CollectionService {
  #files: string[] = [];
  #indexed = new Set<string>();
  /**
   * The model the kept patch grids were last pruned for (null: other scans were opened since): grids kept for
   * other scans or another model are dropped at the next indexing.
   */
  #gridsFor: string | null = null;

  constructor(
    private readonly index: AppIndex,
    private readonly models: ModelService,
    private readonly pool: DecodePool,
  ) {}

  setFiles(files: string[]): void {
    this.#files = [...new Set(files)];
    this.#gridsFor = null;
  }

  get files(): readonly string[] {
    return this.#files;
  }

  #open(): IndexStore {
    return this.index.store();
  }

  #slot(): Promise<ModelSlot> {
    return this.index.slot();
  }

  /**
   * Encodes whatever of the opened scans is not in the index yet, or lacks the best-region margin of one of
   * `regions` (phrases, with a model that has patch embeddings: zero-shot weighs them with the whole image's).
   */
  async ensureIndexed(
    onProgress: (p: ScreenProgress) => void,
    regions: readonly PhraseVectors[] = [],
    options: { pooled?: boolean; signal?: AbortSignal } = {},
  ): Promise<{
    slot: ModelSlot;
    failed: { path: string; reason: string }[];
    /** The opened scans' embeddings and, per scan, its best-region margins for `regions` (#scanIds). */
    rows: Map<string, Float32Array>;
    regions: Map<string, Float32Array>;
    /** With `options.pooled`: the opened scans as example sets compare them, read with their embeddings. */
    exampleScans: (paths: readonly string[]) => ExampleScan[];
  }> {
    if (!this.#files.length) throw new ApiError('NOT_FOUND', 'Open a study or a folder first (Studies view)');
    const slot = await this.#slot();
    const failed: { path: string; reason: string }[] = [];
    const key = (f: string) => `${slot.key}\u0000${f}`;
    const { model } = await this.models.ready();
    const scored = slot.patches ? regionPhrases(model, regions) : [];
    const phrases = scored.map((p) => p.pair.phrase);
    // What this session already indexed (the index itself decides what needs encoding: this only spares a walk).
    const done = (f: string) =>
      this.#indexed.has(key(f)) && phrases.every((p) => this.#indexed.has(`${key(f)}\u0000${p}`));
    let todo = this.#files.filter((f) => !done(f));
    // Grids only serve region margins: none for a model that scores the whole image alone (0.6.0's 24×24 grid).
    const keepPatches = slot.patches && model.regionOffset !== null && this.#files.length <= KEEP_PATCHES_UP_TO;
    // Other collections' grids go before the new one's are written, not after: at most one collection's worth
    // (KEEP_PATCHES_UP_TO scans) is ever in the file, which SQLite does not shrink.
    if (this.#gridsFor !== slot.key) {
      const store = this.#open();
      const opened = keepPatches ? this.#files.flatMap((f) => store.scanByPath(f)?.id ?? []) : [];
      store.dropPatchesExcept(slot, opened);
      this.#gridsFor = slot.key;
    }
    if (todo.length && scored.length && keepPatches) {
      const fromGrids = await this.#marginsFromKeptPatches(slot, todo, scored);
      for (const f of fromGrids) {
        this.#indexed.add(key(f));
        for (const p of phrases) this.#indexed.add(`${key(f)}\u0000${p}`);
      }
      todo = todo.filter((f) => !fromGrids.has(f));
    }
    if (todo.length) {
      const run = await indexFolder({
        source: { files: todo },
        store: this.#open(),
        model: slot,
        pool: this.pool,
        encoder: this.models.encoder,
        regions: scored,
        keepPatches,
        signal: options.signal,
        onProgress,
        onFailure: (p, _code, message) => failed.push({ path: p, reason: message }),
      });
      // Stopped (index.cancel): what was encoded is committed, and the next run's index finds it unchanged.
      if (run.stopped) throw new ApiError('CANCELLED', stoppedMessage(run.encoded, todo.length));
      for (const f of todo) {
        this.#indexed.add(key(f));
        for (const p of phrases) this.#indexed.add(`${key(f)}\u0000${p}`);
      }
    }
    // One read of the opened scans' rows: the failures listed here, the vectors the caller scores and, for
    // examples and the probe, the pooled patch embeddings beside them.
    const { rows, regions: margins, pooled, failedIds } = this.#scanIds(slot, this.#files, regions, options.pooled);
    for (const s of this.#open().scans(failedIds)) failed.push({ path: s.path, reason: s.error ?? 'failed' });
    const exampleScans = (paths: readonly string[]) =>
      paths.map((p) => ({ embedding: rows.get(p)!, pooled: pooled.get(p) ?? null }));
    return { slot, failed: dedupe(failed), rows, regions: margins, exampleScans };
  }

  /**
   * The best-region margins a new phrase needs, from the patch grids the index kept of unchanged scans (no
   * decode, no encode): the files done so, which the index then no longer asks to encode.
   */
  async #marginsFromKeptPatches(
    slot: ModelSlot,
    files: string[],
    scored: readonly PhraseVectors[],
  ): Promise<Set<string>> {
    const store = this.#open();
    const phrases = scored.map((p) => p.pair.phrase);
    const done = new Set<string>();
    for (const f of files) {
      const st = await stat(f).catch(() => null);
      if (!st) continue;
      if (store.need({ path: f, size: st.size, mtimeMs: st.mtimeMs }, slot) !== 'unchanged-embedded') continue;
      const scan = store.scanByPath(f)!;
      const have = store.regions(slot, phrases, [scan.id]).get(scan.id);
      const missing = scored.filter((_, j) => !have || Number.isNaN(have[j]!));
      // Margins kept already (a phrase asked before a restart): no 132 KB grid to read.
      if (missing.length) {
        const grid = store.patches(scan.id, slot);
        if (!grid) continue;
        store.putRegions(
          scan.id,
          slot,
          missing.map((p) => p.pair.phrase),
          regionMargins(grid, missing),
        );
      }
      done.add(f);
    }
    return done;
  }

  /**
   * The opened scans' embeddings by path; the ids of those that failed; given phrases, each encoded scan's
   * stored best-region margins for them (none for a scan or phrase without: the whole image alone); and with
   * `withPooled`, the pooled patch embeddings the index kept (none for a model without patch embeddings).
   */
  #scanIds(
    slot: ModelSlot,
    files: string[],
    phrases: readonly PhraseVectors[] = [],
    withPooled = false,
  ): {
    rows: Map<string, Float32Array>;
    failedIds: number[];
    regions: Map<string, Float32Array>;
    pooled: Map<string, Float32Array>;
  } {
    const store = this.#open();
    const scans = files.flatMap((f) => {
      const scan = store.scanByPath(f);
      return scan ? [[f, scan.id] as const] : [];
    });
    // The opened scans' rows only: the index may hold far more (other folders, screening jobs).
    const read = store.embeddings(slot, { scanIds: scans.map(([, id]) => id), pooled: withPooled && slot.patches });
    const byId = embeddingById(read, slot.dim);
    const rows = new Map<string, Float32Array>();
    const failedIds: number[] = [];
    const stored =
      phrases.length && slot.patches
        ? store.regions(
            slot,
            phrases.map((p) => p.pair.phrase),
            read.scanIds,
          )
        : null;
    const regions = new Map<string, Float32Array>();
    const pooled = new Map<string, Float32Array>();
    for (const [f, id] of scans) {
      const e = byId(id);
      if (!e) {
        failedIds.push(id);
        continue;
      }
      rows.set(f, e.embedding);
      const margins = stored?.get(id);
      if (margins) regions.set(f, margins);
      if (e.pooled) pooled.set(f, e.pooled);
    }
    return { rows, failedIds, regions, pooled };
  }

  async query(req: QueryRequest, onProgress: (p: ScreenProgress) => void, signal?: AbortSignal): Promise<QueryResult> {
    if (!req.phrases.length && !req.examples.length)
      throw new ApiError('BAD_REQUEST', 'Type a phrase or pick example scans');
    const loaded = await this.models.ready();
    const encoder = this.models.encoder;
    const phrases = req.phrases.length
      ? await phraseVectors(
          req.phrases.map((p) => p.text),
          (t) => encoder.encodeTexts(t),
        )
      : [];
    // A scan given twice is one example, weighed as last given (the view replaces it so).
    const givenExamples = [...new Map(req.examples.map((e) => [e.path, e.weight])).entries()];
    const weighedExamples = givenExamples.filter(([, w]) => w !== 0);
    // One positive phrase and nothing else: the zero-shot probability against its negation decides.
    const single =
      phrases.length === 1 && weighedExamples.length === 0 && req.phrases[0]!.weight > 0 ? phrases[0]! : null;
    // A phrase of weight 0 counts for nothing: no margins are computed for it and the rule does not name it.
    const weighedPhrases = phrases.flatMap((vector, i) => {
      const weight = req.phrases[i]!.weight;
      return weight !== 0 ? [{ vector, weight }] : [];
    });
    // Best-region margins: for a phrase alone, and for phrases beside examples (their part is their zero-shot score).
    const {
      slot,
      failed,
      rows: vectors,
      regions,
      exampleScans,
    } = await this.ensureIndexed(
      onProgress,
      single ? [single] : weighedExamples.length ? weighedPhrases.map((p) => p.vector) : [],
      { pooled: weighedExamples.length > 0, signal },
    );
    const paths = [...vectors.keys()];
    const rowOf = new Map(paths.map((p, i) => [p, i]));
    for (const [p] of givenExamples)
      if (!rowOf.has(p)) throw new ApiError('NOT_FOUND', `${path.basename(p)} is not among the opened, encoded scans`);
    // Phrases: the cosine to their weighted sum, as CLIP sums prompts; beside examples, their zero-shot margins
    // (what a phrase alone ranks by) summed by weight. Examples: compared as Screening compares scans. Both: each
    // kind standardised and weighed (query-mix.ts; docs/few-shot.md, "The Query view's example scans" and "The
    // phrase's part of a mix").
    const parts: QueryPart[] = [];
    if (weighedPhrases.length) {
      const cosines = () => {
        const sum = weightedSum(
          weighedPhrases.map((p) => ({ vector: p.vector.positive, weight: p.weight })),
          slot.dim,
        );
        return paths.map((p) => dot(vectors.get(p)!, sum));
      };
      parts.push({
        scores: weighedExamples.length
          ? phraseMarginSums(weighedPhrases, paths, vectors, regions, loaded.model)
          : cosines(),
        weight: weightSize(weighedPhrases),
      });
    }
    let byExamples: { space: ExampleSpace; query: ExampleQuery } | null = null;
    let skills: PartSkills | null = null;
    if (weighedExamples.length) {
      const scans = exampleScans(paths);
      const examples = weighedExamples.map(([p, weight]) => ({ row: rowOf.get(p)!, weight }));
      const rank = (space: ExampleSpace) => {
        const descriptors = scans.map((s) => exampleDescriptor(s, space));
        const query = exampleQuery(descriptors, examples);
        return { space, query, descriptors, scores: exampleScores(descriptors, query) };
      };
      let ranked = rank(exampleSpace(scans, slot.dim).space);
      // Centred examples that cancel out have no direction: compared as they are, as example-profile.ts does.
      if (ranked.space.centre && dot(ranked.query.vector, ranked.query.vector) === 0)
        ranked = rank({ ...ranked.space, centre: null, pooledCentre: null });
      byExamples = { space: ranked.space, query: ranked.query };
      parts.push({ scores: ranked.scores, weight: ranked.query.weight });
      // Beside phrases, each part weighs as much as it shows on the like examples themselves (docs/few-shot.md,
      // "Each part weighed by how it ranks the examples").
      if (parts.length === 2 && (skills = partSkills(parts[0]!.scores, ranked.descriptors, examples))) {
        parts[0]!.weight *= skills.phrases;
        parts[1]!.weight *= skills.examples;
      }
    }
    if (!parts.length) throw new ApiError('BAD_REQUEST', 'Every phrase and example has weight 0: give one a weight');
    const score = mixQueryParts(parts);
    const threshold = req.threshold ?? DEFAULT_PROBABILITY_THRESHOLD;
    const scored = paths.map((p, i) => ({
      path: p,
      similarity: score[i]!,
      probability: single
        ? zeroShotProbability(
            dot(vectors.get(p)!, single.positive),
            dot(vectors.get(p)!, single.negative),
            regions.get(p)?.[0],
            loaded.model,
            single.pair.phrase,
          )
        : null,
    }));
    // Say what was weighed: the whole image, its best region, or both (docs/region-scores.md).
    const where = single && regionPhrases(loaded.model, [single]).length ? ` (${regionRuleWords(loaded.model)})` : '';
    const rule = single
      ? `"${single.pair.phrase}" is more likely than "${single.pair.negative[0]}"${where} with probability ≥ ${threshold}`
      : `${queryScoreWords(weighedPhrases, parts, byExamples, loaded.model, !!skills)} stands out from this collection ` +
        '(robust z ≥ 3)';
    const rows = rankScans(
      scored,
      single ? { probabilityAtLeast: threshold } : { similarityAbove: robustCut(scored.map((r) => r.similarity)).cut },
    );
    return {
      rows: rows.slice(0, req.top ?? 200),
      scans: rows.length,
      matches: rows.filter((r) => r.match).length,
      rule,
      mixed: parts.length > 1,
      failed,
      familiarity: await this.models.checkPhrases(req.phrases.map((p) => p.text)),
    };
  }

  /**
   * A linear probe on the user's labels: logistic regression on the labelled
   * scans' descriptors (as example sets compare them), its cross-validated AUC, and every opened scan ranked by it.
   */
  async probe(
    positiveList: string[],
    negativeList: string[],
    onProgress: (p: ScreenProgress) => void,
    signal?: AbortSignal,
  ): Promise<ProbeResult> {
    // A scan named twice is one label; one named on both sides is no label at all.
    const positives = [...new Set(positiveList)];
    const negatives = [...new Set(negativeList)];
    const both = positives.find((p) => negatives.includes(p));
    if (both) throw new ApiError('BAD_REQUEST', `${path.basename(both)} is labelled both positive and negative`);
    if (positives.length < 2 || negatives.length < 2) {
      throw new ApiError('BAD_REQUEST', 'Label at least 2 scans as positive and 2 as negative');
    }
    const { slot, rows: vectors, exampleScans } = await this.ensureIndexed(onProgress, [], { pooled: true, signal });
    const paths = [...vectors.keys()];
    const rowOf = new Map(paths.map((p, i) => [p, i]));
    const labelled = [...positives.map((p) => [p, 1] as const), ...negatives.map((p) => [p, 0] as const)].filter(
      ([p]) => rowOf.has(p),
    );
    const y = labelled.map(([, l]) => l);
    const counts = { positive: y.filter(Boolean).length, negative: y.filter((l) => !l).length };
    for (const [side, given] of [
      ['positive', positives],
      ['negative', negatives],
    ] as const) {
      if (counts[side] < 2)
        throw new ApiError(
          'BAD_REQUEST',
          `Only ${counts[side]} of the ${given.length} scans labelled ${side} are among the opened, encoded scans: label at least 2`,
        );
    }
    // The probe reads what example sets compare: each opened scan's embedding and pooled patch embedding (where
    // the model has them), centred on the opened scans (docs/few-shot.md, "The linear probe").
    const scans = exampleScans(paths);
    const { space, count } = exampleSpace(scans, slot.dim);
    const all = descriptorMatrix(scans, space);
    const x = pick(
      labelled.map(([p]) => rowOf.get(p)!),
      all,
    );
    const probe = trainProbe(x, y);
    const auc = crossValidatedAuc(x, y, Math.min(5, counts.positive, counts.negative));
    const scores = applyProbe(probe, all);
    return {
      auc: Number.isFinite(auc) ? auc : null,
      positives: counts.positive,
      negatives: counts.negative,
      features: { patches: space.patches, centredOn: space.centre ? count : null },
      rows: paths.map((p, i) => ({ path: p, score: scores[i]! })).sort((a, b) => b.score - a.score),
    };
  }

  /** Every opened scan × every phrase: similarity and zero-shot probability. */
  async matrix(asked: string[], onProgress: (p: ScreenProgress) => void, signal?: AbortSignal): Promise<MatrixResult> {
    const phrases = distinctPhrases(asked); // one column a phrase, whatever its case or spacing
    if (!phrases.length) throw new ApiError('BAD_REQUEST', 'Add at least one phrase');
    const loaded = await this.models.ready();
    const encoder = this.models.encoder;
    const pv = await phraseVectors(phrases, (t) => encoder.encodeTexts(t));
    const { failed, rows: vectors, regions } = await this.ensureIndexed(onProgress, pv, { signal });
    const paths = [...vectors.keys()];
    const familiarity = await this.models.checkPhrases(phrases);
    return {
      familiarity,
      phrases: pv.map((p) => p.pair.phrase),
      rows: paths.map((p) => {
        const v = vectors.get(p)!;
        return {
          path: p,
          similarity: pv.map((x) => dot(v, x.positive)),
          probability: pv.map((x, j) =>
            zeroShotProbability(
              dot(v, x.positive),
              dot(v, x.negative),
              regions.get(p)?.[j],
              loaded.model,
              x.pair.phrase,
            ),
          ),
        };
      }),
      failed,
    };
  }

  /**
   * Where on one scan a phrase matches: the cosine of each patch embedding with the phrase, on the
   * model's grid, and where that grid lies over the image. Computed on demand (one decode, one
   * encode) rather than stored: see docs/index.md.
   */
  async heatmap(file: { readonly fd: number }, phrase: string, frame = 0): Promise<HeatmapResult> {
    const loaded = await this.models.ready().catch((e: Error) => {
      throw new ApiError('NOT_FOUND', e.message);
    });
    const spec = loaded.model.image;
    if (!spec.patchGrid || !spec.outputs.patches)
      throw new ApiError(
        'UNSUPPORTED',
        `${loaded.model.name} has no patch embeddings, so it cannot show where on the image a phrase matches`,
      );
    // By the descriptor of the file the handler opened and checked (kept open until this settles), never by a path
    // that may lead elsewhere by now (api/opened-file.ts).
    const decoded = await this.pool
      .decode({ fd: file.fd, frame, outputs: ['model'], model: spec })
      .catch((e: Error) => {
        throw new ApiError('UNSUPPORTED', `This image cannot be read: ${e.message}`);
      });
    const [H, W] = spec.size;
    const encoder = this.models.encoder;
    const encoded = await encoder.encodeTensor({ data: decoded.modelInput!, dims: [1, spec.channels, H, W] });
    const [vector] = await phraseVectors([phrase], (t) => encoder.encodeTexts(t));
    if (!encoded.patches || !vector) throw new ApiError('UNSUPPORTED', 'The model returned no patch embeddings');
    const values = phraseHeatmap(encoded.patches, vector.positive);
    return {
      phrase: vector.pair.phrase,
      grid: spec.patchGrid,
      values: Array.from(values, (v) => Math.round(v * 1e4) / 1e4),
      box: gridBox(spec, decoded.columns, decoded.rows),
    };
  }

  close(): void {
    this.index.close();
  }
}

export interface HeatmapResult {
  phrase: string;
  /** [rows, cols] of the model's patch grid; values are row-major. */
  grid: [number, number];
  /** Cosine of each patch with the phrase (> 0 where the model sees it, for the default model). */
  values: number[];
  /** The grid's extent over the image, as fractions of the image's width and height. */
  box: { x: number; y: number; width: number; height: number };
}

/** What a stopped run says: how far it got, and that the next run goes on from there. */
export function stoppedMessage(encoded: number, toEncode: number): string {
  const n = (v: number) => v.toLocaleString('en-US');
  return `Stopped after encoding ${n(encoded)} of ${n(toEncode)} scan${toEncode === 1 ? '' : 's'}. They are kept: running it again encodes only the rest.`;
}

/** The sum of the terms' weights' sizes: how much a kind of term weighs in a mix. */
function weightSize(terms: readonly { weight: number }[]): number {
  return terms.reduce((a, t) => a + Math.abs(t.weight), 0);
}

/** What a query without a single phrase ranks by, as the rule says it ("A scan matches when … stands out"). */
function queryScoreWords(
  weighed: readonly { vector: PhraseVectors; weight: number }[],
  parts: readonly QueryPart[],
  examples: { space: ExampleSpace; query: ExampleQuery } | null,
  rule: ZeroShotRule,
  bySkill: boolean,
): string {
  if (!examples) return 'similarity';
  const { space, query } = examples;
  const how = [
    'as Screening compares scans',
    ...(space.centre ? ['centred on these scans'] : []),
    ...(query.likes && query.unlikes ? ['those marked unlike counted against at half weight'] : []),
  ].join(', ');
  const toExamples = query.likes ? `to the example scans (${how})` : `away from the scans marked unlike (${how})`;
  if (parts.length === 1) return query.likes ? `its similarity ${toExamples}` : `its distance ${toExamples}`;
  const ratio = parts.map((p) => Number(p.weight.toFixed(2))).join(' : ');
  const phrases = weighed.map((p) => p.vector);
  const phrase = phrases.length > 1 ? 'its zero-shot scores for the phrases' : 'its zero-shot score for the phrase';
  // Which parts of the scan those scores read (docs/region-scores.md): the best region, the whole image or both.
  const byRegion = regionPhrases(rule, phrases).length;
  const where = !byRegion
    ? 'whole image'
    : byRegion === phrases.length
      ? regionRuleWords(rule)
      : `${regionRuleWords(rule)}; the whole image for a shape of the whole thorax`;
  // Phrases marked − rank away from what they say.
  const against = weighed.filter((p) => p.weight < 0).length;
  const sign = !against ? '' : against === weighed.length ? ', reversed,' : ', those marked − counted against,';
  const byExamples = query.likes ? 'its similarity' : 'its distance';
  return (
    `${phrase} (${where})${sign} and ${byExamples} ${toExamples}, ` +
    `each standardised over these scans and weighed ${ratio}` +
    `${bySkill ? ' (each as high as it ranks the example scans themselves)' : ''},`
  );
}

/**
 * Per scan, its phrases' zero-shot margins (zeroShotMargin: what a phrase alone ranks by) times their weights,
 * summed: a query's phrase part beside example scans. `regions` holds each scan's best-region margins in the
 * phrases' order; a scan without one is scored by its whole image, as its probability would be.
 */
function phraseMarginSums(
  phrases: readonly { vector: PhraseVectors; weight: number }[],
  paths: readonly string[],
  vectors: ReadonlyMap<string, Float32Array>,
  regions: ReadonlyMap<string, Float32Array>,
  rule: ZeroShotRule,
): Float64Array {
  return Float64Array.from(paths, (p) => {
    const v = vectors.get(p)!;
    return phrases.reduce(
      (sum, { vector, weight }, j) =>
        sum +
        weight *
          zeroShotMargin(
            dot(v, vector.positive),
            dot(v, vector.negative),
            regions.get(p)?.[j],
            rule,
            vector.pair.phrase,
          ),
      0,
    );
  });
}

function dedupe(list: { path: string; reason: string }[]): { path: string; reason: string }[] {
  return [...new Map(list.map((f) => [f.path, f])).values()];
}
