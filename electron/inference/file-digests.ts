/**
 * sha256 of model files, read as a stream (by the encoder worker: the main thread never reads a model's
 * weights) and remembered by the file's identity, so that a multi-GB ONNX file is read at its first load, not at
 * every one. The identity is the size, modification and change times, inode, and a sample of the contents (the
 * sha256 of a few 64 KiB blocks at fixed places: file-sample.ts). Remembered across runs in a small JSON file
 * when given one (the data folder's `model-digests.json`); a lost or damaged file only costs reading the models
 * again.
 *
 * What is guarded: on ext4, xfs, btrfs, APFS or NTFS any write moves the change time, which no program sets
 * back, so a rewrite is always seen. On exFAT/FAT and some SMB mounts the change time follows the modification
 * time (which `cp -p` or `touch -r` set back) and a same-size file rewritten in place keeps its inode: there the
 * sample is what tells another export from the one remembered, and a rewrite that leaves all the sampled blocks,
 * the size and the times as they were is not seen (never the case for other weights, whose every block differs;
 * possible for a hand edit of a few bytes). And times move in coarse steps (1 s to 2 s on some filesystems), so
 * a file written in the same step as it was read could keep the identity it was read with: as git does for its
 * index ("racily clean"), a digest is not remembered, in memory or on disk, while the file's times are within
 * 2 s of when its reading began (or later), and such a file is read again whenever it is asked for.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { replaceFile } from '../util/durable-file.js';
import { fileSample } from './file-sample.js';

/** Files remembered, the most recently used kept: a few models' towers and tokenizers. */
const KEPT = 64;
/** The coarsest step file times move in (FAT's modification time: 2 s), in nanoseconds. */
const RACY_NS = 2_000_000_000n;
/** Format of the cache file: version 1's identities had no sample, so none of them is believed now. */
const VERSION = 2;

interface Entry {
  identity: string;
  sha256: string;
}

export interface FileDigestsOptions {
  /** The clock reading begins at, in ms since the epoch (tests move it). */
  now?: () => number;
  /** How a file's sha256 is read (tests count reads). */
  read?: (file: string) => Promise<string>;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface Identity {
  /** What changes whenever the file's contents may have (bigint: nanoseconds and 64-bit inodes exactly). */
  key: string;
  /** The later of its modification and change times, ns. */
  latestNs: bigint;
}

async function identity(file: string): Promise<Identity> {
  const s = await stat(file, { bigint: true });
  const sample = await fileSample(file, Number(s.size));
  return {
    key: `${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}:${sample}`,
    latestNs: s.mtimeNs > s.ctimeNs ? s.mtimeNs : s.ctimeNs,
  };
}

export class FileDigests {
  readonly #entries = new Map<string, Entry>();
  /** Digests given for files read too soon after a write to be remembered: only for unchanged() to check. */
  readonly #unsettled = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #readFile: (file: string) => Promise<string>;
  #read: Promise<void> | null = null;
  #dirty = false;

  constructor(
    private readonly cacheFile: string | null = null,
    options: FileDigestsOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#readFile = options.read ?? sha256File;
  }

  /** The file's sha256: remembered while the file keeps its identity, else read. */
  async sha256(file: string): Promise<string> {
    await (this.#read ??= this.#readCache());
    const began = BigInt(this.#now()) * 1_000_000n;
    const before = await identity(file);
    const kept = this.#entries.get(file);
    if (kept?.identity === before.key) {
      this.#remember(file, kept);
      return kept.sha256;
    }
    const sha256 = await this.#readFile(file);
    const entry = { identity: before.key, sha256 };
    // Written while it was read (a copy still running): the digest is of neither version, so not remembered.
    if ((await identity(file)).key !== before.key) return sha256;
    if (before.latestNs >= began - RACY_NS) {
      // Written within a step of its times: a write after the read could still leave it this identity.
      this.#entries.delete(file);
      this.#unsettled.set(file, entry);
    } else {
      this.#unsettled.delete(file);
      this.#remember(file, entry);
      this.#dirty = true;
    }
    return sha256;
  }

  /** Whether every file is still the one its last digest was of (nothing wrote or replaced it since). */
  async unchanged(files: readonly string[]): Promise<boolean> {
    for (const file of files) {
      const now = (await identity(file).catch(() => null))?.key;
      if (now === undefined) return false;
      if (this.#entries.get(file)?.identity === now) continue;
      // Read too soon after a write for its identity to vouch for it: only its contents can.
      const unsettled = this.#unsettled.get(file);
      if (unsettled?.identity !== now || (await this.#readFile(file).catch(() => null)) !== unsettled.sha256)
        return false;
    }
    return true;
  }

  /** Keeps what was learnt for the next run; a data folder that cannot be written only costs that. */
  async save(): Promise<void> {
    if (!this.cacheFile || !this.#dirty) return;
    this.#dirty = false;
    const files = Object.fromEntries(this.#entries);
    await replaceFile(this.cacheFile, `${JSON.stringify({ version: VERSION, files })}\n`).catch(() => undefined);
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
    if (cache?.version !== VERSION || typeof cache.files !== 'object' || cache.files === null) return;
    for (const [file, e] of Object.entries(cache.files as Record<string, Partial<Entry>>))
      if (typeof e?.identity === 'string' && typeof e.sha256 === 'string' && /^[0-9a-f]{64}$/.test(e.sha256))
        this.#entries.set(file, { identity: e.identity, sha256: e.sha256 });
  }
}
