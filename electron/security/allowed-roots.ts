/**
 * The folders the renderer may read images from. A root is added when the user
 * opens a file or folder (through a dialog or the API), never by URL. Paths are
 * compared after realpath so that symlinks cannot lead outside a root.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../util/path-inside.js';

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

/** A UNC, device or extended-length path (`\\host\share`, `\\?\`, `//host`): never read for the renderer. */
export function isNetworkPath(p: string): boolean {
  return /^[\\/]{2}/.test(p);
}

export { isInside };
