/**
 * Example scans a researcher picked for a rare finding ("use as example"), kept per study or folder (the
 * catalog's source) across restarts: the few-shot half of screening. One JSON file in the data folder,
 * written aside and renamed.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from './errors.js';

const MAX_PER_SET = 200;
const MAX_SETS = 1000;

export class ExampleSets {
  readonly file: string;
  #sets: Record<string, string[]> | null = null;
  #loading: Promise<Record<string, string[]>> | null = null;
  #writes: Promise<void> = Promise.resolve();

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'example-sets.json');
  }

  /** Read once: concurrent first callers share the one read (and the one object). */
  #load(): Promise<Record<string, string[]>> {
    this.#loading ??= this.#read();
    return this.#loading;
  }

  async #read(): Promise<Record<string, string[]>> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as unknown;
      const sets: Record<string, string[]> = {};
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        for (const [scope, paths] of Object.entries(parsed))
          if (Array.isArray(paths)) sets[scope] = paths.filter((p): p is string => typeof p === 'string');
      this.#sets = sets;
    } catch {
      this.#sets = {}; // none yet, or unreadable: start empty rather than fail the view
    }
    return this.#sets;
  }

  async get(scope: string): Promise<string[]> {
    return [...((await this.#load())[scope] ?? [])];
  }

  async add(scope: string, file: string): Promise<string[]> {
    const sets = await this.#load();
    const list = sets[scope] ?? [];
    if (!list.includes(file)) {
      if (list.length >= MAX_PER_SET)
        throw new ApiError('BAD_REQUEST', `An example set holds at most ${MAX_PER_SET} scans`);
      if (!sets[scope] && Object.keys(sets).length >= MAX_SETS)
        throw new ApiError('BAD_REQUEST', `At most ${MAX_SETS} example sets are kept`);
      sets[scope] = [...list, file];
      await this.#persist();
    }
    return this.get(scope);
  }

  async remove(scope: string, file: string): Promise<string[]> {
    const sets = await this.#load();
    const list = (sets[scope] ?? []).filter((p) => p !== file);
    if (list.length) sets[scope] = list;
    else delete sets[scope];
    await this.#persist();
    return this.get(scope);
  }

  #persist(): Promise<void> {
    const snapshot = JSON.stringify(this.#sets, null, 1);
    // A failed write (disk full) must not fail every later one: each write starts afresh.
    this.#writes = this.#writes
      .catch(() => undefined)
      .then(async () => {
        await mkdir(path.dirname(this.file), { recursive: true });
        const tmp = `${this.file}.${process.pid}.tmp`;
        await writeFile(tmp, snapshot);
        await rename(tmp, this.file);
      });
    return this.#writes;
  }
}
