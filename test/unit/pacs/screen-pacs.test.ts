/**
 * `radsift screen` over a real Orthanc: the same scores as screening the same files from disk, every
 * instance once, resumable after the server is killed mid-retrieve, and no password anywhere.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliIO } from '../../../electron/cli/command.js';
import { main } from '../../../electron/cli/radsift.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { FaultProxy } from '../../support/fault-proxy.js';
import { layoutFixtures } from '../../support/model-fixtures.js';
import { orthancMissing, TestOrthanc } from '../../support/orthanc.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const fixtures = layoutFixtures();
const skip = orthancMissing() ?? ('skip' in fixtures ? fixtures.skip : false);
const PASSWORD = 'pacs-screen-secret-7781';
const COUNT = 24;

async function run(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  onStderr?: (all: string) => void,
): Promise<{ code: number; err: string }> {
  let err = '';
  const io: CliIO = {
    stdout: () => undefined,
    stderr: (t) => {
      err += t;
      onStderr?.(err);
    },
    cwd,
  };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return { code: await main(args, io), err };
  } finally {
    for (const k of Object.keys(env))
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
  }
}

/** CSV rows by SOP Instance UID: status and scores (rounded), what must match between runs and sources. */
async function bySop(file: string): Promise<Map<string, string>> {
  const lines = (await readFile(file, 'utf8')).trim().split('\n').slice(1);
  const rows = new Map<string, string>();
  for (const line of lines) {
    const cells = line.split(',');
    assert.ok(!rows.has(cells[1]!), `instance ${cells[1]} twice`);
    rows.set(
      cells[1]!,
      cells
        .slice(4)
        .map((c) => (/^-?\d+\.\d+$/.test(c) ? Number(c).toFixed(4) : c))
        .join(','),
    );
  }
  return rows;
}

const phrases = ['--phrases', 'pleural effusion,pneumothorax'];

describe('radsift screen <archive>', { skip }, () => {
  let orthanc: TestOrthanc;
  let work: string;
  let model: string;
  let scans: string;
  /** Screening the same files from disk: what every run from the archive must equal (by SOP Instance UID). */
  let fromDisk: Map<string, string>;
  before(async () => {
    orthanc = await TestOrthanc.start({ password: PASSWORD });
    work = await mkdtemp(path.join(tmpdir(), 'radsift-screen-pacs-'));
    process.env.RADSIFT_DATA_DIR = path.join(work, 'data');
    model = path.join((fixtures as { dir: string }).dir, 'hf-clip-bpe');
    const demo = path.join(work, 'demo');
    writeDemo({ dir: demo, count: COUNT, seed: 31, size: 256 });
    scans = path.join(work, 'scans');
    for (const e of await readdir(demo))
      if (e.startsWith('PH')) await cp(path.join(demo, e), path.join(scans, e), { recursive: true });
    const files = (await readdir(scans, { recursive: true }))
      .filter((f) => f.endsWith('.dcm'))
      .map((f) => path.join(scans, f));
    await orthanc.upload(files);
    const disk = await run(
      ['screen', scans, ...phrases, '--index', path.join(work, 'idx-disk'), '--model-dir', model, '--out', 'disk.csv'],
      work,
    );
    assert.equal(disk.code, 0, disk.err);
    fromDisk = await bySop(path.join(work, 'disk.csv'));
  });
  after(async () => {
    delete process.env.RADSIFT_DATA_DIR;
    await orthanc?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  /** `radsift screen <archive>` with its own index and cache (named by `run`), and any extra options. */
  const screenArgs = (archive: string, name: string, ...extra: string[]) => [
    'screen',
    archive,
    '--user',
    orthanc.user,
    ...phrases,
    '--index',
    path.join(work, `idx-${name}`),
    '--model-dir',
    model,
    '--cache',
    path.join(work, `cache-${name}`),
    ...extra,
  ];

  it('scores every instance as screening the same files from disk does; a rerun retrieves nothing', async () => {
    const args = screenArgs(`dicomweb+${orthanc.dicomWebUrl}`, 'pacs');
    const env = { RADSIFT_PACS_PASSWORD: PASSWORD };
    const pacs = await run([...args, '--out', 'pacs.csv'], work, env);
    assert.equal(pacs.code, 0, pacs.err);
    assert.match(pacs.err, new RegExp(`index: ${COUNT} encoded, 0 unchanged, 0 failed`));
    const fromPacs = await bySop(path.join(work, 'pacs.csv'));
    assert.equal(fromPacs.size, COUNT);
    assert.deepEqual(fromPacs, fromDisk);
    const again = await run([...args, '--out', 'again.csv'], work, env);
    assert.match(again.err, new RegExp(`index: 0 encoded, ${COUNT} unchanged`));
    assert.deepEqual(await bySop(path.join(work, 'again.csv')), fromDisk);

    // Without the password: a clear refusal before anything runs. With a wrong one: the server's 401.
    const missing = await run([...args, '--out', 'x.csv'], work);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /needs a password: --secret-file <file> or RADSIFT_PACS_PASSWORD/);
    const wrong = await run([...args, '--out', 'x.csv'], work, { RADSIFT_PACS_PASSWORD: 'wrong-password-123' });
    assert.equal(wrong.code, 3);
    assert.match(wrong.err, /AUTH_FAILED/);
    for (const out of [pacs.err, again.err, wrong.err])
      assert.doesNotMatch(out, new RegExp(`${PASSWORD}|wrong-password-123`));
    const index = await readFile(path.join(work, 'idx-pacs', 'radsift-index.sqlite')).catch(() => Buffer.alloc(0));
    assert.ok(index.length > 0, 'the index file is where the test looks');
    assert.equal(index.indexOf(PASSWORD), -1, 'no password in the index');
  });

  it('a server killed mid-retrieve: what was indexed is kept, the same command completes after a restart', async () => {
    const proxy = await FaultProxy.start(orthanc.httpPort);
    try {
      const args = screenArgs(
        `dicomweb+http://127.0.0.1:${proxy.port}/dicom-web`,
        'kill',
        '--batch',
        '4',
        '--timeout',
        '3',
      );
      const env = { RADSIFT_PACS_PASSWORD: PASSWORD };
      // Kill -9 the server once some batches are committed (the progress line says so), mid-retrieve.
      let killed = false;
      const first = await run([...args, '--out', 'k1.csv'], work, env, (err) => {
        const encoded = [...err.matchAll(/(\d+) encoded/g)].map((m) => Number(m[1]));
        if (!killed && encoded.some((n) => n >= 4)) {
          killed = true;
          void orthanc.kill();
        }
      });
      assert.ok(killed, 'the server was killed during the run');
      assert.equal(first.code, 3, first.err);
      assert.match(first.err, /UNREACHABLE|INTERRUPTED|TIMEOUT/);
      assert.match(first.err, /run the same command again to resume/);
      const indexed = Number(/(\d+) encoded/.exec(first.err)?.[1] ?? 0);

      await orthanc.launch();
      const second = await run([...args, '--out', 'k2.csv'], work, env);
      assert.equal(second.code, 0, second.err);
      const m = /index: (\d+) encoded, (\d+) unchanged, 0 failed/.exec(second.err);
      assert.ok(m, second.err);
      assert.ok(
        Number(m[2]) > 0,
        `instances indexed before the kill are not retrieved again:\n${first.err}\n${second.err}`,
      );
      assert.equal(Number(m[1]) + Number(m[2]), COUNT);
      assert.ok(indexed >= 0);
      assert.deepEqual(await bySop(path.join(work, 'k2.csv')), fromDisk);
    } finally {
      await proxy.close();
    }
  });

  it('radsift killed with SIGKILL mid-run: the same command completes, retrieving nothing indexed again', async () => {
    const args = screenArgs(`dicomweb+${orthanc.dicomWebUrl}`, 'sigkill', '--batch', '4');
    const child = spawn(
      process.execPath,
      [path.join(PROJECT_ROOT, 'dist', 'electron', 'cli', 'radsift.js'), ...args, '--out', 's1.csv'],
      {
        cwd: work,
        env: { ...process.env, RADSIFT_PACS_PASSWORD: PASSWORD },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      // Once some batches are committed, kill -9: no handler runs, nothing is flushed.
      if ([...err.matchAll(/(\d+) encoded/g)].some((m) => Number(m[1]) >= 4)) child.kill('SIGKILL');
    });
    assert.equal(await exited, 'SIGKILL', `the run ended before it could be killed:\n${err}`);
    const second = await run([...args, '--out', 's2.csv'], work, { RADSIFT_PACS_PASSWORD: PASSWORD });
    assert.equal(second.code, 0, second.err);
    const m = /index: (\d+) encoded, (\d+) unchanged, 0 failed/.exec(second.err);
    assert.ok(m && Number(m[2]) >= 4, second.err);
    assert.equal(Number(m[1]) + Number(m[2]), COUNT);
    assert.deepEqual(await bySop(path.join(work, 's2.csv')), fromDisk);
  });
});
