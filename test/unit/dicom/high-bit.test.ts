/**
 * High Bit other than Bits Stored − 1 (docs/dicom.md, High Bit): the stored value is read from bits
 * HighBit − BitsStored + 1 … HighBit of the allocated word, as PS3.5 8.1.1 places it and dcmtk reads it
 * (the reference here: `dcm2pnm -W` at Bits Stored bits writes the stored values of an unsigned image);
 * GDCM and pydicom read the low bits instead, so `radsift info` says which bits were read.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { decodeFrame, openDicom } from '../../../electron/dicom/image.js';
import { summarizeFile } from '../../../electron/dicom/summary.js';
import { buildDicom, imagePixel } from './builder.js';
import { firstDifference, hasTool, runTool, tempDir } from './support.js';

const dir = tempDir('high-bit');
const skip = hasTool('dcm2pnm') ? false : 'needs dcm2pnm';
const values = Array.from({ length: 64 }, (_, i) => (i * 4093) % 4096); // 12-bit stored values, 0 and 4095 included

/** 16 allocated, 12 stored, the value at bits HighBit−11…HighBit; the bits below and above it set (overlay noise). */
function write(highBit: number): string {
  const low = highBit - 11;
  const words = Uint16Array.from(
    values,
    (v, i) => (v << low) | (i % 2 ? (1 << low) - 1 : 0) | (highBit < 15 ? 0x8000 : 0),
  );
  const file = path.join(dir, `hb${highBit}.dcm`);
  writeFileSync(
    file,
    buildDicom({
      x00080060: ['CS', 'OT'],
      ...imagePixel({ rows: 8, columns: 8, bitsAllocated: 16, bitsStored: 12 }),
      x00280102: ['US', [highBit]],
      x7fe00010: ['OW', new Uint8Array(words.buffer)],
    }),
  );
  return file;
}

/** dcmtk's stored values: `dcm2pnm -W` (no VOI) writes the unsigned 12-bit range onto 0–4095 as it is. */
function dcmtkValues(file: string): number[] {
  const out = `${file}.pgm`;
  const run = runTool('dcm2pnm', ['+opn', '12', '-W', file, out]);
  assert.ok(run.ok, run.error);
  return readFileSync(out, 'latin1').trim().split(/\s+/).slice(4).map(Number);
}

describe('High Bit other than Bits Stored − 1', () => {
  for (const highBit of [11, 12, 15]) {
    test(`High Bit ${highBit}: the stored values equal dcmtk's and the values written`, { skip }, async () => {
      const file = write(highBit);
      const stored = [...(await decodeFrame(openDicom(readFileSync(file)))).stored];
      assert.equal(firstDifference(stored, values), 'identical');
      assert.equal(firstDifference(stored, dcmtkValues(file)), 'identical');
    });
  }

  test('radsift info says which bits were read where High Bit is not Bits Stored − 1', async () => {
    const odd = await summarizeFile(write(12));
    assert.ok(
      odd.warnings.some((w) => /High Bit 12 with Bits Stored 12: values are read from bits 1–12/.test(w)),
      JSON.stringify(odd.warnings),
    );
    const usual = await summarizeFile(write(11));
    assert.ok(!usual.warnings.some((w) => w.includes('High Bit')));
  });
});
