/**
 * Options checked before any work: an output a long run could not write (a missing folder, a read-only one, a
 * folder in the file's place) or should not (eval's --roc over its own labels), a batch size, numbers written as
 * "", "0x2" or "1e2", and labels that are not 0 or 1 (an empty cell read as 0 counted an unlabelled scan as a
 * negative and moved the AUC), given twice, or under a column named twice. Each is a usage error (exit 1) before
 * the model loads: no "model:" line.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../../electron/cli/command.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { runCli } from '../../support/cli.js';
import { lockedOutPrefix, nodeLockedOut } from '../../support/locked-folder.js';
import { PROJECT_ROOT } from '../../support/paths.js';

// A folder this process cannot write in: mode 555, and as root a child without the rights that override it.
const locking = lockedOutPrefix();

describe('radsift: options checked before any work', () => {
  let work: string;
  let demo: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-output-checks-'));
    process.env.RADSIFT_DATA_DIR = path.join(work, 'data');
    demo = path.join(work, 'demo');
    writeDemo({ dir: demo, count: 2, seed: 41, size: 128 });
    mkdirSync(path.join(work, 'a-folder'));
    mkdirSync(path.join(work, 'a-folder.csv'));
  });
  after(async () => {
    delete process.env.RADSIFT_DATA_DIR;
    await rm(work, { recursive: true, force: true });
  });
  const refused = async (args: string[], message: RegExp) => {
    const r = await runCli(args, work);
    assert.equal(r.code, EXIT.USAGE, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message);
    assert.doesNotMatch(r.err, /^model:/m, 'refused before the model loads');
  };

  it('an output that cannot be written', async () => {
    const missing = path.join(work, 'no-such-folder');
    await refused(
      ['matrix', demo, '--phrases', 'pneumothorax', '--out', path.join(missing, 'm.csv')],
      /--out: the folder .*no-such-folder does not exist/,
    );
    await refused(['embed', demo, '--out', path.join(missing, 'e.npy')], /--out: the folder .* does not exist/);
    await refused(['embed', demo, '--out', 'a-folder'], /--out: .*a-folder is a folder/);
    await refused(
      ['screen', demo, '--phrases', 'pneumothorax', '--out', 'a-folder.csv', '--index', 'idx'],
      /--out: .*a-folder\.csv is a folder/,
    );
    await refused(
      ['eval', demo, '--labels', path.join(demo, 'labels.csv'), '--roc', path.join(missing, 'roc.csv')],
      /--roc: the folder .* does not exist/,
    );
  });

  it(
    'an output folder that cannot be written in',
    { skip: 'skip' in locking ? `a folder's mode stops nobody here: ${locking.skip}` : false },
    () => {
      const readOnly = path.join(work, 'read-only');
      mkdirSync(readOnly);
      chmodSync(readOnly, 0o555);
      try {
        const cli = path.join(PROJECT_ROOT, 'dist', 'electron', 'cli', 'radsift.js');
        const env = { ...process.env, RADSIFT_DATA_DIR: path.join(work, 'data') };
        const index = path.join(work, 'ro-idx');
        for (const [args, option] of [
          [['matrix', demo, '--phrases', 'pneumothorax', '--out', path.join(readOnly, 'm.csv')], '--out'],
          [['embed', demo, '--out', path.join(readOnly, 'e.npy')], '--out'],
          [['eval', demo, '--labels', path.join(demo, 'labels.csv'), '--roc', path.join(readOnly, 'r.csv')], '--roc'],
          [
            ['screen', demo, '--phrases', 'pneumothorax', '--out', path.join(readOnly, 's.csv'), '--index', index],
            '--out',
          ],
        ] as const) {
          const r = nodeLockedOut('prefix' in locking ? locking.prefix : [], [cli, ...args], { cwd: work, env });
          assert.equal(r.status, EXIT.USAGE, `${args[0]}: ${r.stderr}`);
          assert.match(r.stderr, new RegExp(`${option}: the folder ${readOnly} is not writable`), args[0]);
          assert.doesNotMatch(r.stderr, /^model:/m, `${args[0]}: refused before the model loads`);
        }
        assert.equal(existsSync(index), false, 'refused before anything was indexed');
      } finally {
        chmodSync(readOnly, 0o755);
      }
    },
  );

  it('--roc naming the labels or the reports eval reads', async () => {
    const labels = path.join(demo, 'labels.csv');
    const before = readFileSync(labels, 'utf8');
    await refused(['eval', demo, '--labels', labels, '--roc', labels], /--roc .*labels\.csv is the --labels file/);
    // The same file spelled from another folder.
    await refused(
      ['eval', demo, '--labels', labels, '--roc', path.join('demo', '.', 'labels.csv')],
      /--roc .*labels\.csv is the --labels file: it would be written over/,
    );
    await refused(
      ['eval', demo, '--labels', labels, '--roc', path.join(demo, 'reports.jsonl')],
      /--roc .*reports\.jsonl is the --reports file/,
    );
    assert.equal(readFileSync(labels, 'utf8'), before);
  });

  it('numbers and batch sizes', async () => {
    await refused(['embed', demo, '--out', 'e.npy', '--batch', '0'], /--batch must be a whole number from 1 to 256/);
    await refused(['embed', demo, '--out', 'e.npy', '--batch', 'abc'], /--batch must be a whole number/);
    await refused(['demo', path.join(work, 'd1'), '--count', '0x2'], /--count must be an integer ≥ 1, got "0x2"/);
    await refused(['demo', path.join(work, 'd2'), '--seed='], /--seed must be an integer ≥ 0, got ""/);
    await refused(['query', demo, 'pneumothorax', '--top='], /--top must be an integer ≥ 1/);
    await refused(['query', demo, 'pneumothorax', '--top', '1e2'], /--top must be an integer ≥ 1/);
  });

  it('a label cell that is not 0 or 1, by its column', async () => {
    const lines = readFileSync(path.join(demo, 'labels.csv'), 'utf8').trim().split('\n');
    const blanked = lines.map((l, i) => (i === 2 ? l.replace(/^([^,]*),[01]/, '$1,') : l));
    const labels = path.join(demo, 'blank-labels.csv');
    writeFileSync(labels, `${blanked.join('\n')}\n`);
    await refused(
      ['eval', demo, '--labels', labels],
      /row 3: pleural_effusion is empty: labels must be 0 or 1 \(a scan not labelled: leave its row out\)/,
    );
    writeFileSync(labels, `${lines.map((l, i) => (i === 1 ? l.replace(/^([^,]*),[01]/, '$1,-1') : l)).join('\n')}\n`);
    await refused(['eval', demo, '--labels', labels], /row 2: pleural_effusion is "-1": labels must be 0 or 1/);
  });

  it('a scan labelled on two rows, or a column named twice', async () => {
    const lines = readFileSync(path.join(demo, 'labels.csv'), 'utf8').trim().split('\n');
    const labels = path.join(demo, 'twice-labels.csv');
    // The same path again (the earlier row's labels were silently replaced by the later one's).
    writeFileSync(labels, `${[...lines, lines[1]!].join('\n')}\n`);
    const again = lines[1]!.split(',')[0]!;
    await refused(
      ['eval', demo, '--labels', labels],
      new RegExp(`row 4: ${again.replace(/[.]/g, '\\.')} is already labelled on row 2`),
    );
    // The same file spelled another way.
    writeFileSync(labels, `${[...lines, `./${lines[2]!}`].join('\n')}\n`);
    await refused(['eval', demo, '--labels', labels], /row 4: \.\/\S+ is already labelled on row 3/);
    // A finding's column twice: which one --findings and the report read would be chance.
    const header = lines[0]!.split(',');
    const doubled = lines.map((l, i) => `${l},${i ? l.split(',')[4] : header[4]}`);
    writeFileSync(labels, `${doubled.join('\n')}\n`);
    await refused(
      ['eval', demo, '--labels', labels],
      new RegExp(`row 1: the column "${header[4]}" is named twice \\(columns 5 and ${header.length + 1}\\)`),
    );
  });
});
