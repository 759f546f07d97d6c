/** Lists of files a user gave (example scans): each file once, whatever name it was given by. */
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from './path-inside.js';

/** What a file really is (links resolved); its name as given when it is gone or not a file path (a PACS key). */
export function realPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** The files, each once by what it really is (two names of one file, through a link, count once), in order. */
export async function distinctFiles(files: readonly string[]): Promise<string[]> {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const f of files) {
    const real = await realpath(f).catch(() => f); // a file gone: its name is all there is
    if (seen.has(real)) continue;
    seen.add(real);
    out.push(f);
  }
  return out;
}

/**
 * The names the files can have among rows read under `folder`: as given, as they really are, and, where a file
 * really is inside what the folder really is, under the folder's own name (the folder opened through a link).
 * Resolving the few files given rather than every row keeps a large folder's rows free of a syscall each.
 */
export function namesUnder(files: readonly string[], folder: string | null): Set<string> {
  const names = new Set<string>();
  const realFolder = folder === null ? null : realPath(folder);
  for (const file of files) {
    const real = realPath(file);
    names.add(file).add(real);
    if (folder !== null && realFolder !== null && realFolder !== folder) {
      if (real !== realFolder && isInside(realFolder, real))
        names.add(path.join(folder, path.relative(realFolder, real)));
    }
  }
  return names;
}
