/**
 * The one worker pool (util/worker-pool.ts) and its users: order, transfer, typed failures, time limit,
 * cancellation, crash replacement and close; then a crashed worker replaced in the decode pool and the
 * encoder, and the phantom writer's pool failing a set clearly.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DicomError } from '../../../electron/dicom/errors.js';
import { Encoder } from '../../../electron/inference/encoder.js';
import { ModelError } from '../../../electron/inference/errors.js';
import { writeDemoParallel } from '../../../electron/phantom/demo-parallel.js';
import { DecodePool } from '../../../electron/screening/decode-pool.js';
import { WorkerPool, type JobFailure } from '../../../electron/util/worker-pool.js';
import { CORPUS, PROJECT_ROOT } from '../../support/paths.js';
import type { TestJob } from '../../support/pool-test-worker.js';

const WORKER = new URL('../../support/pool-test-worker.js', import.meta.url);
type Out = { value: number; thread: number };
class JobError extends Error {
  constructor(readonly failure: JobFailure) {
    super(failure.message);
  }
}
const pool = (size: number, extra: { timeoutMs?: number; onWorkerLost?: () => void } = {}) =>
  new WorkerPool<TestJob, Out>({ url: WORKER, size, error: (f) => new JobError(f), ...extra });
const kind = (k: JobFailure['kind']) => (e: unknown) => e instanceof JobError && e.failure.kind === k;

describe('WorkerPool', () => {
  it('answers every job, one at a time per worker, in order; buffers are moved', async () => {
    const p = pool(1);
    try {
      const out = await Promise.all(Array.from({ length: 20 }, (_, i) => p.run({ op: 'echo', value: i })));
      assert.deepEqual(
        out.map((o) => o.value),
        Array.from({ length: 20 }, (_, i) => i),
      );
      assert.equal(new Set(out.map((o) => o.thread)).size, 1);
      const data = Float64Array.from([1, 2, 3.5]);
      assert.equal((await p.run({ op: 'sum', data }, { transfer: [data.buffer] })).value, 6.5);
      assert.equal(data.byteLength, 0, 'transferred, not copied');
    } finally {
      await p.close();
    }
  });

  it('passes a thrown error code back; a slow job times out; a cancelled one stops', async () => {
    const p = pool(1, { timeoutMs: 300 });
    try {
      await assert.rejects(
        p.run({ op: 'fail', code: 'NOT_DICOM' }),
        (e: unknown) => e instanceof JobError && e.failure.kind === 'failed' && e.failure.code === 'NOT_DICOM',
      );
      await assert.rejects(p.run({ op: 'sleep', ms: 5000 }), kind('timeout'));
      const stop = new AbortController();
      const running = p.run({ op: 'sleep', ms: 250 }, { signal: stop.signal });
      const queued = p.run({ op: 'echo', value: 1 }, { signal: stop.signal });
      stop.abort();
      await assert.rejects(running, kind('cancelled'));
      await assert.rejects(queued, kind('cancelled'));
      assert.equal((await p.run({ op: 'echo', value: 2 })).value, 2, 'a fresh worker takes the next job');
    } finally {
      await p.close();
    }
  });

  it('a worker that dies fails its job only, and is replaced', async () => {
    let lost = 0;
    const p = pool(2, { onWorkerLost: () => lost++ });
    try {
      const before = await p.run({ op: 'echo', value: 0 });
      const [dead, alive] = await Promise.allSettled([p.run({ op: 'die' }), p.run({ op: 'sleep', ms: 50 })]);
      assert.ok(dead.status === 'rejected' && kind('crashed')(dead.reason));
      assert.equal(alive.status, 'fulfilled');
      const after = await Promise.all([p.run({ op: 'echo', value: 1 }), p.run({ op: 'echo', value: 2 })]);
      assert.deepEqual(
        after.map((o) => o.value),
        [1, 2],
      );
      assert.equal(lost, 1);
      assert.ok(before.thread > 0);
    } finally {
      await p.close();
    }
  });

  it('close fails what is queued or running, and refuses new jobs', async () => {
    const p = pool(1);
    const running = assert.rejects(p.run({ op: 'sleep', ms: 2000 }), kind('closed'));
    const queued = assert.rejects(p.run({ op: 'echo', value: 1 }), kind('closed'));
    await p.close();
    await Promise.all([running, queued]);
    await assert.rejects(p.run({ op: 'echo', value: 2 }), kind('closed'));
  });
});

describe('the pool users replace a crashed worker', () => {
  it('decode pool: DECODER_CRASHED, then the next file decodes', async () => {
    const decoder = new DecodePool({ size: 1 });
    try {
      const file = path.join(CORPUS, 'nema-wg04', 'J2KR', 'SC1_J2KR');
      const pending = decoder.decode({ path: file, outputs: ['stored'] });
      setTimeout(() => decoder.killWorker(), 20);
      await assert.rejects(pending, (e: unknown) => e instanceof DicomError && e.code === 'DECODER_CRASHED');
      const ok = await decoder.decode({ path: file, outputs: ['stored'] });
      assert.ok(ok.rows > 0);
    } finally {
      await decoder.close();
    }
  });

  it('encoder: SESSION_FAILED, no model loaded any more, and a new load works', async () => {
    const encoder = new Encoder();
    const bundle = path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt');
    try {
      await encoder.load(bundle, { providers: ['cpu'] });
      const pending = encoder.encodeTexts(Array.from({ length: 256 }, (_, i) => `finding number ${i}`));
      encoder.killWorker();
      await assert.rejects(pending, (e: unknown) => e instanceof ModelError && e.code === 'SESSION_FAILED');
      assert.equal(encoder.loaded, null);
      await encoder.load(bundle, { providers: ['cpu'] });
      assert.equal((await encoder.encodeTexts(['pleural effusion'])).count, 1);
    } finally {
      await encoder.close();
    }
  });

  it('phantom writer: a phantom that cannot be written fails the set with its index', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'radsift-pool-demo-'));
    try {
      writeFileSync(path.join(dir, 'PH0001000001'), 'a file where a phantom folder must go');
      await assert.rejects(
        writeDemoParallel({ dir, count: 3, seed: 1, size: 128, workers: 2 }),
        /phantom 1: .*(EEXIST|ENOTDIR|exists|not a directory)/i,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
