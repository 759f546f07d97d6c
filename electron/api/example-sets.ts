/**
 * Example scans a researcher picked for a rare finding ("use as example"), kept per study or folder (the
 * catalog's source) across restarts: the few-shot half of screening. One JSON file in the data folder.
 *
 * Each change reads the file again and applies itself to what is there, holding a lock file beside it
 * (util/file-lock.ts) from the read to the write, so that two processes sharing the data folder (the app,
 * `npm run dev:browser`, the CLI) add to each other's sets instead of writing their own copy over them, even in
 * the same moment. A lock held too long by a live process fails the change with a clear error, never a hang. A
 * file that cannot be parsed is set aside (holding the lock), never written over, and the views say so; a file
 * that cannot be read (permissions) fails the call and is left alone.
 */
import { open, rename, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from './errors.js';
import { replaceFile } from '../util/durable-file.js';
import { LockBusyError, LockStuckError, withFileLock, type LockOptions } from '../util/file-lock.js';

const MAX_PER_SET = 200;
const MAX_SETS = 1000;
const MAX_PATH = 4096;

type Sets = Map<string, string[]>;

export class ExampleSets {
  readonly file: string;
  /** The file as last read, by its version (versionOf): read again only when it changed. */
  #cached: { version: string; sets: Sets } | null = null;
  /** Changes (and set-asides), one at a time: each takes the lock, reads the file and writes it. */
  #changes: Promise<unknown> = Promise.resolve();
  /** Said once a damaged file was set aside this run (the views show it). */
  #warning: string | null = null;

  /** `lock`: the lock's waits (tests shorten them) and file functions (tests fail them). */
  constructor(
    dataDir: string,
    private readonly options: { lock?: LockOptions } = {},
  ) {
    this.file = path.join(dataDir, 'example-sets.json');
  }

  /** Why the sets were reset this run (a damaged file, set aside), or null. */
  get warning(): string | null {
    return this.#warning;
  }

  async get(scope: string): Promise<string[]> {
    return [...((await this.#current()).get(scope) ?? [])];
  }

  async add(scope: string, file: string): Promise<string[]> {
    return this.#change(scope, (list, sets) => {
      if (list.includes(file)) return null;
      if (list.length >= MAX_PER_SET)
        throw new ApiError('BAD_REQUEST', `An example set holds at most ${MAX_PER_SET} scans`);
      if (!sets.has(scope) && sets.size >= MAX_SETS)
        throw new ApiError('BAD_REQUEST', `At most ${MAX_SETS} example sets are kept`);
      return [...list, file];
    });
  }

  async remove(scope: string, file: string): Promise<string[]> {
    return this.#change(scope, (list) => (list.includes(file) ? list.filter((p) => p !== file) : null));
  }

  /**
   * Applies `edit` to the scope's set as the file holds it now (null: nothing to change) and writes the file,
   * holding the lock from the read to the write. A write that fails (disk full) changes nothing, here or on disk,
   * and says so.
   */
  #change(scope: string, edit: (list: readonly string[], sets: Sets) => string[] | null): Promise<string[]> {
    return this.#locked((stillHeld) => this.#apply(scope, edit, stillHeld), { busy, failed: writeFailed });
  }

  /** Runs `work` holding the lock, after this store's earlier changes; `busy`, `failed`: what the user is told. */
  #locked<T>(
    work: (stillHeld: () => Promise<boolean>) => Promise<T>,
    say: { busy: () => ApiError; failed: (error: unknown) => ApiError },
  ): Promise<T> {
    const run = this.#changes
      .catch(() => undefined)
      .then(() =>
        withFileLock(`${this.file}.lock`, work, this.options.lock).catch((error: unknown) => {
          if (error instanceof ApiError) throw error;
          if (error instanceof LockBusyError) throw say.busy();
          if (error instanceof LockStuckError) throw stuck();
          throw say.failed(error);
        }),
      );
    this.#changes = run;
    return run;
  }

  async #apply(
    scope: string,
    edit: (list: readonly string[], sets: Sets) => string[] | null,
    stillHeld: () => Promise<boolean>,
  ): Promise<string[]> {
    const sets = new Map(await this.#loadLocked(stillHeld));
    const next = edit(sets.get(scope) ?? [], sets);
    if (!next) return [...(sets.get(scope) ?? [])];
    if (next.length) sets.set(scope, next);
    else sets.delete(scope);
    // Held so long that another process took the lock as stale: it may be changing the file now.
    if (!(await stillHeld())) throw busy();
    try {
      await replaceFile(this.file, JSON.stringify(Object.fromEntries(sets), null, 1));
    } catch (error) {
      throw writeFailed(error);
    }
    this.#cached = null; // the next read takes the file as written
    return [...next];
  }

  /** The sets for a read. A damaged file is only set aside under the lock: a change may be replacing it now. */
  async #current(): Promise<Sets> {
    const found = await this.#read(false);
    if (found.sets) return found.sets;
    return this.#locked((stillHeld) => this.#loadLocked(stillHeld), {
      busy: damagedBusy,
      failed: setAsideFailed,
    });
  }

  /** The sets as the file holds them now, read holding the lock; a damaged file is set aside. */
  async #loadLocked(stillHeld: () => Promise<boolean>): Promise<Sets> {
    // Read whatever the version says: a file written by another process can have the inode, time and size
    // of the one read before (inodes are reused, clocks are coarse), and a change must not start from that.
    const found = await this.#read(true);
    if (found.sets) return found.sets;
    // Damaged (a disk that filled, an edit by hand): kept aside for the user, never written over. Only the file
    // found damaged: one that changed since was written by a process that took this lock as stale.
    const now = await stat(this.file).catch(() => null);
    if (!now || versionOf(now) !== found.version || !(await stillHeld())) throw busy();
    const aside = `${this.file}.corrupt-${Date.now()}`;
    try {
      await rename(this.file, aside);
    } catch (error) {
      throw setAsideFailed(error);
    }
    this.#warning = `The example sets could not be read and start empty (the old file is kept as ${path.basename(aside)})`;
    return new Map();
  }

  /**
   * The file's sets as it is now (null: damaged) and its version; read through one handle, so that the version
   * is that of the text read. `fresh`: read even if the version is the one read last.
   */
  async #read(fresh: boolean): Promise<{ version: string; sets: Sets | null }> {
    let handle: FileHandle | undefined;
    try {
      handle = await open(this.file, 'r');
      const version = versionOf(await handle.stat());
      if (!fresh && this.#cached?.version === version) return this.#cached;
      const sets = parseSets(await handle.readFile('utf8'));
      if (sets) this.#cached = { version, sets };
      return { version, sets };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { version: '', sets: new Map() }; // none yet
      throw new ApiError('INTERNAL', `The example sets could not be read (${code ?? 'unknown error'})`);
    } finally {
      await handle?.close();
    }
  }
}

/** A file's version: each write renames a new file in, so another process's write shows even within a tick. */
const versionOf = (s: { ino: number; mtimeMs: number; size: number }) => `${s.ino}:${s.mtimeMs}:${s.size}`;

const busy = () =>
  new ApiError('BUSY', 'Another RadSift process is changing the example sets: nothing was changed, try again');
/** A lock whose holder seems gone, on a drive where it cannot be removed safely (file-lock.ts): a person decides. */
const stuck = () =>
  new ApiError(
    'BUSY',
    'The example sets are locked by a RadSift process that seems to be gone, and this drive cannot remove the ' +
      'lock safely: if no other RadSift process is running, delete example-sets.json.lock in the data folder, ' +
      'then try again',
  );
const damagedBusy = () =>
  new ApiError(
    'BUSY',
    'The example sets file is damaged and another RadSift process is changing it: it was left as it is, try again',
  );

/** A damaged file that could not be moved aside: nothing is written over it either. */
function setAsideFailed(error: unknown): ApiError {
  const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
  return new ApiError('INTERNAL', `The example sets are damaged and could not be set aside (${code})`);
}

/** A change that could not be written (disk full, read-only, no permission): nothing changed. */
function writeFailed(error: unknown): ApiError {
  const code = (error as NodeJS.ErrnoException).code ?? 'an unknown error';
  return new ApiError('WRITE_FAILED', `The example set could not be saved (${code}): nothing was changed`);
}

/** The file's sets (scope → paths), or null when it is not such a file. Odd entries are left out. */
function parseSets(text: string): Sets | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const sets: Sets = new Map();
  for (const [scope, paths] of Object.entries(parsed)) {
    if (!scope || scope.length > MAX_PATH || !Array.isArray(paths)) continue;
    const list = [
      ...new Set(paths.filter((p): p is string => typeof p === 'string' && path.isAbsolute(p) && p.length <= MAX_PATH)),
    ];
    if (list.length) sets.set(scope, list.slice(0, MAX_PER_SET));
    if (sets.size >= MAX_SETS) break;
  }
  return sets;
}
