/**
 * What RadSift writes that holds patient data or names it is the user's alone, whatever the umask: the index
 * (patient names, UIDs) and its WAL, retrieved PACS instances, and the small files (settings, example sets) that
 * name folders. With the usual umask 022 they were 0644 files in 0755 folders, readable by every local user.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IndexStore } from '../../../electron/index/index-store.js';
import { InstanceCache } from '../../../electron/pacs/instance-cache.js';
import { replaceFile } from '../../../electron/util/durable-file.js';
import { scanRecord } from '../../support/scan-record.js';

const mode = (p: string) => statSync(p).mode & 0o777;

describe('files that hold patient data are owner-only', { skip: process.platform === 'win32' }, () => {
  let work: string;
  let umask: number;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-file-modes-'));
    umask = process.umask(0o022);
  });
  after(async () => {
    process.umask(umask);
    await rm(work, { recursive: true, force: true });
  });

  it('the index, its folder and its WAL', () => {
    const dir = path.join(work, 'data', 'index');
    const store = IndexStore.open(dir);
    try {
      store.putScan(scanRecord('/scans/DOE^JANE/IM1.dcm'), 1);
      assert.equal(mode(dir), 0o700);
      for (const name of ['radsift-index.sqlite', 'radsift-index.sqlite-wal'])
        assert.equal(mode(path.join(dir, name)), 0o600, name);
    } finally {
      store.close();
    }
  });

  it('a retrieved PACS instance and the folders made for it', async () => {
    const cache = await InstanceCache.open(path.join(work, 'cache'), 1e9);
    const file = await cache.put(
      'archive',
      { studyUid: '1.2', seriesUid: '1.2.3', sopUid: '1.2.3.4' },
      Buffer.from('x'),
    );
    assert.equal(mode(file), 0o600);
    for (let dir = path.dirname(file); dir !== work; dir = path.dirname(dir)) assert.equal(mode(dir), 0o700, dir);
  });

  it('settings and other small files, and a data folder made for them', async () => {
    const file = path.join(work, 'new-data', 'settings.json');
    await replaceFile(file, '{"recent":["/scans/DOE^JANE"]}');
    assert.equal(mode(file), 0o600);
    assert.equal(mode(path.dirname(file)), 0o700);
  });
});
