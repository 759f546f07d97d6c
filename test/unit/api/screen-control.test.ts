/**
 * Pause, resume and cancel as the Screening view sends them, against a real run: a resume right after a pause
 * (the paused run still committing its batch) runs the job to its end, and a pause or cancel that reaches a job
 * already finished (a click as it finished) is refused, leaving its state and summary.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ScreenJob } from '../../../electron/api/contract.js';
import type { AppServices } from '../../../electron/api/create-services.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { callApi, startServices, untilDone } from '../../support/app-services.js';

describe('screen.control', () => {
  let work: string;
  let folder: string;
  let services: AppServices;
  const listed = async (id: string) =>
    (await callApi<{ jobs: ScreenJob[] }>(services, 'screen.list', {})).jobs.find((j) => j.id === id)!;

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-screen-control-'));
    folder = path.join(work, 'scans');
    writeDemo({ dir: folder, count: 40, seed: 31, size: 256 });
    services = await startServices(path.join(work, 'data'));
  });
  after(async () => {
    await services.close();
    await rm(work, { recursive: true, force: true });
  });

  it('a resume right after a pause runs the job to its end', async () => {
    const job = services.screening.start(folder, ['pleural effusion']);
    const deadline = Date.now() + 120_000;
    while (((await listed(job.id)).progress?.encoded ?? 0) < 8 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const paused = await callApi<ScreenJob>(services, 'screen.control', { id: job.id, action: 'pause' });
    assert.equal(paused.state, 'paused');
    // At once: the paused run has not committed its batch yet.
    const resumed = await callApi<ScreenJob>(services, 'screen.control', { id: job.id, action: 'resume' });
    assert.equal(resumed.state, 'running');
    await untilDone(services, job);
    const { rows } = await callApi<{ rows: { status: string }[] }>(services, 'screen.results', { id: job.id });
    assert.equal(rows.filter((r) => r.status === 'ok').length, 40);
  });

  it('a pause or cancel that reaches a finished job is refused and leaves it done', async () => {
    // One phrase written three ways is one phrase (one column of results).
    const job = services.screening.start(folder, ['pneumothorax', 'Pneumothorax ', 'pneumothorax  ']);
    assert.deepEqual(job.phrases, ['pneumothorax']);
    await untilDone(services, job);
    const done = await listed(job.id);
    for (const action of ['cancel', 'pause'])
      await assert.rejects(
        callApi(services, 'screen.control', { id: job.id, action }),
        new RegExp(`BAD_REQUEST: That job is done: there is nothing to ${action}`),
      );
    const after = await listed(job.id);
    assert.deepEqual([after.state, after.message], [done.state, done.message]);
    assert.ok(done.message?.includes('unchanged'), done.message ?? '');
  });
});
