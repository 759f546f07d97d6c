/**
 * Temporary folders that outlive one test but not the test process: fixtures made once per
 * process (exported models, phantom folders) and files a test downloads. Removed when the
 * process exits, so repeated runs do not fill the temporary folder (a run used to leave ~150 MB).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const made: string[] = [];

export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  if (made.push(dir) === 1)
    process.once('exit', () => {
      // Each on its own: one still in use (a child process writing) must not keep the others or fail the run.
      for (const d of made)
        try {
          rmSync(d, { recursive: true, force: true, maxRetries: 3 });
        } catch {
          // left behind; npm test lists what a run leaves
        }
    });
  return dir;
}
