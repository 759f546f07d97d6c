/**
 * A small JSON-sized file replaced whole, so that a crash or a power cut leaves the old version or the new one,
 * never a file cut short: written aside, flushed to the disk, then renamed over the old one.
 */
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/**
 * `mode`: the file's exact mode (a secret's 0600 whatever the umask). Without one it is created owner-only too
 * (0600, narrowed by the umask), and so is a folder made for it (0700): settings and example sets name folders,
 * which are often named after patients.
 */
export async function replaceFile(file: string, text: string, mode?: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // Named per call: two processes (or two stores) writing the same file never write into one aside file.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(tmp, 'w', mode ?? 0o600);
    try {
      await handle.writeFile(text);
      // The umask may have narrowed `mode` at creation: a secret's file is set to it exactly.
      if (mode !== undefined) await chmod(tmp, mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
