/**
 * A screening run over a folder: bring the index up to date (new and changed
 * files decoded and encoded, unchanged ones skipped, deleted ones pruned),
 * then score every scan under the folder. Resuming is running again: what
 * was committed is skipped, so a run stopped at any moment — cancelled,
 * paused, crashed or killed — completes with the same results as one that
 * never stopped. Each batch is one transaction. A file that failed before is
 * tried again on every run. A file that is not DICOM is stored as failed with
 * code NOT_DICOM, so a rerun passes over it without reading it, and is counted
 * apart from failures (dicom/errors.ts isNotDicomFile).
 */
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { walkFiles } from '../dicom/catalog.js';
import { UNREADABLE_NAME, isNotDicomFile, isUnreadableName, type DicomError } from '../dicom/errors.js';
import type { DecodePool } from './decode-pool.js';
import type { IndexStore, ModelSlot, ScanRecord } from '../index/index-store.js';
import type { Encoder } from '../inference/encoder.js';
import { mapConcurrent } from '../util/map-concurrent.js';
import { maxPoolPatches } from '../scoring/example-features.js';
import { scoresWholeImageOnly } from '../scoring/prompts.js';
import { regionMargins, type PhrasePair } from '../scoring/region-score.js';
import { encodeFiles, type EncodedFile } from './pipeline.js';
import { tallySkipped } from './skipped-kind.js';

export interface ScreenProgress {
  /** Files met so far in this run. */
  seen: number;
  /** Total files under the folder (counted first), null until known. */
  total: number | null;
  encoded: number;
  /** Unchanged since an earlier run (already in the index). */
  unchanged: number;
  /**
   * Files skipped, not failed: not DICOM at all (masks, tables, notes), DICOMDIRs, and DICOM objects that hold no
   * image (structured reports…); the next three fields say how many of them are of the latter two kinds.
   */
  notDicom: number;
  /** Of `notDicom`: DICOMDIRs (the directory of the files beside them, which are read themselves). */
  dicomdirs: number;
  /** Of `notDicom`: DICOM objects that hold no image by design (dicom/non-image.ts). */
  notImages: number;
  /** What those objects are ("structured report"), sorted; empty where an older index's rows do not say. */
  notImageKinds: string[];
  failed: number;
  filesPerSecond: number;
  etaSeconds: number | null;
}

export interface IndexRunOptions {
  /**
   * What to index: a folder to walk (files met are indexed; files under it not met are pruned after a complete
   * walk), or an explicit list of files (nothing is pruned).
   */
  source: { folder: string } | { files: AsyncIterable<string> | Iterable<string> } | { remote: RemoteSource };
  store: IndexStore;
  model: ModelSlot;
  pool: DecodePool;
  encoder: Encoder;
  batchSize?: number;
  /**
   * Also store patch embeddings (default false), quantised: ~132 KB per scan for the default model
   * (32×32 × 128 int8 and a float scale per cell; 1M scans: 132 GB), while a heatmap is needed for one
   * scan at a time and recomputing it costs one decode and one encode. Worth it only for a collection
   * viewed over and over (the app's opened scans, up to KEEP_PATCHES_UP_TO).
   */
  keepPatches?: boolean;
  /**
   * A named set that every scan this run meets joins (a PACS job's id: its results are its set, whatever
   * other jobs over overlapping queries meet later). After a complete run, members it did not meet leave.
   */
  set?: string;
  /**
   * Phrases (their prompt-ensemble vectors) whose best region's margin each scan keeps, with a model that has
   * patch embeddings: zero-shot scores weigh it with the whole image's. A scan indexed without one of them
   * is encoded again (its patch embeddings are not kept).
   */
  regions?: readonly PhrasePair[];
  signal?: AbortSignal;
  onProgress?: (p: ScreenProgress) => void;
  /** Also called for each file that failed, with its reason (not for files that are not DICOM). */
  onFailure?: (path: string, code: string, message: string) => void;
  /**
   * Called for each file met that is not DICOM (isNotDicomFile: skipped, counted in `notDicom`), with the error it
   * is skipped with: read now, or stored by an earlier run.
   */
  onSkipped?: (path: string, error: { code: string | null; message: string | null; detail?: string | null }) => void;
}

/**
 * Instances held elsewhere (a PACS): each has a stable key (the index's path for it, e.g. a URL with its SOP
 * Instance UID) and is fetched to a local file only when the index lacks it. Immutable by DICOM's rules: a
 * key once indexed is never fetched again.
 */
export interface RemoteInstance {
  key: string;
}
export interface RemoteSource {
  instances: AsyncIterable<RemoteInstance>;
  /** Fetches an instance to a local file, or throws a coded error (the reason goes into its failure row). */
  fetch(item: RemoteInstance, signal?: AbortSignal): Promise<string>;
  /** Called once the file of `fetch` has been read (e.g. to let a cache evict it). */
  release?(file: string): void;
  /** Fetches at once, at most (default 4). */
  concurrency?: number;
  /**
   * Once `instances` ended: why they are only part of what the source holds (an archive that cuts its listings),
   * or null. What was listed is indexed all the same; the run says so after (IndexRunSummary.cut).
   */
  cut?(): Error | null;
}

export interface IndexRunSummary extends ScreenProgress {
  /** This run's number: the index marks every scan it met with it (results of a remote source). */
  run: number;
  pruned: number;
  /** True when stopped by the signal before the folder was finished. */
  stopped: boolean;
  /** A remote source that listed only part of what it holds: why (RemoteSource.cut). What it listed is indexed. */
  cut?: { code: string; message: string };
}

async function countFiles(folder: string, signal?: AbortSignal): Promise<number> {
  let n = 0;
  for await (const _ of walkFiles(folder)) {
    if (signal?.aborted) break;
    n++;
  }
  return n;
}

function record(r: EncodedFile, size: number, mtimeMs: number): ScanRecord {
  return {
    path: r.path,
    size,
    mtimeMs,
    fingerprint: r.identity?.sha256 ?? null,
    sopUid: r.identity?.sopInstanceUID ?? null,
    seriesUid: r.identity?.seriesInstanceUID ?? null,
    studyUid: r.identity?.studyInstanceUID ?? null,
    modality: r.identity?.modality ?? null,
    studyDate: r.identity?.studyDate ?? null,
    frames: r.frames ?? null,
    status: r.embedding ? 'ok' : 'failed',
    errorCode: r.error?.code ?? null,
    error: r.error?.message ?? null,
    errorDetail: r.error?.detail ?? null,
    naming: r.identity ? dropUndefined(r.identity.naming) : null,
  };
}

function reason(error: Error): { code: string; message: string } {
  const code = (error as { code?: unknown }).code;
  return { code: typeof code === 'string' ? code : 'FAILED', message: error.message };
}

function dropUndefined(naming: object): Record<string, string | number> {
  return Object.fromEntries(Object.entries(naming).filter(([, v]) => v !== undefined)) as Record<
    string,
    string | number
  >;
}

/** Brings the index up to date for a folder or a list of files. */
export async function indexFolder(options: IndexRunOptions): Promise<IndexRunSummary> {
  const { source, store, model, signal } = options;
  const folder = 'folder' in source ? source.folder : null;
  const run = Number(store.getMeta('run') ?? 0) + 1;
  store.setMeta('run', String(run));
  const progress: ScreenProgress = {
    seen: 0,
    total: null,
    encoded: 0,
    unchanged: 0,
    notDicom: 0,
    dicomdirs: 0,
    notImages: 0,
    notImageKinds: [],
    failed: 0,
    filesPerSecond: 0,
    etaSeconds: null,
  };
  const started = performance.now();
  let lastReport = 0;
  const report = (force = false) => {
    const now = performance.now();
    if (!force && now - lastReport < 250) return;
    lastReport = now;
    const seconds = (now - started) / 1000;
    const work = progress.encoded + progress.failed + progress.notDicom;
    progress.filesPerSecond = seconds > 0 ? work / seconds : 0;
    const remaining = progress.total === null ? null : Math.max(0, progress.total - progress.seen);
    progress.etaSeconds =
      remaining !== null && progress.filesPerSecond > 0 ? remaining / progress.filesPerSecond : null;
    options.onProgress?.({ ...progress });
  };
  // An honest total for the progress bar and ETA: a fast counting walk alongside the work. Should it fail, the
  // total stays unknown: the work's own walk reports what it cannot read.
  if (folder === null) progress.total = 'files' in source && Array.isArray(source.files) ? source.files.length : null;
  else
    void countFiles(folder, signal).then(
      (n) => {
        progress.total = n;
      },
      () => undefined,
    );

  // Said at once: a fresh folder's first count otherwise waits for its first batch to be encoded and committed,
  // seconds in which a view could only say "Scoring…" and offer no Stop. Outside report's throttle, so the first
  // batch is still said as soon as it is committed (a script may act on it).
  options.onProgress?.({ ...progress });

  // Phrases of absence and of the whole thorax have no region (regionMargins); the others are kept by their
  // normalised text.
  const scored = model.patches ? (options.regions ?? []).filter((p) => !scoresWholeImageOnly(p.pair.phrase)) : [];
  const regionKeys = scored.map((p) => p.pair.phrase);
  const stats = new Map<string, { size: number; mtimeMs: number }>();
  let batch: EncodedFile[] = [];
  // Remote instances: the local file each was fetched to → its key in the index.
  const keyOf = new Map<string, string>();
  // A folder the walk cannot open: the run's own is an error; a subfolder is a failed row (its reason names no
  // path) and what the index holds under it stays, as a file indexed before that cannot be read now stays.
  const unreadableFolder = (dir: string, error: DicomError) => {
    if (dir === folder) throw error;
    // Listed before touching: the index cannot write while a read of it is open.
    for (const scan of [...store.scansUnder(dir)]) store.touch(scan.path, run, options.set);
    if (stats.has(dir)) return; // a second folder whose name reads the same (not valid UTF-8): one row
    stats.set(dir, { size: 0, mtimeMs: 0 });
    batch.push({ path: dir, error: { code: error.code, message: error.message } });
  };
  // Links the walk does not follow: what the index holds by their names (the linked folder screened by that name)
  // is no file deleted, so the prune leaves it; nor is it this folder's (recorded: results leave out rows under a
  // link).
  const links: string[] = [];
  const linked = (link: string) => links.push(link);
  async function* needingWork(): AsyncGenerator<string> {
    if ('remote' in source) return yield* remoteNeedingWork(source.remote);
    for await (const file of 'files' in source ? source.files : walkFiles(source.folder, unreadableFolder, linked)) {
      if (signal?.aborted) return;
      progress.seen++;
      const info = await stat(file).catch(() => null);
      if (!info) {
        // A name kept in another encoding (Latin-1 on a Linux disk) reads back with U+FFFD and cannot be opened by
        // it: a failed row that says why, not a file gone without a trace. Any other file was deleted while walking.
        // Two such names may read the same ("caf\xe9", "caf\xe8" both "caf\uFFFD"): one row stands for them.
        if (isUnreadableName(file) && !stats.has(file)) {
          stats.set(file, { size: 0, mtimeMs: 0 });
          batch.push({ path: file, error: { code: 'IO', message: UNREADABLE_NAME } });
        }
        continue;
      }
      const need = store.need({ path: file, size: info.size, mtimeMs: info.mtimeMs }, model, regionKeys);
      // An unchanged file that failed before is tried again (a time-out or a full disk may have passed) and
      // counts as failed or encoded anew, never as "unchanged"; one that is not DICOM is passed over.
      const failedBefore = need === 'unchanged-failed' ? store.scanByPath(file) : null;
      const notDicom = !!failedBefore && isNotDicomFile(file, failedBefore.errorCode ?? undefined);
      if (need === 'unchanged-embedded' || notDicom) {
        store.touch(file, run, options.set);
        if (notDicom) {
          tallySkipped(progress, failedBefore!.errorCode, failedBefore!.errorDetail);
          options.onSkipped?.(file, {
            code: failedBefore!.errorCode,
            message: failedBefore!.error,
            detail: failedBefore!.errorDetail ?? null,
          });
        } else progress.unchanged++;
        report();
        continue;
      }
      stats.set(file, { size: info.size, mtimeMs: info.mtimeMs });
      yield file;
    }
  }

  // Remote: size and mtime are 0 (an instance never changes), so the index's "unchanged" test is the key alone.
  async function* remoteNeedingWork(remote: RemoteSource): AsyncGenerator<string> {
    async function* missing(): AsyncGenerator<RemoteInstance> {
      for await (const item of remote.instances) {
        if (signal?.aborted) return;
        progress.seen++;
        const need = store.need({ path: item.key, size: 0, mtimeMs: 0 }, model, regionKeys);
        if (need === 'unchanged-embedded') {
          store.touch(item.key, run, options.set);
          progress.unchanged++;
          report();
          continue;
        }
        yield item;
      }
    }
    for await (const got of mapConcurrent(missing(), remote.concurrency ?? 4, async (item) => {
      try {
        return { item, file: await remote.fetch(item, signal) };
      } catch (error) {
        const e = error as { code?: unknown; message?: unknown };
        return { item, error: { code: typeof e.code === 'string' ? e.code : 'FAILED', message: String(e.message) } };
      }
    })) {
      stats.set(got.item.key, { size: 0, mtimeMs: 0 });
      if (got.file === undefined) {
        // Not retrieved: a failure row with the server's reason; the next run tries again.
        if (!signal?.aborted) batch.push({ path: got.item.key, error: got.error });
        continue;
      }
      keyOf.set(got.file, got.item.key);
      yield got.file;
    }
  }

  const commit = () => {
    if (!batch.length) return;
    const items = batch.map((r) => {
      const key = keyOf.get(r.path);
      if (key === undefined) return r;
      keyOf.delete(r.path);
      if ('remote' in source) source.remote.release?.(r.path);
      return { ...r, path: key };
    });
    batch = [];
    store.transaction(() => {
      for (const r of items) {
        const s = stats.get(r.path)!;
        stats.delete(r.path);
        const id = store.putScan(record(r, s.size, s.mtimeMs), run);
        if (options.set !== undefined) store.addMember(options.set, r.path, run);
        if (r.embedding)
          store.putEmbedding(
            id,
            model,
            r.embedding,
            options.keepPatches ? (r.patches ?? null) : null,
            r.patches ? maxPoolPatches(r.patches, model.dim) : null,
          );
        if (r.embedding && r.patches && regionKeys.length)
          store.putRegions(id, model, regionKeys, regionMargins(r.patches, scored));
      }
    });
    for (const r of items) {
      if (r.embedding) progress.encoded++;
      else if (r.notDicom) {
        tallySkipped(progress, r.error?.code, r.error?.detail);
        options.onSkipped?.(r.path, r.error!);
      } else {
        progress.failed++;
        options.onFailure?.(r.path, r.error!.code, r.error!.message);
      }
    }
    report();
  };

  const batchSize = options.batchSize ?? 16;
  for await (const r of encodeFiles(needingWork(), options.pool, options.encoder, {
    batchSize,
    model: options.model.key,
  })) {
    batch.push(r);
    if (batch.length >= batchSize) commit();
    if (signal?.aborted) break;
  }
  commit();
  // Files fetched but never read (a stop mid-run): let the cache have them back.
  if ('remote' in source) for (const file of keyOf.keys()) source.remote.release?.(file);
  keyOf.clear();
  const stopped = signal?.aborted ?? false;
  const cut = 'remote' in source ? (source.remote.cut?.() ?? null) : null;
  // Only a complete walk may prune: an interrupted one has not met every file, a cut listing not every instance.
  // Links to folders only: a link to a file has nothing under it (a folder of thousands of linked files would
  // otherwise be kept as thousands of links).
  let pruned = 0;
  if (!stopped && folder !== null) {
    const folderLinks = links.filter(isFolder);
    store.putLinks(folder, folderLinks);
    pruned = store.pruneUnseen(folder, run, folderLinks);
  }
  if (!stopped && !cut && options.set !== undefined) store.pruneMembers(options.set, run);
  if (!stopped) progress.total = progress.seen;
  report(true);
  return { ...progress, run, pruned, stopped, ...(cut ? { cut: reason(cut) } : {}) };
}

function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false; // a broken link: nothing under it to keep
  }
}
