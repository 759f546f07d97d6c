/**
 * User settings (models added, active model, provider override, recent folders)
 * in one JSON file under the app's data folder. Writes go to a temp file and
 * are renamed into place, so a crash never leaves half a file; a corrupt file
 * is set aside and defaults are used, with a warning. A write that fails (disk
 * full, the file replaced by a folder) rejects that update only: the change
 * stays in effect in memory, and the next write saves the whole settings again.
 */
import { readFile, rename } from 'node:fs/promises';
import { replaceFile } from '../util/durable-file.js';
import path from 'node:path';
import { z } from 'zod';

export const Settings = z.object({
  userModelDirs: z.array(z.string()).default([]),
  activeModel: z.string().nullable().default(null),
  /** e.g. "cpu" or "webgpu,cpu"; null = the platform's default order. */
  executionProviders: z.string().nullable().default(null),
  recent: z.array(z.string()).max(20).default([]),
  /** PACS connections (checked by api/pacs-service: this layer knows nothing of PACS) and the retrieve cache. */
  pacs: z
    .object({
      connections: z.array(z.record(z.string(), z.unknown())).max(100).default([]),
      /** null: <data dir>/pacs-cache. */
      cacheDir: z.string().nullable().default(null),
      cacheGB: z.number().positive().max(100_000).default(10),
    })
    .default({ connections: [], cacheDir: null, cacheGB: 10 }),
});
export type Settings = z.infer<typeof Settings>;

export class SettingsStore {
  readonly file: string;
  #value: Settings = Settings.parse({});
  #writes: Promise<void> = Promise.resolve();

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'settings.json');
  }

  /** True when no settings file existed at load: RadSift's first start for this user. */
  firstRun = false;

  async load(): Promise<{ settings: Settings; warning: string | null }> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      this.firstRun = true;
      return { settings: this.#value, warning: null };
    }
    const parsed = Settings.safeParse(safeJson(text));
    if (parsed.success) {
      this.#value = parsed.data;
      return { settings: this.#value, warning: null };
    }
    const aside = `${this.file}.corrupt-${Date.now()}`;
    await rename(this.file, aside).catch(() => undefined);
    return {
      settings: this.#value,
      warning: `settings were unreadable and have been reset (old file kept as ${path.basename(aside)})`,
    };
  }

  get(): Settings {
    return this.#value;
  }

  /** Applies a change and persists it; writes are serialised. Rejects when this write fails. */
  update(change: (s: Settings) => Settings): Promise<Settings> {
    this.#value = Settings.parse(change(structuredClone(this.#value)));
    const snapshot = JSON.stringify(this.#value, null, 2);
    const write = this.#writes.then(() => this.#persist(snapshot));
    // The queue goes on after a failure: one failed write must not fail every later one.
    this.#writes = write.catch(() => undefined);
    return write.then(() => this.#value);
  }

  #persist(snapshot: string): Promise<void> {
    return replaceFile(this.file, snapshot);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
