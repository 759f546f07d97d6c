/**
 * sha256 of model files, read as a stream (by the encoder worker: the main thread never reads a model's
 * weights) and remembered by the file's identity — size, modification and change times, inode — so that a
 * multi-GB ONNX file is read at its first load, not at every one. Any write to a file moves its change time,
 * which no program can set back, so a remembered digest is never one of other contents. Remembered across runs
 * in a small JSON file when given one (the data folder's `model-digests.json`); a lost or damaged file only
 * costs reading the models again.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { replaceFile } from '../util/durable-file.js';

/** Files remembered, the most recently used kept: a few models' towers and tokenizers. */
const KEPT = 64;

interface Entry {
  identity: string;
  sha256: string;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** What changes whenever the file's contents may have (bigint: nanoseconds and 64-bit inodes exactly). */
async function identity(file: string): Promise<string> {
  const s = await stat(file, { bigint: true });
  return `${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}`;
}

export class FileDigests {
  readonly #entries = new Map<string, Entry>();
  #read: Promise<void> | null = null;
  #dirty = false;

  constructor(private readonly cacheFile: string | null = null) {}

  /** The file's sha256: remembered while the file keeps its identity, else read. */
  async sha256(file: string): Promise<string> {
    await (this.#read ??= this.#readCache());
    const before = await identity(file);
    const kept = this.#entries.get(file);
    if (kept?.identity === before) {
      this.#remember(file, kept);
      return kept.sha256;
    }
    const sha256 = await sha256File(file);
    // Written while it was read (a copy still running): the digest is of neither version, so not remembered.
    if ((await identity(file)) === before) {
      this.#remember(file, { identity: before, sha256 });
      this.#dirty = true;
    }
    return sha256;
  }

  /** Whether every file is still the one its remembered digest is of (nothing wrote or replaced it since). */
  async unchanged(files: readonly string[]): Promise<boolean> {
    for (const file of files) {
      const kept = this.#entries.get(file);
      if (!kept || kept.identity !== (await identity(file).catch(() => null))) return false;
    }
    return true;
  }

  /** Keeps what was learnt for the next run; a data folder that cannot be written only costs that. */
  async save(): Promise<void> {
    if (!this.cacheFile || !this.#dirty) return;
    this.#dirty = false;
    const files = Object.fromEntries(this.#entries);
    await replaceFile(this.cacheFile, `${JSON.stringify({ version: 1, files })}\n`).catch(() => undefined);
  }

  #remember(file: string, entry: Entry): void {
    this.#entries.delete(file);
    this.#entries.set(file, entry);
    while (this.#entries.size > KEPT) this.#entries.delete(this.#entries.keys().next().value!);
  }

  async #readCache(): Promise<void> {
    if (!this.cacheFile) return;
    const text = await readFile(this.cacheFile, 'utf8').catch(() => null);
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      return; // damaged: rebuilt as models load
    }
    const cache = parsed as { version?: unknown; files?: unknown } | null;
    if (cache?.version !== 1 || typeof cache.files !== 'object' || cache.files === null) return;
    for (const [file, e] of Object.entries(cache.files as Record<string, Partial<Entry>>))
      if (typeof e?.identity === 'string' && typeof e.sha256 === 'string' && /^[0-9a-f]{64}$/.test(e.sha256))
        this.#entries.set(file, { identity: e.identity, sha256: e.sha256 });
  }
}
