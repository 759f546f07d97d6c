/**
 * The example sets' file: a damaged one is set aside, never written over; two processes sharing the data
 * folder add to each other's sets; any scope name is a plain key; a failed write changes nothing.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExampleSets } from '../../../electron/api/example-sets.js';
import { pidSpace } from '../../../electron/util/lock-holder.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const WRITER = path.join(PROJECT_ROOT, 'dist', 'test', 'support', 'example-sets-writer.js');

/** A child process that adds `count` paths tagged `tag` to `scope` once told to go; its output lines. */
function writer(dir: string, scope: string, tag: string, count: number) {
  const child = spawn(process.execPath, [WRITER, dir, scope, tag, String(count)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
  const ready = new Promise<void>((resolve) => {
    const check = () => (out.startsWith('ready\n') ? resolve() : child.stdout.once('data', check));
    check();
  });
  const done = once(child, 'exit').then(([code]) => ({
    code: code as number | null,
    lines: out.split('\n').slice(1, -1),
  }));
  return { ready, go: () => child.stdin.end('go\n'), done };
}

describe('example sets on disk', () => {
  let work: string;
  let n = 0;
  const dataDir = async () => {
    const dir = path.join(work, `data${n++}`);
    await mkdir(dir);
    return dir;
  };
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-example-sets-'));
  });
  after(() => rm(work, { recursive: true, force: true }));

  it('a damaged file is set aside and said, not written over by the next add', async () => {
    const dir = await dataDir();
    const file = path.join(dir, 'example-sets.json');
    const damaged = JSON.stringify({ '/data/studyA': ['/data/studyA/1.dcm'], '/data/studyB': ['/data/studyB/2.dcm'] });
    await writeFile(file, damaged.slice(0, damaged.length - 9)); // cut short, as a full disk leaves it
    const sets = new ExampleSets(dir);
    assert.deepEqual(await sets.add('/data/studyC', '/data/studyC/3.dcm'), ['/data/studyC/3.dcm']);
    const aside = (await readdir(dir)).filter((f) => f.startsWith('example-sets.json.corrupt-'));
    assert.equal(aside.length, 1);
    assert.equal(await readFile(path.join(dir, aside[0]!), 'utf8'), damaged.slice(0, damaged.length - 9));
    assert.match(
      sets.warning ?? '',
      /could not be read and start empty \(the old file is kept as example-sets\.json\.corrupt-/,
    );
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { '/data/studyC': ['/data/studyC/3.dcm'] });
  });

  it('a read sets a damaged file aside only holding the lock, and only the file it found damaged', async () => {
    const dir = await dataDir();
    const file = path.join(dir, 'example-sets.json');
    const lock = `${file}.lock`;
    await writeFile(file, '{"/a": [');
    // Another process holds the lock (it may be replacing the file this moment): the read moves nothing.
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), token: 'theirs' }));
    const sets = new ExampleSets(dir, { lock: { waitMs: 300 } });
    await assert.rejects(sets.get('/a'), {
      code: 'BUSY',
      message:
        'The example sets file is damaged and another RadSift process is changing it: it was left as it is, try again',
    });
    assert.deepEqual((await readdir(dir)).sort(), ['example-sets.json', 'example-sets.json.lock']);
    assert.equal(sets.warning, null);
    // It writes a good file and lets go while the read waits: the read takes that file, and sets nothing aside.
    const waiting = new ExampleSets(dir, { lock: { waitMs: 5000 } }).get('/a');
    await sleep(200);
    await writeFile(`${file}.tmp`, JSON.stringify({ '/a': ['/a/1.dcm'] }));
    await rename(`${file}.tmp`, file);
    await rm(lock);
    assert.deepEqual(await waiting, ['/a/1.dcm']);
    assert.deepEqual(await readdir(dir), ['example-sets.json']);
    // Damaged and no one holding the lock: set aside, and said.
    await writeFile(file, '{"/a": [');
    assert.deepEqual(await sets.get('/a'), []);
    assert.equal((await readdir(dir)).filter((f) => f.startsWith('example-sets.json.corrupt-')).length, 1);
    assert.match(sets.warning ?? '', /could not be read and start empty/);
  });

  it('two stores on one data folder (two processes) add to each other’s sets', async () => {
    const dir = await dataDir();
    const a = new ExampleSets(dir);
    const b = new ExampleSets(dir);
    await a.add('/a', '/a/1.dcm');
    assert.deepEqual(await b.get('/a'), ['/a/1.dcm']); // b read the file before: it reads it again once changed
    await a.add('/a', '/a/2.dcm');
    await b.add('/b', '/b/1.dcm');
    await b.remove('/a', '/a/1.dcm');
    assert.deepEqual(await a.get('/a'), ['/a/2.dcm']);
    assert.deepEqual(await a.get('/b'), ['/b/1.dcm']);
    assert.deepEqual(await new ExampleSets(dir).get('/a'), ['/a/2.dcm']);
  });

  it('any scope is a plain name: __proto__, constructor and toString hold sets like any other', async () => {
    const dir = await dataDir();
    const sets = new ExampleSets(dir);
    for (const scope of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      assert.deepEqual(await sets.get(scope), []);
      assert.deepEqual(await sets.add(scope, `/x/${scope}.dcm`), [`/x/${scope}.dcm`]);
    }
    const again = new ExampleSets(dir);
    assert.deepEqual(await again.get('__proto__'), ['/x/__proto__.dcm']);
    assert.deepEqual(await again.get('length'), []);
    assert.deepEqual(await again.remove('constructor', '/x/constructor.dcm'), []);
  });

  it('a write that fails changes nothing and says so', async () => {
    // A data folder whose file's name fits the system's limit on a path, and the file written aside does not:
    // the write fails as a full disk would, for root too (which writes through any mode).
    let dir = await dataDir();
    const file = (d: string) => path.join(d, 'example-sets.json');
    while (file(dir).length < 4088) dir = path.join(dir, 'd'.repeat(Math.min(200, 4088 - file(dir).length)));
    await mkdir(dir, { recursive: true });
    await writeFile(file(dir), JSON.stringify({ '/a': ['/a/1.dcm'] }));
    const sets = new ExampleSets(dir);
    assert.deepEqual(await sets.get('/a'), ['/a/1.dcm']);
    await assert.rejects(
      sets.add('/a', '/a/2.dcm'),
      /The example set could not be saved \(ENAMETOOLONG\): nothing was changed/,
    );
    assert.deepEqual(await sets.get('/a'), ['/a/1.dcm']);
    assert.deepEqual(await new ExampleSets(dir).get('/a'), ['/a/1.dcm']);
    // A file that cannot be read (here: its folder is a file) fails the call and is not written over; a change
    // cannot even take its lock there.
    const blocked = path.join(await dataDir(), 'not-a-folder');
    await writeFile(blocked, 'x');
    await assert.rejects(new ExampleSets(blocked).get('/a'), /could not be read \(ENOTDIR\)/);
    await assert.rejects(
      new ExampleSets(blocked).add('/a', '/a/1.dcm'),
      /could not be saved \(ENOTDIR\): nothing was changed/,
    );
    assert.equal(await readFile(blocked, 'utf8'), 'x');
  });

  it('two processes changing the sets at once lose no change', async () => {
    const dir = await dataDir();
    const count = 80;
    const a = writer(dir, '/shared', 'a', count);
    const b = writer(dir, '/shared', 'b', count);
    await Promise.all([a.ready, b.ready]);
    a.go();
    b.go();
    for (const r of await Promise.all([a.done, b.done])) {
      assert.equal(r.code, 0);
      assert.deepEqual(
        new Set(r.lines),
        new Set(['ok']),
        r.lines.find((l) => l !== 'ok'),
      );
      assert.equal(r.lines.length, count);
    }
    const kept = await new ExampleSets(dir).get('/shared');
    assert.equal(kept.length, 2 * count, `${2 * count - kept.length} changes lost`);
    assert.deepEqual((await readdir(dir)).sort(), ['example-sets.json'], 'no lock or aside file left behind');
  });

  it('a lock left by a process that is gone is broken; one a live process holds fails the change, without a hang', async () => {
    const dir = await dataDir();
    const file = path.join(dir, 'example-sets.json');
    const lock = `${file}.lock`;
    await writeFile(file, JSON.stringify({ '/a': ['/a/1.dcm'] }));
    const pids = await pidSpace();
    const holder = (pid: number, host = hostname()) => JSON.stringify({ pid, host, pids, token: 'theirs' });
    const sets = new ExampleSets(dir, { lock: { waitMs: 300 } });

    // Held by a live process (this one), fresh: the change waits its bounded time, fails, and leaves both alone.
    await writeFile(lock, holder(process.pid));
    await assert.rejects(sets.add('/a', '/a/2.dcm'), {
      code: 'BUSY',
      message: 'Another RadSift process is changing the example sets: nothing was changed, try again',
    });
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { '/a': ['/a/1.dcm'] });
    assert.equal(await readFile(lock, 'utf8'), holder(process.pid));
    // So is a lock whose holder has not written its name yet.
    await writeFile(lock, '');
    await assert.rejects(sets.add('/a', '/a/2.dcm'), { code: 'BUSY' });

    // A process that has exited: its lock is broken at once.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(lock, holder(gone));
    assert.deepEqual(await sets.add('/a', '/a/2.dcm'), ['/a/1.dcm', '/a/2.dcm']);
    // A holder on another host (whose pid says nothing here), one that never wrote its name: not by the lock's age
    // (an hour by the file's time, which a share's clock sets), only once this process saw it unchanged for staleMs.
    const old = new Date(Date.now() - 3600_000);
    const watching = new ExampleSets(dir, { lock: { waitMs: 2000, staleMs: 300 } });
    for (const [i, text] of [holder(process.pid, `not-${hostname()}`), ''].entries()) {
      await writeFile(lock, text);
      await utimes(lock, old, old);
      await assert.rejects(sets.add('/a', '/a/0.dcm'), { code: 'BUSY' });
      assert.equal((await watching.add('/a', `/a/${3 + i}.dcm`)).length, 3 + i);
    }
    assert.deepEqual(await new ExampleSets(dir).get('/a'), ['/a/1.dcm', '/a/2.dcm', '/a/3.dcm', '/a/4.dcm']);
    assert.deepEqual((await readdir(dir)).sort(), ['example-sets.json'], 'the lock released, nothing left aside');
    // The first change in a data folder not made yet makes it, lock and all.
    const fresh = path.join(dir, 'not', 'yet');
    assert.deepEqual(await new ExampleSets(fresh).add('/b', '/b/1.dcm'), ['/b/1.dcm']);
    assert.deepEqual(await readdir(fresh), ['example-sets.json']);
  });

  it('a stale lock on a drive without hard links is left for a person to remove, and the error says which', async () => {
    const dir = await dataDir();
    const file = path.join(dir, 'example-sets.json');
    const lock = `${file}.lock`;
    await writeFile(file, JSON.stringify({ '/a': ['/a/1.dcm'] }));
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    const record = JSON.stringify({ pid: gone, host: hostname(), pids: await pidSpace(), token: 'x' });
    await writeFile(lock, record);
    // As on FAT or an SMB share: the lock could not go back if it were moved aside by mistake, so it is not.
    const link = () => Promise.reject(Object.assign(new Error('operation not permitted'), { code: 'EPERM' }));
    const sets = new ExampleSets(dir, { lock: { waitMs: 300, link } });
    await assert.rejects(sets.add('/a', '/a/2.dcm'), {
      code: 'BUSY',
      message:
        'The example sets are locked by a RadSift process that seems to be gone, and this drive cannot remove the ' +
        'lock safely: if no other RadSift process is running, delete example-sets.json.lock in the data folder, ' +
        'then try again',
    });
    assert.equal(await readFile(lock, 'utf8'), record);
    assert.deepEqual((await readdir(dir)).sort(), ['example-sets.json', 'example-sets.json.lock']);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { '/a': ['/a/1.dcm'] });
    // Removed by hand: the next change goes through (taking a free lock needs no link).
    await rm(lock);
    assert.deepEqual(await sets.add('/a', '/a/2.dcm'), ['/a/1.dcm', '/a/2.dcm']);
  });
});
