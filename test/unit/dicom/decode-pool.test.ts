/** Worker-thread decoding: same results as in-thread, typed errors across threads, time limit, free event loop. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { DecodePool } from '../../../electron/screening/decode-pool.js';
import { runDecodeJob } from '../../../electron/screening/decode-job.js';
import { DicomError } from '../../../electron/dicom/errors.js';
import { CORPUS, firstDifference } from './support.js';

const FILES = ['nema-wg04/J2KR/MR1_J2KR', 'nema-wg04/JLSL/CT1_JLSL', 'nema-wg04/RLE/US1_RLE', 'dcm4che/MR03.dcm'].map(
  (f) => path.join(CORPUS, f),
);

describe('DecodePool', () => {
  const pool = new DecodePool({ size: 2 });
  after(() => pool.close());

  test('decodes in workers exactly as in the main thread', async () => {
    const results = await Promise.all(
      FILES.map((file) => pool.decode({ path: file, outputs: ['stored', 'display', 'thumbnail'] })),
    );
    for (const [i, file] of FILES.entries()) {
      const direct = await runDecodeJob({ path: file, outputs: ['stored', 'display'] });
      assert.equal(firstDifference(results[i]!.stored!, direct.stored!), 'identical');
      assert.equal(firstDifference(results[i]!.display!.data, direct.display!.data), 'identical');
      assert.ok(Math.max(results[i]!.thumbnail!.rows, results[i]!.thumbnail!.columns) <= 128);
    }
  });

  test('the event loop stays free during a long decode', async () => {
    let longestGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 5);
    await pool.decode({ path: path.join(CORPUS, 'nema-wg04/J2KR/SC1_J2KR'), outputs: ['modality'] });
    clearInterval(ticker);
    assert.ok(longestGap < 200, `event loop blocked for ${longestGap.toFixed(0)} ms`);
  });

  test('typed errors cross the thread boundary', async () => {
    await assert.rejects(
      pool.decode({ bytes: Buffer.from('not dicom at all, just some text'), outputs: ['stored'] }),
      (e: unknown) => e instanceof DicomError && e.code === 'NOT_DICOM',
    );
  });

  test('a job past the time limit fails with TIMEOUT and the pool recovers', async () => {
    const strict = new DecodePool({ size: 1, timeoutMs: 20 });
    try {
      await assert.rejects(
        strict.decode({ path: path.join(CORPUS, 'nema-wg04/J2KR/SC1_J2KR'), outputs: ['stored'] }),
        (e: unknown) => e instanceof DicomError && e.code === 'TIMEOUT',
      );
    } finally {
      await strict.close();
    }
    const ok = await pool.decode({ path: FILES[3]!, outputs: ['stored'] });
    assert.equal(ok.rows, 256);
  });
});
