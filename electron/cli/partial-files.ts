/**
 * `radsift pacs retrieve` writes each instance to `<name>.dcm.<pid>.partial` and renames it when whole. A run killed
 * at once (kill -9, a crash) leaves that file behind, which no later run would ever overwrite: the next retrieve
 * into the same study folder removes those of runs no longer running (and `<name>.dcm.partial`, as runs before the
 * pid was in the name wrote them), and only those: nothing else in the folder is touched.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { running } from './aside-files.js';

/** Where `file` is written until it is whole, by this process. */
export const partialName = (file: string): string => `${file}.${process.pid}.partial`;

/** The writer's pid of a part-written file's name; 0 for a name without one (an older run's); null: not one. */
function partialWriter(name: string): number | null {
  const m = /\.dcm(?:\.(\d+))?\.partial$/.exec(name);
  return m ? Number(m[1] ?? 0) : null;
}

/** Removes the part-written files that stopped runs left in `folder`; their names. */
export async function removeStalePartials(folder: string): Promise<string[]> {
  const removed: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const pid = partialWriter(entry.name);
    // A link or a folder of that name is no file this wrote; a running writer's file is still being written.
    if (pid === null || !entry.isFile() || (pid !== 0 && running(pid))) continue;
    await rm(path.join(folder, entry.name), { force: true });
    removed.push(entry.name);
  }
  return removed;
}
