/**
 * Stopping the encoding behind a Query (index.cancel): the run fails with CANCELLED and says how far it got,
 * what it encoded stays in the index (the next run finds those scans already encoded), and a job that has
 * ended cannot be cancelled. Real phantoms, the default model.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createServices, type AppServices } from '../../../electron/api/create-services.js';
import { dispatch, type HandlerContext } from '../../../electron/api/dispatch.js';
import type { EventPayload } from '../../../electron/api/contract.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { PROJECT_ROOT } from '../../support/paths.js';

type Progress = EventPayload<'job.progress'>;
const COUNT = 40;

describe('index.cancel', () => {
  let work: string;
  let folder: string;
  let services: AppServices;

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-cancel-'));
    folder = path.join(work, 'scans');
    writeDemo({ dir: folder, count: COUNT, seed: 71, size: 256 });
    services = await createServices({
      dataDir: path.join(work, 'data'),
      modelRoots: [path.join(PROJECT_ROOT, 'models')],
      decodeWorkers: 1,
    });
    const opened = await dispatch(services.handlers, 'studies.openDropped', { paths: [folder] }, { emit: () => {} });
    assert.ok(opened.ok);
  });
  after(async () => {
    await services?.close();
    await rm(work, { recursive: true, force: true });
  });

  const query = { phrases: [{ text: 'pleural effusion', weight: 1 }], examples: [] };

  it('stops a query mid-encoding, keeps what it encoded, and the next run encodes only the rest', async () => {
    const seen: Progress[] = [];
    let cancel: Promise<unknown> | null = null;
    const ctx: HandlerContext = {
      emit: (event, payload) => {
        if (event !== 'job.progress') return;
        const p = payload as Progress;
        seen.push(p);
        // Stopped once the first scans are encoded, long before the last.
        if (p.kind === 'index' && p.done > 0 && !cancel)
          cancel = dispatch(services.handlers, 'index.cancel', { jobId: p.jobId }, ctx);
      },
    };
    const stopped = await dispatch(services.handlers, 'query.run', query, ctx);
    assert.ok(cancel, 'no progress event came');
    assert.deepEqual(await cancel, { ok: true, value: { cancelled: true } });
    assert.equal(stopped.ok, false);
    assert.ok(!stopped.ok);
    assert.equal(stopped.error.code, 'CANCELLED');
    const m = /^Stopped after encoding (\d+) of 40 scans\. They are kept/.exec(stopped.error.message);
    assert.ok(m, stopped.error.message);
    const encoded = Number(m[1]);
    assert.ok(encoded > 0 && encoded < COUNT, `encoded ${encoded} of ${COUNT} before stopping`);
    assert.ok(
      seen.every((p) => p.etaSeconds === undefined || p.etaSeconds === null || p.etaSeconds >= 0),
      'a negative ETA',
    );
    // The job has ended: its id no longer names one.
    const late = await dispatch(services.handlers, 'index.cancel', { jobId: seen[0]!.jobId }, ctx);
    assert.deepEqual(late, { ok: true, value: { cancelled: false } });

    const again: Progress[] = [];
    const done = await dispatch(services.handlers, 'query.run', query, {
      emit: (event, payload) => {
        if (event === 'job.progress') again.push(payload as Progress);
      },
    });
    assert.ok(done.ok, done.ok ? '' : done.error.message);
    // Only the rest is encoded: the scans encoded before the stop are found in the index with the phrase's
    // region margins (from their kept patch grids), so they are not even handed to the encoding run.
    const last = again.at(-1)!;
    const counts = /: (\d+) new, (\d+) already encoded, 0 failed$/.exec(last.message ?? '');
    assert.ok(counts, last.message);
    assert.deepEqual(
      [Number(counts[1]), last.done, last.total],
      [COUNT - encoded, COUNT - encoded, COUNT - encoded],
      last.message,
    );
    assert.equal((done.value as { scans: number }).scans, COUNT);
  });

  it('refuses a malformed job id', async () => {
    const bad = await dispatch(services.handlers, 'index.cancel', { jobId: 'x'.repeat(101) }, { emit: () => {} });
    assert.ok(!bad.ok && bad.error.code === 'BAD_REQUEST');
  });
});
