/**
 * What a user drops or picks to open, each once: the same folder twice, with a trailing separator, through a link,
 * or a file inside a folder also given was catalogued twice (its scans listed twice), remembered twice in the
 * recent list, and a trailing separator made another scope, whose example set stood apart.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readdir, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Catalog } from '../../../electron/api/contract.js';
import type { AppServices } from '../../../electron/api/create-services.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { callApi, startServices } from '../../support/app-services.js';

describe('studies.openDropped: each thing given once', () => {
  let work: string;
  let folder: string;
  let services: AppServices;
  const open = (paths: string[]) => callApi<Catalog>(services, 'studies.openDropped', { paths });
  const instances = (c: Catalog) =>
    c.patients.flatMap((p) => p.studies.flatMap((s) => s.series.flatMap((se) => se.instances))).length;

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-open-dropped-'));
    folder = path.join(work, 'scans');
    writeDemo({ dir: folder, count: 3, seed: 12, size: 128 });
    await symlink(folder, path.join(work, 'link'));
    services = await startServices(path.join(work, 'data'));
  });
  after(async () => {
    await services.close();
    await rm(work, { recursive: true, force: true });
  });

  it("a file opened alone lets its own image be read, not its folder's other files", async () => {
    const alone = await startServices(path.join(work, 'data-alone'));
    try {
      const files = (await readdir(folder, { recursive: true }))
        .filter((f) => f.endsWith('.dcm') && !f.includes('masks'))
        .map((f) => path.join(folder, f))
        .sort();
      // A second scan beside the first, in its own folder.
      const sibling = path.join(path.dirname(files[0]!), 'IM0002.dcm');
      await copyFile(files[1]!, sibling);
      await callApi<Catalog>(alone, 'studies.openDropped', { paths: [files[0]!] });
      assert.equal(await alone.roots.resolveInside(files[0]!), await realpath(files[0]!));
      assert.equal(await alone.roots.resolveInside(sibling), null, 'another scan of its folder');
      await rm(sibling);
    } finally {
      await alone.close();
    }
  });

  it('the same folder given twice, with a separator, through a link, or with a file inside it', async () => {
    const once = await open([folder]);
    assert.equal(instances(once), 3);
    const file = once.patients[0]!.studies[0]!.series[0]!.instances[0]!.path;
    for (const paths of [
      [folder, folder],
      [`${folder}${path.sep}`],
      [folder, path.join(work, 'link')],
      [folder, file],
      [file, folder],
    ]) {
      const c = await open(paths);
      assert.equal(instances(c), 3, paths.join(' + '));
      assert.deepEqual([c.source, c.scope], [folder, folder], paths.join(' + '));
    }
    assert.deepEqual(
      (await callApi<{ paths: string[] }>(services, 'studies.recent', {})).paths.filter((p) => p.startsWith(work)),
      [folder],
      'remembered once',
    );
  });
});
