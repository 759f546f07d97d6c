/**
 * Screening jobs in the app: a folder and phrases → the folder indexed with
 * the active model (pipelined decode → encode, one transaction per batch) and
 * every file scored. Pause and cancel stop after the current batch; resume is
 * running the job again, which skips what was committed — so a job also
 * survives an app restart or a crash: it is listed as interrupted and resumes.
 */
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { exampleProfile, type ExampleProfile, type ExampleScan } from '../scoring/example-profile.js';
import type { ExampleCoherence } from '../scoring/example-coherence.js';
import { maxPoolPatches } from '../scoring/example-features.js';
import { sameFolder, type FolderIdentity } from '../security/folder-identity.js';
import { encodeFiles } from '../screening/pipeline.js';
import type { DecodePool } from '../screening/decode-pool.js';
import type { ModelService } from './model-service.js';
import type { ScreenResults } from './services.js';
import { phraseVectors } from '../scoring/phrase-scores.js';
import { phraseAndExampleScores, type PhraseAndExamples } from '../scoring/query-mix.js';
import { regionPhrases } from '../scoring/region-score.js';
import { distinctPhrases } from '../scoring/phrase-list.js';
import { DEFAULT_PROBABILITY_THRESHOLD } from '../scoring/threshold.js';
import {
  folderRowTest,
  rowDescriber,
  scopeCoherence,
  screenResults,
  storedScans,
  type ScanDescriber,
  type ResultScope,
} from '../screening/results.js';
import { ScopeReadCache, type ScopeRead } from '../screening/scope-read-cache.js';
import { modelKey } from '../inference/model-key.js';
import { IndexError, type IndexStore, type ModelSlot, type StoredScan } from '../index/index-store.js';
import type { ScreenRow } from '../screening/results.js';
import { namesUnder, realPath } from '../util/distinct-files.js';
import { indexFolder, type RemoteSource, type ScreenProgress } from '../screening/screen-job.js';
import { skippedText } from './skipped-text.js';
import type { StudyQuery } from '../pacs/query.js';
import type { AppIndex } from './app-index.js';
import { ApiError } from './errors.js';
import { ModelError } from '../inference/errors.js';

export type JobState = 'running' | 'paused' | 'interrupted' | 'done' | 'cancelled' | 'failed';

export interface JobView {
  id: string;
  folder: string;
  phrases: string[];
  /**
   * Example scans the job ranks by (few-shot): its own that the model of `examplesModel` could use and those
   * confirmed in review; 0 when none.
   */
  examples: number;
  /** The job's own examples left out, and why: files gone or unreadable when that model encoded them. */
  examplesLeftOut: { path: string; reason: string }[];
  /**
   * The model (its key, inference/model-key.ts) whose encoding of the job's own examples `examples` and
   * `examplesLeftOut` describe: the one its results were last ranked with (this run of the app), else the one it
   * stored them for. Null
   * without examples of its own, or before any could be encoded.
   */
  examplesModel: string | null;
  /**
   * False after a switch to another model until the results are read again: they then encode the examples
   * anew from their files, and `examples` and `examplesLeftOut` follow (a `screen.job` event).
   */
  examplesModelActive: boolean;
  threshold: number;
  state: JobState;
  message: string | null;
  createdAt: number;
  progress: ScreenProgress | null;
  flagged: number | null;
}

interface Params {
  /** The folder screened, or for a PACS job "pacs:<connection>" (shown in the list). */
  folder: string;
  phrases: string[];
  threshold: number;
  /** A PACS job: the connection and the query whose studies are screened. */
  pacs?: { name: string; query: StudyQuery };
  /** Example scans (their paths when the job started): scans as similar as the examples are flagged too. */
  examples?: string[];
  /**
   * The examples' embeddings, stored with the job when it first runs (base64 float32, one per example) with
   * the model slot they came from: the job's results do not depend on the example files staying where they
   * were, unchanged, after a restart. Encoded again only under another model. `pooled`: their patch
   * embeddings max-pooled, where the model has them (a job stored before they were kept compares by the
   * global embeddings alone).
   */
  exampleEmbeddings?: { model: string; vectors: string[]; pooled?: (string | null)[] };
  /** The folder as chosen (a dialog): a later run trusts it again only while it is still that folder. */
  folderIdentity?: FolderIdentity;
  /** Examples that could not be used when the job first ran (gone, unreadable): the others are ranked by. */
  examplesLeftOut?: { path: string; reason: string }[];
  /**
   * A reviewer's marks on the job's rows, by path: "finding" ranks with the examples, "not" is a
   * counter-example (docs/few-shot.md, "Reviewing results").
   */
  review?: Record<string, ReviewMark>;
}

export type ReviewMark = 'finding' | 'not';
/** More marks than a reviewer makes by hand: a bound on what one job stores. */
export const MAX_REVIEW_MARKS = 2000;
/** A running job's message while another job's pass over the same folder goes on. */
export const WAITING_FOR_FOLDER =
  'Waiting for another job that is reading this folder (one pass over a folder at a time)';

/** Settles when the signal aborts (never rejects). */
const aborted = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

const toBase64 = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
function fromBase64(text: string): Float32Array {
  const b = Buffer.from(text, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Whether a row or a file is one of the examples named (namesUnder), by its name or what it really is. */
/** A name for each opened index, so that a token never matches rows of another one (its dataVersion restarts). */
const storeNames = new WeakMap<IndexStore, string>();

/**
 * Names a read's rows: which index and its data (dataVersion: every write to scans or embeddings; regionsVersion:
 * every write of the best-region margins the scores weigh, such as the Query view filling in a phrase's from kept
 * patch grids), which model, which rows in which order. Equal tokens: the rows differ at most in what a review
 * changes.
 */
function rowsTokenOf(store: IndexStore, slot: ModelSlot, flaggedOnly: boolean, rows: readonly ScreenRow[]): string {
  let name = storeNames.get(store);
  if (!name) storeNames.set(store, (name = randomUUID()));
  const hash = createHash('sha256').update(
    `${name}\0${store.dataVersion}\0${store.regionsVersion}\0${slot.key}\0${slot.id}\0${flaggedOnly ? 'flagged' : 'all'}\0${rows.length}\0`,
  );
  for (const r of rows) hash.update(`${r.path}\0`);
  return hash.digest('base64url');
}

const isExampleName = (names: ReadonlySet<string>, file: string) => names.has(file) || names.has(realPath(file));

/** Where a PACS job's instances come from (api/pacs-service). */
export type PacsSourceFactory = (
  name: string,
  query: StudyQuery,
  signal: AbortSignal,
) => Promise<RemoteSource & { close(): Promise<void> }>;

type ExampleLeftOut = { path: string; reason: string };
type EncodedExample = { embedding: Float32Array; pooled: Float32Array | null };
/** A job's own examples as one model encoded them: the scans it ranks by, and those it had to leave out. */
type JobExamples = { scans: ExampleScan[]; leftOut: ExampleLeftOut[] };
/** What a job's results rest on: which model encoded its examples, and which it left out. */
type ExamplesUsed = { model: string | null; leftOut: ExampleLeftOut[] };

/**
 * What the job stored: `examplesLeftOut` describes the examples' embeddings it keeps (their model), or where it
 * keeps none, the first run that found none of them usable.
 */
const storedUse = (p: Params): ExamplesUsed => ({
  model: p.exampleEmbeddings?.model ?? null,
  leftOut: p.examplesLeftOut ?? [],
});

/** None of a job's examples can be used: the job fails, saying which and why (examplesLeftOut). */
class ExamplesUnusable extends ApiError {
  constructor(readonly leftOut: ExampleLeftOut[]) {
    super(
      'BAD_REQUEST',
      `None of the job's ${leftOut.length} example scans can be used (moved, deleted or unreadable since they were picked)`,
    );
  }
}

/**
 * The examples a job ranks by, as its card counts them: its own that could be used and the rows confirmed in
 * review that are not among them (by name: the results header, which resolves links, may count one fewer).
 */
function exampleCount(
  p: Params,
  leftOut: readonly ExampleLeftOut[],
  review: Record<string, ReviewMark> | undefined,
): number {
  const own = new Set(p.examples ?? []);
  const usable = own.size - leftOut.length;
  const confirmed = Object.entries(review ?? {}).filter(([file, mark]) => mark === 'finding' && !own.has(file));
  return usable + confirmed.length;
}

export class ScreeningService {
  #running = new Map<string, AbortController>();
  /** The index pass under way per model and folder (`<model key>\0<folder>`): a second job on it waits for it. */
  #reading = new Map<string, Promise<void>>();
  /** Each running job's loop, so that close() can wait for its last batch to commit. */
  #runs = new Set<Promise<void>>();
  /** Each job's run, while it lasts (a resume waits for the run a pause stopped to end). */
  #runOf = new Map<string, Promise<void>>();
  #progress = new Map<string, ScreenProgress>();
  #flagged = new Map<string, number>();
  #examples = new Map<string, Promise<JobExamples>>();
  /**
   * Per job, what its results were last ranked by in this process (which model's encoding of its examples, which
   * left out), where that is not what it stored: the job's view says what its results rest on.
   */
  #used = new Map<string, ExamplesUsed>();
  /** Each job's review marks as last set: every save writes them, so a running job's own saves keep them. */
  #reviews = new Map<string, Record<string, ReviewMark>>();
  /** States that could not be stored (the disk is full): shown until a later write succeeds. */
  #unsaved = new Map<string, { state: JobState; message: string | null }>();
  /** The open job's scope as last read: a review ranks again without reading the folder again. */
  readonly scopeReads = new ScopeReadCache();

  constructor(
    private readonly index: AppIndex,
    private readonly models: ModelService,
    private readonly pool: DecodePool,
    private readonly emit: (job: JobView) => void,
    private readonly pacsSource?: PacsSourceFactory,
  ) {}

  /**
   * A job's folder, to show its rows' images in a later run of the app (roots are not kept across runs): by the
   * name it was chosen by (a link, perhaps: its rows' paths) and its real path, only while it is the folder chosen
   * when the job started, never what its path has come to name since. Null: a PACS job, no such job, or not the
   * same folder (or not there) now.
   */
  async trustedFolder(id: string): Promise<{ chosen: string; real: string } | null> {
    const job = this.index
      .store()
      .jobs()
      .find((j) => j.id === id && j.kind === 'screen');
    const p = job?.params as unknown as Params | undefined;
    if (!p || p.pacs || !path.isAbsolute(p.folder)) return null;
    const real = await sameFolder(p.folder, p.folderIdentity);
    return real === null ? null : { chosen: p.folder, real };
  }

  list(): JobView[] {
    // The model the next read of results ranks with (none loaded yet: nothing to compare with).
    const model = this.models.current;
    const active = model.state === 'ready' ? modelKey(model.loaded) : null;
    return this.index
      .store()
      .jobs()
      .filter((j) => j.kind === 'screen')
      .map((j) => {
        const p = j.params as unknown as Params;
        // A job stored as running that this process is not running was stopped by a crash or a quit.
        const stored = (j.state === 'running' && !this.#running.has(j.id) ? 'interrupted' : j.state) as JobState;
        const unsaved = this.#unsaved.get(j.id);
        const state = unsaved?.state ?? stored;
        const used = p.examples?.length ? (this.#used.get(j.id) ?? storedUse(p)) : { model: null, leftOut: [] };
        return {
          id: j.id,
          folder: p.folder,
          phrases: p.phrases,
          examples: exampleCount(p, used.leftOut, this.#reviews.get(j.id) ?? p.review),
          examplesLeftOut: used.leftOut,
          examplesModel: used.model,
          examplesModelActive: !used.model || !active || used.model === active,
          threshold: p.threshold,
          state,
          message: unsaved ? unsaved.message : j.message,
          createdAt: j.createdAt,
          progress: this.#progress.get(j.id) ?? null,
          flagged: this.#flagged.get(j.id) ?? null,
        };
      });
  }

  /** A read of the job's results ranked by `used`: where that changes what its view says, the view is sent again. */
  #noteUsed(id: string, params: Params, used: ExamplesUsed): void {
    const before = this.#used.get(id) ?? storedUse(params);
    const same = (a: ExamplesUsed, b: ExamplesUsed) => JSON.stringify(a) === JSON.stringify(b);
    if (same(used, storedUse(params))) this.#used.delete(id);
    else this.#used.set(id, used);
    if (!same(used, before)) this.emit(this.#view(id));
  }

  #view(id: string): JobView {
    const job = this.list().find((j) => j.id === id);
    if (!job) throw new ApiError('NOT_FOUND', 'No such screening job');
    return job;
  }

  #save(id: string, params: Params, state: JobState, message: string | null, createdAt: number): void {
    const review = this.#reviews.get(id);
    try {
      this.index.store().putJob({
        id,
        kind: 'screen',
        params: { ...params, ...(review ? { review } : {}) },
        state,
        createdAt,
        message,
      });
      this.#unsaved.delete(id);
    } catch (error) {
      if (!(error instanceof IndexError && error.code === 'WRITE_FAILED')) throw error;
      // Starting a job on a full disk fails outright; a job already stored keeps its new state in memory.
      if (state === 'running') throw new ApiError('WRITE_FAILED', `${error.message} The job was not started.`);
      this.#unsaved.set(id, { state, message });
    }
    this.emit(this.#view(id));
  }

  start(
    folder: string,
    phrases: string[],
    threshold = DEFAULT_PROBABILITY_THRESHOLD,
    pacs?: { name: string; query: StudyQuery },
    examples: string[] = [],
    folderIdentity?: FolderIdentity,
  ): JobView {
    if (!phrases.length && !examples.length)
      throw new ApiError('BAD_REQUEST', 'Give at least one phrase or example scan to screen for');
    if (pacs && !this.pacsSource) throw new ApiError('BAD_REQUEST', 'PACS screening is not available here');
    const id = randomUUID();
    const params: Params = {
      ...(pacs ? { folder: `pacs:${pacs.name}`, pacs } : { folder }),
      phrases: distinctPhrases(phrases),
      threshold,
      ...(examples.length ? { examples } : {}),
      ...(folderIdentity && !pacs ? { folderIdentity } : {}),
    };
    this.#launch(id, params, Date.now());
    return this.#view(id);
  }

  /**
   * Stops every running job after its current batch and waits for that batch to commit: what was
   * indexed stays, and the jobs stay stored as running, so the next start lists them as interrupted,
   * to resume. Call before the index closes (quit).
   */
  async close(): Promise<void> {
    for (const controller of this.#running.values()) controller.abort('closing');
    await Promise.allSettled([...this.#runs]);
    this.scopeReads.clear(); // it holds the index's store, which closes next
  }

  /**
   * Stores the job as running and runs it. The job counts as running in this process before its state is
   * stored and announced, so no event ever shows it as interrupted (a stored "running" job that this
   * process is not running).
   */
  #launch(id: string, params: Params, createdAt: number, after?: Promise<void>): void {
    const controller = new AbortController();
    this.#running.set(id, controller);
    try {
      this.#save(id, params, 'running', null, createdAt);
    } catch (error) {
      this.#running.delete(id);
      throw error;
    }
    // `after`: the job's previous run, still committing its last batch (a resume right after a pause).
    const started = after
      ? after.catch(() => undefined).then(() => this.#run(id, params, createdAt, controller))
      : null;
    const run = (started ?? this.#run(id, params, createdAt, controller)).finally(() => {
      this.#runs.delete(run);
      if (this.#runOf.get(id) === run) this.#runOf.delete(id);
    });
    this.#runs.add(run);
    this.#runOf.set(id, run);
  }

  #params(id: string): Params {
    const stored = this.index
      .store()
      .jobs()
      .find((j) => j.id === id);
    if (!stored) throw new ApiError('NOT_FOUND', 'No such screening job');
    return stored.params as unknown as Params;
  }

  control(id: string, action: 'pause' | 'resume' | 'cancel'): JobView {
    const job = this.#view(id);
    const params = this.#params(id);
    const current = this.#running.get(id);
    if (action === 'resume') {
      if (current && !current.signal.aborted) return job; // running
      if (job.state === 'done' || job.state === 'cancelled')
        throw new ApiError('BAD_REQUEST', `That job is ${job.state}`);
      // Paused a moment ago, its run may still be committing its batch: this run starts when that one has ended,
      // not never (the resume was returned as "paused" and nothing ran again).
      this.#launch(id, params, job.createdAt, current ? this.#runOf.get(id) : undefined);
      return this.#view(id);
    }
    // A finished job keeps its results and summary: a pause or cancel meant for it while it ran (a click as it
    // finished) changes nothing.
    if (job.state === 'done' || job.state === 'failed' || job.state === 'cancelled')
      throw new ApiError('BAD_REQUEST', `That job is ${job.state}: there is nothing to ${action}`);
    if (action === 'pause' && job.state === 'paused') return job;
    const controller = current;
    const next: JobState = action === 'pause' ? 'paused' : 'cancelled';
    // The run loop sees the abort after the current batch and leaves the state we set here.
    controller?.abort(next);
    this.#save(
      id,
      params,
      next,
      action === 'pause' ? 'paused: resume continues where it stopped' : null,
      job.createdAt,
    );
    return this.#view(id);
  }

  async #run(id: string, params: Params, createdAt: number, controller: AbortController): Promise<void> {
    // This run's hold on the job only: a resume may have launched the next run while this one was stopping.
    const release = () => {
      if (this.#running.get(id) === controller) this.#running.delete(id);
    };
    let remote: Awaited<ReturnType<PacsSourceFactory>> | null = null;
    try {
      const slot = await this.index.slot();
      const kept = params.exampleEmbeddings?.model === slot.key ? params.exampleEmbeddings : undefined;
      // A job stored before pooled vectors were kept gains them when it runs again, if its example files
      // can still be read; otherwise it keeps comparing by the embeddings it stored.
      const unpooled = !!kept && slot.patches && !kept.pooled;
      const encoding =
        params.examples?.length && (!kept || unpooled)
          ? await this.#encodeExamples(params.examples, slot.key).catch((error: unknown) => {
              if (unpooled) return null;
              if (error instanceof ExamplesUnusable) {
                // Embeddings kept from another model keep the record of what that model left out.
                if (!params.exampleEmbeddings) params.examplesLeftOut = error.leftOut;
                this.#noteUsed(id, params, { model: slot.key, leftOut: error.leftOut });
              }
              throw error;
            })
          : null;
      // Pooled vectors for some of the examples only would not line up with the vectors kept: keep those.
      const encoded = encoding && !(unpooled && encoding.leftOut.length) ? encoding.encoded : null;
      if (encoded) {
        const vectors = encoded.map((e) => toBase64(e.embedding));
        const pooled = encoded.map((e) => (e.pooled ? toBase64(e.pooled) : null));
        // Stored only if the model that encoded them is still the one the job started with.
        if ((await this.index.slot()).key === slot.key) {
          params.exampleEmbeddings = { model: slot.key, vectors, ...(slot.patches ? { pooled } : {}) };
          if (!unpooled) params.examplesLeftOut = encoding!.leftOut;
          this.#examples.delete(`${id}:${slot.key}`); // results read before this keep no older copy
          this.#used.delete(id); // what it stored now is what its results rest on
          // Paused or cancelled while the examples were encoded: keep the state control() stored.
          const stored = this.index
            .store()
            .jobs()
            .find((j) => j.id === id);
          const stopped = controller.signal.aborted && stored;
          this.#save(
            id,
            params,
            stopped ? (stored.state as JobState) : 'running',
            stopped ? stored.message : null,
            createdAt,
          );
        }
        if (controller.signal.aborted) return;
      }
      let last = 0;
      remote = params.pacs ? await this.pacsSource!(params.pacs.name, params.pacs.query, controller.signal) : null;
      // The phrases' best-region margins are kept as scans are encoded (zero-shot weighs them with the whole image's).
      const { model: described } = await this.models.ready();
      const regions = regionPhrases(
        described,
        params.phrases.length ? await phraseVectors(params.phrases, (t) => this.models.encoder.encodeTexts(t)) : [],
      );
      // Another job reading this folder with this model: wait for its pass. Side by side, both passes encoded every
      // scan the other had not stored yet; after it, this one finds what it stored (a scan is encoded again only
      // for a region score of a phrase that pass did not have), and the first job's results come no later.
      const reading = remote ? null : `${slot.key}\0${params.folder}`;
      const ahead = reading ? this.#reading.get(reading) : undefined;
      if (ahead) {
        this.#save(id, params, 'running', WAITING_FOR_FOLDER, createdAt);
        await Promise.race([ahead, aborted(controller.signal)]);
        if (controller.signal.aborted) return; // paused or cancelled while it waited: control() recorded the state
        this.#save(id, params, 'running', null, createdAt);
      }
      const pass = indexFolder({
        source: remote ? { remote } : { folder: params.folder },
        regions,
        // A PACS job's instances are its own set: another job over an overlapping query cannot take them.
        ...(remote ? { set: id } : {}),
        store: this.index.store(),
        model: slot,
        pool: this.pool,
        encoder: this.models.encoder,
        signal: controller.signal,
        onProgress: (p) => {
          this.#progress.set(id, p);
          if (Date.now() - last > 250) {
            last = Date.now();
            this.emit(this.#view(id));
          }
        },
      });
      const settled = pass.then(
        () => undefined,
        () => undefined,
      );
      if (reading) this.#reading.set(reading, settled);
      const summary = await pass.finally(() => {
        if (reading && this.#reading.get(reading) === settled) this.#reading.delete(reading);
      });
      if (summary.stopped) return; // paused or cancelled: control() recorded the state
      this.#save(id, params, 'running', null, createdAt);
      const rows = (await this.results(id, false)).rows!; // without `since`: every row
      this.#flagged.set(id, rows.filter((r) => r.flagged).length);
      release();
      this.#save(
        id,
        params,
        'done',
        `${summary.encoded} encoded, ${summary.unchanged} unchanged, ${summary.failed} failed${summary.notDicom ? `, ${skippedText(summary)}` : ''}${summary.cut ? `; ${summary.seen} instances listed, not all: ${summary.cut.message}` : ''}`,
        createdAt,
      );
    } catch (error) {
      release();
      // Stopped while a request was under way (e.g. a PACS listing, which the abort cancels): not a
      // failure; control() recorded the state (or a quit leaves it running, listed as interrupted).
      if (controller.signal.aborted) return;
      const message = error instanceof Error ? error.message : String(error);
      // A write error (disk full) pauses the job: nothing stored is lost and it can resume. So does a switch
      // of model while it ran: what it stored came from the model it started with, and a resume goes on with
      // the active one, in that model's own slot.
      const writeFailed = error instanceof IndexError && error.code === 'WRITE_FAILED';
      const modelChanged = error instanceof ModelError && error.code === 'MODEL_CHANGED';
      const state: JobState = writeFailed || modelChanged ? 'paused' : 'failed';
      this.#save(
        id,
        params,
        state,
        modelChanged ? `paused: ${message}; resume goes on with the active model` : message,
        createdAt,
      );
    } finally {
      release();
      await remote?.close().catch(() => undefined);
    }
  }

  /**
   * The examples' embeddings, leaving out those that cannot be used (a file moved, deleted or unreadable since
   * it was picked: one such must not fail the job for good, nor its every resume); ExamplesUnusable when none
   * can be.
   */
  async #encodeExamples(
    paths: string[],
    model: string,
  ): Promise<{ encoded: EncodedExample[]; leftOut: ExampleLeftOut[] }> {
    const encoded: EncodedExample[] = [];
    const leftOut: ExampleLeftOut[] = [];
    // With the model whose slot they are kept for: a switch meanwhile is MODEL_CHANGED, not another model's vectors.
    for await (const r of encodeFiles(paths, this.pool, this.models.encoder, { model })) {
      if (!r.embedding) {
        // The message without the path (the views name the file themselves, identifiers hidden if asked).
        leftOut.push({ path: r.path, reason: r.error!.message.split(r.path).join('the file') });
        continue;
      }
      encoded.push({
        embedding: r.embedding,
        pooled: r.patches ? maxPoolPatches(r.patches, r.embedding.length) : null,
      });
    }
    if (!encoded.length) throw new ExamplesUnusable(leftOut);
    return { encoded, leftOut };
  }

  /**
   * The examples' embeddings with the active model, and those it left out: those stored with the job (and what
   * it stored as left out), or (a job from before they were stored, or under another model) encoded from the
   * example files once per job and model, leaving out the files gone or unreadable then.
   */
  async #exampleEmbeddings(id: string, params: Params, slot: ModelSlot): Promise<JobExamples> {
    const model = slot.key;
    const key = `${id}:${model}`;
    let embeddings = this.#examples.get(key);
    if (!embeddings) {
      const stored = params.exampleEmbeddings;
      embeddings =
        stored?.model === model && stored.vectors.length
          ? Promise.resolve({
              scans: stored.vectors.map((v, i) => {
                const pooled = stored.pooled?.[i];
                return { embedding: fromBase64(v), pooled: pooled ? fromBase64(pooled) : null };
              }),
              leftOut: params.examplesLeftOut ?? [],
            })
          : this.#encodeExamples(params.examples ?? [], model).then((e) => ({ scans: e.encoded, leftOut: e.leftOut }));
      this.#examples.set(key, embeddings);
      embeddings.catch(() => this.#examples.delete(key));
    }
    return embeddings;
  }

  /** The scans a job's rows are: a PACS job's instances (its named set), else its folder. */
  #scope(id: string, params: Params): ResultScope {
    return params.pacs ? { set: id } : this.#view(id).folder;
  }

  /**
   * The examples' profile, in the space of the job's scans as they are now (results are ranked when read),
   * and how many scans its centre is the mean of (null: too few, compared as they are).
   */
  async #exampleProfile(
    id: string,
    params: Params,
    slot: ModelSlot,
    read: ScopeRead,
    confirmed: readonly string[],
    rejected: readonly string[],
    /** The job's examples by the names they were picked by and what they really are (exampleNames). */
    exampleNames: ReadonlySet<string>,
  ): Promise<
    | {
        profile: ExampleProfile;
        centredOn: number | null;
        coherence: ExampleCoherence | null;
        describe: ScanDescriber;
        /** The job's examples that this model could not use (moved, changed, unreadable): no part of the profile. */
        leftOut: readonly string[];
      }
    | undefined
  > {
    // The job's examples, and the rows reviewed as the finding (from the index: they are scans it screened); a
    // job example also marked "finding" counts once.
    let own: ExampleScan[] = [];
    let leftOut: readonly string[] = [];
    if (params.examples?.length) {
      const encoded = await this.#exampleEmbeddings(id, params, slot).catch((error: unknown) => {
        if (error instanceof ExamplesUnusable) this.#noteUsed(id, params, { model: slot.key, leftOut: error.leftOut });
        throw error;
      });
      this.#noteUsed(id, params, { model: slot.key, leftOut: encoded.leftOut });
      own = encoded.scans;
      leftOut = encoded.leftOut.map((l) => l.path);
    }
    const stored = read.embeddings;
    const examples = [
      ...own,
      ...storedScans(
        this.index.store(),
        stored,
        slot.dim,
        confirmed.filter((p) => !isExampleName(exampleNames, p)),
      ),
    ];
    if (!examples.length) return undefined; // reviewed scans not encoded (yet) with this model
    const counter = storedScans(this.index.store(), stored, slot.dim, rejected);
    const { space, scans, encoded, ids } = read.space();
    const profile = exampleProfile(examples, space, counter);
    // One descriptor per scan for the coherence's random pairs and the rows' similarities alike, kept across
    // reads while the scope is unchanged.
    const describe = read.describer(profile);
    // How alike the job's own examples are: rows confirmed in review were picked for looking like them, so
    // they would bias the test towards "alike". A job with reviewed examples only is tested on those.
    const tested = own.length >= 2 ? own : examples;
    const coherence = scopeCoherence(profile, tested, { encoded, ids }, describe);
    return { profile, centredOn: profile.space.centre ? scans : null, coherence, describe, leftOut };
  }

  /**
   * The job's own examples by the names they were picked by, what they really are, and the names its rows
   * have them by (a folder opened through a link): found among the rows and the rows confirmed in review,
   * once each (namesUnder).
   */
  #exampleNames(id: string, params: Params): ReadonlySet<string> {
    const scope = this.#scope(id, params);
    return namesUnder(params.examples ?? [], typeof scope === 'string' ? scope : null);
  }

  /** The job's review marks: as last set in this process, else as stored. */
  #marks(id: string, params: Params): Record<string, ReviewMark> {
    return this.#reviews.get(id) ?? params.review ?? {};
  }

  review(id: string, file: string, mark: ReviewMark | null): { finding: number; not: number } {
    this.#view(id); // NOT_FOUND for an unknown job
    const stored = this.index
      .store()
      .jobs()
      .find((j) => j.id === id)!;
    const params = stored.params as unknown as Params;
    const rowOf = this.#rows(id, params);
    const scan = rowOf(file);
    if (!scan) throw new ApiError('BAD_REQUEST', 'That scan is not one of the rows of this screening job');
    if (mark && scan.status === 'failed')
      throw new ApiError('BAD_REQUEST', 'That scan could not be read: there is nothing to compare it by');
    // "Not the finding" on one of the job's own examples contradicts them: the example set is where to change that.
    if (mark === 'not' && isExampleName(this.#exampleNames(id, params), file))
      throw new ApiError(
        'BAD_REQUEST',
        "That scan is one of the job's examples: take it out of the example set instead",
      );
    // Marks on rows the index no longer has (files deleted and pruned) are dropped: they rank nothing and
    // would count against the limit.
    const marks = Object.fromEntries(
      Object.entries(this.#marks(id, params)).filter(([p]) => p === file || rowOf(p) !== null),
    );
    if (mark) {
      if (!(file in marks) && Object.keys(marks).length >= MAX_REVIEW_MARKS)
        throw new ApiError('BAD_REQUEST', `A screening job keeps at most ${MAX_REVIEW_MARKS} review marks`);
      marks[file] = mark;
    } else delete marks[file];
    try {
      // The job as stored, with the marks: its state and message stay what they are.
      this.index.store().putJob({ ...stored, params: { ...params, review: marks } });
    } catch (error) {
      if (error instanceof IndexError && error.code === 'WRITE_FAILED')
        throw new ApiError('WRITE_FAILED', `${error.message} The mark was not kept.`);
      throw error;
    }
    this.#reviews.set(id, marks);
    const values = Object.values(marks);
    return { finding: values.filter((m) => m === 'finding').length, not: values.filter((m) => m === 'not').length };
  }

  /**
   * The job's row for a file, as the index has it (null: not a row): a scan indexed under its folder (the same
   * prefix test the rows are read by, so "folder//file" or a folder itself is no row) and not under a link below
   * it, or one of a PACS job's instances (its set read once, however many files are asked about).
   */
  #rows(id: string, params: Params): (file: string) => StoredScan | null {
    const store = this.index.store();
    const scope = this.#scope(id, params);
    if (typeof scope === 'string') {
      const prefix = scope.endsWith(path.sep) ? scope : scope + path.sep;
      const isRow = folderRowTest(store, scope); // not under a link below the folder, as results read
      return (file) => (file.startsWith(prefix) && isRow(file) ? store.scanByPath(file) : null);
    }
    const members = new Map([...store.scansInSet(id)].map((s) => [s.path, s]));
    return (file) => members.get(file) ?? null;
  }

  async results(id: string, flaggedOnly: boolean, since?: string): Promise<ScreenResults> {
    const job = this.#view(id);
    const params = this.#params(id);
    const marks = this.#marks(id, params);
    // In path order: the same marks give the same sums (and figures) whatever order they were made in.
    const marked = (m: ReviewMark) =>
      Object.entries(marks)
        .filter(([, v]) => v === m)
        .map(([p]) => p)
        .sort();
    const loaded = await this.models.ready();
    const vectors = await phraseVectors(job.phrases, (t) => this.models.encoder.encodeTexts(t));
    // A PACS job's rows are its instances: those its last complete run met, and any a later run, still
    // under way, has met since.
    const scope = this.#scope(id, params);
    // One model slot and one read of the scope's embeddings for the examples' space and the rows alike.
    const slot = await this.index.slot();
    const confirmed = marked('finding');
    const withExamples = !!params.examples?.length || confirmed.length > 0;
    // The index's data as the scope is read: a write while the examples are encoded below (a job still
    // running) must not let these rows pass for the later ones.
    const readAt = this.index.store().dataVersion;
    const read = this.scopeReads.read(id, this.index.store(), slot, scope, { pooled: withExamples });
    const exampleNames = this.#exampleNames(id, params);
    const examples = withExamples
      ? await this.#exampleProfile(id, params, slot, read, confirmed, marked('not'), exampleNames)
      : undefined;
    const example = examples?.profile;
    const rows = [
      ...screenResults(this.index.store(), slot, scope, {
        phrases: vectors,
        rule: loaded.model,
        threshold: job.threshold,
        embeddings: read.embeddings,
        // The job's phrases by the model that encoded them (the one loaded when they were: a switch meanwhile must
        // not leave its scores in the new model's read), under its rule, with the margins as stored now: a review
        // click leaves them as they were.
        phraseScores: read.phraseScores(
          JSON.stringify([
            job.phrases,
            modelKey(loaded),
            loaded.model.logitScale,
            loaded.model.regionOffset,
            loaded.model.regionWeight,
            this.index.store().regionsVersion,
          ]),
        ),
        ...(example ? { example, describe: examples!.describe } : {}),
      }),
    ];
    // Marked in place: the rows are this read's own, and a copy of each was most of a review click's garbage.
    for (const r of rows) {
      r.review = marks[r.path] ?? null;
      if (exampleNames.has(r.path)) r.example = true;
    }
    // One phrase beside examples: both scored together over every row, as the Query view mixes them (each part
    // weighed by its skill on the examples where they are all among the rows: docs/few-shot.md). A job example this
    // model could not use is no part of the profile, so its row is no example of it either.
    const mixes = !!example && job.phrases.length === 1;
    let mix: PhraseAndExamples | null = null;
    if (mixes) {
      const unused = namesUnder(examples!.leftOut, typeof scope === 'string' ? scope : null);
      mix = phraseAndExampleScores(
        rows.map((r) => ({
          probability: r.scores[0]?.probability ?? null,
          exampleSimilarity: r.exampleSimilarity,
          mark: (r.example && !unused.has(r.path)) || r.review === 'finding' ? 1 : r.review === 'not' ? -1 : 0,
        })),
        { likes: example.count, unlikes: example.counterCount },
        rowDescriber(
          read.embeddings,
          slot.dim,
          example,
          examples!.describe,
          rows.map((r) => r.path),
        ),
      );
      rows.forEach((r, i) => (r.phraseAndExamples = mix!.scores[i]!));
    }
    if (!this.#running.has(id)) this.#flagged.set(id, rows.filter((r) => r.flagged).length);
    const shown = flaggedOnly ? rows.filter((r) => r.flagged) : rows;
    const rowsToken =
      this.index.store().dataVersion === readAt
        ? rowsTokenOf(this.index.store(), slot, flaggedOnly, shown)
        : `changed-${randomUUID()}`; // matches no later read: the next one sends every row
    // The caller holds these very rows (a re-read after a review mark): only what a review changes goes back,
    // a tenth of the bytes at 20,000 rows.
    const same = since === rowsToken;
    return {
      rows: same ? null : shown,
      ranking: same
        ? {
            exampleSimilarity: shown.map((r) => r.exampleSimilarity),
            exampleFlagged: shown.map((r) => r.exampleFlagged ?? null),
            phraseAndExamples: mixes ? shown.map((r) => r.phraseAndExamples ?? null) : null,
            flagged: shown.map((r) => r.flagged),
            example: shown.map((r) => !!r.example),
            review: shown.map((r) => r.review ?? null),
          }
        : null,
      rowsToken,
      exampleCount: example ? example.count : null,
      counterExamples: example ? example.counterCount : 0,
      exampleThreshold: example?.threshold ?? null,
      exampleCentredOn: examples?.centredOn ?? null,
      examplePatches: example ? example.space.patches : null,
      exampleCoherence: examples?.coherence ?? null,
      phraseAndExamplesWeights: mix ? { phrase: mix.weights[0], examples: mix.weights[1], bySkill: mix.bySkill } : null,
    };
  }
}
