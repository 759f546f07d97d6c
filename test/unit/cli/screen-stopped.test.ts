/**
 * `radsift screen --out` stopped or killed while its results are written. The results go to an aside file
 * (`<out>.<pid>.<hex>.tmp`) renamed over the output when complete: a stop must leave the previous output and no
 * aside file, and a run after a kill must complete and take away the aside file the killed run left.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { EXIT, type CliIO } from '../../../electron/cli/command.js';
import { main } from '../../../electron/cli/radsift.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { runCli } from '../../support/cli.js';

describe('radsift screen: stopped or killed while writing its results', () => {
  let work: string;
  let demo: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-screen-stopped-'));
    process.env.RADSIFT_DATA_DIR = path.join(work, 'data');
    demo = path.join(work, 'demo');
    writeDemo({ dir: demo, count: 12, seed: 8, size: 128 });
  });
  after(async () => {
    delete process.env.RADSIFT_DATA_DIR;
    await rm(work, { recursive: true, force: true });
  });

  const asideFiles = () => readdirSync(work).filter((f) => f.endsWith('.tmp'));
  const screen = (phrase: string) => ['screen', demo, '--phrases', phrase, '--out', 's.csv', '--index', 'idx'];

  it('Ctrl+C once the index is complete: exit 130, the previous output as it was, no aside file; the rerun writes it', async () => {
    const first = await runCli(screen('nodule'), work);
    assert.equal(first.code, EXIT.OK, first.err);
    const previous = readFileSync(path.join(work, 's.csv'));

    // Ctrl+C as the index's summary is said: the run is past indexing, about to read and write its results.
    let err = '';
    const io: CliIO = {
      stdout: () => undefined,
      stderr: (t) => {
        err += t;
        if (t.startsWith('index: ')) process.emit('SIGINT');
      },
      cwd: work,
      stdin: Readable.from([]),
    };
    const code = await main(screen('edema'), io);
    assert.equal(code, EXIT.STOPPED, err);
    assert.match(err, /stopped before the results were written: the output is as it was/);
    assert.deepEqual(readFileSync(path.join(work, 's.csv')), previous, 'a stopped run left the previous output');
    assert.deepEqual(asideFiles(), []);

    const rerun = await runCli(screen('edema'), work);
    assert.equal(rerun.code, EXIT.OK, rerun.err);
    assert.match(rerun.err, /index: 0 encoded, 12 unchanged/);
    assert.match(readFileSync(path.join(work, 's.csv'), 'utf8'), /^path,.*,edema score,/);
    assert.deepEqual(asideFiles(), []);
  });

  it('a rerun after a kill removes the aside file the killed run left, and only that one', async () => {
    // What kill -9 while writing leaves: an aside named by a process that is gone.
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const killed = `s.csv.${gone}.0123abcd.tmp`;
      const writing = `s.csv.${alive.pid}.0123abcd.tmp`; // a run still writing it
      const others = ['s.csv.notes.tmp', `other.csv.${gone}.0123abcd.tmp`];
      for (const f of [killed, writing, ...others]) writeFileSync(path.join(work, f), 'path,partial\n');
      const r = await runCli(screen('cardiomegaly'), work);
      assert.equal(r.code, EXIT.OK, r.err);
      assert.deepEqual(asideFiles().sort(), [writing, ...others].sort());
      for (const f of [writing, ...others]) await rm(path.join(work, f));
    } finally {
      alive.kill();
    }
  });
});
