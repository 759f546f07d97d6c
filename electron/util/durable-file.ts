/**
 * Files replaced whole, so that a crash, a power cut, a full disk or Ctrl+C leaves the old version or the new one,
 * never a file cut short: written aside, flushed to the disk, then renamed over the old one. replaceFile for a text
 * or bytes in hand (settings, an export), ReplacementFile for one written piece by piece (a long results file).
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { makeFolders } from './make-folders.js';

/** The aside file beside `file`, named per call: two processes (or two stores) writing it never share one. */
function asideName(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/**
 * The process that wrote `name`, when it is an aside file of the file named `base` (asideName's rule: the one
 * place it is read as well as written); null for any other name.
 */
export function asideWriter(base: string, name: string): number | null {
  if (!name.startsWith(`${base}.`)) return null;
  const match = /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name.slice(base.length + 1));
  return match ? Number(match[1]) : null;
}

/**
 * `mode`: the file's exact mode (a secret's 0600 whatever the umask). Without one it is created owner-only too
 * (0600, narrowed by the umask), and so is a folder made for it (0700): settings and example sets name folders,
 * which are often named after patients.
 */
export async function replaceFile(file: string, text: string, mode?: number): Promise<void> {
  await makeFolders(path.dirname(file), 0o700);
  await replaceWhole(file, text, mode);
}

/**
 * replaceFile for a file the user named (a command's output): its folder must be there already, none is made
 * (a missing one fails as writing into it would). Created owner-only (0600, narrowed by the umask), as
 * replaceFile's: outputs name scans, and scans' folders are often named after patients.
 */
export function replaceOutputFile(file: string, data: string | Uint8Array): Promise<void> {
  return replaceWhole(file, data);
}

/** `data` written aside and put in place whole (ReplacementFile); `mode`, replaceFile's. */
async function replaceWhole(file: string, data: string | Uint8Array, mode?: number): Promise<void> {
  const output = await ReplacementFile.open(file, mode);
  try {
    await output.write(data);
    await output.commit();
  } finally {
    await output.discard(); // after commit: nothing
  }
}

/** Bytes gathered before a write to the aside file (a row at a time would be a system call a row). */
const CHUNK = 1 << 16;

/**
 * A file written piece by piece aside (beside it, so the rename stays on one disk) and put in place whole by
 * commit(); discard() (a no-op after commit) removes the aside file, leaving the old file as it was. The aside
 * file is created owner-only (0600, narrowed by the umask), as replaceFile's, in a folder that must exist.
 */
export class ReplacementFile {
  readonly #file: string;
  readonly #tmp: string;
  readonly #handle: FileHandle;
  #pending: (string | Uint8Array)[] = [];
  #size = 0;
  #ended = false;

  private constructor(file: string, tmp: string, handle: FileHandle) {
    this.#file = file;
    this.#tmp = tmp;
    this.#handle = handle;
  }

  /** `mode`: the file's exact mode, whatever the umask (a secret's 0600); without one 0600 narrowed by the umask. */
  static async open(file: string, mode?: number): Promise<ReplacementFile> {
    const tmp = asideName(file);
    const handle = await open(tmp, 'wx', mode ?? 0o600);
    // The umask may have narrowed `mode` at creation: set exactly.
    if (mode !== undefined)
      await handle.chmod(mode).catch(async (error: unknown) => {
        await handle.close();
        await rm(tmp, { force: true });
        throw error;
      });
    return new ReplacementFile(file, tmp, handle);
  }

  async write(data: string | Uint8Array): Promise<void> {
    this.#pending.push(data);
    this.#size += typeof data === 'string' ? data.length : data.byteLength;
    if (this.#size >= CHUNK) await this.#flush();
  }

  async #flush(): Promise<void> {
    const pending = this.#pending;
    if (!pending.length) return;
    this.#pending = [];
    this.#size = 0;
    const data =
      pending.length === 1
        ? pending[0]!
        : pending.every((p) => typeof p === 'string')
          ? pending.join('')
          : Buffer.concat(pending.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    await this.#handle.writeFile(data); // from the current position: after what was written before
  }

  /** Everything written, flushed to the disk, then renamed over the file. */
  async commit(): Promise<void> {
    if (this.#ended) throw new Error(`${this.#file}: already committed or discarded`);
    await this.#flush();
    await this.#handle.sync();
    this.#ended = true;
    await this.#handle.close();
    await rename(this.#tmp, this.#file).catch(async (error: unknown) => {
      await rm(this.#tmp, { force: true });
      throw error;
    });
  }

  /** The aside file closed and removed; the file itself untouched. */
  async discard(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    await this.#handle.close().catch(() => undefined);
    await rm(this.#tmp, { force: true });
  }
}
