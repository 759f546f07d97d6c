/**
 * A named set (a PACS job's results) through indexFolder with the bundled 0.6.0 model on phantoms: a
 * complete run makes every scan it met a member, a run stopped part way drops none (it has not met every
 * scan of its source), and the next complete run drops the members its source no longer holds.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliIO } from '../../../electron/cli/command.js';
import { openSession, type CliSession } from '../../../electron/cli/session.js';
import { IndexStore, type ModelSlot } from '../../../electron/index/index-store.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { modelSlot } from '../../../electron/screening/model-slot.js';
import { indexFolder } from '../../../electron/screening/screen-job.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const MODEL = path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt');

describe('indexFolder with a named set', () => {
  let work: string;
  let files: string[];
  let session: CliSession;
  let store: IndexStore;
  let model: ModelSlot;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-set-members-'));
    process.env.RADSIFT_DATA_DIR = path.join(work, 'data');
    writeDemo({ dir: path.join(work, 'scans'), count: 8, seed: 29, size: 128 });
    files = (await readdir(path.join(work, 'scans'), { recursive: true }))
      .filter((f) => f.endsWith('.dcm') && !f.startsWith('masks'))
      .map((f) => path.join(work, 'scans', f))
      .sort();
    assert.equal(files.length, 8);
    const io: CliIO = { stdout: () => {}, stderr: () => {}, cwd: work };
    session = await openSession({ 'model-dir': [MODEL] }, io);
    store = IndexStore.open(path.join(work, 'index'));
    model = modelSlot(store, session.loaded);
  });
  after(async () => {
    store.close();
    await session.close();
    delete process.env.RADSIFT_DATA_DIR;
    await rm(work, { recursive: true, force: true });
  });

  const run = (source: Iterable<string> | AsyncIterable<string>, signal?: AbortSignal) =>
    indexFolder({
      source: { files: source },
      store,
      model,
      pool: session.pool,
      encoder: session.models.encoder,
      batchSize: 2,
      set: 'job-1',
      ...(signal ? { signal } : {}),
    });
  const members = () => [...store.scansInSet('job-1')].map((s) => s.path).sort();

  it('keeps every member through a stopped run; a complete run drops what its source no longer holds', async () => {
    const first = await run(files);
    assert.equal(first.stopped, false);
    assert.equal(first.encoded, 8);
    assert.deepEqual(members(), files);

    // Stopped after three of the eight were met again: the five it did not meet stay members.
    const stop = new AbortController();
    async function* three() {
      for (const [i, file] of files.entries()) {
        if (i === 3) stop.abort('paused');
        yield file;
      }
    }
    const stopped = await run(three(), stop.signal);
    assert.equal(stopped.stopped, true);
    assert.equal(stopped.unchanged, 3);
    assert.deepEqual(members(), files, 'a stopped run drops no member');

    // A complete run over half of them (the other half gone from the source): those leave the set, not the index.
    const half = files.slice(0, 4);
    const last = await run(half);
    assert.equal(last.stopped, false);
    assert.equal(last.unchanged, 4);
    assert.deepEqual(members(), half);
    assert.ok(store.scanByPath(files[7]!), 'a scan that left the set is still indexed');
  });
});
