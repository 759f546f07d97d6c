/**
 * A lock between processes around one file's read-modify-write: the app, `npm run dev:browser` and the CLI may
 * share a data folder, and two changes read in the same moment would each write their own copy over the other.
 *
 * The lock is a file beside it, created exclusively ('wx': the create fails if it exists, atomically, on every
 * platform and on network shares) and holding its holder's pid, host and a token of its own. A holder that is gone
 * leaves its lock behind: a lock is broken when its pid no longer runs on this host, or when it is older than
 * `staleMs` (a holder on another host, whose pid means nothing here; a pid since reused; a holder that crashed
 * before it wrote its name). A lock held by a live process is waited for, at most `waitMs`, then LockBusyError:
 * never a hang.
 */
import { randomBytes } from 'node:crypto';
import { link as fsLink, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { CodedError } from './coded-error.js';

/** A change holds the lock for a read and a write of a small file: milliseconds. */
export const LOCK_WAIT_MS = 5000;
/** Far longer than any change: a lock this old was left by a holder that is gone (or hung). */
export const LOCK_STALE_MS = 30_000;

/** The lock stayed held by a live process for the whole wait. */
export class LockBusyError extends CodedError<'LOCK_BUSY'> {
  constructor() {
    super('LOCK_BUSY', 'the file is being changed by another process');
  }
}

/**
 * A lock that looks stale but cannot be moved aside atomically here (a drive without hard links: FAT, many SMB
 * shares): it is not deleted, for it may be live after all. A person who knows no other process runs removes it.
 */
export class LockStuckError extends CodedError<'LOCK_STUCK'> {
  constructor(
    readonly lockFile: string,
    reason: string,
  ) {
    super(
      'LOCK_STUCK',
      `a lock that looks abandoned cannot be moved aside safely on this drive (${reason}): if no other process ` +
        `uses the file, remove ${path.basename(lockFile)} by hand`,
    );
  }
}

/** How long to wait for a live holder, after how long a lock counts as stale; `link`: fs.link (tests fail it). */
export interface LockOptions {
  waitMs?: number;
  staleMs?: number;
  link?: (existing: string, newPath: string) => Promise<void>;
}

interface Holder {
  pid: number;
  host: string;
  token: string;
}

function parseHolder(text: string): Holder | null {
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.token === 'string'
      ? { pid: h.pid, host: h.host, token: h.token }
      : null;
  } catch {
    return null;
  }
}

/** Whether a process with this pid runs on this host (EPERM: it does, under another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isCode = (error: unknown, code: string) => (error as NodeJS.ErrnoException).code === code;

/**
 * Removes the lock if it is stale; true when it is gone (broken here or released meanwhile): try again. It is
 * moved aside under a name of this call's own and checked there, so that only the lock judged stale is removed:
 * one that another process broke and took meanwhile goes back (link: never over a newer one). Where link fails,
 * nothing could go back: the lock is left as it is (LockStuckError).
 */
async function breakIfStale(
  lockFile: string,
  staleMs: number,
  link: NonNullable<LockOptions['link']>,
): Promise<boolean> {
  let text: string;
  let ino: number;
  let age: number;
  try {
    const info = await stat(lockFile);
    ino = info.ino;
    age = Date.now() - info.mtimeMs;
    text = await readFile(lockFile, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return true;
    throw error;
  }
  const holder = parseHolder(text);
  const gone = holder !== null && holder.host === hostname() && !alive(holder.pid);
  if (!gone && age < staleMs) return false;
  const aside = `${lockFile}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await link(lockFile, aside); // whether a lock moved aside by mistake could go back
  } catch (error) {
    if (isCode(error, 'ENOENT')) return true;
    throw new LockStuckError(lockFile, (error as NodeJS.ErrnoException).code ?? 'link failed');
  }
  await rm(aside, { force: true });
  try {
    await rename(lockFile, aside);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return true;
    throw error;
  }
  const moved = await stat(aside);
  if (moved.ino !== ino || (await readFile(aside, 'utf8')) !== text) {
    try {
      await link(aside, lockFile);
    } catch (error) {
      // EEXIST: a newer lock took its place; its holder sees its own lost (stillHeld). Anything else (link worked
      // a moment ago): left aside, not deleted, and said.
      if (!isCode(error, 'EEXIST')) throw error;
    }
  }
  await rm(aside, { force: true });
  return true;
}

/**
 * Runs `change` holding the lock file `lockFile`, and releases it (only if still this call's). `change` gets
 * `stillHeld`, to ask right before it writes: false if its lock was broken as stale meanwhile (it then must not
 * write, another process may be changing the file).
 */
export async function withFileLock<T>(
  lockFile: string,
  change: (stillHeld: () => Promise<boolean>) => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const waitMs = options.waitMs ?? LOCK_WAIT_MS;
  const staleMs = options.staleMs ?? LOCK_STALE_MS;
  const link = options.link ?? fsLink;
  const holder: Holder = { pid: process.pid, host: hostname(), token: randomBytes(12).toString('hex') };
  const deadline = Date.now() + waitMs;
  let madeFolder = false;
  for (let delay = 5; ; delay = Math.min(2 * delay, 100)) {
    try {
      const handle = await open(lockFile, 'wx');
      try {
        await handle.writeFile(JSON.stringify(holder));
      } catch (error) {
        await handle.close();
        await rm(lockFile, { force: true }); // a lock that names no holder would only be broken by its age
        throw error;
      }
      await handle.close();
      break;
    } catch (error) {
      if (isCode(error, 'ENOENT') && !madeFolder) {
        await mkdir(path.dirname(lockFile), { recursive: true }); // the first change in a new data folder
        madeFolder = true;
        continue;
      }
      if (!isCode(error, 'EEXIST')) throw error;
    }
    const broken = await breakIfStale(lockFile, staleMs, link);
    if (Date.now() >= deadline) throw new LockBusyError();
    if (!broken) await sleep(delay * (0.5 + Math.random())); // jittered: two waiters do not retry in step
  }
  const stillHeld = async () => parseHolder(await readFile(lockFile, 'utf8').catch(() => ''))?.token === holder.token;
  try {
    return await change(stillHeld);
  } finally {
    if (await stillHeld()) await rm(lockFile, { force: true });
  }
}
