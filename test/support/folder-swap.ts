/**
 * A folder inside an allowed root that can be swapped for a link to a folder outside holding a file of the same
 * name: the time-of-check/time-of-use attack on a guard that checks a path and reads it later.
 */
import { mkdir, mkdtemp, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

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
