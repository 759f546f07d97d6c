/** Reused memory in decode jobs: same results as fresh memory, and nothing a job returns is overwritten by the next. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  decodeScratch,
  runDecodeJob,
  type DecodeResult,
  type ModelInputSpec,
} from '../../../electron/screening/decode-job.js';
import { PROJECT_ROOT } from '../../../electron/app/app-identity.js';
import { Scratch } from '../../../electron/util/scratch.js';
import { CORPUS, firstDifference } from './support.js';

// Native 16-bit, RLE 16-bit (the fast path), 8-bit RLE, JPEG-LS, J2K, deflated, MONOCHROME1, in an
// order where each file is smaller or larger than the one before.
const FILES = [
  'nema-wg04/REF/CT1_UNC',
  'nema-wg04/RLE/US1_RLE',
  'nema-wg04/RLE/CT1_RLE',
  'nema-wg04/REF/RG3_UNC',
  'nema-wg04/JLSL/CT1_JLSL',
  'nema-wg04/REF/MR1_UNC',
  'nema-wg04/J2KR/MR1_J2KR',
  'nema-wg04/REF/RG2_UNC',
  'nema-wg04/RLE/RG2_RLE',
  'cornerstone/CTImage.dcm_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm',
  'nema-wg04/REF/CT1_UNC',
].map((f) => path.join(CORPUS, f));

// The shipped model's input spec (letterbox, area filter, its mean/std).
const MODEL = (
  JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt', 'manifest.json'), 'utf8')) as {
    image: ModelInputSpec;
  }
).image;

describe('Scratch', () => {
  test('hands out views of the asked length, reusing one buffer until it must grow', () => {
    const s = new Scratch(1024);
    const a = s.uint8(100);
    assert.equal(a.length, 100);
    const b = s.float32(20);
    assert.equal(b.length, 20);
    assert.equal(b.buffer, a.buffer, 'a smaller request reuses the buffer');
    const c = s.uint16(300); // 600 bytes: grows
    assert.equal(c.length, 300);
    assert.notEqual(c.buffer, a.buffer);
    assert.equal(s.uint8(600).buffer, c.buffer);
  });

  test('requests beyond keepBytes get fresh memory that is not kept', () => {
    const s = new Scratch(1024);
    const kept = s.uint8(512).buffer;
    const big = s.uint8(4096);
    assert.equal(big.length, 4096);
    assert.notEqual(big.buffer, kept);
    assert.equal(s.uint8(512).buffer, kept);
  });

  test('a buffer transferred away (detached) is replaced', () => {
    const s = new Scratch(1024);
    const a = s.uint8(256);
    const buffer = a.buffer as ArrayBuffer;
    structuredClone(buffer, { transfer: [buffer] });
    assert.equal(a.buffer.byteLength, 0);
    const b = s.uint8(256);
    assert.equal(b.length, 256);
    b.fill(7);
    assert.equal(b[255], 7);
  });
});

describe('runDecodeJob with scratch memory', () => {
  test('gives the same outputs as fresh memory, and earlier results survive later jobs', async () => {
    const scratch = decodeScratch();
    const reused: DecodeResult[] = [];
    // Twice round, alternating outputs, so every file follows both a larger and a smaller one.
    for (let round = 0; round < 2; round++) {
      for (const [i, file] of FILES.entries()) {
        const outputs = (i + round) % 2 ? (['identity', 'model'] as const) : (['stored', 'display', 'model'] as const);
        reused.push(await runDecodeJob({ path: file, outputs: [...outputs], model: MODEL }, scratch));
      }
    }
    // Only now compare: a result that aliased scratch memory would by now hold a later file's data.
    let k = 0;
    for (let round = 0; round < 2; round++) {
      for (const [i, file] of FILES.entries()) {
        const outputs = (i + round) % 2 ? (['identity', 'model'] as const) : (['stored', 'display', 'model'] as const);
        const fresh = await runDecodeJob({ path: file, outputs: [...outputs], model: MODEL });
        const got = reused[k++]!;
        const name = path.basename(file);
        assert.equal(firstDifference(got.modelInput!, fresh.modelInput!), 'identical', `${name} model input`);
        if (fresh.stored) assert.equal(firstDifference(got.stored!, fresh.stored), 'identical', `${name} stored`);
        if (fresh.display) {
          assert.equal(firstDifference(got.display!.data, fresh.display.data), 'identical', `${name} display`);
        }
        if (fresh.identity) assert.deepEqual(got.identity, fresh.identity, `${name} identity`);
      }
    }
  });
});
