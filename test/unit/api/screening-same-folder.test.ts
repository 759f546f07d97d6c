/**
 * Two screening jobs on one folder with one model (the same phrase at another threshold, started before the
 * first finished): the second waits for the first's pass and finds every scan in the index, instead of
 * encoding the folder a second time beside it (both used to walk the folder at once, each encoding what the
 * other had not stored yet). Paused while it waits, it stops waiting.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ScreenJob } from '../../../electron/api/contract.js';
import type { AppServices } from '../../../electron/api/create-services.js';
import { WAITING_FOR_FOLDER } from '../../../electron/api/screening-service.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { callApi, startServices, untilDone } from '../../support/app-services.js';

describe('two screening jobs on one folder', () => {
  let work: string;
  let folder: string;
  let services: AppServices;
  const jobs = async () => (await callApi<{ jobs: ScreenJob[] }>(services, 'screen.list', {})).jobs;
  const job = async (id: string) => (await jobs()).find((j) => j.id === id)!;

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-same-folder-'));
    folder = path.join(work, 'scans');
    writeDemo({ dir: folder, count: 24, seed: 17, size: 256 });
    services = await startServices(path.join(work, 'data'));
    await callApi(services, 'studies.openDropped', { paths: [folder] });
  });
  after(async () => {
    await services?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('the second waits for the first and encodes nothing again', async () => {
    const first = services.screening.start(folder, ['pleural effusion']);
    const second = services.screening.start(folder, ['pleural effusion'], 0.3);
    const messages = new Set<string | null>();
    const deadline = Date.now() + 180_000;
    for (let s = await job(second.id); s.state === 'running' && Date.now() < deadline; s = await job(second.id)) {
      messages.add(s.message);
      await new Promise((r) => setTimeout(r, 20));
    }
    await untilDone(services, first);
    await untilDone(services, second);
    assert.ok(messages.has(WAITING_FOR_FOLDER), [...messages].join(' | '));
    assert.match((await job(first.id)).message ?? '', /^24 encoded, 0 unchanged/);
    assert.match((await job(second.id)).message ?? '', /^0 encoded, 24 unchanged/);
  });

  it('a job paused while it waits stops waiting; resumed after the first, it finds the scans', async () => {
    const again = path.join(work, 'more');
    writeDemo({ dir: again, count: 24, seed: 18, size: 256 });
    await callApi(services, 'studies.openDropped', { paths: [again] });
    const first = services.screening.start(again, ['pneumothorax']);
    const second = services.screening.start(again, ['pneumothorax'], 0.3);
    const deadline = Date.now() + 60_000;
    while ((await job(second.id)).message !== WAITING_FOR_FOLDER && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    await callApi(services, 'screen.control', { id: second.id, action: 'pause' });
    assert.equal((await job(second.id)).state, 'paused');
    await untilDone(services, first);
    await callApi(services, 'screen.control', { id: second.id, action: 'resume' });
    await untilDone(services, second);
    assert.match((await job(second.id)).message ?? '', /^0 encoded, 24 unchanged/);
  });
});
