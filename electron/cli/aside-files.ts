/**
 * The aside files an output is written to before it is renamed over its name (util/durable-file.ts names them
 * `<name>.<pid>.<8 hex>.tmp` and reads the names back: asideWriter): those of this process, removed when it must
 * stop at once, and those of runs that were killed (kill -9, a crash, a second Ctrl+C before this cleaned up),
 * removed by the next run, which would otherwise leave them beside the output for good.
 */
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { asideWriter } from '../util/durable-file.js';

/** Whether a process runs with that id (one of another user's counts: it may be writing). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the aside files of `file` whose writer `which` picks; the number removed. Synchronous: a signal handler calls it. */
function removeAsides(file: string, which: (pid: number) => boolean): number {
  const folder = path.dirname(file);
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return 0; // the output's own write will say what is wrong with its folder
  }
  let removed = 0;
  for (const name of names) {
    const pid = asideWriter(path.basename(file), name);
    if (pid === null || !which(pid)) continue;
    try {
      rmSync(path.join(folder, name), { force: true });
      removed++;
    } catch {
      // not ours to remove after all (another user's folder): left as it is
    }
  }
  return removed;
}

/** The aside files of `file` this process left open: removed before it stops at once. */
export function removeOwnAsides(file: string): number {
  return removeAsides(file, (pid) => pid === process.pid);
}

/** The aside files of `file` that runs no longer running left (killed while they wrote it). */
export function removeStaleAsides(file: string): number {
  return removeAsides(file, (pid) => pid !== process.pid && !running(pid));
}
