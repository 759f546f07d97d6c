import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InstanceCache } from '../../../electron/pacs/instance-cache.js';

const ref = (i: number) => ({ studyUid: '1.2.3', seriesUid: '1.2.3.4', sopUid: `1.2.3.4.${i}` });
const SERVER = 'dicomweb+http://archive.example/dicom-web';

describe('instance cache', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'radsift-cache-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('evicts least recently used files, never pinned ones, down to 90 % of its size', async () => {
    const cache = await InstanceCache.open(path.join(dir, 'a'), 10_000);
    const files: string[] = [];
    for (let i = 0; i < 8; i++) {
      files.push(await cache.put(SERVER, ref(i), Buffer.alloc(1000, i)));
      // Distinct recency, oldest first.
      await utimes(files[i]!, new Date(1e12 + i * 1000), new Date(1e12 + i * 1000));
    }
    cache.pin(files[0]!); // the oldest is in use
    assert.ok(await cache.get(SERVER, ref(1))); // 1 was just used: now the newest
    for (let i = 8; i < 12; i++) await cache.put(SERVER, ref(i), Buffer.alloc(1000, i));
    assert.ok(cache.stats().bytes <= 10_000, `${cache.stats().bytes} bytes`);
    assert.ok(existsSync(files[0]!), 'a pinned file stays');
    assert.ok(existsSync(files[1]!), 'a recently read file stays');
    assert.ok(!existsSync(files[2]!), 'the least recently used goes');
    assert.equal(await cache.get(SERVER, ref(2)), null);
  });

  it('fetch: the cached file, else the retrieved one stored; kept pinned when asked, unpinned on failure', async () => {
    const cache = await InstanceCache.open(path.join(dir, 'f'), 3500);
    let calls = 0;
    const retrieve = async () => (calls++, Buffer.alloc(1000, 7));
    const kept = await cache.fetch(SERVER, ref(1), retrieve, true);
    assert.equal(await cache.fetch(SERVER, ref(1), retrieve), kept);
    assert.equal(calls, 1, 'a cached instance is not retrieved again');
    await assert.rejects(
      cache.fetch(SERVER, ref(2), () => Promise.reject(new Error('archive down'))),
      /archive down/,
    );
    assert.equal(await cache.get(SERVER, ref(2)), null);
    await utimes(kept, new Date(1e12), new Date(1e12)); // the oldest: first to go, but pinned
    for (let i = 3; i < 8; i++) await cache.fetch(SERVER, ref(i), retrieve);
    assert.ok(existsSync(kept), 'pinned until released');
    cache.unpin(kept);
    await utimes(kept, new Date(1e12), new Date(1e12));
    for (let i = 8; i < 10; i++) await cache.fetch(SERVER, ref(i), retrieve);
    assert.ok(!existsSync(kept), 'evicted once released');
  });

  it('fetch: two asking for one instance at once retrieve it once and count it once', async () => {
    const cache = await InstanceCache.open(path.join(dir, 'twice'), 100_000);
    let calls = 0;
    const retrieve = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      return Buffer.alloc(1000, 3);
    };
    const [a, b] = await Promise.all([cache.fetch(SERVER, ref(1), retrieve), cache.fetch(SERVER, ref(1), retrieve)]);
    assert.equal(a, b);
    assert.equal(calls, 1);
    assert.deepEqual([cache.stats().files, cache.stats().bytes], [1, 1000]);
  });

  it('fetch: when the retrieval others joined fails (its job cancelled), one of them retries for all', async () => {
    const cache = await InstanceCache.open(path.join(dir, 'retry'), 100_000);
    let calls = 0;
    const failing = async (): Promise<Buffer> => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('cancelled');
    };
    const working = async () => (calls++, Buffer.alloc(1000, 4));
    const first = cache.fetch(SERVER, ref(2), failing);
    const joiners = Array.from({ length: 5 }, () => cache.fetch(SERVER, ref(2), working));
    await assert.rejects(first, /cancelled/);
    const files = await Promise.all(joiners);
    assert.equal(new Set(files).size, 1);
    assert.equal(calls, 2, 'the failed retrieval and one retry');
    assert.deepEqual([cache.stats().files, cache.stats().bytes], [1, 1000]);
  });

  it("a lookup leaves the file's modification time as written (renders are kept by it)", async () => {
    const cache = await InstanceCache.open(path.join(dir, 'times'), 100_000);
    const file = await cache.put(SERVER, ref(3), Buffer.alloc(10));
    const written = (await stat(file)).mtimeMs;
    assert.equal(await cache.get(SERVER, ref(3)), file);
    assert.equal((await stat(file)).mtimeMs, written);
  });

  it('counts what is there at open and drops leftovers of interrupted writes', async () => {
    const root = path.join(dir, 'b');
    const first = await InstanceCache.open(root, 1e9);
    await first.put(SERVER, ref(1), Buffer.alloc(500));
    await mkdir(path.join(root, '.radsift-partial'), { recursive: true });
    await writeFile(path.join(root, '.radsift-partial', 'half-written'), Buffer.alloc(100));
    const again = await InstanceCache.open(root, 1e9);
    assert.deepEqual(again.stats(), { files: 1, bytes: 500, maxBytes: 1e9 });
    assert.deepEqual(await readdir(path.join(root, '.radsift-partial')), []);
  });

  it('in a folder the user chose, never counts or evicts their own files', async () => {
    const root = path.join(dir, 'home');
    const own = [
      path.join(root, 'notes.txt'),
      path.join(root, '.partial', 'draft'),
      path.join(root, 'Documents', 'scans', 'old.dcm'),
      path.join(root, '0123456789abcdef', 'not-a-uid', '1.2.dcm'),
      path.join(root, '0123456789abcdef', '1.2.3', 'report.pdf'),
    ];
    for (const f of own) {
      await mkdir(path.dirname(f), { recursive: true });
      await writeFile(f, Buffer.alloc(4000));
    }
    const cache = await InstanceCache.open(root, 3000);
    assert.deepEqual(cache.stats(), { files: 0, bytes: 0, maxBytes: 3000 });
    for (let i = 0; i < 5; i++) await cache.put(SERVER, ref(i), Buffer.alloc(1000, i));
    assert.ok(cache.stats().bytes <= 3000, 'its own files are evicted');
    for (const f of own) assert.ok(existsSync(f), `${path.relative(root, f)} stays`);
  });

  it('refuses UIDs that could leave its folder', async () => {
    const cache = await InstanceCache.open(path.join(dir, 'c'), 1e9);
    assert.throws(() => cache.pathFor(SERVER, { studyUid: '../..', seriesUid: '1', sopUid: '1' }), { code: 'CONFIG' });
  });
});
