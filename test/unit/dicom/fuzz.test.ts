/**
 * Bad input never crashes or hangs the engine: ≥5,000 mutated corpus files,
 * each giving a typed DicomError or a valid image within the per-case limit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runFuzz } from './fuzz-harness.js';
import { CORPUS } from './support.js';

const CASES = Number(process.env.RADSIFT_FUZZ_CASES ?? 5000);

test(`fuzz: ${CASES} mutated files, zero crashes, zero hangs`, { timeout: 600_000 }, async (t) => {
  const report = await runFuzz(CORPUS, 0, CASES, 5_000);
  t.diagnostic(JSON.stringify({ ...report, crashes: report.crashes.slice(0, 20) }));
  assert.equal(report.cases, CASES);
  assert.deepEqual(report.crashes, []);
  assert.deepEqual(report.hangs, []);
  assert.ok(report.images > 0 && Object.keys(report.errors).length > 3, 'mutations exercise both outcomes');
});
