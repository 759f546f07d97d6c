/**
 * The lock file's staleness: judged by whether its holder's record changes (its heartbeat), as this process
 * watches it by its own monotonic clock, never by the file's time; a pid counts only from the same host, boot and
 * pid namespace; a lock that cannot be moved aside atomically is left alone.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockBusyError, LockStuckError, withFileLock } from '../../../electron/util/file-lock.js';
import { pidSpace } from '../../../electron/util/lock-holder.js';

describe('file lock', () => {
  let work: string;
  let n = 0;
  const lockFile = () => path.join(work, `${n++}.lock`);
  const record = (fields: Record<string, unknown>) => JSON.stringify({ host: hostname(), token: 'theirs', ...fields });
  const taken = (lock: string, options: Parameters<typeof withFileLock>[2]) =>
    withFileLock(lock, async () => 'taken', options);
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-file-lock-'));
  });
  after(() => rm(work, { recursive: true, force: true }));

  it('an old lock file is not stale by its time, only once seen unchanged for staleMs', async () => {
    const lock = lockFile();
    await writeFile(lock, record({ pid: 1, host: `not-${hostname()}` }));
    const old = new Date(Date.now() - 3600_000); // a share whose server clock runs an hour behind
    await utimes(lock, old, old);
    // The process remembers how long it has watched a lock, from its first look: the watch below counts from here.
    const started = performance.now();
    await assert.rejects(taken(lock, { waitMs: 200 }), LockBusyError);
    assert.equal(await taken(lock, { waitMs: 3000, staleMs: 600 }), 'taken');
    assert.ok(performance.now() - started >= 550, 'broken only after it was watched long enough');
    assert.deepEqual(await readdir(work), [], 'released, nothing left aside');
  });

  it('a record its holder keeps rewriting is live; once it stops, it goes stale', async () => {
    const lock = lockFile();
    let beat = 0;
    const write = () => writeFile(lock, record({ pid: 1, host: `not-${hostname()}`, beat: beat++ }));
    await write();
    const beating = setInterval(() => void write(), 50);
    try {
      await assert.rejects(taken(lock, { waitMs: 800, staleMs: 300 }), LockBusyError);
    } finally {
      clearInterval(beating);
    }
    assert.equal(await taken(lock, { waitMs: 3000, staleMs: 300 }), 'taken');
  });

  it('a holder’s own heartbeat keeps its lock through a long change; without one it is taken as stale', async () => {
    for (const heartbeatMs of [50, 60_000]) {
      const lock = lockFile();
      const order: string[] = [];
      const long = withFileLock(
        lock,
        async (stillHeld) => {
          await sleep(900);
          order.push('long done');
          return stillHeld();
        },
        { heartbeatMs },
      );
      await sleep(50);
      const other = withFileLock(lock, async () => void order.push('other'), { waitMs: 3000, staleMs: 300 });
      const [held] = await Promise.all([long, other]);
      if (heartbeatMs === 50) {
        assert.equal(held, true);
        assert.deepEqual(order, ['long done', 'other'], 'the other waited for the release');
      } else {
        assert.equal(held, false, 'no heartbeat: broken as stale, and the holder is told');
        assert.deepEqual(order, ['other', 'long done']);
      }
    }
  });

  it('a dead pid breaks a lock at once only from this host, boot and pid namespace', async () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    const pids = await pidSpace();
    for (const [fields, atOnce] of [
      [{ pids }, true],
      [{ pids: 'another-boot/pid:[4026531836]' }, false], // another container with our host name, or a reboot
      [{}, false], // a record that does not say (an older RadSift)
      [{ pids, host: `not-${hostname()}` }, false],
    ] as const) {
      const lock = lockFile();
      await writeFile(lock, record({ pid: gone, ...fields }));
      if (atOnce) assert.equal(await taken(lock, { waitMs: 200 }), 'taken');
      else await assert.rejects(taken(lock, { waitMs: 200 }), LockBusyError, JSON.stringify(fields));
    }
  });

  it('where link fails, a stale lock is left as it is, and the error names it', async () => {
    const lock = lockFile();
    const text = record({ pid: spawnSync(process.execPath, ['-e', '']).pid, pids: await pidSpace() });
    await writeFile(lock, text);
    const link = () => Promise.reject(Object.assign(new Error('not supported'), { code: 'ENOTSUP' }));
    await assert.rejects(taken(lock, { waitMs: 200, link }), (error: unknown) => {
      assert.ok(error instanceof LockStuckError);
      assert.match(error.message, /\(ENOTSUP\): if no other process uses the file, remove \d+\.lock by hand$/);
      return true;
    });
    assert.equal(await readFile(lock, 'utf8'), text);
  });
});
