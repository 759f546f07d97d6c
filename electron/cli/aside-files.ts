/**
 * The aside files an output is written to before it is renamed over its name (util/durable-file.ts names them
 * `<name>.<pid>.<8 hex>.tmp` and reads the names back: asideWriter): those of this process, removed when it must
 * stop at once, and those of runs that were killed (kill -9, a crash, a second Ctrl+C before this cleaned up),
 * removed by the next run writing that output, which would otherwise leave them beside it for good. Every
 * command writes its outputs through here (writeOutput, openOutput), so every one cleans up after its killed runs.
 */
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { asideWriter, ReplacementFile, replaceOutputFile } from '../util/durable-file.js';

/** Whether a process runs with that id (one of another user's counts: it may be writing). */
export function running(pid: number): boolean {
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
function removeStaleAsides(file: string): number {
  return removeAsides(file, (pid) => pid !== process.pid && !running(pid));
}

/**
 * A command's output file (--out, --roc; outputOption) written whole (replaceOutputFile), once the aside files
 * that killed runs left beside it are removed.
 */
export async function writeOutput(file: string, data: string | Uint8Array): Promise<void> {
  removeStaleAsides(file);
  await replaceOutputFile(file, data);
}

/** writeOutput for an output written piece by piece (screen's results): committed or discarded by the caller. */
export function openOutput(file: string): Promise<ReplacementFile> {
  removeStaleAsides(file);
  return ReplacementFile.open(file);
}
