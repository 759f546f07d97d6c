/**
 * Multi-frame files whose Pixel Data holds fewer frames than Number of Frames declares: the frames that are
 * there decode as in the whole file, each missing one fails alone with FRAME_MISSING naming it, and `radsift
 * info` (summarizeFile) keeps the declared count and says how many are readable. Files are real corpus
 * multi-frames (native, JPEG without an offset table, RLE with one) cut in a temp copy.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DicomError } from '../../../electron/dicom/errors.js';
import { decodeFrame, openDicom } from '../../../electron/dicom/image.js';
import { summarizeFile } from '../../../electron/dicom/summary.js';
import { CORPUS, firstDifference, tempDir } from './support.js';

const DELIMITER = [0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0];

/** Native: the Pixel Data value (the file's last element) cut to `bytes`, its length field rewritten. */
function cutNative(whole: Uint8Array, bytes: number): Uint8Array {
  const element = openDicom(whole).reader.dataSet.elements.x7fe00010!;
  const out = whole.slice(0, element.dataOffset + bytes);
  new DataView(out.buffer).setUint32(element.dataOffset - 4, bytes, true);
  return out;
}

/** Encapsulated: only the first `keep` fragments, then the sequence delimiter. */
function keepFragments(whole: Uint8Array, keep: number): Uint8Array {
  const fragments = openDicom(whole).reader.dataSet.elements.x7fe00010!.fragments!;
  const end = fragments[keep]!.position - 8; // the next fragment's item tag
  return Uint8Array.from([...whole.subarray(0, end), ...DELIMITER]);
}

async function expectMissing(file: string, frame: number, readable: number, declared: number): Promise<void> {
  await assert.rejects(
    decodeFrame(openDicom(readFileSync(file)), frame),
    (e: unknown) =>
      e instanceof DicomError &&
      e.code === 'FRAME_MISSING' &&
      e.message.includes(`frame ${frame} is missing`) &&
      e.message.includes(`${readable} of the ${declared} frames`),
    `frame ${frame}`,
  );
}

async function check(whole: Uint8Array, cut: Uint8Array, name: string, readable: number, declared: number) {
  const file = path.join(dir, name);
  writeFileSync(file, cut);
  const original = openDicom(whole);
  const damaged = openDicom(readFileSync(file));
  for (let frame = 0; frame < readable; frame++) {
    const expected = (await decodeFrame(original, frame)).stored;
    const actual = (await decodeFrame(damaged, frame)).stored;
    assert.equal(firstDifference(actual, expected), 'identical', `${name}: frame ${frame}`);
  }
  for (let frame = readable; frame < declared; frame++) await expectMissing(file, frame, readable, declared);
  const summary = await summarizeFile(file, Infinity);
  assert.equal(summary.image?.frames, declared);
  assert.equal(summary.image?.readableFrames, readable);
  assert.ok(summary.warnings.some((w) => w.includes(`${declared} frames declared, ${readable} in the file`)));
  assert.deepEqual(
    summary.errors.map((e) => [e.frame, e.code]),
    Array.from({ length: declared - readable }, (_, k) => [readable + k, 'FRAME_MISSING']),
  );
  const intact = await summarizeFile(path.join(CORPUS, 'dicomparser', name), 1);
  assert.equal(intact.image?.readableFrames, undefined, `${name}: the whole file has all its frames`);
}

const dir = tempDir('missing-frames');

describe('missing frames: the frames present decode, each missing one is FRAME_MISSING', () => {
  test('native, 8 RGB frames, Pixel Data cut inside frame 5', async () => {
    const name = 'testImages_encapsulated_multi-frame_IM00001.implicit_little_endian.dcm';
    const whole = readFileSync(path.join(CORPUS, 'dicomparser', name));
    const frameBytes = 240 * 320 * 3;
    await check(whole, cutNative(whole, frameBytes * 5 + frameBytes / 2), name, 5, 8);
  });

  test('JPEG baseline, 8 frames in 44 fragments, no offset table: the fragments of frames 6 and 7 gone', async () => {
    const name = 'testImages_encapsulated_multi-frame_IM00001.fragmented_no_bot_jpeg_baseline.50.dcm';
    const whole = readFileSync(path.join(CORPUS, 'dicomparser', name));
    const fragments = openDicom(whole).reader.dataSet.elements.x7fe00010!.fragments!;
    const starts = fragments.flatMap((f, i) =>
      whole[f.position] === 0xff && whole[f.position + 1] === 0xd8 ? [i] : [],
    );
    assert.equal(starts.length, 8);
    await check(whole, keepFragments(whole, starts[6]!), name, 6, 8);
  });

  test('RLE, 2 frames with a Basic Offset Table: the second fragment gone', async () => {
    const name = 'testImages_encapsulated_multi-frame_CT0012.not_fragmented_bot_rle.dcm';
    const whole = readFileSync(path.join(CORPUS, 'dicomparser', name));
    await check(whole, keepFragments(whole, 1), name, 1, 2);
  });
});
