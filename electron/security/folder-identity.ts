/**
 * What a folder chosen in a dialog really was (its real path and inode), so that a later run can trust the same
 * folder again without trusting whatever its path names by then (a folder replaced by a link to `/`).
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export interface FolderIdentity {
  real: string;
  /** Device and inode, as decimal strings (they may exceed 2^53). */
  dev: string;
  ino: string;
}

export async function folderIdentity(folder: string): Promise<FolderIdentity> {
  const real = await realpath(folder);
  const s = await stat(real, { bigint: true });
  return { real, dev: String(s.dev), ino: String(s.ino) };
}

/**
 * Whether `folder` is still the folder identified when it was chosen. Without an identity (a job stored before
 * they were kept): only a path that is no link anywhere and no filesystem root.
 */
export async function sameFolder(folder: string, was: FolderIdentity | undefined): Promise<boolean> {
  try {
    const now = await folderIdentity(folder);
    if (was) return now.real === was.real && now.dev === was.dev && now.ino === was.ino;
    return now.real === path.resolve(folder) && path.parse(now.real).root !== now.real;
  } catch {
    return false; // gone, or not mounted yet
  }
}
