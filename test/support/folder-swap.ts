/**
 * A folder inside an allowed root that can be swapped for a link to a folder outside holding a file of the same
 * name: the time-of-check/time-of-use attack on a guard that checks a path and reads it later.
 */
import { mkdir, mkdtemp, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AllowedRoots } from '../../electron/security/allowed-roots.js';

export const INSIDE = Buffer.from('inside: the file the user opened');
export const OUTSIDE = Buffer.from('outside: a file no opened folder holds');

export interface FolderSwap {
  base: string;
  /** The allowed root. */
  root: string;
  /** root/dir/image.png, holding INSIDE (or the name and bytes given). */
  file: string;
  /** base/outside/dir/image.png, holding OUTSIDE (or the name and bytes given). */
  outsideFile: string;
  /** root/dir becomes a link to base/outside/dir (the real folder kept aside). */
  out(): Promise<void>;
  /** Undoes `out`. */
  back(): Promise<void>;
  /** Runs `fn`, then makes root/dir a folder holding the inside file again, whatever `fn` left there. */
  restoring<T>(fn: () => Promise<T>): Promise<T>;
  remove(): Promise<void>;
}

/** `name` and contents of the two files: by default image.png holding INSIDE and OUTSIDE. */
export async function folderSwap(
  files: { name?: string; inside?: Uint8Array; outside?: Uint8Array } = {},
): Promise<FolderSwap> {
  const inside = files.inside ?? INSIDE;
  const base = await mkdtemp(path.join(tmpdir(), 'radsift-scan-swap-'));
  const root = path.join(base, 'allowed');
  const dir = path.join(root, 'dir');
  const aside = path.join(root, 'dir-aside');
  const outsideDir = path.join(base, 'outside', 'dir');
  const file = path.join(dir, files.name ?? 'image.png');
  const outsideFile = path.join(outsideDir, files.name ?? 'image.png');
  await mkdir(dir, { recursive: true });
  await mkdir(outsideDir, { recursive: true });
  await writeFile(file, inside);
  await writeFile(outsideFile, files.outside ?? OUTSIDE);
  return {
    base,
    root,
    file,
    outsideFile,
    async out() {
      await rename(dir, aside);
      await symlink(outsideDir, dir);
    },
    async back() {
      await unlink(dir);
      await rename(aside, dir);
    },
    async restoring(fn) {
      try {
        return await fn();
      } finally {
        // rm removes a link, never what it leads to.
        for (const p of [aside, dir]) await rm(p, { force: true, recursive: true });
        await mkdir(dir);
        await writeFile(file, inside);
      }
    },
    remove: () => rm(base, { recursive: true, force: true }),
  };
}

/**
 * Makes `roots` swap `swap`'s folder out, once, as soon as its next check of a path is over and before the caller
 * reads anything: when resolveInside returns to a caller that goes on to read the path itself, or when openInside
 * returns its open file (the resolveInside calls openInside makes itself do not swap). So a method that reads the
 * path it checked reads the outside file; one that reads the file it opened and checked does not. The roots are
 * as before once the swap is made, or when the returned function is called.
 */
export function swapAfterCheck(roots: AllowedRoots, swap: FolderSwap): () => void {
  const resolveInside = roots.resolveInside.bind(roots);
  const openInside = roots.openInside.bind(roots);
  // Own properties over the prototype's methods: deleting them restores those.
  const undo = () => {
    delete (roots as Partial<AllowedRoots>).resolveInside;
    delete (roots as Partial<AllowedRoots>).openInside;
  };
  let opening = 0;
  const swapNow = async () => {
    undo();
    await swap.out();
  };
  roots.resolveInside = async (candidate) => {
    const real = await resolveInside(candidate);
    if (real !== null && opening === 0) await swapNow();
    return real;
  };
  roots.openInside = async (candidate, probe) => {
    opening++;
    let opened;
    try {
      opened = await openInside(candidate, probe);
    } finally {
      opening--;
    }
    if (opened) await swapNow();
    return opened;
  };
  return undo;
}
