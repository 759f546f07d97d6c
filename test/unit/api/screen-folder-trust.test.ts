/**
 * A screening job's folder is trusted again in a later run (its rows' images open) only while it is the folder
 * chosen when the job started: replaced by a link to elsewhere, it is not, and the renderer cannot read there.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AppServices } from '../../../electron/api/create-services.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { folderIdentity, sameFolder } from '../../../electron/security/folder-identity.js';
import { callApi, startServices, untilDone } from '../../support/app-services.js';

/** A job screening `folder` for one phrase, started as the app starts it (with the folder's identity), finished. */
async function screened(app: AppServices, folder: string) {
  const job = app.screening.start(folder, ['pleural effusion'], undefined, undefined, [], await folderIdentity(folder));
  await untilDone(app, job);
  return job;
}

describe("a screening job's folder across runs", () => {
  let work: string;
  let folder: string;
  let services: AppServices | undefined;
  const restart = async () => {
    await services?.close();
    services = await startServices(path.join(work, 'data'));
    return services;
  };

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-folder-trust-'));
    folder = path.join(work, 'scans');
    writeDemo({ dir: folder, count: 3, seed: 5, size: 128 });
  });
  after(async () => {
    await services?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('is trusted again while it is the folder chosen, not once a link to elsewhere replaces it', async () => {
    const job = await screened(await restart(), folder);

    // A later run: the folder is no root until the job's results are read; not there at the first read (a drive
    // not mounted yet), it is looked for again at the next.
    const second = await restart();
    assert.ok(!second.roots.list().includes(folder));
    await rename(folder, `${folder}.away`);
    await callApi(second, 'screen.results', { id: job.id }).catch(() => undefined);
    assert.deepEqual(second.roots.list(), []);
    await rename(`${folder}.away`, folder);
    await callApi(second, 'screen.results', { id: job.id });
    assert.ok(second.roots.list().includes(folder));

    // The folder moved away and a link to another folder put in its place.
    const elsewhere = path.join(work, 'elsewhere');
    await mkdir(elsewhere);
    await writeFile(path.join(elsewhere, 'private.txt'), 'not the study');
    await rename(folder, `${folder}.moved`);
    await symlink(elsewhere, folder);
    const third = await restart();
    await callApi(third, 'screen.results', { id: job.id }).catch(() => undefined);
    assert.deepEqual(third.roots.list(), []);
    assert.equal(await third.screening.trustedFolder(job.id), null);
    assert.equal(await third.roots.resolveInside(path.join(elsewhere, 'private.txt')), null);
  });

  it('chosen through a link, its rows open in a later run by the names they have', async () => {
    const target = path.join(work, 'linked-target');
    writeDemo({ dir: target, count: 2, seed: 6, size: 128 });
    const link = path.join(work, 'linked');
    await symlink(target, link);
    const job = await screened(await restart(), link);
    const second = await restart();
    const { rows } = await callApi<{ rows: { path: string; status: string }[] }>(second, 'screen.results', {
      id: job.id,
    });
    const row = rows.find((r) => r.status === 'ok')!;
    assert.ok(row.path.startsWith(link + path.sep), 'rows are named under the link');
    assert.equal(
      await second.roots.resolveInside(row.path),
      path.join(await realpath(target), path.relative(link, row.path)),
      'the image of a row opens',
    );
    assert.deepEqual(await second.screening.trustedFolder(job.id), { chosen: link, real: await realpath(target) });
  });

  it("rows under a link below the folder are the linked folder's: not in its results, no review mark on them", async () => {
    const parent = path.join(work, 'parent');
    writeDemo({ dir: parent, count: 2, seed: 7, size: 128 });
    const target = path.join(work, 'parent-link-target');
    writeDemo({ dir: target, count: 1, seed: 8, size: 128 });
    const link = path.join(parent, 'link');
    await symlink(target, link);
    const app = await restart();
    type Rows = { rows: { path: string; status: string }[] };
    const byLink = await screened(app, link);
    const linked = (await callApi<Rows>(app, 'screen.results', { id: byLink.id })).rows.find((r) => r.status === 'ok')!;
    assert.ok(linked.path.startsWith(link + path.sep));
    const byParent = await screened(app, parent);
    const { rows } = await callApi<Rows>(app, 'screen.results', { id: byParent.id });
    assert.equal(rows.filter((r) => r.status === 'ok').length, 2);
    assert.ok(!rows.some((r) => r.path.startsWith(link + path.sep)), "the link's rows are not the parent's");
    await assert.rejects(
      callApi(app, 'screen.review', { id: byParent.id, path: linked.path, mark: 'finding' }),
      /BAD_REQUEST: That scan is not one of the rows/,
    );
    // The linked folder's own job takes the mark.
    assert.deepEqual(await callApi(app, 'screen.review', { id: byLink.id, path: linked.path, mark: 'finding' }), {
      finding: 1,
      not: 0,
    });
  });

  it('without an identity (a job from before they were kept): only a folder that is no link and no root', async () => {
    const plain = path.join(work, 'plain');
    await mkdir(plain, { recursive: true });
    const link = path.join(work, 'link');
    await symlink(plain, link);
    assert.equal(await sameFolder(plain, undefined), plain);
    assert.equal(await sameFolder(link, undefined), null);
    assert.equal(await sameFolder('/', undefined), null);
    assert.equal(await sameFolder(path.join(work, 'gone'), undefined), null);
    // With one: the same path holding another folder (the first moved aside, so its inode is not reused) is not
    // the same.
    const was = await folderIdentity(plain);
    assert.equal(await sameFolder(plain, was), plain);
    // Another device number (a drive mounted again) with the same real path and inode is the same folder.
    assert.equal(await sameFolder(plain, { ...was, dev: `${was.dev}1` }), plain);
    await rename(plain, `${plain}.old`);
    await mkdir(plain);
    assert.equal(await sameFolder(plain, was), null);
  });
});
