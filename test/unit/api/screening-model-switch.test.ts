/**
 * A model switched to while a screening job runs: the job pauses, its model's slot of the index holds that
 * model's embeddings only (none of the other's, no scan marked failed by the switch), and a resume goes on
 * with the model now active. Before, the job went on encoding with whatever model was loaded into the slot it
 * started with, for good (the files unchanged, those rows were never encoded again).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { ScreenJob } from '../../../electron/api/contract.js';
import type { AppServices } from '../../../electron/api/create-services.js';
import { scoreFolder } from '../../../electron/cli/folder-scores.js';
import { openSession } from '../../../electron/cli/session.js';
import { INDEX_FILE } from '../../../electron/index/index-store.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { callApi, startServices } from '../../support/app-services.js';
import { bundleKey } from '../../support/bundle-key.js';
import { cosine } from '../../support/model-fixtures.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const RARE = path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt-rare');
const EARLIER = path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt');

async function findIndex(dir: string): Promise<string> {
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true }))
    if (e.isFile() && e.name === INDEX_FILE) return path.join(e.parentPath, e.name);
  throw new Error(`no ${INDEX_FILE} under ${dir}`);
}

describe('a model switched to while a screening job runs', () => {
  let work: string;
  let folder: string;
  let services: AppServices;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-switch-'));
    folder = path.join(work, 'scans');
    writeDemo({ dir: folder, count: 120, seed: 71, size: 256 });
    services = await startServices(path.join(work, 'data'));
  });
  after(async () => {
    await services?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('pauses the job; the slot it wrote holds its own model’s embeddings only; a resume goes on', async () => {
    await callApi(services, 'models.activate', { dir: RARE });
    await callApi(services, 'studies.openDropped', { paths: [folder] });
    const job = services.screening.start(folder, ['pleural effusion']);
    const view = async () =>
      (await callApi<{ jobs: ScreenJob[] }>(services, 'screen.list', {})).jobs.find((j) => j.id === job.id)!;
    // Switch once the job has stored a batch or two, with most of the folder still to encode.
    const deadline = Date.now() + 180_000;
    for (let v = await view(); !(v.progress && v.progress.encoded >= 16); v = await view()) {
      assert.equal(v.state, 'running', 'the job ran long enough to be switched under');
      assert.ok(Date.now() < deadline);
      await new Promise((r) => setTimeout(r, 20));
    }
    await callApi(services, 'models.activate', { dir: EARLIER });
    let ended = await view();
    while (ended.state === 'running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      ended = await view();
    }
    assert.equal(ended.state, 'paused', ended.message ?? '');
    assert.match(ended.message ?? '', /no longer loaded .*resume goes on with the active model/);
    assert.ok(ended.progress!.encoded < 120, `${ended.progress!.encoded} encoded before the pause`);

    // Every vector in the rare model's slot is what the rare model makes of that file; no scan marked failed
    // (the folder's labels.csv and reports.jsonl are kept as not DICOM).
    // (The app holds its index open: read it with the app closed, as after a quit.)
    await services.close();
    const db = new Database(await findIndex(path.join(work, 'data')), { readonly: true });
    const rows = db
      .prepare(
        `SELECT s.path AS path, e.vector AS vector FROM embeddings e JOIN scans s ON s.id = e.scan_id
         JOIN models m ON m.id = e.model_id WHERE m.model_key = ?`,
      )
      .all(await bundleKey(RARE)) as { path: string; vector: Buffer }[];
    const failed = (
      db.prepare(`SELECT count(*) AS n FROM scans WHERE status = 'failed' AND error_code <> 'NOT_DICOM'`).get() as {
        n: number;
      }
    ).n;
    db.close();
    assert.equal(failed, 0);
    assert.ok(rows.length >= 16 && rows.length < 120, `${rows.length} rows in the rare slot`);
    const quiet = { stdout: () => {}, stderr: () => {}, cwd: work };
    const session = await openSession({ 'model-dir': [RARE] }, quiet);
    const scores = await scoreFolder(session, [folder], [], quiet).finally(() => session.close());
    const dim = scores.images.dim;
    for (const r of rows) {
      const i = scores.paths.indexOf(r.path);
      assert.ok(i >= 0, r.path);
      const stored = new Float32Array(r.vector.buffer, r.vector.byteOffset, dim);
      const fresh = scores.images.data.subarray(i * dim, (i + 1) * dim);
      assert.ok(cosine(stored, fresh) > 0.9999, `${path.basename(r.path)}: ${cosine(stored, fresh)}`);
    }

    // Started again and resumed, it goes on with the model now active, in that model's slot, to the end.
    services = await startServices(path.join(work, 'data'));
    await callApi(services, 'models.activate', { dir: EARLIER });
    assert.equal((await view()).state, 'paused');
    await callApi(services, 'screen.control', { id: job.id, action: 'resume' });
    let done = await view();
    while (done.state === 'running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      done = await view();
    }
    assert.equal(done.state, 'done', done.message ?? '');
  });
});
