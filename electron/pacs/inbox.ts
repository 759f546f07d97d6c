/**
 * Instances handed from the association that receives them (C-GET, C-MOVE) to the caller that consumes them, one
 * at a time, in the order they arrived. Each is held here as soon as it arrives, so its C-STORE can be answered at
 * once: the archive never waits on the caller, whose pace would otherwise run the archive's time-outs (Orthanc's
 * DicomScuTimeout, dcmjs-dimse's 60 s). Memory stays bounded: instances wait in memory up to `memoryBytes` in all
 * (and the next one in line, whatever its size), past that in a scratch file each, read back when taken and
 * removed then, or when the inbox closes.
 */
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PacsError } from './errors.js';
import { makeFolders } from '../util/make-folders.js';

/** In memory, or in a scratch file (`file` settles once it is there whole). */
type Held<T> = { item: T } | { item: T; file: Promise<string> };

export class Inbox<T extends { bytes: Buffer }> {
  readonly #ready: Held<T>[] = [];
  /** Bytes of the instances waiting in memory. */
  #memory = 0;
  #files = 0;
  #dir: Promise<string> | null = null;
  #wake: (() => void) | null = null;
  #end: { error: unknown } | null = null;

  constructor(
    /** Where scratch files go (a folder of their own is made there when the first one is needed). */
    private readonly scratchDir: string,
    private readonly memoryBytes: number,
  ) {}

  /**
   * An arrived item: resolves once it is held (the sender may be told "stored"); rejects when it cannot be (the
   * scratch file cannot be written: the inbox ends with the reason) or the inbox has ended.
   */
  async put(item: T): Promise<void> {
    if (this.#end) throw new PacsError('CANCELLED', 'the retrieval ended');
    const size = item.bytes.length;
    if (this.#ready.length === 0 || this.#memory + size <= this.memoryBytes) {
      this.#memory += size;
      this.#ready.push({ item });
      return this.#signal();
    }
    // Queued now, in arrival order; only the bytes wait for the disk.
    const file = this.#spool(item.bytes);
    this.#ready.push({ item: { ...item, bytes: Buffer.alloc(0) }, file });
    this.#signal();
    try {
      await file;
    } catch (error) {
      const e = new PacsError(
        'CONFIG',
        `a retrieved instance could not be written to the scratch folder ${this.scratchDir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); free space there`,
      );
      this.end(e);
      throw e;
    }
  }

  /** No more items: after those held, the caller's iteration ends, or throws `error`. */
  end(error?: unknown): void {
    this.#end ??= { error };
    this.#signal();
  }

  get ended(): boolean {
    return this.#end !== null;
  }

  /** The items in arrival order; a held file is read back (and removed) when its turn comes. */
  async *take(): AsyncGenerator<T> {
    for (;;) {
      const next = this.#ready[0];
      if (next) {
        this.#ready.shift();
        if (!('file' in next)) {
          this.#memory -= next.item.bytes.length;
          yield next.item;
          continue;
        }
        // A write that failed ends the retrieval here (put ends the inbox with the reason): no gap in the order.
        const file = await next.file.catch(() => null);
        if (file === null) throw this.#end?.error ?? new PacsError('CONFIG', 'a retrieved instance was not held');
        const bytes = await readFile(file);
        await unlink(file).catch(() => undefined);
        yield { ...next.item, bytes };
        continue;
      }
      if (this.#end) {
        if (this.#end.error !== undefined) throw this.#end.error;
        return;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /** Removes every scratch file left (the caller stopped, or the retrieval failed). */
  async close(): Promise<void> {
    this.end();
    this.#ready.length = 0;
    this.#memory = 0;
    const dir = this.#dir;
    this.#dir = null;
    const made = await dir?.catch(() => null);
    if (made) await rm(made, { recursive: true, force: true }).catch(() => undefined);
  }

  async #spool(bytes: Buffer): Promise<string> {
    // The folder may not exist yet (a PACS cache not written to); owner-only, as what waits in it is patient data.
    this.#dir ??= makeFolders(this.scratchDir, 0o700).then(() =>
      mkdtemp(path.join(this.scratchDir, 'radsift-retrieve-')),
    );
    const file = path.join(await this.#dir, `${++this.#files}.dcm`);
    await writeFile(file, bytes, { flag: 'wx', mode: 0o600 });
    return file;
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
