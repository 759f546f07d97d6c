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
 * `folder`'s real path while it is still the folder identified when it was chosen: the same real path and inode
 * (not the device number, which a USB drive or a network share gets anew at each mount). Without an identity
 * (a job stored before they were kept): only a path that is no link anywhere and no filesystem root. Null when
 * it is not, or cannot be looked at now (gone, not mounted yet).
 */
export async function sameFolder(folder: string, was: FolderIdentity | undefined): Promise<string | null> {
  const now = await folderIdentity(folder).catch(() => null);
  if (!now) return null;
  const same = was
    ? now.real === was.real && now.ino === was.ino
    : now.real === path.resolve(folder) && path.parse(now.real).root !== now.real;
  return same ? now.real : null;
}
