/**
 * `radsift screen` over a folder with a subfolder it cannot open (named after its patient, locked for real:
 * locked-folder.ts), with the shipped model: the run finishes with exit 2 and the folder as one failed row whose
 * reason names no path; what the index held under it stays until it can be read again; a folder given that
 * cannot be opened is fatal (or, among several inputs, one failed input), and no line names it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IndexStore } from '../../../electron/index/index-store.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { lockedOutPrefix, lockFolder, nodeLockedOut } from '../../support/locked-folder.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const locking = lockedOutPrefix();
const CLI = path.join(PROJECT_ROOT, 'dist', 'electron', 'cli', 'radsift.js');
const MODEL = path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt');
const REASON = 'cannot open folder: permission denied (EACCES)';

describe('radsift screen with a folder it cannot open', { skip: 'skip' in locking ? locking.skip : false }, () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-screen-unreadable-'));
  });
  after(() => rm(work, { recursive: true, force: true }));

  const screen = (...args: string[]) =>
    nodeLockedOut('prefix' in locking ? locking.prefix : [], [CLI, 'screen', ...args, '--model-dir', MODEL], {
      cwd: work,
      env: { ...process.env, RADSIFT_DATA_DIR: path.join(work, 'data') },
    });

  it('goes on without it, lists it as failed, and keeps what it indexed under it', async () => {
    const folder = path.join(work, 'scans');
    writeDemo({ dir: folder, count: 3, seed: 43, size: 256 });
    const patient = 'PH0043000001'; // the demo names each patient's folder by the patient ID
    const locked = path.join(folder, patient);
    const index = path.join(work, 'idx');
    const first = screen(folder, '--index-only', '--index', index);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /index: 3 encoded, 0 unchanged, 0 failed, 0 pruned/);

    const unlock = lockFolder(locked);
    let second;
    try {
      second = screen(folder, '--phrases', 'pneumothorax', '--index', index, '--out', 'locked.csv');
    } finally {
      unlock();
    }
    assert.equal(second.status, 2, second.stderr);
    assert.match(second.stderr, /index: 0 encoded, 2 unchanged, 1 failed, 0 pruned/);
    assert.ok(second.stderr.includes(`failed: ${path.join('scans', patient)}: IO: ${REASON}\n`), second.stderr);
    const rows = (await readFile(path.join(work, 'locked.csv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','));
    const failed = rows.filter((r) => r.includes('failed'));
    assert.equal(rows.length, 4, 'the three scans as indexed before, and the folder');
    assert.equal(failed.length, 1);
    assert.equal(failed[0]![0], locked);
    assert.ok(failed[0]!.includes(REASON), failed[0]!.join(','));

    // Readable again: nothing to encode, and the folder's failed row goes.
    const third = screen(folder, '--index-only', '--index', index);
    assert.equal(third.status, 0, third.stderr);
    assert.match(third.stderr, /index: 0 encoded, 3 unchanged, 0 failed, 1 pruned/);
    const store = IndexStore.open(index);
    try {
      // The scans by their patient's folder (the demo's masks/, labels and reports are rows of files not DICOM).
      const scans = [...store.scansUnder(folder)].map((s) => [
        path.relative(folder, s.path).split(path.sep)[0],
        s.status,
      ]);
      assert.deepEqual(
        scans.filter(([top]) => top!.startsWith('PH')),
        [
          ['PH0043000000', 'ok'],
          [patient, 'ok'],
          ['PH0043000002', 'ok'],
        ],
      );
    } finally {
      store.close();
    }
  });

  it('is fatal when it is the folder given, and one failed input among several; no line names it', () => {
    const folder = path.join(work, 'given');
    writeDemo({ dir: folder, count: 2, seed: 44, size: 256 });
    const patient = 'PH0044000001';
    const locked = path.join(folder, patient);
    const scan = path.join(folder, 'PH0044000000', 'ST0044000000');
    const unlock = lockFolder(locked);
    try {
      const alone = screen(locked, '--index-only', '--index', path.join(work, 'idx-alone'));
      assert.equal(alone.status, 3, alone.stderr);
      assert.equal(alone.stderr.trim().split('\n').pop(), `radsift screen: IO: ${REASON}`);
      assert.doesNotMatch(alone.stderr, new RegExp(patient));

      const several = screen(scan, locked, '--phrases', 'pneumothorax', '--out', 'several.csv');
      assert.equal(several.status, 2, several.stderr);
      assert.match(several.stderr, /index: 1 encoded, 0 unchanged, 0 failed/);
      assert.ok(several.stderr.includes(`failed: ${path.relative(work, locked)}: ${REASON}\n`), several.stderr);
    } finally {
      unlock();
    }
  });
});
