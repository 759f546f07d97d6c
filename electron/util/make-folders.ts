/**
 * `mkdir -p` that cannot spin: Node 20's recursive mkdir loops for ever, at full CPU, where the system answers
 * ENOENT for a folder whose parent exists (a name under /proc, some FUSE and network mounts), so an --index or
 * --out given such a path hung the command. These make each missing folder in turn, each with `mode`, and throw
 * the system's own error for the first one it refuses; a path that exists as a file is EEXIST, one under a file
 * ENOTDIR, as the recursive mkdir says.
 */
import { mkdirSync, statSync, type Stats } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** The folders to make, outermost first, up to the deepest one that exists. */
function missingFolders(dir: string, exists: (p: string) => Stats | null): string[] {
  const missing: string[] = [];
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    const found = exists(p);
    if (found) {
      if (!found.isDirectory()) throw notAFolder(p, p === path.resolve(dir) ? 'EEXIST' : 'ENOTDIR');
      return missing.reverse();
    }
    if (path.dirname(p) === p) return missing.reverse(); // no root: mkdir says why
    missing.push(p);
  }
}

function notAFolder(p: string, code: 'EEXIST' | 'ENOTDIR'): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: a file is in the way of the folder, mkdir '${p}'`);
  error.code = code;
  error.path = p;
  return error;
}

function absent(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

export function makeFoldersSync(dir: string, mode = 0o777): void {
  const folders = missingFolders(dir, (p) => {
    try {
      return statSync(p);
    } catch (error) {
      if (absent(error)) return null;
      throw error;
    }
  });
  for (const p of folders) {
    try {
      mkdirSync(p, { mode });
    } catch (error) {
      // Made meanwhile by someone else: fine, if it is a folder.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(p).isDirectory()) throw error;
    }
  }
}

export async function makeFolders(dir: string, mode = 0o777): Promise<void> {
  const found = new Map<string, Stats | null>();
  // The walk up is synchronous in missingFolders; ask the disk first, then decide.
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    const s = await stat(p).catch((error: unknown) => {
      if (absent(error)) return null;
      throw error;
    });
    found.set(p, s);
    if (s || path.dirname(p) === p) break;
  }
  for (const p of missingFolders(dir, (q) => found.get(q) ?? null)) {
    try {
      await mkdir(p, { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !(await stat(p)).isDirectory()) throw error;
    }
  }
}
