/**
 * The windowed 8-bit display image equals dcmtk's `dcm2pnm +Ww C W` output
 * (modality rescale, linear window with floor(), MONOCHROME1 inverted after
 * the window) on a sample of corpus files and windows.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { decodeFrame, displayImage, openDicom } from '../../../electron/dicom/image.js';
import { buildDicom, imagePixel, type Item } from './builder.js';
import { CORPUS, firstDifference, hasTool, maxAbsDiff, runTool, tempDir } from './support.js';

/** [file, center, width, tolerance]: MR2 has Rescale Slope 3.774114, which dcmtk truncates to integer modality values before windowing; RadSift keeps them exact, so ±1 there. */
const SAMPLES: Array<[file: string, center: number, width: number, tolerance?: number]> = [
  ['nema-wg04/REF/CT1_UNC', 40, 400],
  ['nema-wg04/REF/CT1_UNC', -600.5, 1501],
  ['nema-wg04/REF/MR2_UNC', 300, 600, 1],
  ['nema-wg04/REF/RG3_UNC', 512, 1024],
  ['nema-wg04/REF/RG3_UNC', 100.5, 301],
  ['nema-wg04/REF/XA1_UNC', 255.5, 2],
  ['dcm4che/test16signed.dcm', 0, 20000],
  ['dcm4che/MR01.dcm', 900.25, 1799.5],
];

function readPgm(file: string): { width: number; height: number; data: Uint8Array } {
  const bytes = readFileSync(file);
  const header = bytes.toString('latin1', 0, 64).match(/^P5\s+(\d+)\s+(\d+)\s+255\s/);
  assert.ok(header, 'dcm2pnm wrote a binary 8-bit PGM');
  return { width: Number(header[1]), height: Number(header[2]), data: bytes.subarray(header[0].length) };
}

describe('display image equals dcm2pnm', { skip: !hasTool('dcm2pnm') || !hasTool('dcmodify') }, () => {
  const dir = tempDir('display');
  for (const [relative, center, width, tolerance = 0] of SAMPLES) {
    test(`${relative} window ${center}/${width}`, async () => {
      const file = path.join(CORPUS, relative);
      const output = path.join(dir, `${path.basename(file)}-${center}-${width}.pgm`);
      const run = runTool('dcm2pnm', ['+Ww', String(center), String(width), file, output]);
      assert.ok(run.ok, run.error);
      const ref = readPgm(output);
      const dicom = openDicom(readFileSync(file));
      const ours = displayImage(dicom, await decodeFrame(dicom, 0), { window: { center, width } });
      assert.equal(ours.columns, ref.width);
      assert.equal(ours.rows, ref.height);
      if (tolerance === 0) assert.equal(firstDifference(ours.data, ref.data), 'identical');
      else assert.ok(maxAbsDiff(ours.data, ref.data) <= tolerance);
    });
  }

  test('Presentation LUT Shape INVERSE inverts MONOCHROME2 after the window, and MONOCHROME1 only once', async () => {
    for (const [relative, center, width] of [
      ['nema-wg04/REF/CT1_UNC', 40, 400],
      ['nema-wg04/REF/RG3_UNC', 512, 1024],
    ] as const) {
      const file = path.join(dir, `${path.basename(relative)}-inverse.dcm`);
      copyFileSync(path.join(CORPUS, relative), file);
      const modify = runTool('dcmodify', ['-nb', '-i', '(2050,0020)=INVERSE', file]);
      assert.ok(modify.ok, modify.error);
      const output = `${file}.pgm`;
      const run = runTool('dcm2pnm', ['+Ww', String(center), String(width), file, output]);
      assert.ok(run.ok, run.error);
      const dicom = openDicom(readFileSync(file));
      const ours = displayImage(dicom, await decodeFrame(dicom, 0), { window: { center, width } });
      assert.equal(firstDifference(ours.data, readPgm(output).data), 'identical', relative);
    }
  });

  test('VOI LUT Sequence, 12- and 16-bit entries: equals dcm2pnm +Wl 1', async () => {
    const stored = Uint16Array.from({ length: 64 * 64 }, (_, i) => (i * 7) % 4096);
    for (const bits of [12, 16]) {
      const top = 2 ** bits - 1;
      const entries = Uint16Array.from({ length: 4096 }, (_, i) => Math.round(Math.sqrt(i / 4095) * top));
      const file = path.join(dir, `voi-lut-${bits}.dcm`);
      const lut = { x00283002: ['US', [4096, 0, bits]], x00283006: ['OW', new Uint8Array(entries.buffer)] } as Item;
      writeFileSync(
        file,
        buildDicom({
          x00080060: ['CS', 'OT'],
          ...imagePixel({ rows: 64, columns: 64, bitsAllocated: 16, bitsStored: 12 }),
          x00283010: ['SQ', [lut]],
          x7fe00010: ['OW', new Uint8Array(stored.buffer)],
        }),
      );
      const run = runTool('dcm2pnm', ['+Wl', '1', file, `${file}.pgm`]);
      assert.ok(run.ok, run.error);
      const dicom = openDicom(readFileSync(file));
      const ours = displayImage(dicom, await decodeFrame(dicom, 0));
      assert.equal(ours.voi, 'voi-lut');
      assert.equal(firstDifference(ours.data, readPgm(`${file}.pgm`).data), 'identical', `${bits}-bit entries`);
    }
  });
});
