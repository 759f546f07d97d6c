/**
 * Example scans a researcher picked for a rare finding ("use as example"), kept per study or folder (the
 * catalog's source) across restarts: the few-shot half of screening. One JSON file in the data folder.
 *
 * Each change reads the file again and applies itself to what is there, holding a lock file beside it
 * (util/file-lock.ts) from the read to the write, so that two processes sharing the data folder (the app,
 * `npm run dev:browser`, the CLI) add to each other's sets instead of writing their own copy over them, even in
 * the same moment. A lock held too long by a live process fails the change with a clear error, never a hang. A
 * file that cannot be parsed is set aside, never written over, and the views say so; a file that cannot be read
 * (permissions) fails the call and is left alone.
 */
import { readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from './errors.js';
import { replaceFile } from '../util/durable-file.js';
import { LockBusyError, withFileLock } from '../util/file-lock.js';

const MAX_PER_SET = 200;
const MAX_SETS = 1000;
const MAX_PATH = 4096;

type Sets = Map<string, string[]>;

export class ExampleSets {
  readonly file: string;
  /**
   * The file as last read, by its version (inode, modification time and size: each write renames a new file in,
   * so another process's write is seen even within one tick of a coarse clock): read again only when it changed.
   */
  #read: { version: string; sets: Sets } | null = null;
  /** Changes, one at a time: each reads the file, applies itself and writes it. */
  #changes: Promise<unknown> = Promise.resolve();
  /** Said once a damaged file was set aside this run (the views show it). */
  #warning: string | null = null;

  /** `lockWaitMs`: how long a change waits for another process's (tests shorten it). */
  constructor(
    dataDir: string,
    private readonly options: { lockWaitMs?: number } = {},
  ) {
    this.file = path.join(dataDir, 'example-sets.json');
  }

  /** Why the sets were reset this run (a damaged file, set aside), or null. */
  get warning(): string | null {
    return this.#warning;
  }

  async get(scope: string): Promise<string[]> {
    return [...((await this.#load()).get(scope) ?? [])];
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
    const run = this.#changes
      .catch(() => undefined)
      .then(() =>
        withFileLock(`${this.file}.lock`, (stillHeld) => this.#apply(scope, edit, stillHeld), {
          ...(this.options.lockWaitMs !== undefined ? { waitMs: this.options.lockWaitMs } : {}),
        }).catch((error: unknown) => {
          if (error instanceof ApiError) throw error;
          if (error instanceof LockBusyError) throw busy();
          throw writeFailed(error);
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
    // Read whatever the version says: a file written by another process can have the inode, time and size
    // of the one read before (inodes are reused, clocks are coarse), and a change must not start from that.
    const sets = new Map(await this.#load(true));
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
    this.#read = null; // the next read takes the file as written
    return [...next];
  }

  /** The sets as the file holds them now (`fresh`: read even if its version is the one read last). */
  async #load(fresh = false): Promise<Sets> {
    let text: string;
    let version: string;
    try {
      const s = await stat(this.file);
      version = `${s.ino}:${s.mtimeMs}:${s.size}`;
      if (!fresh && this.#read?.version === version) return this.#read.sets;
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return new Map(); // none yet
      throw new ApiError('INTERNAL', `The example sets could not be read (${code ?? 'unknown error'})`);
    }
    const sets = parseSets(text);
    if (sets) {
      this.#read = { version, sets };
      return sets;
    }
    // Damaged (a disk that filled, an edit by hand): kept aside for the user, never written over. Where it cannot
    // be moved aside, nothing is written over it either: the call fails.
    const aside = `${this.file}.corrupt-${Date.now()}`;
    await rename(this.file, aside).catch((error: NodeJS.ErrnoException) => {
      throw new ApiError(
        'INTERNAL',
        `The example sets are damaged and could not be set aside (${error.code ?? 'unknown error'})`,
      );
    });
    this.#warning = `The example sets could not be read and start empty (the old file is kept as ${path.basename(aside)})`;
    return new Map();
  }
}

const busy = () =>
  new ApiError('BUSY', 'Another RadSift process is changing the example sets: nothing was changed, try again');

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
