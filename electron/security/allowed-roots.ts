/**
 * The folders the renderer may read images from. A root is added when the user
 * opens a file or folder (through a dialog or the API), never by URL. Paths are
 * compared after realpath so that symlinks cannot lead outside a root; a file that
 * is to be read is opened first and its handle checked (openInside), so that a link
 * put in place between the check and the read cannot lead outside either.
 */
import type { BigIntStats } from 'node:fs';
import { readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../util/path-inside.js';
import { openRegular } from '../util/regular-file.js';

/** A regular file opened inside a root: read it through `handle`, never by its path again. */
export interface InsideFile {
  /** Its real path, inside a root when it was checked. */
  readonly path: string;
  readonly handle: FileHandle;
  /** fstat of the handle. */
  readonly stats: BigIntStats;
}

/**
 * Where openInside is (tests): 'resolved' after the real path was found inside a root, before the open;
 * 'opened' after the open, before the path is resolved again; 'rechecked' after that, before the path is
 * stat'ed to compare with the handle. `handlePath: false` skips asking the system where the handle lies
 * (/proc/self/fd on Linux), as on a platform without it.
 */
export interface OpenInsideProbe {
  at?: (stage: 'resolved' | 'opened' | 'rechecked') => Promise<void> | void;
  handlePath?: boolean;
}

export class AllowedRoots {
  readonly #roots = new Set<string>();
  /** The roots as they were given and as they resolved: a path outside all of them is refused unread. */
  readonly #named = new Set<string>();

  /** Adds a folder (or a file's folder) and returns its canonical path. */
  async add(target: string): Promise<string> {
    if (!path.isAbsolute(target)) throw new Error('A root must be an absolute path');
    const real = await realpath(target);
    this.#roots.add(real);
    this.#named.add(real).add(path.resolve(target));
    return real;
  }

  /**
   * Adds a folder whose real path was checked already (a job's folder, by its identity: folder-identity.ts), under
   * that real path and the name it was chosen by, without resolving the name again: requests name files by it.
   */
  addChecked(real: string, chosen: string): void {
    if (!path.isAbsolute(real) || !path.isAbsolute(chosen)) throw new Error('A root must be an absolute path');
    this.#roots.add(real);
    this.#named.add(real).add(path.resolve(chosen));
  }

  list(): string[] {
    return [...this.#roots];
  }

  /**
   * Resolves `candidate` (absolute) to its real path and returns it when it lies
   * inside a root, else null. Missing files resolve to null too. A path that names
   * no root is refused before the disk is asked: realpath would follow it first
   * (a network share's name on Windows, an automounted /net/<host> on macOS).
   */
  async resolveInside(candidate: string): Promise<string | null> {
    if (!path.isAbsolute(candidate) || isNetworkPath(candidate)) return null;
    const named = path.resolve(candidate);
    if (![...this.#named].some((root) => isInside(root, named))) return null;
    let real: string;
    try {
      real = await realpath(candidate);
    } catch {
      return null;
    }
    for (const root of this.#roots) {
      if (isInside(root, real)) return real;
    }
    return null;
  }

  /**
   * Opens `candidate` for reading when it is a regular file inside a root, or null when it is not there, lies
   * outside, or was swapped while it was being opened. Throws the open's error otherwise (EFTYPE for a FIFO,
   * a folder or a device; EACCES). resolveInside alone leaves a gap: a folder on the way, or the file, can be
   * replaced by a link to elsewhere between the check and a later open by path. So the file is opened first
   * (by its real path, the last component not followed where O_NOFOLLOW exists), and then the handle is checked:
   * the name must still resolve inside a root, to the very file that is open (same device and inode), and, where
   * the system says where an open file lies (Linux's /proc/self/fd), that must be inside a root too. The last
   * check needs no path walk and so cannot be raced; without it (macOS, Windows) a swap timed to land before
   * the open, undone before the second realpath and redone before its stat would still pass: three swaps in
   * a window of a few system calls, by someone who can already write inside the folder.
   */
  async openInside(candidate: string, probe: OpenInsideProbe = {}): Promise<InsideFile | null> {
    // Checked before the open, so that a path outside the roots is never opened (a device's open can act).
    const real = await this.resolveInside(candidate);
    if (real === null) return null;
    await probe.at?.('resolved');
    let opened: { handle: FileHandle; stats: BigIntStats };
    try {
      opened = await openRegular(real, { noFollow: true });
    } catch (error) {
      // Gone since (ENOENT, ENOTDIR) or replaced by a link (ELOOP; EMLINK on the BSDs): refused like a missing file.
      if (['ENOENT', 'ENOTDIR', 'ELOOP', 'EMLINK'].includes((error as NodeJS.ErrnoException).code ?? '')) return null;
      throw error;
    }
    const { handle, stats } = opened;
    let kept = false;
    try {
      await probe.at?.('opened');
      const again = await this.resolveInside(candidate);
      if (again === null) return null;
      await probe.at?.('rechecked');
      const named = await stat(again, { bigint: true }).catch(() => null);
      if (!named || !sameFile(named, stats)) return null;
      if (probe.handlePath !== false) {
        const where = await handlePath(handle);
        if (where !== null && ![...this.#roots].some((root) => isInside(root, where))) return null;
      }
      kept = true;
      return { path: again, handle, stats };
    } finally {
      if (!kept) await handle.close();
    }
  }

  /**
   * Why resolveInside refused `candidate`: 'missing' for a path that lies inside a root by its name and whose
   * deepest existing folder really lies inside a root too (the file was moved or deleted since it was listed),
   * else 'outside'. A path outside the roots is always 'outside', so the answer never says whether it exists;
   * a name that leads out through a symlink is 'outside' too, existing or not.
   */
  async refusal(candidate: string): Promise<'missing' | 'outside'> {
    if (!path.isAbsolute(candidate) || isNetworkPath(candidate)) return 'outside';
    const named = path.resolve(candidate);
    if (![...this.#named].some((root) => isInside(root, named))) return 'outside';
    for (let at = named; ;) {
      let real: string;
      try {
        real = await realpath(at);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const parent = path.dirname(at);
        if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === at) return 'outside';
        at = parent;
        continue;
      }
      // The path itself exists: refused for where it leads, not for being gone.
      if (at === named) return 'outside';
      return [...this.#roots].some((root) => isInside(root, real)) ? 'missing' : 'outside';
    }
  }
}

/**
 * Whether two stats are of one file. By device and inode; where the file system has no inode numbers (0: FAT and
 * some network file systems, on Windows in particular), by device, size and times instead, which a copy made
 * to look alike could pass, but only one written by someone who can write inside the folder already.
 */
export function sameFile(a: BigIntStats, b: BigIntStats): boolean {
  if (a.dev !== b.dev || a.ino !== b.ino) return false;
  if (a.ino !== 0n) return true;
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.birthtimeNs === b.birthtimeNs && a.ctimeNs === b.ctimeNs;
}

/**
 * Where an open file lies, from the kernel, with no path walk: Linux's /proc/self/fd link. Null where there is
 * none (macOS, Windows, no /proc mounted) or it names no path (a file deleted since reads "… (deleted)", which
 * still lies where it was).
 */
async function handlePath(handle: FileHandle): Promise<string | null> {
  if (process.platform !== 'linux') return null;
  const where = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => null);
  return where !== null && path.isAbsolute(where) ? where : null;
}

/** A UNC, device or extended-length path (`\\host\share`, `\\?\`, `//host`): never read for the renderer. */
export function isNetworkPath(p: string): boolean {
  return /^[\\/]{2}/.test(p);
}

export { isInside };
