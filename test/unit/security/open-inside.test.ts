/**
 * AllowedRoots.openInside: the scan protocol's guard opens the file, then checks the handle. A folder on the way
 * (or the file) swapped for a link to outside at each point of that sequence, deterministically, through the
 * probe's stages: the outside file is never handed out.
 */
import assert from 'node:assert/strict';
import type { BigIntStats } from 'node:fs';
import { symlink, unlink } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { AllowedRoots, sameFile } from '../../../electron/security/allowed-roots.js';
import { folderSwap, INSIDE, type FolderSwap } from '../../support/folder-swap.js';

describe('AllowedRoots.openInside', () => {
  let swap: FolderSwap;
  let roots: AllowedRoots;
  before(async () => {
    swap = await folderSwap();
    roots = new AllowedRoots();
    await roots.add(swap.root);
  });
  after(() => swap.remove());
  it('reads an unswapped file through the handle it opened, by its real path', async () => {
    const opened = await roots.openInside(swap.file);
    assert.ok(opened);
    try {
      assert.equal(opened.path, swap.file);
      assert.deepEqual(await opened.handle.readFile(), INSIDE);
    } finally {
      await opened.handle.close();
    }
  });

  it('refuses when the folder is swapped between the check and the open (the open followed the link)', async () => {
    for (const handlePath of [true, false]) {
      const opened = await swap.restoring(() =>
        roots.openInside(swap.file, { at: (s) => (s === 'resolved' ? swap.out() : undefined), handlePath }),
      );
      assert.equal(opened, null, `handlePath ${handlePath}`);
    }
  });

  it(
    'refuses when the file itself is replaced by a link before the open',
    { skip: process.platform === 'win32' },
    async () => {
      const replace = async () => {
        await unlink(swap.file);
        await symlink(swap.outsideFile, swap.file);
      };
      const opened = await swap.restoring(() =>
        roots.openInside(swap.file, { at: (s) => (s === 'resolved' ? replace() : undefined) }),
      );
      assert.equal(opened, null);
    },
  );

  it('refuses an open file that is not the one the name leads to (swapped out for the open, back for the check)', async () => {
    // Without the system's word on where the handle lies (as on macOS and Windows): device and inode decide.
    const opened = await swap.restoring(() =>
      roots.openInside(swap.file, {
        at: (s) => (s === 'resolved' ? swap.out() : s === 'opened' ? swap.back() : undefined),
        handlePath: false,
      }),
    );
    assert.equal(opened, null);
  });

  it(
    'refuses a handle that lies outside even when a swap times the name check and its stat (Linux: /proc/self/fd)',
    {
      skip: process.platform !== 'linux',
    },
    async () => {
      const at = (s: string) => (s === 'resolved' ? swap.out() : s === 'opened' ? swap.back() : swap.out());
      assert.equal(await swap.restoring(() => roots.openInside(swap.file, { at })), null);
      // Device and inode alone are fooled by this one: the stat follows the link back out to the open file.
      const fooled = await swap.restoring(() => roots.openInside(swap.file, { at, handlePath: false }));
      assert.ok(fooled, 'the residual gap the kernel-path check closes');
      await fooled.handle.close();
    },
  );

  it('compares files by device and inode, and without inode numbers by size and times', () => {
    const st = (over: Partial<Record<'dev' | 'ino' | 'size' | 'mtimeNs' | 'ctimeNs' | 'birthtimeNs', bigint>>) =>
      ({ dev: 1n, ino: 7n, size: 10n, mtimeNs: 5n, ctimeNs: 5n, birthtimeNs: 5n, ...over }) as BigIntStats;
    assert.equal(sameFile(st({}), st({})), true);
    assert.equal(sameFile(st({}), st({ ino: 8n })), false);
    assert.equal(sameFile(st({}), st({ dev: 2n })), false);
    assert.equal(sameFile(st({ ino: 0n }), st({ ino: 0n })), true);
    assert.equal(sameFile(st({ ino: 0n }), st({ ino: 0n, mtimeNs: 6n })), false);
    assert.equal(sameFile(st({ ino: 0n }), st({ ino: 0n, size: 11n })), false);
  });
});
