/**
 * Screening results from the index: every scan under the folder with its
 * identity, status, per-phrase similarity and zero-shot probability, the
 * similarity to example scans when given, and whether it is flagged. Files
 * that are not DICOM are no rows: the caller hears of them through
 * `onNotDicom`.
 */
import path from 'node:path';
import { isNotDicomFile } from '../dicom/errors.js';
import type { IndexStore, ModelSlot, StoredScan } from '../index/index-store.js';
import { exampleCoherence, type ExampleCoherence } from '../scoring/example-coherence.js';
import {
  exampleDescriptor,
  flaggedByExamples,
  exampleSpace,
  type ExampleProfile,
  type ExampleScan,
  type ExampleSpace,
} from '../scoring/example-profile.js';
import { dot } from '../scoring/vectors.js';
import type { PhraseVectors } from '../scoring/phrase-scores.js';
import { zeroShotProbability, type ZeroShotRule } from '../scoring/region-score.js';
import { csvCell } from '../util/csv.js';

export interface ScreenRow {
  path: string;
  sopUid: string | null;
  seriesUid: string | null;
  studyUid: string | null;
  studyDate: string | null;
  /** What a reader names the scan by (patient, accession, view, series/instance): for the app's views;
   * the CLI's exports leave it out. */
  naming: Record<string, string | number> | null;
  status: 'ok' | 'failed';
  error: string | null;
  scores: { phrase: string; similarity: number; probability: number }[];
  /** Cosine similarity to the mean of the example scans (in the profile's space), when examples were given. */
  exampleSimilarity: number | null;
  /** Whether the examples flag the scan (flaggedByExamples), when examples were given: with counter-examples it is
   * not the similarity against the cut alone. */
  exampleFlagged?: boolean | null;
  /** A job of one phrase beside examples: both scored together (phraseAndExampleScores), null without both. */
  phraseAndExamples?: number | null;
  flagged: boolean;
  /** One of an app job's own example scans. */
  example?: boolean;
  /** A reviewer's mark on an app job's row: the finding (it joins the examples) or not (a counter-example). */
  review?: 'finding' | 'not' | null;
}

export interface ResultOptions {
  phrases: PhraseVectors[];
  /** How the model's zero-shot scores are computed (its description has these fields): no default to forget. */
  rule: ZeroShotRule;
  /** A scan is flagged when some phrase's probability reaches this. */
  threshold: number;
  /** The examples' profile (in scopeSpace of the same scope), and the similarity that flags a scan. */
  example?: ExampleProfile;
  /** Called for each file in scope that is not DICOM (skipped, not a row), with the error it was skipped with. */
  onNotDicom?: (path: string, error: { code: string | null; message: string | null; detail: string | null }) => void;
  /** The scope as already read (scopeEmbeddings; for scopeSpace with `pooled`): one read for both, and the rows
   * are the scans it read. */
  embeddings?: ScopeEmbeddings;
  /** The example profile's descriptors, shared with scopeCoherence (descriptorMemo): each scan described once. */
  describe?: ScanDescriber;
  /** Each scan's phrase scores by its id, for these phrases and rule over this read (ScopeRead.phraseScores):
   * filled as rows are made, read instead of scoring again (a review click changes the examples, not these). */
  phraseScores?: Map<number, ScreenRow['scores']>;
}

/** A scan's descriptor in an example profile's space, by its id (descriptorMemo). */
export type ScanDescriber = (scanId: number, scan: ExampleScan) => Float32Array;

/**
 * Each scan's descriptor in the profile's space, computed once however many readers ask (the results' similarity
 * and the examples' coherence both describe most scans of a large folder).
 */
export function descriptorMemo(profile: ExampleProfile): ScanDescriber {
  const memo = new Map<number, Float32Array>();
  return (scanId, scan) => {
    let d = memo.get(scanId);
    if (!d) memo.set(scanId, (d = exampleDescriptor(scan, profile.space)));
    return d;
  };
}

/** Every embedding of a model in the index, with the scan ids they belong to (IndexStore.embeddings). */
export type StoredEmbeddings = ReturnType<IndexStore['embeddings']>;

/** A scope as read once (scopeEmbeddings): its scans, in scope order, and the model's embeddings of them. */
export type ScopeEmbeddings = StoredEmbeddings & { scans: readonly StoredScan[] };

/** A stored scan's embedding and pooled patch embedding (null: not read or not kept). */
type StoredScanEmbedding = { embedding: Float32Array; pooled: Float32Array | null };

/** embeddingById's lookups, made once per read of the embeddings however many callers ask (a review click asks
 * four times over a 20,000-scan scope; the read is kept across clicks: ScopeReadCache). */
const lookups = new WeakMap<
  StoredEmbeddings,
  { dim: number; lookup: (scanId: number) => StoredScanEmbedding | undefined }
>();

/**
 * A scan's embedding (and pooled patch embedding, where read and kept) by its id, from the model's stored
 * embeddings (undefined: not encoded with it). The same objects for every call on the same embeddings.
 */
export function embeddingById(
  embeddings: StoredEmbeddings,
  dim: number,
): (scanId: number) => StoredScanEmbedding | undefined {
  const kept = lookups.get(embeddings);
  if (kept?.dim === dim) return kept.lookup;
  const { scanIds, data, pooled } = embeddings;
  const rowOf = new Map<number, number>();
  scanIds.forEach((id, i) => rowOf.set(id, i));
  const made: (StoredScanEmbedding | undefined)[] = new Array(scanIds.length);
  const lookup = (scanId: number): StoredScanEmbedding | undefined => {
    const r = rowOf.get(scanId);
    if (r === undefined) return undefined;
    return (made[r] ??= { embedding: data.subarray(r * dim, (r + 1) * dim), pooled: pooled?.[r] ?? null });
  };
  lookups.set(embeddings, { dim, lookup });
  return lookup;
}

/**
 * The stored embeddings (and pooled patch embeddings, where read) of the given files, in their order; files
 * not indexed, or not encoded with the model, are left out.
 */
export function storedScans(
  store: IndexStore,
  embeddings: StoredEmbeddings,
  dim: number,
  files: readonly string[],
): ExampleScan[] {
  const embeddingOf = embeddingById(embeddings, dim);
  return files.flatMap((file) => {
    const scan = store.scanByPath(file);
    return (scan && embeddingOf(scan.id)) ?? [];
  });
}

/**
 * The scans of a folder (every file under it, in path order), of a list of files (in list order),
 * met by one indexing run (the CLI's remote source, in key order), or of a named set (an app PACS job's
 * instances, in key order).
 */
export type ResultScope = string | readonly string[] | { run: number } | { set: string };

/**
 * Whether a scan the index holds below `folder` is one of the folder's rows: not when it lies under a link a walk
 * met below the folder. Such rows are the linked folder's (screened by that name): a link to a sibling would list
 * its scans twice, one elsewhere bring in files of a folder not chosen.
 */
export function folderRowTest(store: IndexStore, folder: string): (file: string) => boolean {
  const links = new Set(store.linksUnder(folder));
  if (!links.size) return () => true;
  const top = path.resolve(folder);
  // Each row's folders below the scope looked up (a few a row), not every link against every row.
  return (file) => {
    for (let dir = path.dirname(file); dir.length > top.length; dir = path.dirname(dir))
      if (links.has(dir)) return false;
    return true;
  };
}

function* scansIn(store: IndexStore, scope: ResultScope): Generator<StoredScan> {
  if (typeof scope === 'string') {
    const isRow = folderRowTest(store, scope);
    for (const scan of store.scansUnder(scope)) if (isRow(scan.path)) yield scan;
    return;
  }
  if ('run' in scope) return yield* store.scansSeenIn(scope.run);
  if ('set' in scope) return yield* store.scansInSet(scope.set);
  for (const file of scope) {
    const scan = store.scanByPath(file);
    if (scan) yield scan;
  }
}

/**
 * The scope's scans and the model's embeddings of them only (with their pooled patch embeddings when asked):
 * what screenResults and scopeSpace read, once, for a folder however large the index around it. One read of
 * the scans for both, so the rows and the space the examples are compared in are the same scans.
 */
export function scopeEmbeddings(
  store: IndexStore,
  model: ModelSlot,
  scope: ResultScope,
  options: { pooled?: boolean } = {},
): ScopeEmbeddings {
  const scans = [...scansIn(store, scope)];
  return { ...store.embeddings(model, { ...options, scanIds: scans.map((s) => s.id) }), scans };
}

/** A file that is not DICOM: no row of the results (the caller hears of it through onNotDicom). */
const rowless = (scan: StoredScan): boolean =>
  scan.status === 'failed' && isNotDicomFile(scan.path, scan.errorCode ?? undefined);

export function* screenResults(
  store: IndexStore,
  model: ModelSlot,
  scope: ResultScope,
  options: ResultOptions,
): Generator<ScreenRow> {
  if (options.example?.space.patches && options.embeddings && !options.embeddings.pooled)
    throw new RangeError('the examples compare pooled patch embeddings, and the embeddings were read without them');
  const embeddings =
    options.embeddings ?? scopeEmbeddings(store, model, scope, { pooled: !!options.example?.space.patches });
  const embeddingOf = embeddingById(embeddings, model.dim);
  const { rule } = options;
  // The scope's best-region margins for the phrases, where its run kept them (a model with patch embeddings):
  // read when a scan's scores are first needed, not at all when every one is in the memo.
  let regions: Map<number, Float32Array> | null | undefined;
  const regionsRead = () =>
    (regions ??=
      rule.regionOffset !== null && options.phrases.length
        ? store.regions(
            model,
            options.phrases.map((p) => p.pair.phrase),
            embeddings.scanIds,
          )
        : null);
  const memo = options.phraseScores;
  for (const scan of embeddings.scans) {
    if (rowless(scan)) {
      options.onNotDicom?.(scan.path, { code: scan.errorCode, message: scan.error, detail: scan.errorDetail ?? null });
      continue;
    }
    const stored = embeddingOf(scan.id);
    const v = stored?.embedding ?? null;
    let scores = memo?.get(scan.id);
    if (!scores) {
      const region = v ? regionsRead()?.get(scan.id) : undefined;
      scores = v
        ? options.phrases.map((p, j) => {
            const pos = dot(v, p.positive);
            return {
              phrase: p.pair.phrase,
              similarity: pos,
              probability: zeroShotProbability(pos, dot(v, p.negative), region?.[j], rule, p.pair.phrase),
            };
          })
        : [];
      memo?.set(scan.id, scores);
    }
    const described =
      stored && options.example ? describeFor(options.example, stored, scan.id, options.describe) : null;
    const similarity = described ? dot(described, options.example!.vector) : null;
    const byExamples = described ? flaggedByExamples(options.example!, described) : null;
    const flagged = scores.some((s) => s.probability >= options.threshold) || byExamples === true;
    yield {
      path: scan.path,
      sopUid: scan.sopUid,
      seriesUid: scan.seriesUid,
      studyUid: scan.studyUid,
      studyDate: scan.studyDate,
      naming: scan.naming,
      status: v ? 'ok' : 'failed',
      error: scan.error ?? (v ? null : 'not encoded with this model'),
      scores,
      exampleSimilarity: similarity,
      ...(options.example ? { exampleFlagged: byExamples } : {}),
      flagged,
    };
  }
}

/**
 * The descriptor of the row-th row screenResults yields from `embeddings` (its rows skip files that are not DICOM)
 * in the profile's space, described on demand through `describe` (descriptorMemo: those the rows' similarities
 * were computed from); null for a row not encoded, or whose path (`paths`, the rows' own) is not that scan's.
 */
export function rowDescriber(
  embeddings: ScopeEmbeddings,
  dim: number,
  profile: ExampleProfile,
  describe: ScanDescriber | undefined,
  paths: readonly string[],
): (row: number) => Float32Array | null {
  const scans = embeddings.scans.filter((scan) => !rowless(scan));
  const embeddingOf = embeddingById(embeddings, dim);
  return (row) => {
    const scan = scans[row];
    if (!scan || scan.path !== paths[row]) return null;
    const stored = embeddingOf(scan.id);
    return stored ? describeFor(profile, stored, scan.id, describe) : null;
  };
}

/**
 * A scan's descriptor in the profile's space; null for a scan without pooled patch embeddings when the profile
 * compares them (one indexed after the profile's space was read).
 */
function describeFor(
  profile: ExampleProfile,
  scan: ExampleScan,
  scanId: number,
  describe: ScanDescriber | undefined,
): Float32Array | null {
  if (profile.space.patches && !scan.pooled) return null;
  return describe ? describe(scanId, scan) : exampleDescriptor(scan, profile.space);
}

/**
 * The space the scope's encoded scans are compared with examples in (exampleSpace): their mean embedding
 * and mean pooled patch embedding to centre on (none below MIN_CENTRING_SCANS: too few for a mean), the
 * pooled patches only if every one has them; how many scans it rests on, and those scans (for scopeCoherence).
 * Results are ranked when read, so this is the scope as it is now.
 */
export function scopeSpace(
  store: IndexStore,
  model: ModelSlot,
  scope: ResultScope,
  embeddings: ScopeEmbeddings = scopeEmbeddings(store, model, scope, { pooled: true }),
): { space: ExampleSpace; scans: number; encoded: ExampleScan[]; ids: number[] } {
  const embeddingOf = embeddingById(embeddings, model.dim);
  const ids: number[] = [];
  const encoded = embeddings.scans.flatMap((scan) => {
    const e = embeddingOf(scan.id);
    if (!e) return [];
    ids.push(scan.id);
    return [e];
  });
  const { space, count } = exampleSpace(encoded, model.dim);
  return { space, scans: count, encoded, ids };
}

/**
 * How alike the examples are in the profile's space, against random pairs of the scope's encoded scans (scopeSpace's
 * `encoded` and `ids`; exampleCoherence). Scans are described by `describe` (descriptorMemo), which the rows' similarities
 * share, so each scan is described once a read. Null where it cannot say: under two different examples, scans all
 * alike, or too few scans to centre on (MIN_CENTRING_SCANS): uncentred, every pair shares the model's common
 * direction and the test's effect size, set on centred scans, means nothing.
 */
export function scopeCoherence(
  profile: ExampleProfile,
  examples: readonly ExampleScan[],
  scope: { encoded: readonly ExampleScan[]; ids: readonly number[] },
  describe: ScanDescriber,
): ExampleCoherence | null {
  if (!profile.space.centre) return null;
  const { encoded, ids } = scope;
  return exampleCoherence(
    examples.map((e) => exampleDescriptor(e, profile.space)),
    { count: encoded.length, descriptor: (i) => describe(ids[i]!, encoded[i]!) },
  );
}

/**
 * The CSV export's header. `withMix`: a job of one phrase beside examples also has its "phrase + examples score"
 * (phraseAndExamples), where the app's export puts it.
 */
export function resultsCsvHeader(phrases: string[], withExamples: boolean, withMix = false): string {
  return [
    'path',
    'sop_instance_uid',
    'series_instance_uid',
    'study_instance_uid',
    'status',
    'error',
    ...phrases.flatMap((p) => [`${p} score`, `${p} probability`]),
    ...(withExamples ? ['example similarity'] : []),
    ...(withMix ? ['phrase + examples score'] : []),
    'flagged',
    // Which rows the ranking rests on, as the app's export names them: the examples, the counter-examples.
    ...(withExamples ? ['review'] : []),
  ]
    .map(csvCell)
    .join(',');
}

/** A row's review cell: its mark ("finding", "not"), else "example" for one of the examples, else empty. */
export const reviewCell = (r: Pick<ScreenRow, 'review' | 'example'>): string =>
  r.review ?? (r.example ? 'example' : '');

export function resultsCsvRow(r: ScreenRow, phraseCount: number, withExamples: boolean, withMix = false): string {
  const scoreCells =
    r.scores.length === phraseCount
      ? r.scores.flatMap((s) => [s.similarity.toFixed(6), s.probability.toFixed(6)])
      : Array.from({ length: phraseCount * 2 }, () => '');
  return [
    r.path,
    r.sopUid,
    r.seriesUid,
    r.studyUid,
    r.status,
    r.error,
    ...scoreCells,
    ...(withExamples ? [r.exampleSimilarity === null ? '' : r.exampleSimilarity.toFixed(6)] : []),
    ...(withMix ? [r.phraseAndExamples == null ? '' : r.phraseAndExamples.toFixed(6)] : []),
    r.flagged ? 1 : 0,
    ...(withExamples ? [reviewCell(r)] : []),
  ]
    .map(csvCell)
    .join(',');
}
