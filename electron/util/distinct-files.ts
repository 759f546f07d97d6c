/** Lists of files a user gave (example scans): each file once, whatever name it was given by. */
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';

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
