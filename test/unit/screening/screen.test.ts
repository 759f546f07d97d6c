import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { after, before, describe, it } from 'node:test';
import type { CliIO } from '../../../electron/cli/command.js';
import { main } from '../../../electron/cli/radsift.js';
import { IndexStore } from '../../../electron/index/index-store.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { seededRandom } from '../../../electron/scoring/metrics.js';
import { layoutFixtures } from '../../support/model-fixtures.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const fixtures = layoutFixtures();
const skip = 'skip' in fixtures ? fixtures.skip : false;
const CLI = path.join(PROJECT_ROOT, 'dist', 'electron', 'cli', 'radsift.js');

async function run(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd };
  return { code: await main(args, io), out, err };
}

/** Writes `count` phantoms (DICOM only) into `dir`. */
async function scans(work: string, dir: string, count: number, seed: number): Promise<void> {
  const demo = path.join(work, `demo-${seed}-${count}`);
  writeDemo({ dir: demo, count, seed, size: 256 });
  for (const e of await readdir(demo))
    if (e.startsWith('PH')) await cp(path.join(demo, e), path.join(dir, e), { recursive: true });
}

/** The CSV rows keyed by path, scores rounded: what must be equal across interrupted and clean runs. */
async function results(file: string): Promise<Map<string, string>> {
  const lines = (await readFile(file, 'utf8')).trim().split('\n').slice(1);
  return new Map(
    lines.map((l) => [
      l.split(',')[0]!,
      l
        .split(',')
        .slice(1)
        .map((c) => (/^-?\d+\.\d+$/.test(c) ? Number(c).toFixed(4) : c))
        .join(','),
    ]),
  );
}

describe('radsift screen', { skip }, () => {
  let work: string;
  let model: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-screen-'));
    process.env.RADSIFT_DATA_DIR = path.join(work, 'data');
    model = path.join((fixtures as { dir: string }).dir, 'hf-clip-bpe');
  });
  after(async () => {
    delete process.env.RADSIFT_DATA_DIR;
    await rm(work, { recursive: true, force: true });
  });

  it("--hide-identifiers cuts each scan's own patient ID and accession out of its row's path", async () => {
    const folder = path.join(work, 'hide');
    await scans(work, folder, 3, 12);
    const args = ['screen', folder, '--phrases', 'pneumothorax', '--index', path.join(work, 'idx-hide')];
    const paths = async (file: string) =>
      (await readFile(path.join(work, file), 'utf8'))
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[0]!);
    assert.equal((await run([...args, '--out', 'plain.csv', '--model-dir', model], work)).code, 0);
    const hidden = await run([...args, '--out', 'hidden.csv', '--hide-identifiers', '--model-dir', model], work);
    assert.equal(hidden.code, 0, hidden.err);
    const plain = await paths('plain.csv');
    const cut = await paths('hidden.csv');
    assert.equal(cut.length, 3);
    // The demo's folders are named by the patient ID (PH…): as they are without the flag, hidden with it.
    for (const p of plain) assert.match(p, /\/PH\d{10}\//);
    for (const p of cut) {
      assert.match(p, /\/\[hidden\]\//);
      assert.doesNotMatch(p, /PH\d{10}/);
    }
    assert.deepEqual(
      cut.map((p) => path.basename(p)).sort(),
      plain.map((p) => path.basename(p)).sort(),
      'the rest of each path is kept',
    );
  });

  it('--hide-identifiers in a .json output and on stderr: the folder, the skipped files and a file that could not be read lose them too', async () => {
    const demo = path.join(work, 'one-patient');
    await scans(work, demo, 1, 13);
    // One patient's folder, as a researcher may screen it: its name is the patient ID, and a note in it is skipped.
    const [patient] = (await readdir(demo)).filter((e) => e.startsWith('PH'));
    const folder = path.join(demo, patient!);
    await writeFile(path.join(folder, `${patient}-notes.txt`), 'not a scan');
    // A file that claims to be DICOM but cannot be read: a row without identifiers of its own.
    const broken = Buffer.alloc(300);
    broken.write('DICM', 128);
    await writeFile(path.join(folder, 'broken.dcm'), broken);
    const args = ['screen', folder, '--phrases', 'pneumothorax', '--index', path.join(work, 'idx-one'), '--model-dir'];
    const read = async (file: string) =>
      JSON.parse(await readFile(path.join(work, file), 'utf8')) as {
        folder: string;
        skipped: string[];
        rows: { path: string }[];
      };
    // Hidden first: the run that indexes the broken file says so on stderr, where a log keeps it.
    const hidden = await run([...args, model, '--out', 'hidden.json', '--hide-identifiers'], work);
    assert.equal(hidden.code, 2, hidden.err);
    assert.match(hidden.err, /failed: one-patient\/\[hidden\]\/broken\.dcm: /);
    assert.doesNotMatch(hidden.err, new RegExp(patient!));
    assert.equal((await run([...args, model, '--out', 'plain.json'], work)).code, 2); // the broken file
    const plain = await read('plain.json');
    const cut = await read('hidden.json');
    assert.equal(plain.folder, folder);
    assert.equal(plain.skipped.length, 1);
    assert.match(plain.skipped[0]!, new RegExp(`${patient}-notes\\.txt$`));
    assert.equal(cut.folder, path.join(demo, '[hidden]'));
    assert.deepEqual(cut.skipped, [path.join(demo, '[hidden]', '[hidden]-notes.txt')]);
    assert.equal(cut.rows.length, plain.rows.length);
    assert.ok(plain.rows.some((r) => r.path.endsWith(`${patient}/broken.dcm`)));
    assert.ok(cut.rows.some((r) => r.path === path.join(demo, '[hidden]', 'broken.dcm')));
    const text = await readFile(path.join(work, 'hidden.json'), 'utf8');
    assert.doesNotMatch(text, new RegExp(patient!));
  });

  it('is incremental: unchanged files skipped, changed re-encoded, deleted pruned; failures listed with exit 2', async () => {
    const folder = path.join(work, 'inc');
    await scans(work, folder, 6, 11);
    const args = [
      'screen',
      folder,
      '--phrases',
      'pleural effusion,pneumothorax',
      '--index',
      path.join(work, 'idx-inc'),
      '--model-dir',
      model,
    ];
    const first = await run([...args, '--out', 'a.csv'], work);
    assert.equal(first.code, 0, first.err);
    assert.match(first.err, /index: 6 encoded, 0 unchanged, 0 failed, 0 pruned/);
    const a = await results(path.join(work, 'a.csv'));
    assert.equal(a.size, 6);
    for (const row of a.values()) assert.match(row, /,ok,/);

    // The index answers queries without touching the files again.
    const q = await run(
      ['query', '--index', path.join(work, 'idx-inc'), 'pleural effusion', '--json', '--model-dir', model],
      work,
    );
    assert.equal(q.code, 0, q.err);
    const qj = JSON.parse(q.out) as { scans: number; results: { path: string }[] };
    assert.equal(qj.scans, 6);
    assert.deepEqual(new Set(qj.results.map((r) => r.path)), new Set(a.keys()));

    const again = await run([...args, '--out', 'b.csv'], work);
    assert.match(again.err, /index: 0 encoded, 6 unchanged, 0 failed, 0 pruned/);
    assert.deepEqual(await results(path.join(work, 'b.csv')), a);

    const files = [...a.keys()].sort();
    await utimes(files[0]!, new Date(), new Date(Date.now() + 5000)); // "changed"
    await rm(path.dirname(files[1]!), { recursive: true }); // deleted
    await writeFile(path.join(folder, 'notes.txt'), 'not a scan');
    await writeFile(path.join(folder, 'broken.dcm'), 'named like a scan, but not one');
    const third = await run([...args, '--out', 'c.json'], work);
    assert.equal(third.code, 2, third.err);
    // notes.txt is not DICOM: skipped, no row, no failure. broken.dcm claims to be DICOM: a failure.
    assert.match(third.err, /index: 1 encoded, 4 unchanged, 1 failed, 1 pruned; skipped 1 non-DICOM file\n/);
    assert.match(third.err, /failed: .*broken\.dcm: NOT_DICOM/);
    assert.doesNotMatch(third.err, /failed: .*notes\.txt/);
    const json = JSON.parse(await readFile(path.join(work, 'c.json'), 'utf8')) as {
      rows: { path: string; status: string; flagged: boolean }[];
      skipped: string[];
    };
    assert.equal(json.rows.length, 6);
    assert.deepEqual(
      json.rows.filter((r) => r.status === 'failed').map((r) => path.basename(r.path)),
      ['broken.dcm'],
    );
    assert.deepEqual(
      json.skipped.map((p) => path.basename(p)),
      ['notes.txt'],
    );

    // A failed file is tried again on a rerun and stays a failure (never "unchanged").
    const retried = await run([...args, '--out', 'c2.csv'], work);
    assert.equal(retried.code, 2, retried.err);
    assert.match(retried.err, /index: 0 encoded, 5 unchanged, 1 failed, 0 pruned; skipped 1 non-DICOM file\n/);
    assert.match(retried.err, /failed: .*broken\.dcm: NOT_DICOM/);

    // Without the broken scan, a folder with a non-DICOM file exits 0; the rerun passes over it unchanged.
    await rm(path.join(folder, 'broken.dcm'));
    const fourth = await run([...args, '--out', 'd.csv'], work);
    assert.equal(fourth.code, 0, fourth.err);
    assert.match(fourth.err, /index: 0 encoded, 5 unchanged, 0 failed, 1 pruned; skipped 1 non-DICOM file\n/);
  });

  it('kill -9 at random moments, then the same command: same results as an uninterrupted run', async () => {
    const folder = path.join(work, 'kill');
    await scans(work, folder, 16, 12);
    const common = ['screen', folder, '--phrases', 'cardiomegaly', '--model-dir', model, '--batch', '2'];
    const clean = await run([...common, '--index', path.join(work, 'idx-clean'), '--out', 'clean.csv'], work);
    assert.equal(clean.code, 0, clean.err);
    const expected = await results(path.join(work, 'clean.csv'));
    assert.equal(expected.size, 16);

    const rnd = seededRandom(7);
    const index = path.join(work, 'idx-killed');
    let kills = 0;
    for (let attempt = 0; attempt < 12; attempt++) {
      const child = spawn(process.execPath, [CLI, ...common, '--index', index, '--out', 'killed.csv'], {
        cwd: work,
        env: { ...process.env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const killAfter = attempt < 3 ? 400 + rnd() * 1600 : Infinity;
      const timer = Number.isFinite(killAfter) ? setTimeout(() => child.kill('SIGKILL'), killAfter) : null;
      const code = await exited;
      if (timer) clearTimeout(timer);
      if (code === null) {
        kills++;
        continue;
      }
      assert.equal(code, 0, err);
      break;
    }
    assert.ok(kills >= 1, 'at least one run was killed');
    assert.deepEqual(await results(path.join(work, 'killed.csv')), expected);
  });

  it('Ctrl+C stops after the batch under way with exit 130 and no results, and the same command resumes', async () => {
    const folder = path.join(work, 'interrupt');
    await scans(work, folder, 24, 14);
    const index = path.join(work, 'idx-interrupt');
    const args = ['screen', folder, '--phrases', 'cardiomegaly', '--model-dir', model, '--batch', '1'];
    const child = spawn(process.execPath, [CLI, ...args, '--index', index, '--out', 'stopped.csv'], {
      cwd: work,
      env: { ...process.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    let sent = false;
    child.stderr.on('data', (d) => {
      err += d;
      // The first progress line: encoding is under way.
      if (!sent && /\d+ encoded/.test(err)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.ok(sent, err);
    assert.equal(code, 130, err);
    assert.match(err, /stopping after the current batch; run the same command again to resume/);
    assert.equal(existsSync(path.join(work, 'stopped.csv')), false, 'no results from a run that did not end');
    const resumed = await run([...args, '--index', index, '--out', 'stopped.csv'], work);
    assert.equal(resumed.code, 0, resumed.err);
    assert.equal((await results(path.join(work, 'stopped.csv'))).size, 24);
  });

  it('a second screen on an index in use fails at once with a clear message', async () => {
    const folder = path.join(work, 'busy');
    await scans(work, folder, 2, 13);
    const index = path.join(work, 'idx-busy');
    const holder = IndexStore.open(index);
    try {
      const r = await run(['screen', folder, '--index-only', '--index', index, '--model-dir', model], work);
      assert.equal(r.code, 3);
      assert.match(r.err, /in use by another RadSift/);
    } finally {
      holder.close();
    }
  });

  it('a write error (disk full) stops with a clear message, keeps what was stored, and the same command resumes', async () => {
    // A real write failure: the child may not grow any file past 200 KB (RLIMIT_FSIZE, with
    // SIGXFSZ ignored so write() fails with EFBIG). Each two-file batch appends a few 4 KB pages
    // to the WAL, so the index fills after a few batches. A new index's migrations take their part first (at 180 KB,
    // enough before schema 6's, none was left for a batch).
    const folder = path.join(work, 'full');
    await scans(work, folder, 10, 17);
    const bundle = path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt');
    const common = ['screen', folder, '--phrases', 'pleural effusion', '--model-dir', bundle, '--batch', '2'];
    const clean = await run([...common, '--index', path.join(work, 'idx-full-clean'), '--out', 'full-clean.csv'], work);
    assert.equal(clean.code, 0, clean.err);

    const index = path.join(work, 'idx-full');
    const quoted = [CLI, ...common, '--index', index, '--out', 'full.csv'].map((a) => `'${a}'`).join(' ');
    const limited = spawnSync('bash', ['-c', `trap '' XFSZ; ulimit -f 200; exec '${process.execPath}' ${quoted}`], {
      cwd: work,
      encoding: 'utf8',
      env: process.env,
    });
    assert.equal(limited.status, 3, limited.stderr);
    assert.match(limited.stderr, /could not write to the index .*is the disk full or read-only\?/);
    assert.match(limited.stderr, /Nothing already stored was damaged.*run the same command again/);
    // The fatal line gives the code, and the index's folder (often named after what was screened) as <path>.
    assert.match(limited.stderr, /radsift screen: WRITE_FAILED: /);
    assert.ok(!limited.stderr.includes(index), limited.stderr);

    const db = new Database(path.join(index, 'radsift-index.sqlite'), { readonly: true });
    const stored = (db.prepare('SELECT count(*) AS n FROM embeddings').get() as { n: number }).n;
    assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
    db.close();
    assert.ok(stored >= 1 && stored < 10, `${stored} scans stored before the write failed`);

    const resumed = await run([...common, '--index', index, '--out', 'full.csv'], work);
    assert.equal(resumed.code, 0, resumed.err);
    assert.match(resumed.err, new RegExp(`index: ${10 - stored} encoded, ${stored} unchanged, 0 failed`));
    assert.deepEqual(await results(path.join(work, 'full.csv')), await results(path.join(work, 'full-clean.csv')));
  });
});
