import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { INDEX_FILE, IndexError, IndexStore } from '../../../electron/index/index-store.js';
import { MIGRATIONS } from '../../../electron/index/schema.js';
import { dequantiseGrid } from '../../../electron/util/quantised-grid.js';
import { topK } from '../../../electron/index/top-k.js';
import { seededRandom } from '../../../electron/scoring/metrics.js';
import { loggableError } from '../../../electron/util/error-text.js';
import { lockedOutPrefix, nodeLockedOut } from '../../support/locked-folder.js';
import { scanRecord } from '../../support/scan-record.js';

const scan = scanRecord;

const STORE_MODULE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../electron/index/index-store.js',
);

describe('index store', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'radsift-index-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('tracks what each file needs: new, unchanged, changed, failed', () => {
    const store = IndexStore.open(path.join(dir, 'a'));
    try {
      const model = store.model('m@1', 4);
      const other = store.model('other@1', 3);
      const root = '/data/x';
      const file = { path: `${root}/1.dcm`, size: 100, mtimeMs: 1000 };
      assert.equal(store.need(file, model), 'new');
      const id = store.putScan(scan(file.path));
      assert.equal(store.need(file, model), 'unchanged-needs-embedding');
      store.putEmbedding(id, model, Float32Array.from([1, 0, 0, 0]));
      assert.equal(store.need(file, model), 'unchanged-embedded');
      assert.equal(store.need(file, other), 'unchanged-needs-embedding', 'models keep their embeddings apart');
      assert.equal(store.need({ ...file, size: 101 }, model), 'changed');
      store.putScan(scan(file.path, { size: 101 }));
      assert.equal(
        store.need({ ...file, size: 101 }, model),
        'unchanged-needs-embedding',
        'a changed file loses its old embeddings',
      );
      store.putScan(scan(`${root}/bad.dcm`, { status: 'failed', errorCode: 'TRUNCATED', error: 'truncated' }));
      assert.equal(store.need({ path: `${root}/bad.dcm`, size: 100, mtimeMs: 1000 }, model), 'unchanged-failed');
      assert.throws(() => store.putEmbedding(id, model, new Float32Array(3)), RangeError);
      assert.throws(() => store.model('m@1', 8), IndexError);
    } finally {
      store.close();
    }
  });

  it('prunes files a run did not meet, only under that run’s folder', () => {
    const store = IndexStore.open(path.join(dir, 'b'));
    try {
      for (const p of ['/d/a.dcm', '/d/sub/b.dcm', '/d/c.dcm', '/d2/x.dcm']) store.putScan(scan(p), 1);
      store.touch('/d/a.dcm', 2);
      store.putScan(scan('/d/sub/b.dcm'), 2);
      assert.equal(store.pruneUnseen('/d', 2), 1);
      assert.deepEqual(
        [...store.scansUnder('/d')].map((s) => s.path),
        ['/d/a.dcm', '/d/sub/b.dcm'],
      );
      assert.equal(store.scanByPath('/d2/x.dcm')?.path, '/d2/x.dcm', '/d2 is not under /d');
      // Two runs over /d at once: the earlier one (3) meets a file after the later one (4) did, by touch or by
      // writing it; the later one's prune still keeps both.
      store.touch('/d/a.dcm', 4);
      store.putScan(scan('/d/sub/b.dcm'), 4);
      store.touch('/d/a.dcm', 3);
      store.putScan(scan('/d/sub/b.dcm'), 3);
      assert.equal(store.pruneUnseen('/d', 4), 0);
      assert.equal([...store.scansUnder('/d')].length, 2);
    } finally {
      store.close();
    }
  });

  it('reads and prunes exactly the paths under a folder, whatever characters name it and its neighbours', () => {
    const store = IndexStore.open(path.join(dir, 'under'));
    try {
      // Neighbours that share the folder's name as a prefix, sort either side of "/", or name it in characters a
      // UTF-16 length miscounts (an emoji is two code units, one character for SQLite).
      const under = ['/s/📁 scans/a.dcm', '/s/📁 scans/z/b.dcm', '/s/📁 scans/é.dcm', '/s/📁 scans/\uFFFF.dcm'];
      const beside = [
        '/s/📁 scans.dcm',
        '/s/📁 scans-2/c.dcm',
        '/s/📁 scans0/d.dcm',
        '/s/📁 scan/e.dcm',
        '/s/📁 scans',
      ];
      for (const p of [...under, ...beside]) store.putScan(scan(p), 1);
      const paths = (root: string) => [...store.scansUnder(root)].map((s) => s.path);
      assert.deepEqual(paths('/s/📁 scans'), [...under].sort());
      assert.deepEqual(paths('/s/📁 scans/'), [...under].sort(), 'a root given with its separator');
      assert.deepEqual(paths('/s/📁 scans/z'), ['/s/📁 scans/z/b.dcm']);
      store.touch(under[0]!, 2);
      assert.equal(store.pruneUnseen('/s/📁 scans', 2), under.length - 1);
      assert.deepEqual(paths('/s/📁 scans'), [under[0]]);
      for (const p of beside) assert.equal(store.scanByPath(p)?.path, p, `${p} is not under the folder`);
    } finally {
      store.close();
    }
  });

  it('prunes around any number of links kept, in the index order of their names', () => {
    const store = IndexStore.open(path.join(dir, 'kept'));
    try {
      // More links than SQLite takes values in one statement (32,766), and names whose UTF-16 and UTF-8 orders differ.
      const links = Array.from({ length: 20_000 }, (_, i) => `/k/link${i}`);
      const odd = ['/k/\uFFFD', '/k/😀'];
      store.transaction(() => {
        for (const l of [...links, ...odd]) store.putScan(scan(`${l}/a.dcm`), 1);
        for (const p of ['/k/gone.dcm', '/k/link1.dcm', '/k/\uFFFE/b.dcm', '/k/zz/c.dcm']) store.putScan(scan(p), 1);
      });
      assert.equal(store.pruneUnseen('/k', 2, [...links, ...odd]), 4);
      assert.equal([...store.scansUnder('/k')].length, links.length + odd.length, 'every row under a kept link stays');
    } finally {
      store.close();
    }
  });

  it('keeps named sets apart: a set is what its runs met, pruned only by its own complete run', () => {
    const store = IndexStore.open(path.join(dir, 'sets'));
    try {
      for (const p of ['k:a', 'k:b', 'k:c']) {
        store.putScan(scan(p), 1);
        store.addMember('job-1', p, 1);
      }
      // A second job meets an overlapping part: the first keeps its three.
      store.touch('k:b', 2, 'job-2');
      store.putScan(scan('k:d'), 2);
      store.addMember('job-2', 'k:d', 2);
      const paths = (set: string) => [...store.scansInSet(set)].map((s) => s.path);
      assert.deepEqual(paths('job-1'), ['k:a', 'k:b', 'k:c']);
      assert.deepEqual(paths('job-2'), ['k:b', 'k:d']);
      // The first job runs again and meets only a and c (b is gone from its source): its prune drops b
      // from job-1, not from job-2.
      store.touch('k:a', 3, 'job-1');
      store.touch('k:c', 3, 'job-1');
      assert.equal(store.pruneMembers('job-1', 3), 1);
      assert.deepEqual(paths('job-1'), ['k:a', 'k:c']);
      assert.deepEqual(paths('job-2'), ['k:b', 'k:d']);
      assert.deepEqual(paths('job-3'), []);
      // A scan that leaves the index (pruned with its folder) leaves every set with it.
      store.putScan(scan('/f/e.dcm'), 4);
      store.addMember('job-1', '/f/e.dcm', 4);
      assert.equal(store.pruneUnseen('/f', 5), 1);
      assert.deepEqual(paths('job-1'), ['k:a', 'k:c']);
    } finally {
      store.close();
    }
    const db = new Database(path.join(dir, 'sets', INDEX_FILE), { readonly: true });
    try {
      const rows = db.prepare("SELECT count(*) AS n FROM members WHERE set_key = 'job-1'").get() as { n: number };
      assert.equal(rows.n, 2, 'no member row outlives its scan');
    } finally {
      db.close();
    }
  });

  it('migrates a version-3 index: its scans are encoded again once with a model that has patch embeddings', async () => {
    const v3 = path.join(dir, 'v3');
    await import('node:fs/promises').then((fs) => fs.mkdir(v3, { recursive: true }));
    const db = new Database(path.join(v3, INDEX_FILE));
    for (const v of [1, 2, 3]) db.exec(MIGRATIONS[v]!);
    db.exec("INSERT INTO meta (key, value) VALUES ('schema', '3')");
    db.prepare(
      "INSERT INTO scans (id, path, size, mtime_ms, status, seen_run, indexed_at) VALUES (1, '/v3/a.dcm', 100, 1000, 'ok', 1, 0)",
    ).run();
    db.prepare("INSERT INTO models (id, model_key, dim, patch_grid) VALUES (1, 'p@1', 2, '[2,2]')").run();
    db.prepare("INSERT INTO models (id, model_key, dim, patch_grid) VALUES (2, 'q@1', 2, NULL)").run();
    const vector = Buffer.from(Float32Array.from([1, 0]).buffer);
    db.prepare('INSERT INTO embeddings (scan_id, model_id, vector) VALUES (1, 1, ?), (1, 2, ?)').run(vector, vector);
    db.close();
    const store = IndexStore.open(v3);
    try {
      const file = { path: '/v3/a.dcm', size: 100, mtimeMs: 1000 };
      const model = store.model('p@1', 2, [2, 2]);
      assert.equal(store.need(file, model), 'unchanged-needs-embedding', 'no pooled vector yet: encoded again');
      assert.equal(store.need(file, store.model('q@1', 2)), 'unchanged-embedded', 'a model without patches');
      store.putEmbedding(1, model, Float32Array.from([1, 0]), null, Float32Array.from([0, 1]));
      assert.equal(store.need(file, model), 'unchanged-embedded');
      // Schema 5 came with it: no region margins yet, so a run that asks for one encodes the scan again.
      assert.equal(store.need(file, model, ['nodule']), 'unchanged-needs-embedding');
      // A changed file loses its pooled vector with its embedding.
      store.putScan(scan(file.path, { size: 101 }));
    } finally {
      store.close();
    }
    const after = new Database(path.join(v3, INDEX_FILE), { readonly: true });
    assert.deepEqual(after.prepare('SELECT count(*) AS n FROM pooled').get(), { n: 0 });
    after.close();
  });

  it('migrates a version-6 index: its float32 patch grids are dropped, its embeddings and margins kept', async () => {
    const v5 = path.join(dir, 'v6');
    await mkdir(v5, { recursive: true });
    const db = new Database(path.join(v5, INDEX_FILE));
    for (const v of [1, 2, 3, 4, 5, 6]) db.exec(MIGRATIONS[v]!);
    db.exec("INSERT INTO meta (key, value) VALUES ('schema', '6')");
    db.prepare(
      "INSERT INTO scans (id, path, size, mtime_ms, status, seen_run, indexed_at) VALUES (1, '/v5/a.dcm', 100, 1000, 'ok', 1, 0)",
    ).run();
    db.prepare("INSERT INTO models (id, model_key, dim, patch_grid) VALUES (1, 'p@1', 2, '[2,2]')").run();
    const f32 = (xs: number[]) => Buffer.from(Float32Array.from(xs).buffer);
    db.prepare('INSERT INTO embeddings (scan_id, model_id, vector, patches) VALUES (1, 1, ?, ?)').run(
      f32([1, 0]),
      f32([1, 0, 0, 1, 0.6, 0.8, 0.8, 0.6]),
    );
    db.prepare('INSERT INTO pooled (scan_id, model_id, vector) VALUES (1, 1, ?)').run(f32([1, 1]));
    db.prepare("INSERT INTO regions (scan_id, model_id, phrase, margin) VALUES (1, 1, 'nodule', 0.5)").run();
    db.close();
    const store = IndexStore.open(v5);
    try {
      const model = store.model('p@1', 2, [2, 2]);
      assert.equal(store.patches(1, model), null, 'the float32 grid is gone: the next encode keeps it anew');
      assert.equal(
        store.need({ path: '/v5/a.dcm', size: 100, mtimeMs: 1000 }, model, ['nodule']),
        'unchanged-embedded',
      );
      assert.deepEqual(Array.from(store.regions(model, ['nodule'], [1]).get(1) ?? []), [0.5]);
    } finally {
      store.close();
    }
  });

  it('migrates a version-2 PACS job: its set is what its last complete run met', async () => {
    const v2 = path.join(dir, 'v2');
    await import('node:fs/promises').then((fs) => fs.mkdir(v2, { recursive: true }));
    const db = new Database(path.join(v2, INDEX_FILE));
    db.exec(MIGRATIONS[1]!);
    db.exec(MIGRATIONS[2]!);
    db.exec("INSERT INTO meta (key, value) VALUES ('schema', '2')");
    const put = db.prepare(
      "INSERT INTO scans (path, size, mtime_ms, status, seen_run, indexed_at) VALUES (?, 0, 0, 'ok', ?, 0)",
    );
    put.run('k:x', 4);
    put.run('k:y', 4);
    put.run('k:z', 5);
    const job = db.prepare(
      "INSERT INTO jobs (id, kind, params, state, created_at, updated_at) VALUES (?, 'screen', ?, 'done', 0, 0)",
    );
    job.run('pacs-job', JSON.stringify({ folder: 'pacs:a', pacs: { name: 'a', query: {} }, phrases: [], run: 4 }));
    job.run('folder-job', JSON.stringify({ folder: '/d', phrases: [], run: 5 }));
    db.close();
    const store = IndexStore.open(v2);
    try {
      assert.deepEqual(
        [...store.scansInSet('pacs-job')].map((s) => s.path),
        ['k:x', 'k:y'],
      );
      assert.deepEqual([...store.scansInSet('folder-job')], [], 'a folder job has no set');
    } finally {
      store.close();
    }
  });

  it('returns embeddings per model with their scan ids, and patches on demand', () => {
    const store = IndexStore.open(path.join(dir, 'c'));
    try {
      const model = store.model('m@1', 2);
      const a = store.putScan(scan('/e/a.dcm'));
      const b = store.putScan(scan('/e/b.dcm'));
      store.putEmbedding(b, model, Float32Array.from([0, 1]), Float32Array.from([1, 2, 3, 4]));
      store.putEmbedding(a, model, Float32Array.from([1, 0]));
      const e = store.embeddings(model);
      assert.deepEqual(Array.from(e.scanIds), [a, b]);
      assert.deepEqual(Array.from(e.data), [1, 0, 0, 1]);
      // Kept quantised: per cell (2 values) a scale max|x|/127 and int8 values.
      const grid = store.patches(b, model)!;
      assert.deepEqual(Array.from(grid.values), [64, 127, 95, 127]);
      assert.deepEqual(Array.from(grid.scales), [2 / 127, 4 / 127].map(Math.fround));
      // Each value within half a step of what was put.
      dequantiseGrid(grid).forEach((x, i) =>
        assert.ok(Math.abs(x - (i + 1)) <= grid.scales[i >> 1]! / 2, `${i}: ${x}`),
      );
      assert.equal(store.patches(a, model), null);
      assert.equal(e.pooled, undefined, 'pooled patch embeddings only when asked');
      const more = [1, 2, 3].map((i) => store.putScan(scan(`/e/more${i}.dcm`)));
      for (const id of more) store.putEmbedding(id, model, Float32Array.from([1, 0]));
      const some = store.embeddings(model, { scanIds: [b, 9999] });
      assert.deepEqual(Array.from(some.scanIds), [b], 'only the scans asked for (and stored)');
      assert.deepEqual(Array.from(some.data), [0, 1]);
      assert.equal(store.embeddings(model, { scanIds: [] }).scanIds.length, 0);
      const most = store.embeddings(model, { scanIds: [a, b, ...more.slice(1)] });
      assert.equal(most.scanIds.length, 5, 'most of the rows asked for: the whole table, read at once');
    } finally {
      store.close();
    }
  });

  it('keeps pooled patch embeddings, and encodes again a scan stored without them for a model that has them', () => {
    const store = IndexStore.open(path.join(dir, 'pooled'));
    try {
      const model = store.model('p@1', 2, [2, 2]);
      const plain = store.model('q@1', 2);
      assert.equal(model.patches, true);
      assert.equal(plain.patches, false);
      const file = { path: '/p/a.dcm', size: 100, mtimeMs: 1000 };
      const a = store.putScan(scan(file.path));
      const b = store.putScan(scan('/p/b.dcm'));
      store.putEmbedding(a, model, Float32Array.from([1, 0]));
      store.putEmbedding(a, plain, Float32Array.from([1, 0]));
      // Embedded before the index kept pooled patches (schema 3): encoded again with a patch model only.
      assert.equal(store.need(file, model), 'unchanged-needs-embedding');
      assert.equal(store.need(file, plain), 'unchanged-embedded');
      store.putEmbedding(a, model, Float32Array.from([1, 0]), null, Float32Array.from([0.6, 0.8]));
      store.putEmbedding(b, model, Float32Array.from([0, 1]));
      assert.equal(store.need(file, model), 'unchanged-embedded');
      const e = store.embeddings(model, { pooled: true });
      assert.deepEqual(
        e.pooled!.map((p) => (p ? Array.from(p, (x) => +x.toFixed(4)) : null)),
        [[0.6, 0.8], null],
      );
      assert.throws(
        () => store.putEmbedding(a, model, Float32Array.from([1, 0]), null, new Float32Array(3)),
        RangeError,
      );
    } finally {
      store.close();
    }
  });

  it('keeps best-region margins per phrase; a scan without one a run asks for is encoded again; a change drops them', () => {
    const store = IndexStore.open(path.join(dir, 'regions'));
    try {
      const model = store.model('r@1', 2, [2, 2]);
      const plain = store.model('s@1', 2);
      const file = { path: '/r/a.dcm', size: 100, mtimeMs: 1000 };
      const a = store.putScan(scan(file.path));
      const b = store.putScan(scan('/r/b.dcm'));
      store.putEmbedding(a, model, Float32Array.from([1, 0]), null, Float32Array.from([1, 0]));
      store.putEmbedding(a, plain, Float32Array.from([1, 0]));
      assert.equal(store.need(file, model), 'unchanged-embedded');
      assert.equal(store.need(file, model, ['nodule']), 'unchanged-needs-embedding');
      assert.equal(store.need(file, plain, ['nodule']), 'unchanged-embedded', 'a model without patches has no regions');
      // NaN (a phrase of absence) is not kept.
      store.putRegions(a, model, ['nodule', 'rib fracture', 'no effusion'], Float32Array.from([0.5, 0.25, NaN]));
      store.putRegions(b, model, ['nodule'], Float32Array.from([0.75]));
      assert.equal(store.need(file, model, ['nodule', 'rib fracture']), 'unchanged-embedded');
      assert.equal(store.need(file, model, ['nodule', 'nodule']), 'unchanged-embedded', 'a phrase asked twice');
      assert.equal(store.need(file, model, ['nodule', 'edema']), 'unchanged-needs-embedding');
      const got = store.regions(model, ['rib fracture', 'nodule', 'no effusion']);
      assert.deepEqual(Array.from(got.get(a)!), [0.25, 0.5, NaN]);
      assert.deepEqual(Array.from(got.get(b)!), [NaN, 0.75, NaN]);
      // A scope's scans only.
      assert.deepEqual([...store.regions(model, ['nodule'], Int32Array.from([b])).keys()], [b]);
      // The file changed: its margins go with its embeddings.
      store.putScan(scan(file.path, { size: 101 }));
      assert.equal(store.regions(model, ['nodule']).has(a), false);
      assert.equal(store.regions(model, ['nodule']).has(b), true);
    } finally {
      store.close();
    }
  });

  it('a second instance on the same index gets a clear "in use" error', async () => {
    const store = IndexStore.open(path.join(dir, 'd'));
    try {
      const out = await runNode(`
        import { IndexStore } from ${JSON.stringify(STORE_MODULE)};
        try { IndexStore.open(${JSON.stringify(path.join(dir, 'd'))}); console.log('opened'); }
        catch (e) { console.log(e.code + ': ' + e.message); }`);
      assert.match(out, /^IN_USE: the index in .* is in use by another RadSift/);
    } finally {
      store.close();
    }
    // Once the first closes, the index opens again.
    IndexStore.open(path.join(dir, 'd')).close();
  });

  it('survives kill -9 in the middle of writes: committed work intact, nothing half-written', async () => {
    const target = path.join(dir, 'e');
    const rnd = seededRandom(42);
    let committed = 0;
    for (let round = 0; round < 5; round++) {
      const child = spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { IndexStore } from ${JSON.stringify(STORE_MODULE)};
           const s = IndexStore.open(${JSON.stringify(target)});
           const m = s.model('m@1', 256);
           const v = new Float32Array(256).fill(0.0625);
           for (let i = 0; ; i++) s.transaction(() => {
             const id = s.putScan({ path: '/k/${round}/' + i + '.dcm', size: i, mtimeMs: 1, fingerprint: null, sopUid: null,
               seriesUid: null, studyUid: null, modality: null, studyDate: null, frames: 1, status: 'ok', errorCode: null, error: null });
             s.putEmbedding(id, m, v, new Float32Array(4096));
           });`,
        ],
        { stdio: 'ignore' },
      );
      await new Promise((r) => setTimeout(r, 300 + rnd() * 700));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const store = IndexStore.open(target); // runs quick_check
      try {
        const c = store.counts();
        assert.equal(c.scans, c.embeddings, 'every committed scan has its embedding: no torn transaction');
        assert.ok(c.scans >= committed, 'nothing committed earlier was lost');
        committed = c.scans;
      } finally {
        store.close();
      }
    }
    assert.ok(committed > 0, 'the writer got some transactions in before each kill');
  });

  it('keeps what a reader names a scan by, and migrates a version-1 index to hold it', async () => {
    const v1 = path.join(dir, 'v1');
    await import('node:fs/promises').then((fs) => fs.mkdir(v1, { recursive: true }));
    const db = new Database(path.join(v1, INDEX_FILE));
    db.exec(MIGRATIONS[1]!);
    db.exec("INSERT INTO meta (key, value) VALUES ('schema', '1')");
    db.prepare("INSERT INTO scans (path, size, mtime_ms, status, indexed_at) VALUES ('/old.dcm', 1, 1, 'ok', 0)").run();
    db.close();
    const store = IndexStore.open(v1);
    try {
      assert.equal(store.scanByPath('/old.dcm')!.naming, null, 'older rows have no naming until they change');
      const naming = { patientName: 'Doe^Jane', patientId: 'P7', viewPosition: 'PA', instanceNumber: 1 };
      store.putScan(scan('/new.dcm', { naming }));
      assert.deepEqual(store.scanByPath('/new.dcm')!.naming, naming);
    } finally {
      store.close();
    }
  });

  it('refuses a file that is not an index', async () => {
    const bogus = path.join(dir, 'f');
    await rm(bogus, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(bogus));
    await writeFile(path.join(bogus, 'radsift-index.sqlite'), 'this is not sqlite, just text padding '.repeat(50));
    assert.throws(
      () => IndexStore.open(bogus),
      (e: unknown) => e instanceof IndexError && e.code === 'CORRUPT',
    );
  });
});

describe('an index where nothing can be written', () => {
  const locking = lockedOutPrefix();
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'radsift-index-write-'));
  });
  after(async () => {
    await chmod(dir, 0o700);
    for (const sub of ['ro', 'ro-file']) await chmod(path.join(dir, sub), 0o700).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  /** Each folder opened by a child under `prefix`: `code: message` of its error, or "opened". */
  function openIn(prefix: readonly string[], folders: string[]): string[] {
    const run = nodeLockedOut(prefix, [
      '--input-type=module',
      '-e',
      `const { IndexStore } = await import(${JSON.stringify(pathToFileURL(STORE_MODULE).href)});
       for (const folder of process.argv.slice(1)) {
         try { IndexStore.open(folder).close(); console.log('opened'); }
         catch (e) { console.log(JSON.stringify(e.name + ' ' + e.code + ': ' + e.message)); }
       }`,
      ...folders,
    ]);
    assert.equal(run.status, 0, run.stderr);
    return run.stdout
      .trim()
      .split('\n')
      .map((l) => (l === 'opened' ? l : (JSON.parse(l) as string)));
  }

  const refused = (folder: string, why: RegExp) =>
    new RegExp(
      `^IndexError WRITE_FAILED: cannot (open the index in|make the index folder) ${folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${why.source}.* Nothing already stored was damaged; free space or fix the folder, then try again\\.$`,
    );

  it('a file where the index folder, or a folder above it, should be: WRITE_FAILED naming the folder, not logged', async () => {
    const file = path.join(dir, 'a-file');
    await writeFile(file, 'not a folder');
    for (const [folder, why] of [
      [file, /a file is in its place \(EEXIST\)/],
      [path.join(file, 'index'), /a file is in the place of a folder above it \(ENOTDIR\)/],
    ] as const) {
      assert.throws(
        () => IndexStore.open(folder),
        (e: unknown) => {
          assert.ok(e instanceof IndexError, String(e));
          assert.equal(e.code, 'WRITE_FAILED');
          assert.match(`IndexError ${e.code}: ${e.message}`, refused(folder, why));
          // A log line (radsift's fatal line) names no folder: it may be named after a patient.
          assert.ok(!loggableError(e).includes(folder), loggableError(e));
          return true;
        },
      );
    }
  });

  it(
    'a read-only folder: an index in it, a new index in it, a read-only index file are WRITE_FAILED saying so',
    { skip: 'skip' in locking ? locking.skip : false },
    async () => {
      const ro = path.join(dir, 'ro');
      const roFile = path.join(dir, 'ro-file');
      IndexStore.open(path.join(ro, 'index')).close();
      IndexStore.open(roFile).close();
      await chmod(path.join(roFile, INDEX_FILE), 0o444);
      await chmod(path.join(ro, 'index'), 0o555);
      await chmod(ro, 0o555);
      const prefix = 'prefix' in locking ? locking.prefix : [];
      const [stored, fresh, deeper, file] = openIn(prefix, [
        path.join(ro, 'index'),
        path.join(ro, 'new'),
        path.join(ro, 'new', 'deeper'),
        roFile,
      ]);
      // SQLite says SQLITE_READONLY_DIRECTORY or SQLITE_IOERR_LOCK; the folder says why.
      assert.match(stored!, refused(path.join(ro, 'index'), /the folder is read-only to RadSift \((EACCES|EPERM)\)/));
      assert.match(
        fresh!,
        refused(path.join(ro, 'new'), /the folder above it is read-only to RadSift \((EACCES|EPERM)\)/),
      );
      assert.match(deeper!, refused(path.join(ro, 'new', 'deeper'), /the folder above it is read-only/));
      assert.match(file!, refused(roFile, /the index file is read-only to RadSift \((EACCES|EPERM)\)/));
      await chmod(ro, 0o700);
      await chmod(path.join(ro, 'index'), 0o700);
      await chmod(path.join(roFile, INDEX_FILE), 0o600);
      assert.deepEqual(openIn(prefix, [path.join(ro, 'index'), roFile]), ['opened', 'opened'], 'nothing was damaged');
    },
  );

  it(
    'a folder the system will not make though its parent exists (/proc): WRITE_FAILED at once, no hang',
    { skip: process.platform !== 'linux' ? 'procfs is Linux’s' : false },
    () => {
      const [got] = openIn(['timeout', '20'], ['/proc/radsift-no-such-index']);
      assert.match(
        got!,
        /^IndexError WRITE_FAILED: cannot make the index folder \/proc\/radsift-no-such-index: .*\(ENOENT\)/,
      );
    },
  );

  it(
    'a disk that takes no more (a file size limit): WRITE_FAILED, and the index opens once there is room',
    { skip: process.platform === 'win32' ? 'no ulimit -f on Windows' : false },
    async () => {
      const full = path.join(dir, 'full');
      await mkdir(full);
      // 8 KiB: the new file's first page is written, the journal's frames are not (SQLITE_IOERR_WRITE or SQLITE_FULL).
      const [got] = openIn(['sh', '-c', 'ulimit -f 8 && exec "$0" "$@"'], [full]);
      assert.match(
        got!,
        refused(full, /(the disk is full \(SQLITE_FULL\)|is the disk full or read-only\? \(SQLITE_IOERR)/),
      );
      assert.deepEqual(await readdir(full), [], 'the new index that could not be set up is not left behind');
      assert.deepEqual(openIn([], [full]), ['opened']);
    },
  );

  it(
    'a read-only folder: openToRead reads a closed index and writes nothing; one in WAL mode or an older schema says what to do',
    { skip: 'skip' in locking ? locking.skip : false },
    async () => {
      const prefix = 'prefix' in locking ? locking.prefix : [];
      const shared = path.join(dir, 'shared');
      const walMode = path.join(dir, 'wal-mode');
      const older = path.join(dir, 'older');
      for (const folder of [shared, walMode]) {
        const store = IndexStore.open(folder);
        const id = store.putScan(scan('/d/a.dcm'));
        store.putEmbedding(id, store.model('m@1', 2), Float32Array.from([0.6, 0.8]));
        store.close();
      }
      // Closed, the file is in rollback-journal mode (byte 18 of its header 1, not WAL's 2).
      const header = await readFile(path.join(shared, INDEX_FILE));
      assert.equal(header[18], 1);
      // An index a crash (or an older RadSift) left in WAL mode.
      const wal = new Database(path.join(walMode, INDEX_FILE));
      wal.pragma('journal_mode = WAL');
      wal.close();
      // An index of schema 1.
      await mkdir(older);
      const old = new Database(path.join(older, INDEX_FILE));
      old.exec(MIGRATIONS[1]!);
      old.exec("INSERT INTO meta (key, value) VALUES ('schema', '1')");
      old.close();
      const locks = [shared, walMode, older];
      for (const folder of locks) {
        await chmod(path.join(folder, INDEX_FILE), 0o444);
        await chmod(folder, 0o555);
      }
      try {
        const run = nodeLockedOut(prefix, [
          '--input-type=module',
          '-e',
          `const { IndexStore } = await import(${JSON.stringify(pathToFileURL(STORE_MODULE).href)});
           for (const folder of process.argv.slice(1)) {
             try {
               const store = IndexStore.openToRead(folder);
               const slot = store.storedModel('m@1', 2);
               const got = { readOnly: store.readOnly, vectors: Array.from(store.embeddings(slot).data), unknown: store.storedModel('other@1', 2) };
               try { store.transaction(() => store.putScan({ path: '/d/b.dcm', size: 1, mtimeMs: 1, fingerprint: 'x', sopUid: null, seriesUid: null, studyUid: null, modality: null, studyDate: null, frames: 1, status: 'ok', errorCode: null, error: null, naming: null })); got.write = 'written'; }
               catch (e) { got.write = e.code; }
               store.close();
               console.log(JSON.stringify(got));
             } catch (e) { console.log(JSON.stringify(e.name + ' ' + e.code + ': ' + e.message)); }
           }`,
          ...locks,
        ]);
        assert.equal(run.status, 0, run.stderr);
        const [read, walRead, olderRead] = run.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as unknown);
        assert.deepEqual(read, {
          readOnly: true,
          vectors: [0.6000000238418579, 0.800000011920929],
          unknown: null,
          write: 'WRITE_FAILED',
        });
        assert.match(
          walRead as string,
          /^IndexError WRITE_FAILED: cannot read the index in .*wal-mode: the folder is read-only to RadSift \((EACCES|EPERM)\) and the index is in write-ahead-log mode .* Copy its folder somewhere RadSift may write, or run radsift screen --index on it once where its folder may be written; nothing already stored was damaged\.$/,
        );
        assert.match(
          olderRead as string,
          /^IndexError WRITE_FAILED: cannot read the index in .*older: .* written by an older RadSift/,
        );
      } finally {
        for (const folder of locks) {
          await chmod(folder, 0o700);
          await chmod(path.join(folder, INDEX_FILE), 0o600);
        }
      }
      // The WAL-mode index, opened once where it may be written, is readable read-only after.
      IndexStore.open(walMode).close();
      assert.equal((await readFile(path.join(walMode, INDEX_FILE)))[18], 1);
    },
  );
});

describe('exact top-k', () => {
  it('equals a full sort, ties broken by row', () => {
    const rnd = seededRandom(9);
    const dim = 16;
    const data = Float32Array.from({ length: 500 * dim }, () => Math.round((rnd() - 0.5) * 8) / 8);
    const q = Float32Array.from({ length: dim }, () => rnd() - 0.5);
    const all = Array.from({ length: 500 }, (_, r) => {
      let s = 0;
      for (let i = 0; i < dim; i++) s += data[r * dim + i]! * q[i]!;
      return { row: r, score: s };
    }).sort((a, b) => b.score - a.score || a.row - b.row);
    for (const k of [1, 7, 50, 500, 900]) {
      const got = topK(data, dim, q, k);
      assert.deepEqual(
        got.map((h) => h.row),
        all.slice(0, k).map((h) => h.row),
        `k=${k}`,
      );
    }
    assert.deepEqual(
      topK(data, dim, q, 5, (r) => r % 2 === 0).map((h) => h.row % 2),
      [0, 0, 0, 0, 0],
    );
  });
});

function runNode(source: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', source]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', () => resolve(out.trim()));
  });
}
