/**
 * One factory builds the services for the app, the bridge and the CLI; closing them while a screening
 * job runs (the app quitting) stops the job after its current batch, then closes the index: nothing
 * half-written, the job is listed as interrupted next time, and resuming it finishes the folder.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createServices } from '../../../electron/api/create-services.js';
import type { ScreenJob } from '../../../electron/api/contract.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const work = mkdtempSync(path.join(tmpdir(), 'radsift-services-'));
after(() => rmSync(work, { recursive: true, force: true }));

async function start(jobs: ScreenJob[]) {
  return createServices({
    dataDir: path.join(work, 'data'),
    modelRoots: [path.join(PROJECT_ROOT, 'models')],
    decodeWorkers: 1,
    broadcast: (event, payload) => {
      if (event === 'screen.job') jobs.push(payload as ScreenJob);
    },
  });
}

describe('createServices', () => {
  it('quit during a screening job leaves the index consistent, and the job resumes', async () => {
    const folder = path.join(work, 'scans');
    writeDemo({ dir: folder, count: 40, seed: 21, size: 256 });
    const seen: ScreenJob[] = [];
    const first = await start(seen);
    const job = first.screening.start(folder, ['pleural effusion']);
    // Quit once some batches are in, with more to come.
    const deadline = Date.now() + 120_000;
    while (!seen.some((j) => (j.progress?.encoded ?? 0) >= 16) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await first.close();
    const stoppedAt = seen.at(-1)!.progress!.encoded;
    assert.ok(stoppedAt >= 16 && stoppedAt < 40, `stopped after ${stoppedAt} of 40`);

    const db = new Database(path.join(work, 'data', 'index', 'radsift-index.sqlite'), { readonly: true });
    try {
      assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
      const ok = db.prepare("SELECT count(*) AS n FROM scans WHERE status = 'ok'").get() as { n: number };
      const vectors = db.prepare('SELECT count(*) AS n FROM embeddings').get() as { n: number };
      assert.equal(vectors.n, ok.n, 'every scan marked ok has its embedding');
      assert.ok(ok.n >= stoppedAt && ok.n < 40);
      const state = db.prepare('SELECT state FROM jobs WHERE id = ?').get(job.id) as { state: string };
      assert.equal(state.state, 'running', 'stored as running: the next start lists it as interrupted');
    } finally {
      db.close();
    }

    const again: ScreenJob[] = [];
    const second = await start(again);
    try {
      assert.equal(second.screening.list().find((j) => j.id === job.id)!.state, 'interrupted');
      second.screening.control(job.id, 'resume');
      while (!again.some((j) => j.id === job.id && j.state === 'done') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const rows = (await second.screening.results(job.id, false)).rows!;
      assert.equal(rows.length, 40);
      assert.ok(rows.every((r) => r.status === 'ok'));
      // What was committed before the quit is not encoded again.
      const done = again.find((j) => j.state === 'done')!.progress!;
      assert.ok(done.unchanged >= stoppedAt, `${done.unchanged} unchanged`);
      assert.equal(done.unchanged + done.encoded, 40);
    } finally {
      await second.close();
    }
  });
});
