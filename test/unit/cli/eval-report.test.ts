/**
 * What `radsift eval` says about the scans it could not use: in text mode each labelled scan that failed is
 * named on stderr with its reason and each missing one by its path (exit 2 promises as much; only --json listed
 * them), with the count of labelled scans not among the inputs; and the last progress line of a log (stderr not
 * a terminal, as under node --test) is the final count, not the throttle's first one. And what --roc writes of a
 * phrase without both classes: nothing (its AUC is null), rather than a made-up curve.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../../electron/cli/command.js';
import { progressLine } from '../../../electron/cli/session.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { runCli } from '../../support/cli.js';

describe('radsift eval: the scans left out, named', () => {
  let work: string;
  let demo: string;
  let rows: string[];
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-eval-report-'));
    process.env.RADSIFT_DATA_DIR = path.join(work, 'data');
    demo = path.join(work, 'demo');
    writeDemo({ dir: demo, count: 6, seed: 1, size: 128 });
    rows = readFileSync(path.join(demo, 'labels.csv'), 'utf8').trim().split('\n').slice(1);
    assert.equal(rows.length, 6);
  });
  after(async () => {
    delete process.env.RADSIFT_DATA_DIR;
    await rm(work, { recursive: true, force: true });
  });

  it('text mode lists each failed and missing labelled scan on stderr, and the progress ends on the final count', async () => {
    const file = (row: string) => path.join(demo, row.split(',')[0]!);
    const folder = (row: string) => path.join(demo, row.split(',')[0]!.split('/')[0]!);
    // rows[0]: not among the inputs; rows[1]: gone; rows[5]: not a readable DICOM file; rows[2..4]: scored.
    const gone = file(rows[1]!);
    rmSync(gone);
    const broken = file(rows[5]!);
    writeFileSync(broken, 'not a scan\n');
    const r = await runCli(['eval', ...rows.slice(1).map(folder), '--labels', path.join(demo, 'labels.csv')], work);
    assert.equal(r.code, EXIT.PARTIAL, r.err);
    assert.match(r.out, /^3 labelled scans/);
    assert.match(r.err, new RegExp(`^failed: ${escape(broken)}: \\S`, 'm'));
    assert.match(r.err, new RegExp(`^missing: ${escape(gone)}$`, 'm'));
    assert.match(r.err, /^1 of the 6 scans labels\.csv labels are not among the inputs \(not evaluated\)$/m);
    const progress = r.err.split('\n').filter((l) => l.startsWith('encoded '));
    assert.equal(progress.at(-1), 'encoded 3 images, 1 failed, 0 not DICOM', r.err);
    // JSON mode lists them in the JSON, as before.
    const json = await runCli(
      ['eval', ...rows.slice(1).map(folder), '--labels', path.join(demo, 'labels.csv'), '--json'],
      work,
    );
    const summary = JSON.parse(json.out) as { failed: { path: string }[]; missing: string[]; notInFolder: number };
    assert.deepEqual([summary.failed.map((f) => f.path), summary.missing, summary.notInFolder], [[broken], [gone], 1]);
    unlinkSync(broken);
  });

  it('--roc leaves out a phrase without both classes (AUC null), and says so', async () => {
    const roc = await mkdtemp(path.join(work, 'roc-'));
    const scans = path.join(roc, 'demo');
    writeDemo({ dir: scans, count: 6, seed: 1, size: 128 });
    const lines = readFileSync(path.join(scans, 'labels.csv'), 'utf8').trim().split('\n');
    const header = lines[0]!.split(',');
    // pleural_effusion: both classes; cardiomegaly: no positive (this demo has none); edema: set all positive.
    const edema = header.indexOf('edema');
    const labels = path.join(scans, 'one-class.csv');
    writeFileSync(
      labels,
      `${lines.map((l, i) => (i ? l.split(',').map((c, k) => (k === edema ? '1' : c)) : l.split(',')).join(',')).join('\n')}\n`,
    );
    const column = (name: string) => lines.slice(1).map((l) => l.split(',')[header.indexOf(name)]);
    assert.ok(column('pleural_effusion').includes('1') && column('pleural_effusion').includes('0'));
    assert.ok(!column('cardiomegaly').includes('1'));
    const out = path.join(roc, 'roc.csv');
    const r = await runCli(
      ['eval', scans, '--labels', labels, '--findings', 'pleural_effusion,cardiomegaly,edema', '--roc', out, '--json'],
      work,
    );
    assert.equal(r.code, EXIT.OK, r.err);
    const aucs = (JSON.parse(r.out) as { phrases: { phrase: string; auc: number | null }[] }).phrases.map((p) => [
      p.phrase,
      p.auc === null ? null : 'number',
    ]);
    assert.deepEqual(aucs, [
      ['pleural effusion', 'number'],
      ['cardiomegaly', null],
      ['edema', null],
    ]);
    const curves = new Set(
      readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[0]),
    );
    assert.deepEqual([...curves], ['pleural effusion']);
    assert.match(
      r.err,
      /^--roc: 2 phrases left out, no curve \(the labelled scans are all positive or all negative\): cardiomegaly, edema$/m,
    );
  });

  it('progressLine: a log gets the final state once the work is done', { skip: skipOnTerminal() }, () => {
    let err = '';
    const progress = progressLine({ stdout: () => undefined, stderr: (t) => (err += t), cwd: work });
    progress('1 of 3, 0 failed');
    progress('2 of 3, 0 failed');
    progress('3 of 3, 1 failed');
    progress.done();
    progress.done(); // once only
    assert.deepEqual(err.split('\n'), ['1 of 3, 0 failed', '3 of 3, 1 failed', '']);
  });

  it(
    'progressLine: a final state that repeats the last line written is not written again',
    { skip: skipOnTerminal() },
    () => {
      // As `screen` reports: its last file's state, then the same state once the run ends.
      let err = '';
      const progress = progressLine({ stdout: () => undefined, stderr: (t) => (err += t), cwd: work });
      progress('3/3 files · 3 encoded');
      progress('3/3 files · 3 encoded');
      progress.done();
      assert.deepEqual(err.split('\n'), ['3/3 files · 3 encoded', '']);
    },
  );
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function skipOnTerminal(): string | false {
  return process.stderr.isTTY ? 'stderr is a terminal here: progress is rewritten in place, not logged' : false;
}
