/**
 * Retrieved instances on disk, bounded in size, least recently used evicted first: reopening a study
 * costs nothing, and a screening run over an archive of any size uses at most `maxBytes` (plus the
 * instances in use). A file appears under its final name only when complete (written aside, then
 * renamed), so a crash or a cut connection never leaves a half-written instance to be read.
 * Layout: <dir>/<server key>/<study UID>/<SOP Instance UID>.dcm; recency is the file's mtime.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkUid, isUid } from './dicom-json.js';
import type { InstanceRef } from './query.js';
import { makeFolders } from '../util/make-folders.js';

// Named for RadSift: the cache folder may be one the user chose, holding their own files.
const PARTIAL = '.radsift-partial';
const SERVER_KEY = /^[0-9a-f]{16}$/;

export interface CacheStats {
  files: number;
  bytes: number;
  maxBytes: number;
}

export class InstanceCache {
  #bytes = 0;
  #files = 0;
  readonly #pinned = new Map<string, number>();
  #evicting: Promise<void> | null = null;

  #maxBytes: number;

  private constructor(
    readonly dir: string,
    maxBytes: number,
  ) {
    this.#maxBytes = maxBytes;
  }

  get maxBytes(): number {
    return this.#maxBytes;
  }

  /** A new limit for the live cache (the runs using it keep their pins); evicts down to it at once. */
  async resize(maxBytes: number): Promise<void> {
    this.#maxBytes = maxBytes;
    // An eviction under way aims at the old limit: let it end, then evict again to the new one.
    if (this.#evicting) await this.#evicting;
    if (this.#bytes > maxBytes) await this.#evict();
  }

  /** Opens (creating) a cache folder; counts what is there and drops leftovers of interrupted writes. */
  static async open(dir: string, maxBytes: number): Promise<InstanceCache> {
    const cache = new InstanceCache(path.resolve(dir), maxBytes);
    await rm(path.join(cache.dir, PARTIAL), { recursive: true, force: true });
    // Patient data: folders made here are the user's alone (0700) and so are the files (0600), whatever the umask
    // (a folder the user chose keeps its own mode).
    await makeFolders(path.join(cache.dir, PARTIAL), 0o700);
    for await (const f of cache.#walk()) {
      cache.#bytes += f.size;
      cache.#files++;
    }
    await cache.#evict();
    return cache;
  }

  /** A short, stable folder name for a server (its URL or AE address, never credentials). */
  static serverKey(label: string): string {
    return createHash('sha256').update(label).digest('hex').slice(0, 16);
  }

  pathFor(server: string, ref: InstanceRef): string {
    return path.join(this.dir, InstanceCache.serverKey(server), checkUid(ref.studyUid), `${checkUid(ref.sopUid)}.dcm`);
  }

  /**
   * The cached file, marked as just used; null when not cached. Use is recorded in the access time: the
   * modification time stays that of the write, which renders kept by file version (RenderCache) rely on.
   */
  async get(server: string, ref: InstanceRef): Promise<string | null> {
    const file = this.pathFor(server, ref);
    const s = await stat(file).catch(() => null);
    if (!s?.isFile()) return null;
    return utimes(file, new Date(), s.mtime).then(
      () => file,
      () => null,
    );
  }

  /**
   * The cached file, or `retrieve`'s bytes stored now. Pinned while it is looked up and written, so that
   * another put's eviction cannot take it in between; `keepPinned` leaves it pinned for the caller to unpin
   * once read (a failure always unpins).
   */
  async fetch(
    server: string,
    ref: InstanceRef,
    retrieve: () => Promise<Uint8Array>,
    keepPinned = false,
  ): Promise<string> {
    const file = this.pathFor(server, ref);
    this.pin(file);
    let ok = false;
    try {
      // One lookup and retrieval per file at a time (a study retrieved while the viewer asks for one of its
      // instances): two would both find nothing, both store, and count the file twice.
      const shared = this.#fetching.get(file);
      const once = () => {
        const p = (async () => {
          if (!(await this.get(server, ref))) await this.put(server, ref, await retrieve());
        })().finally(() => this.#fetching.get(file) === p && this.#fetching.delete(file));
        this.#fetching.set(file, p);
        return p;
      };
      if (!shared) await once();
      else
        // Joined another caller's retrieval: if it failed (its job cancelled, say), try with our own.
        // The first joiner retries; any other joins that retry.
        await shared.catch(() => this.#fetching.get(file) ?? once());
      ok = true;
      return file;
    } finally {
      if (!ok || !keepPinned) this.unpin(file);
    }
  }

  readonly #fetching = new Map<string, Promise<void>>();

  /** Stores an instance and returns its path. Evicts the least recently used files over the limit. */
  async put(server: string, ref: InstanceRef, bytes: Uint8Array): Promise<string> {
    const file = this.pathFor(server, ref);
    const old = await stat(file).catch(() => null);
    const partial = path.join(this.dir, PARTIAL, randomBytes(8).toString('hex'));
    await writeFile(partial, bytes, { mode: 0o600 });
    await makeFolders(path.dirname(file), 0o700);
    await rename(partial, file);
    // Whole milliseconds: get() writes the modification time back as a Date, which would drop the fraction and
    // change the file's version (renders are kept by it) at its first use.
    const now = new Date();
    await utimes(file, now, now);
    if (old) this.#bytes -= old.size;
    else this.#files++;
    this.#bytes += bytes.byteLength;
    if (this.#bytes > this.maxBytes) await this.#evict();
    return file;
  }

  /** Keeps a file from eviction while it is in use (e.g. between retrieve and encode); counted. */
  pin(file: string): void {
    this.#pinned.set(file, (this.#pinned.get(file) ?? 0) + 1);
  }

  unpin(file: string): void {
    const n = (this.#pinned.get(file) ?? 0) - 1;
    if (n > 0) this.#pinned.set(file, n);
    else this.#pinned.delete(file);
  }

  stats(): CacheStats {
    return { files: this.#files, bytes: this.#bytes, maxBytes: this.maxBytes };
  }

  /**
   * The cache's own files only (<16 hex>/<UID>/<UID>.dcm): the folder is the user's choice, and anything
   * else in it is never counted, let alone evicted.
   */
  async *#walk(): AsyncGenerator<{ file: string; size: number; mtimeMs: number }> {
    const list = (dir: string) => readdir(dir).catch(() => [] as string[]);
    for (const server of await list(this.dir)) {
      if (!SERVER_KEY.test(server)) continue;
      for (const study of await list(path.join(this.dir, server))) {
        if (!isUid(study)) continue;
        for (const name of await list(path.join(this.dir, server, study))) {
          if (!name.endsWith('.dcm') || !isUid(name.slice(0, -4))) continue;
          const file = path.join(this.dir, server, study, name);
          const s = await stat(file).catch(() => null);
          // Last used: the access time get() sets, else the write.
          if (s?.isFile()) yield { file, size: s.size, mtimeMs: Math.max(s.atimeMs, s.mtimeMs) };
        }
      }
    }
  }

  /** Deletes least recently used, unpinned files until the cache is at 90 % of its limit. */
  #evict(): Promise<void> {
    // One eviction at a time: concurrent puts share it rather than walking the folder twice.
    this.#evicting ??= this.#evictNow().finally(() => {
      this.#evicting = null;
    });
    return this.#evicting;
  }

  async #evictNow(): Promise<void> {
    if (this.#bytes <= this.maxBytes) return;
    const files: { file: string; size: number; mtimeMs: number }[] = [];
    for await (const f of this.#walk()) files.push(f);
    files.sort((a, b) => a.mtimeMs - b.mtimeMs);
    // Recount from the disk: the truth if another process shares the folder.
    this.#bytes = files.reduce((s, f) => s + f.size, 0);
    this.#files = files.length;
    const target = this.maxBytes * 0.9;
    for (const f of files) {
      if (this.#bytes <= target) break;
      if (this.#pinned.has(f.file)) continue;
      if (
        await unlink(f.file).then(
          () => true,
          () => false,
        )
      ) {
        this.#bytes -= f.size;
        this.#files--;
      }
    }
  }
}
