/**
 * Folders the code under test really cannot open: mode 000, read by a child process that cannot override it.
 * Tests run as root in CI and containers, where chmod stops nobody, so as root the child runs without the
 * capabilities that let root open anything (setpriv, util-linux, drops them from its bounding set); as another
 * user, chmod is enough.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const WITHOUT_ROOT_READ = ['setpriv', '--bounding-set=-dac_override,-dac_read_search'];

/** The prefix a command runs under so that mode 000 stops it, or why there is none here (for a skip). */
export function lockedOutPrefix(): { prefix: string[] } | { skip: string } {
  if (process.platform === 'win32') return { skip: 'mode 000 does not lock a folder on Windows' };
  const prefix = process.getuid?.() === 0 ? WITHOUT_ROOT_READ : [];
  // Checked, not assumed: a child under the prefix must fail to list a locked folder.
  const probe = mkdtempSync(path.join(tmpdir(), 'radsift-lock-probe-'));
  try {
    chmodSync(probe, 0o000);
    const [command, ...args] = [...prefix, 'ls', probe];
    const listed = spawnSync(command!, args, { stdio: 'ignore' });
    if (listed.error) return { skip: `${command} cannot run here: ${listed.error.message}` };
    return listed.status === 0 ? { skip: 'a folder of mode 000 can still be read here' } : { prefix };
  } finally {
    chmodSync(probe, 0o700);
    rmSync(probe, { recursive: true, force: true });
  }
}

/** Makes `folder` (and its parents), fills it, then locks it; returns the unlock. */
export function lockFolder(folder: string, fill: (folder: string) => void = () => undefined): () => void {
  mkdirSync(folder, { recursive: true });
  fill(folder);
  chmodSync(folder, 0o000);
  return () => chmodSync(folder, 0o700);
}

/** Runs `node <args>` under the prefix, with a time limit (a hang fails instead of blocking the run). */
export function nodeLockedOut(
  prefix: readonly string[],
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {},
): SpawnSyncReturns<string> {
  const [command, ...rest] = [...prefix, process.execPath, ...args];
  return spawnSync(command!, rest, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: options.timeout ?? 120_000,
    maxBuffer: 64 << 20,
  });
}
