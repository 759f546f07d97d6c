/**
 * A lock between processes around one file's read-modify-write: the app, `npm run dev:browser` and the CLI may
 * share a data folder, and two changes read in the same moment would each write their own copy over the other.
 *
 * The lock is a file beside it, created exclusively ('wx': the create fails if it exists, atomically, on every
 * platform and on network shares) and holding its holder's record (lock-holder.ts), which the holder rewrites
 * every few seconds while it holds the lock (a heartbeat). A holder that is gone leaves its lock behind: a lock is
 * broken when its pid is known not to run (same host and pid space, lock-holder.ts), or when this process has
 * watched its record stay unchanged for `staleMs` by its own monotonic clock: no clock of another machine (a
 * share's server, a holder on another host) is compared with ours, so a clock that is off or jumps breaks no lock.
 * A lock held by a live process is waited for, at most `waitMs`, then LockBusyError: never a hang.
 */
import { randomBytes } from 'node:crypto';
import { link as fsLink, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CodedError } from './coded-error.js';
import { holderGone, parseHolder, pidSpace, recordText, type Holder } from './lock-holder.js';
import { makeFolders } from './make-folders.js';

/** A change holds the lock for a read and a write of a small file: milliseconds. */
export const LOCK_WAIT_MS = 5000;
/** A holder rewrites its record this often: many times within LOCK_STALE_MS, even on a busy machine. */
export const LOCK_HEARTBEAT_MS = 2000;
/** Far longer than any change, and many heartbeats: a record unchanged this long is a gone (or hung) holder's. */
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

/**
 * How long to wait for a live holder; how long a record must stay unchanged to be stale; how often this holder
 * rewrites its own; `link`: fs.link (tests fail it).
 */
export interface LockOptions {
  waitMs?: number;
  staleMs?: number;
  heartbeatMs?: number;
  link?: (existing: string, newPath: string) => Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isCode = (error: unknown, code: string) => (error as NodeJS.ErrnoException).code === code;

/** Per lock file: its file and record as this process last saw them, and since when (monotonic) unchanged. */
const looks = new Map<string, { seen: string; since: number }>();

/** How long this process has seen this lock unchanged (0: it changed, or this is the first look). */
function unchangedFor(lockFile: string, seen: string): number {
  const now = performance.now();
  const last = looks.get(lockFile);
  if (last?.seen === seen) return now - last.since;
  looks.set(lockFile, { seen, since: now });
  return 0;
}

/** The file's inode and text, read through one handle: both of one file. */
async function lookAt(file: string): Promise<{ ino: number; text: string }> {
  const handle = await open(file, 'r');
  try {
    return { ino: (await handle.stat()).ino, text: await handle.readFile('utf8') };
  } finally {
    await handle.close();
  }
}

/**
 * Removes the lock if it is stale; true when it is gone (broken here or released meanwhile): try again. It is
 * moved aside under a name of this call's own and checked there, so that only the lock judged stale is removed:
 * one that another process broke and took meanwhile, or whose holder beat meanwhile, goes back (link: never over
 * a newer one). Where link fails, nothing could go back: the lock is left as it is (LockStuckError).
 */
async function breakIfStale(
  lockFile: string,
  staleMs: number,
  link: NonNullable<LockOptions['link']>,
): Promise<boolean> {
  let look: { ino: number; text: string };
  try {
    look = await lookAt(lockFile);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return true;
    throw error;
  }
  const gone = await holderGone(parseHolder(look.text));
  if (!gone && unchangedFor(lockFile, `${look.ino}\n${look.text}`) < staleMs) return false;
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
  const moved = await lookAt(aside);
  if (moved.ino !== look.ino || moved.text !== look.text) {
    try {
      await link(aside, lockFile);
    } catch (error) {
      // EEXIST: a newer lock took its place; its holder sees its own lost (stillHeld). Anything else (link worked
      // a moment ago): left aside, not deleted, and said.
      if (!isCode(error, 'EEXIST')) throw error;
    }
  }
  await rm(aside, { force: true });
  looks.delete(lockFile);
  return true;
}

/** Creates the lock file with this holder's record; waits for a live holder, breaks a stale lock. */
async function acquire(lockFile: string, holder: Holder, options: LockOptions): Promise<FileHandle> {
  const staleMs = options.staleMs ?? LOCK_STALE_MS;
  const link = options.link ?? fsLink;
  // Monotonic: a clock set back while waiting does not stretch the wait.
  const deadline = performance.now() + (options.waitMs ?? LOCK_WAIT_MS);
  let madeFolder = false;
  for (let delay = 5; ; delay = Math.min(2 * delay, 100)) {
    try {
      const handle = await open(lockFile, 'wx');
      try {
        await handle.write(recordText(holder), 0, 'utf8');
      } catch (error) {
        await handle.close();
        await rm(lockFile, { force: true }); // a lock that names no holder would only go stale by waiting
        throw error;
      }
      looks.delete(lockFile);
      return handle;
    } catch (error) {
      if (isCode(error, 'ENOENT') && !madeFolder) {
        await makeFolders(path.dirname(lockFile), 0o700); // the first change in a new data folder
        madeFolder = true;
        continue;
      }
      if (!isCode(error, 'EEXIST')) throw error;
    }
    const broken = await breakIfStale(lockFile, staleMs, link);
    if (performance.now() >= deadline) throw new LockBusyError();
    if (!broken) await sleep(delay * (0.5 + Math.random())); // jittered: two waiters do not retry in step
  }
}

/**
 * Rewrites the record every `everyMs` while the lock is held, in place through the lock's own handle (never by
 * its name: a lock taken over meanwhile is another file). A write that fails is let be: the lock may then be
 * taken as stale, and `stillHeld` says so before the change writes.
 */
function heartbeat(handle: FileHandle, holder: Holder, everyMs: number): () => Promise<void> {
  let writing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    holder.beat++;
    writing = writing.then(() => handle.write(recordText(holder), 0, 'utf8')).catch(() => undefined);
  }, everyMs);
  return async () => {
    clearInterval(timer);
    await writing;
  };
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
  const pids = await pidSpace();
  const holder: Holder = {
    pid: process.pid,
    host: hostname(),
    ...(pids !== undefined ? { pids } : {}),
    token: randomBytes(12).toString('hex'),
    started: Date.now(),
    beat: 0,
  };
  const handle = await acquire(lockFile, holder, options);
  const stop = heartbeat(handle, holder, options.heartbeatMs ?? LOCK_HEARTBEAT_MS);
  const stillHeld = async () =>
    parseHolder(
      await lookAt(lockFile).then(
        (l) => l.text,
        () => '',
      ),
    )?.token === holder.token;
  try {
    return await change(stillHeld);
  } finally {
    await stop();
    await handle.close(); // before the remove: Windows keeps the name of a file still open
    if (await stillHeld()) await rm(lockFile, { force: true });
  }
}
