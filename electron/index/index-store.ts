/**
 * The on-disk index: scans (file identity, DICOM identity, status) and their
 * embeddings per model, in SQLite (better-sqlite3). Why SQLite: transactions
 * and a WAL journal make `kill -9` at any moment safe; it is the most trusted
 * embedded store; one file is easy to back up and inspect. See docs/index.md.
 *
 * One writer per index: the database is opened in exclusive locking mode, so a
 * second RadSift on the same folder gets a clear "in use" error instead of
 * contending for (or corrupting) it.
 */
import { CodedError } from '../util/coded-error.js';
import Database from 'better-sqlite3';
import { accessSync, chmodSync, constants, existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { makeFoldersSync } from '../util/make-folders.js';
import { gridBytes, gridFromBytes, quantiseGrid, type QuantisedGrid } from '../util/quantised-grid.js';

export const INDEX_FILE = 'radsift-index.sqlite';

export type IndexErrorCode = 'IN_USE' | 'CORRUPT' | 'TOO_NEW' | 'WRITE_FAILED';

export class IndexError extends CodedError<IndexErrorCode> {
  /**
   * The index's folder when the message names it: what a log of the error replaces by <path> (util/error-text.ts
   * loggableError), since a folder is often named after the patient whose scans it indexes.
   */
  readonly path?: string;
  constructor(code: IndexErrorCode, message: string, options?: { cause?: unknown; path?: string }) {
    super(code, message, options && 'cause' in options ? { cause: options.cause } : undefined);
    if (options?.path !== undefined) this.path = options.path;
  }
}

/** What a failed open says when the disk is full or the folder read-only (`radsift screen` says it mid-run too). */
const NOTHING_DAMAGED = 'Nothing already stored was damaged; free space or fix the folder, then try again.';

export interface ScanIdentity {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface ScanRecord extends ScanIdentity {
  fingerprint: string | null;
  sopUid: string | null;
  seriesUid: string | null;
  studyUid: string | null;
  modality: string | null;
  studyDate: string | null;
  frames: number | null;
  status: 'ok' | 'failed';
  errorCode: string | null;
  error: string | null;
  /** A finer code within errorCode (util/coded-error.ts `detail`; NOT_AN_IMAGE: which object); null or left out: none. */
  errorDetail?: string | null;
  /** What a reader names the scan by (patient, study, view, series/instance); null when not read. */
  naming: Record<string, string | number> | null;
}

export interface StoredScan extends ScanRecord {
  id: number;
}

export interface ModelSlot {
  id: number;
  key: string;
  dim: number;
  /** The model has patch embeddings: each scan's are kept max-pooled (the `pooled` column) for example sets. */
  patches: boolean;
}

export interface StoredJob {
  id: string;
  kind: string;
  params: Record<string, unknown>;
  state: string;
  createdAt: number;
  updatedAt?: number;
  message: string | null;
}

/** What a file needs when a run meets it again. */
export type ScanNeed = 'new' | 'changed' | 'unchanged-failed' | 'unchanged-embedded' | 'unchanged-needs-embedding';

interface ScanRow {
  id: number;
  path: string;
  size: number;
  mtime_ms: number;
  fingerprint: string | null;
  sop_uid: string | null;
  series_uid: string | null;
  study_uid: string | null;
  modality: string | null;
  study_date: string | null;
  frames: number | null;
  status: 'ok' | 'failed';
  error_code: string | null;
  error: string | null;
  error_detail: string | null;
  naming: string | null;
}

function fromRow(r: ScanRow): StoredScan {
  return {
    id: r.id,
    path: r.path,
    size: r.size,
    mtimeMs: r.mtime_ms,
    fingerprint: r.fingerprint,
    sopUid: r.sop_uid,
    seriesUid: r.series_uid,
    studyUid: r.study_uid,
    modality: r.modality,
    studyDate: r.study_date,
    frames: r.frames,
    status: r.status,
    errorCode: r.error_code,
    error: r.error,
    errorDetail: r.error_detail,
    naming: r.naming ? (JSON.parse(r.naming) as Record<string, string | number>) : null,
  };
}

export class IndexStore {
  readonly dir: string;
  readonly #db: Database.Database;
  /** Opened by openToRead where the index could not be written: every write fails, and close leaves the file as it is. */
  readonly readOnly: boolean;
  /** Bumped by every write to scans, embeddings or set members (dataVersion). */
  #changes = 0;
  /** Bumped by every write of best-region margins (regionsVersion). */
  #regionChanges = 0;

  private constructor(dir: string, db: Database.Database, readOnly = false) {
    this.dir = dir;
    this.#db = db;
    this.readOnly = readOnly;
  }

  static open(dir: string): IndexStore {
    // Patient names and UIDs: a new index is the user's alone (its WAL and shared-memory files take its mode).
    try {
      makeFoldersSync(dir, 0o700);
    } catch (error) {
      throw folderFailure(dir, error);
    }
    const file = path.join(dir, INDEX_FILE);
    const fresh = !existsSync(file);
    if (!fresh && !statSync(file).isFile())
      throw new IndexError('CORRUPT', `${file} is not a RadSift index (it is not a file)`, { path: dir });
    let db: Database.Database;
    try {
      db = new Database(file, { timeout: 0 });
    } catch (error) {
      const failure = openFailure(dir, error);
      if (failure instanceof IndexError) throw failure;
      throw new IndexError('CORRUPT', `cannot open the index in ${dir}: ${(error as Error).message}`, {
        cause: error,
        path: dir,
      });
    }
    try {
      if (fresh) chmodSync(file, 0o600); // before journal_mode creates the WAL, which takes the file's mode
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: committed work survives a crashed or killed process; only a power
      // cut can lose the last transactions, and never corrupts the file.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      // Take the exclusive lock now, so that a second instance fails at open, not mid-job.
      db.exec('BEGIN IMMEDIATE; COMMIT;');
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok')
        throw new IndexError('CORRUPT', `the index in ${dir} is damaged (${String(check)})`, { path: dir });
      migrate(db, dir);
    } catch (error) {
      db.close();
      // A new index that could not be set up (a full disk) is not left behind as an empty file.
      if (fresh) for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
      throw openFailure(dir, error);
    }
    return new IndexStore(dir, db);
  }

  /**
   * For what only reads (`radsift query --index`): the index opened as `open` does where it can be written (so a
   * log a crash left is replayed and an older schema updated), and read-only where the folder, the file or the
   * disk may not be written (a shared or archived copy). Held with a shared lock while open, so no RadSift writes
   * it meanwhile.
   */
  static openToRead(dir: string): IndexStore {
    try {
      return IndexStore.open(dir);
    } catch (error) {
      if (!(error instanceof IndexError) || error.code !== 'WRITE_FAILED') throw error;
      if (!existsSync(path.join(dir, INDEX_FILE))) throw error;
      return IndexStore.#openReadOnly(dir);
    }
  }

  static #openReadOnly(dir: string): IndexStore {
    const file = path.join(dir, INDEX_FILE);
    let db: Database.Database;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true, timeout: 0 });
    } catch (error) {
      throw openFailure(dir, error);
    }
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok')
        throw new IndexError('CORRUPT', `the index in ${dir} is damaged (${String(check)})`, { path: dir });
      const version = schemaVersion(db);
      if (version > SCHEMA_VERSION) throw tooNew(dir, version);
      if (version < SCHEMA_VERSION)
        throw new IndexError(
          'WRITE_FAILED',
          `cannot read the index in ${dir}: ${readOnlyReason(dir)} and the index was written by an older RadSift, whose format this one updates only where it may write. ${WRITE_IT_ONCE}`,
          { path: dir },
        );
    } catch (error) {
      db.close();
      // A write-ahead log needs its shared-memory file beside the index: a read-only folder cannot hold one.
      const code = (error as { code?: unknown } | null)?.code;
      if (typeof code === 'string' && /^SQLITE_(IOERR|CANTOPEN|READONLY)/.test(code))
        throw new IndexError(
          'WRITE_FAILED',
          `cannot read the index in ${dir}: ${readOnlyReason(dir)} and the index is in write-ahead-log mode (it was not closed cleanly, or was last closed by an older RadSift), which SQLite reads only where it may write. ${WRITE_IT_ONCE}`,
          { cause: error, path: dir },
        );
      throw openFailure(dir, error);
    }
    return new IndexStore(dir, db, true);
  }

  close(): void {
    if (!this.#db.open) return;
    if (!this.readOnly) {
      // Back to a rollback journal, so that the closed file can be read from a read-only folder (openToRead):
      // a WAL-mode file needs its shared-memory file beside it. WAL is set again at the next open.
      try {
        this.#db.pragma('journal_mode = DELETE');
      } catch {
        // A full disk or a lost folder: the file stays in WAL mode, which the next writer opens as before.
      }
    }
    this.#db.close();
  }

  /**
   * Changes whenever scans, their embeddings and pooled patch embeddings, or set members may have changed (a
   * failed write counts too): what a reader of results may keep while it stays the same (ScopeReadCache).
   * Not for jobs, settings, best-region margins (regionsVersion) or kept patch grids. The
   * index is opened exclusively (locking_mode), so no other process writes it meanwhile.
   */
  get dataVersion(): number {
    return this.#changes;
  }

  /**
   * Changes whenever best-region margins may have been written or deleted (putRegions, a changed file's putScan;
   * a failed write counts too): what phrase scores kept beside a kept read (ScopeRead.phraseScores) and a read's
   * rows token are keyed by.
   */
  get regionsVersion(): number {
    return this.#regionChanges;
  }

  /** Runs `fn` in one transaction; a failed write (e.g. disk full) rolls back and leaves stored data intact. */
  transaction<T>(fn: () => T): T {
    try {
      return this.#db.transaction(fn)();
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (/SQLITE_(FULL|IOERR|READONLY|CANTOPEN)/.test(code)) {
        throw new IndexError(
          'WRITE_FAILED',
          `could not write to the index in ${this.dir} (${code}): is the disk full or read-only?`,
          { cause: error, path: this.dir },
        );
      }
      throw error;
    }
  }

  model(key: string, dim: number, patchGrid: [number, number] | null = null): ModelSlot {
    const found = this.storedModel(key, dim, patchGrid);
    if (found) return found;
    const patches = patchGrid !== null;
    const info = this.transaction(() =>
      this.#db
        .prepare('INSERT INTO models (model_key, dim, patch_grid) VALUES (?, ?, ?)')
        .run(key, dim, patchGrid ? JSON.stringify(patchGrid) : null),
    );
    return { id: Number(info.lastInsertRowid), key, dim, patches };
  }

  /** The model's slot where the index has one; null where it has none (nothing is written: see `model`). */
  storedModel(key: string, dim: number, patchGrid: [number, number] | null = null): ModelSlot | null {
    const found = this.#db.prepare('SELECT id, dim FROM models WHERE model_key = ?').get(key) as
      { id: number; dim: number } | undefined;
    if (!found) return null;
    if (found.dim !== dim)
      throw new IndexError('CORRUPT', `model ${key} is stored with ${found.dim}-d embeddings, not ${dim}`);
    return { id: found.id, key, dim, patches: patchGrid !== null };
  }

  scanByPath(filePath: string): StoredScan | null {
    const row = this.#db.prepare('SELECT * FROM scans WHERE path = ?').get(filePath) as ScanRow | undefined;
    return row ? fromRow(row) : null;
  }

  /**
   * Decides what a run must do with a file, from its size and modification time. A scan embedded before
   * the index kept pooled patch embeddings (schema 4) is encoded again with a model that has them, so
   * that every scan of a folder can be compared with example scans the same way; so is one without its
   * best region's margin for one of `regions` (phrases as promptPair normalises them, that describe a
   * finding) with such a model, since its patch embeddings are not kept.
   */
  need(file: ScanIdentity, model: ModelSlot, regions: readonly string[] = []): ScanNeed {
    const wanted = model.patches ? regions : [];
    const row = this.#db
      .prepare(
        `SELECT s.size, s.mtime_ms, s.status,
           EXISTS (SELECT 1 FROM embeddings e WHERE e.scan_id = s.id AND e.model_id = ?)
           AND (? = 0 OR EXISTS (SELECT 1 FROM pooled p WHERE p.scan_id = s.id AND p.model_id = ?))
           AND (? = 0 OR (SELECT count(*) FROM regions r WHERE r.model_id = ? AND r.scan_id = s.id
             AND r.phrase IN (SELECT value FROM json_each(?))) = ?) AS embedded
         FROM scans s WHERE s.path = ?`,
      )
      .get(
        model.id,
        model.patches ? 1 : 0,
        model.id,
        wanted.length,
        model.id,
        JSON.stringify(wanted),
        new Set(wanted).size,
        file.path,
      ) as { size: number; mtime_ms: number; status: string; embedded: number } | undefined;
    if (!row) return 'new';
    if (row.size !== file.size || row.mtime_ms !== file.mtimeMs) return 'changed';
    if (row.status === 'failed') return 'unchanged-failed';
    return row.embedded ? 'unchanged-embedded' : 'unchanged-needs-embedding';
  }

  /** Records a scan (new or changed: its old embeddings go), returning its id. */
  putScan(scan: ScanRecord, run = 0): number {
    this.#changes++;
    const existing = this.#db.prepare('SELECT id, size, mtime_ms FROM scans WHERE path = ?').get(scan.path) as
      { id: number; size: number; mtime_ms: number } | undefined;
    const values = [
      scan.size,
      scan.mtimeMs,
      scan.fingerprint,
      scan.sopUid,
      scan.seriesUid,
      scan.studyUid,
      scan.modality,
      scan.studyDate,
      scan.frames,
      scan.status,
      scan.errorCode,
      scan.error,
      scan.errorDetail ?? null,
      scan.naming ? JSON.stringify(scan.naming) : null,
      run,
      Date.now(),
    ];
    if (existing) {
      if (existing.size !== scan.size || existing.mtime_ms !== scan.mtimeMs) {
        this.#db.prepare('DELETE FROM embeddings WHERE scan_id = ?').run(existing.id);
        this.#db.prepare('DELETE FROM pooled WHERE scan_id = ?').run(existing.id);
        this.#db.prepare('DELETE FROM regions WHERE scan_id = ?').run(existing.id);
        this.#regionChanges++;
      }
      this.#db
        .prepare(
          `UPDATE scans SET size = ?, mtime_ms = ?, fingerprint = ?, sop_uid = ?, series_uid = ?, study_uid = ?, modality = ?,
           study_date = ?, frames = ?, status = ?, error_code = ?, error = ?, error_detail = ?, naming = ?, seen_run = max(seen_run, ?),
           indexed_at = ? WHERE id = ?`,
        )
        .run(...values, existing.id);
      return existing.id;
    }
    const info = this.#db
      .prepare(
        `INSERT INTO scans (size, mtime_ms, fingerprint, sop_uid, series_uid, study_uid, modality, study_date, frames, status,
         error_code, error, error_detail, naming, seen_run, indexed_at, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(...values, scan.path);
    return Number(info.lastInsertRowid);
  }

  /**
   * Marks files met by run `run` without rewriting them (unchanged files); and as members of `set` when given. A
   * row keeps the latest run that met it (runs are numbered in order): two jobs over one folder at once, the
   * earlier one's touch after the later one's must not leave the row for the later one's prune to delete.
   */
  touch(filePath: string, run: number, set?: string): void {
    this.#changes++;
    this.transaction(() => {
      this.#db.prepare('UPDATE scans SET seen_run = max(seen_run, ?) WHERE path = ?').run(run, filePath);
      if (set !== undefined) this.#addMember(set, filePath, run);
    });
  }

  /** Records that the scan at `filePath` belongs to the set `set`, as met by run `run`. */
  addMember(set: string, filePath: string, run: number): void {
    this.#changes++;
    this.transaction(() => this.#addMember(set, filePath, run));
  }

  #addMember(set: string, filePath: string, run: number): void {
    this.#db
      .prepare('INSERT OR REPLACE INTO members (set_key, scan_id, run) SELECT ?, id, ? FROM scans WHERE path = ?')
      .run(set, run, filePath);
  }

  /** After a complete run of a set: drops the members that run did not meet (gone from the source). */
  pruneMembers(set: string, run: number): number {
    this.#changes++;
    return this.transaction(
      () => this.#db.prepare('DELETE FROM members WHERE set_key = ? AND run < ?').run(set, run).changes,
    );
  }

  /**
   * A scan's embedding, its patch embeddings (kept only when asked, quantised: int8 with a scale per cell, about a
   * quarter of their float32 size) and their max-pool (example sets).
   */
  putEmbedding(
    scanId: number,
    model: ModelSlot,
    vector: Float32Array,
    patches: Float32Array | null = null,
    pooled: Float32Array | null = null,
  ): void {
    this.#changes++;
    if (vector.length !== model.dim)
      throw new RangeError(`embedding has ${vector.length} values, model ${model.key} has ${model.dim}`);
    if (pooled && pooled.length !== model.dim)
      throw new RangeError(`pooled patch embedding has ${pooled.length} values, model ${model.key} has ${model.dim}`);
    this.#db
      .prepare('INSERT OR REPLACE INTO embeddings (scan_id, model_id, vector, patches) VALUES (?, ?, ?, ?)')
      .run(scanId, model.id, bytes(vector), patches ? gridBytes(quantiseGrid(patches, model.dim)) : null);
    // A scan encoded again without them (a model without patches cannot) keeps no stale pooled vector.
    if (pooled)
      this.#db
        .prepare('INSERT OR REPLACE INTO pooled (scan_id, model_id, vector) VALUES (?, ?, ?)')
        .run(scanId, model.id, bytes(pooled));
    else this.#db.prepare('DELETE FROM pooled WHERE scan_id = ? AND model_id = ?').run(scanId, model.id);
    this.#db.prepare('UPDATE models SET version = version + 1 WHERE id = ?').run(model.id);
  }

  /**
   * A scan's best region's margin per phrase (regionMargins); NaN margins (phrases of absence, shapes of the whole
   * thorax) are not kept.
   */
  putRegions(scanId: number, model: ModelSlot, phrases: readonly string[], margins: ArrayLike<number>): void {
    this.#regionChanges++;
    const put = this.#db.prepare(
      'INSERT OR REPLACE INTO regions (scan_id, model_id, phrase, margin) VALUES (?, ?, ?, ?)',
    );
    phrases.forEach((phrase, j) => {
      if (!Number.isNaN(margins[j]!)) put.run(scanId, model.id, phrase, margins[j]!);
    });
  }

  /**
   * The stored best-region margins of `phrases` (as promptPair normalises them) per scan id, one value per
   * phrase, NaN where none is kept (encoded before the phrase was asked, a phrase of absence or of the whole
   * thorax): of every scan, or of `scanIds` only (a folder's results need not read the phrase's rows of a whole
   * index). A margin kept for a shape of the whole thorax before those kept none is returned as it is, and not read
   * by zeroShotProbability.
   */
  regions(model: ModelSlot, phrases: readonly string[], scanIds?: ArrayLike<number>): Map<number, Float32Array> {
    const out = new Map<number, Float32Array>();
    const ids = scanIds ? JSON.stringify(Array.from(scanIds)) : null;
    const get = this.#db.prepare(
      `SELECT scan_id, margin FROM regions WHERE model_id = ? AND phrase = ?${
        ids ? ' AND scan_id IN (SELECT value FROM json_each(?))' : ''
      }`,
    );
    phrases.forEach((phrase, j) => {
      const rows = ids ? get.iterate(model.id, phrase, ids) : get.iterate(model.id, phrase);
      for (const r of rows as IterableIterator<{ scan_id: number; margin: number }>) {
        let row = out.get(r.scan_id);
        if (!row) out.set(r.scan_id, (row = new Float32Array(phrases.length).fill(NaN)));
        row[j] = r.margin;
      }
    });
    return out;
  }

  /**
   * Deletes scans under `root` that run `run` did not meet (files deleted since), but none under `kept` (links the
   * walk met and did not follow: what the index holds by their names is no file deleted). Returns how many.
   */
  pruneUnseen(root: string, run: number, kept: readonly string[] = []): number {
    this.#changes++;
    // The folder's range less each kept one, pruned gap by gap (in the index's byte order): one statement of three
    // values a gap, however many links a folder holds.
    const [from, to] = underRange(root);
    const holes = kept
      .map(underRange)
      .filter(([a, b]) => utf8Order(a, from) >= 0 && utf8Order(b, to) <= 0)
      .sort(([a], [b]) => utf8Order(a, b));
    const prune = this.#db.prepare('DELETE FROM scans WHERE path >= ? AND path < ? AND seen_run < ?');
    return this.transaction(() => {
      let pruned = 0;
      let at = from;
      for (const [a, b] of holes) {
        if (utf8Order(a, at) > 0) pruned += prune.run(at, a, run).changes;
        if (utf8Order(b, at) > 0) at = b;
      }
      return pruned + prune.run(at, to, run).changes;
    });
  }

  /**
   * The embeddings of a model, with the scan ids they belong to, in id order: all, or at least those of
   * `scanIds` (a folder's results need not read a whole index; when they are half the model's rows or more,
   * the whole table is read, which is faster than looking each one up). With `pooled`, also each scan's
   * pooled patch embedding (null where none was kept).
   */
  embeddings(
    model: ModelSlot,
    options: { pooled?: boolean; scanIds?: readonly number[] } = {},
  ): { scanIds: Int32Array; data: Float32Array; version: number; pooled?: (Float32Array | null)[] } {
    const some =
      options.scanIds &&
      options.scanIds.length * 2 <
        (this.#db.prepare('SELECT count(*) AS n FROM embeddings WHERE model_id = ?').get(model.id) as { n: number }).n;
    const sql = `SELECT e.scan_id AS scan_id, e.vector AS vector${options.pooled ? ', p.vector AS pooled' : ''}
      FROM embeddings e${options.pooled ? ' LEFT JOIN pooled p ON p.model_id = e.model_id AND p.scan_id = e.scan_id' : ''}
      WHERE e.model_id = ?${some ? ' AND e.scan_id IN (SELECT value FROM json_each(?))' : ''} ORDER BY e.scan_id`;
    const rows = (
      some ? this.#db.prepare(sql).all(model.id, JSON.stringify(options.scanIds)) : this.#db.prepare(sql).all(model.id)
    ) as {
      scan_id: number;
      vector: Buffer;
      pooled?: Buffer | null;
    }[];
    const data = new Float32Array(rows.length * model.dim);
    const scanIds = new Int32Array(rows.length);
    rows.forEach((r, i) => {
      scanIds[i] = r.scan_id;
      data.set(floats(r.vector), i * model.dim);
    });
    const version = (this.#db.prepare('SELECT version FROM models WHERE id = ?').get(model.id) as { version: number })
      .version;
    return {
      scanIds,
      data,
      version,
      ...(options.pooled ? { pooled: rows.map((r) => (r.pooled ? floats(r.pooled) : null)) } : {}),
    };
  }

  /**
   * Drops every patch grid kept (keepPatches) but those of `keep`'s scans for `model`: the grids serve the
   * collection open now, and at 132 KB a scan must not pile up with every folder ever opened. Returns how many.
   */
  dropPatchesExcept(model: ModelSlot, keep: readonly number[]): number {
    return this.#db
      .prepare(
        `UPDATE embeddings SET patches = NULL WHERE patches IS NOT NULL
           AND NOT (model_id = ? AND scan_id IN (SELECT value FROM json_each(?)))`,
      )
      .run(model.id, JSON.stringify(keep)).changes;
  }

  /** A scan's kept patch grid, as stored (quantised: regionMargins reads it as it is); null where none is kept. */
  patches(scanId: number, model: ModelSlot): QuantisedGrid | null {
    const row = this.#db
      .prepare('SELECT patches FROM embeddings WHERE scan_id = ? AND model_id = ?')
      .get(scanId, model.id) as { patches: Buffer | null } | undefined;
    return row?.patches ? gridFromBytes(row.patches, model.dim) : null;
  }

  scans(ids: readonly number[]): StoredScan[] {
    const get = this.#db.prepare('SELECT * FROM scans WHERE id = ?');
    return ids
      .map((id) => get.get(id) as ScanRow | undefined)
      .filter((r): r is ScanRow => !!r)
      .map(fromRow);
  }

  /** Scans under a folder, in path order (for results and exports). */
  *scansUnder(root: string): Generator<StoredScan> {
    const it = this.#db
      .prepare('SELECT * FROM scans WHERE path >= ? AND path < ? ORDER BY path')
      .iterate(...underRange(root)) as IterableIterator<ScanRow>;
    for (const row of it) yield fromRow(row);
  }

  /** Scans a run met (new, changed or unchanged), in path order: the results of a run over a remote source. */
  *scansSeenIn(run: number): Generator<StoredScan> {
    const it = this.#db
      .prepare('SELECT * FROM scans WHERE seen_run = ? ORDER BY path')
      .iterate(run) as IterableIterator<ScanRow>;
    for (const row of it) yield fromRow(row);
  }

  /** The scans of a set (e.g. a PACS job's instances), in path order. */
  *scansInSet(set: string): Generator<StoredScan> {
    const it = this.#db
      .prepare('SELECT s.* FROM members m JOIN scans s ON s.id = m.scan_id WHERE m.set_key = ? ORDER BY s.path')
      .iterate(set) as IterableIterator<ScanRow>;
    for (const row of it) yield fromRow(row);
  }

  counts(): { scans: number; failed: number; embeddings: number } {
    return this.#db
      .prepare(
        `SELECT (SELECT count(*) FROM scans) AS scans, (SELECT count(*) FROM scans WHERE status = 'failed') AS failed,
         (SELECT count(*) FROM embeddings) AS embeddings`,
      )
      .get() as { scans: number; failed: number; embeddings: number };
  }

  /** Screening jobs: their parameters and state survive restarts (a job is resumed by running it again). */
  putJob(job: StoredJob): void {
    this.transaction(() =>
      this.#db
        .prepare(
          `INSERT INTO jobs (id, kind, params, state, created_at, updated_at, message) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET params = excluded.params, state = excluded.state, updated_at = excluded.updated_at, message = excluded.message`,
        )
        .run(job.id, job.kind, JSON.stringify(job.params), job.state, job.createdAt, Date.now(), job.message),
    );
  }

  jobs(): StoredJob[] {
    const rows = this.#db.prepare('SELECT * FROM jobs ORDER BY created_at DESC').all() as {
      id: string;
      kind: string;
      params: string;
      state: string;
      created_at: number;
      updated_at: number;
      message: string | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      params: JSON.parse(r.params) as Record<string, unknown>,
      state: r.state,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      message: r.message,
    }));
  }

  getMeta(key: string): string | null {
    return (
      (this.#db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value ??
      null
    );
  }

  /**
   * The symbolic links walks met below `root` and did not follow (putLinks): what the index holds under one is the
   * linked folder's (screened by that name), no row of a folder above it.
   */
  linksUnder(root: string): string[] {
    const [from, to] = underRange(root);
    return this.#links().filter((link) => link >= from && link < to);
  }

  /**
   * Records the links a complete walk of `root` met (replacing those it recorded under `root` before). A change
   * bumps dataVersion: it changes which scans a folder's results hold.
   */
  putLinks(root: string, links: readonly string[]): void {
    const [from, to] = underRange(root);
    const before = this.#links();
    const kept = before.filter((link) => !(link >= from && link < to));
    const all = [...new Set([...kept, ...links])].sort();
    if (JSON.stringify(all) === JSON.stringify(before)) return;
    this.#changes++;
    this.setMeta(LINKS_KEY, JSON.stringify(all));
  }

  #links(): string[] {
    const stored = this.getMeta(LINKS_KEY);
    return stored ? (JSON.parse(stored) as string[]) : [];
  }

  setMeta(key: string, value: string): void {
    this.transaction(() => this.#db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value));
  }
}

/** Compares two paths as the index orders them (SQLite's binary order: their UTF-8 bytes). */
function utf8Order(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The meta key of the links walks met and did not follow (putLinks), a sorted JSON array of paths. */
const LINKS_KEY = 'walk-links';

function bytes(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * The paths under a folder as a range of the index's (binary) path order: from "root/" up to, not including,
 * "root" and the separator's successor ("root0"). Exactly the paths that start with "root/" (their next character
 * is the separator; any other path sharing "root" sorts outside), answered by the path's unique index instead of a
 * scan of every row, and counted in characters alike however the folder's name is written.
 */
function underRange(root: string): [string, string] {
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return [prefix, prefix.slice(0, -1) + String.fromCharCode(path.sep.charCodeAt(0) + 1)];
}

/** A BLOB's floats, copied (better-sqlite3's buffers need not be 4-byte aligned). */
function floats(b: Buffer): Float32Array {
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** SQLite's and the system's codes for a write the disk or the folder refused (read-only, full, not allowed). */
const WRITE_REFUSED = /^(SQLITE_(READONLY|IOERR|CANTOPEN|FULL)|EROFS|EACCES|EPERM|ENOSPC|EDQUOT)/;
const DISK_FULL = /^(SQLITE_FULL|ENOSPC|EDQUOT)/;

/** A failure to open the index in `dir` as an IndexError where it is one RadSift knows; anything else as it was. */
function openFailure(dir: string, error: unknown): unknown {
  if (error instanceof IndexError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return error;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new IndexError(
      'IN_USE',
      `the index in ${dir} is in use by another RadSift window or command; close it, or use another --index folder`,
      { cause: error, path: dir },
    );
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new IndexError('CORRUPT', `${path.join(dir, INDEX_FILE)} is not a RadSift index or is damaged`, {
      cause: error,
      path: dir,
    });
  }
  if (!WRITE_REFUSED.test(code)) return error;
  // SQLite's code says little (a read-only folder is SQLITE_IOERR_LOCK or SQLITE_CANTOPEN): the system says why.
  const why = DISK_FULL.test(code) ? null : writeRefusal(dir);
  return new IndexError('WRITE_FAILED', `cannot open the index in ${dir}: ${refusal(code, why)} ${NOTHING_DAMAGED}`, {
    cause: error,
    path: dir,
  });
}

/** The index's folder could not be made. */
function folderFailure(dir: string, error: unknown): IndexError {
  const raw = (error as { code?: unknown } | null)?.code;
  const code = typeof raw === 'string' ? raw : 'unknown error';
  const why =
    code === 'EEXIST'
      ? { code, text: 'a file is in its place' }
      : code === 'ENOTDIR'
        ? { code, text: 'a file is in the place of a folder above it' }
        : // The system's code says little at times (ENOENT where a folder cannot be made, as under /proc): the
          // folder above says why.
          DISK_FULL.test(code)
          ? null
          : readOnly(dir, 'the folder');
  return new IndexError(
    'WRITE_FAILED',
    `cannot make the index folder ${dir}: ${refusal(code, why)} ${NOTHING_DAMAGED}`,
    {
      cause: error,
      path: dir,
    },
  );
}

function refusal(code: string, why: { code: string; text: string } | null): string {
  if (why) return `${why.text} (${why.code}).`;
  return DISK_FULL.test(code) ? `the disk is full (${code}).` : `is the disk full or read-only? (${code})`;
}

/**
 * Why `target` may not be written (a read-only disk, or no permission), or where it is not there yet and `above`,
 * why the nearest folder above it may not; null when the system allows writing it (the failure was something else).
 */
function readOnly(target: string, what: string, above = true): { code: string; text: string } | null {
  for (let p = target; ; p = path.dirname(p)) {
    try {
      accessSync(p, constants.W_OK);
      return null;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const who = p === target ? what : 'the folder above it';
      if (code === 'EROFS') return { code, text: `${who} is on a read-only disk` };
      if (code === 'EACCES' || code === 'EPERM') return { code, text: `${who} is read-only to RadSift` };
      if (code !== 'ENOENT' || !above || path.dirname(p) === p) return null;
    }
  }
}

/** The schema version an index was written with (0: a new, empty file). */
function schemaVersion(db: Database.Database): number {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  return hasMeta
    ? Number(
        (db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | undefined)?.value ?? 0,
      )
    : 0;
}

function tooNew(dir: string, version: number): IndexError {
  return new IndexError(
    'TOO_NEW',
    `the index in ${dir} was written by a newer RadSift (schema ${version}); update RadSift to open it`,
    { path: dir },
  );
}

/** What to do with an index RadSift can read only where it may write. */
const WRITE_IT_ONCE =
  'Copy its folder somewhere RadSift may write, or run radsift screen --index on it once where its folder may be written; nothing already stored was damaged.';

/** Why the index in `dir` may not be written: its folder (or the nearest one above it, not made yet) or its file. */
function writeRefusal(dir: string): { code: string; text: string } | null {
  return readOnly(dir, 'the folder') ?? readOnly(path.join(dir, INDEX_FILE), 'the index file', false);
}

/** writeRefusal as a clause ("the folder is read-only to RadSift (EACCES)"). */
function readOnlyReason(dir: string): string {
  const why = writeRefusal(dir);
  return why ? `${why.text} (${why.code})` : 'the index may not be written here';
}

function migrate(db: Database.Database, dir: string): void {
  let version = schemaVersion(db);
  if (version > SCHEMA_VERSION) throw tooNew(dir, version);
  while (version < SCHEMA_VERSION) {
    version++;
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)").run(String(version));
    })();
  }
}
