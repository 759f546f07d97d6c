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

/**
 * Whether the walk up from `dir` stops at `p`: it exists as a folder, or it is the root (mkdir of the folder below
 * then says why); a file there is in the way, thrown as the recursive mkdir would say.
 */
function stopsAt(dir: string, p: string, found: Stats | null): boolean {
  if (!found) return path.dirname(p) === p;
  if (!found.isDirectory()) throw notAFolder(p, p === path.resolve(dir) ? 'EEXIST' : 'ENOTDIR');
  return true;
}

function notAFolder(p: string, code: 'EEXIST' | 'ENOTDIR'): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: a file is in the way of the folder, mkdir '${p}'`);
  error.code = code;
  error.path = p;
  return error;
}

/** No such file: null; any other failure to look is thrown. */
function absentAsNull(error: unknown): null {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
  throw error;
}

function statOrNull(p: string): Stats | null {
  try {
    return statSync(p);
  } catch (error) {
    return absentAsNull(error);
  }
}

export function makeFoldersSync(dir: string, mode = 0o777): void {
  const missing: string[] = [];
  for (let p = path.resolve(dir); !stopsAt(dir, p, statOrNull(p)); p = path.dirname(p)) missing.push(p);
  for (const p of missing.reverse()) {
    try {
      mkdirSync(p, { mode });
    } catch (error) {
      // Made meanwhile by someone else: fine, if it is a folder.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(p).isDirectory()) throw error;
    }
  }
}

export async function makeFolders(dir: string, mode = 0o777): Promise<void> {
  const missing: string[] = [];
  for (let p = path.resolve(dir); !stopsAt(dir, p, await stat(p).catch(absentAsNull)); p = path.dirname(p))
    missing.push(p);
  for (const p of missing.reverse()) {
    try {
      await mkdir(p, { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !(await stat(p)).isDirectory()) throw error;
    }
  }
}
