/**
 * The display transform as a table (displayTable), and the model path that applies it while
 * resampling: exactly the values of the full-size display image, on real files of every kind the
 * table path takes (signed CT with rescale, MONOCHROME1, 8-bit, 10/12-bit radiographs) and the
 * ones it must decline (colour).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { PROJECT_ROOT } from '../../../electron/app/app-identity.js';
import { decodeScratch, runDecodeJob, type ModelInputSpec } from '../../../electron/screening/decode-job.js';
import { displayTable, type DisplayOptions } from '../../../electron/dicom/display.js';
import { displayImage, presentationOf } from '../../../electron/dicom/image.js';
import { toImageTensor } from '../../../electron/imaging/preprocess.js';
import { CORPUS, decodePath, firstDifference } from './support.js';

const MONOCHROME = [
  'nema-wg04/REF/CT1_UNC', // signed 16-bit, rescale intercept
  'nema-wg04/REF/MR1_UNC',
  'nema-wg04/REF/MR2_UNC',
  'nema-wg04/REF/XA1_UNC',
  'nema-wg04/REF/RG2_UNC',
  'nema-wg04/REF/RG3_UNC', // MONOCHROME1, Bits Stored 10
  'nema-wg04/REF/SC1_UNC',
  'nema-wg04/RLE/CT2_RLE',
].map((f) => path.join(CORPUS, f));

const COLOUR = path.join(CORPUS, 'nema-wg04/RLE/US1_RLE');

const MODEL = (
  JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt', 'manifest.json'), 'utf8')) as {
    image: ModelInputSpec;
  }
).image;

const OPTIONS: Record<string, DisplayOptions> = {
  file: { voi: 'file' },
  range: { voi: 'range' },
  explicit: { window: { center: 40, width: 400 } },
  uninverted: { voi: 'file', invertMonochrome1: false },
};

describe('displayTable', () => {
  test('maps every pixel to the display image value, for file, automatic and explicit windows', async () => {
    let tables = 0;
    for (const file of MONOCHROME) {
      const { file: dicom, frame } = await decodePath(file);
      for (const [name, options] of Object.entries(OPTIONS)) {
        const display = displayImage(dicom, frame, options);
        const table = displayTable(frame, presentationOf(dicom), options);
        if (!table) continue;
        tables++;
        const mapped = new Uint8Array(frame.stored.length);
        for (let i = 0; i < mapped.length; i++) mapped[i] = table.lut[frame.stored[i]! - table.offset]!;
        const label = `${path.basename(file)} ${name}`;
        assert.equal(firstDifference(mapped, display.data), 'identical', label);
        assert.deepEqual(table.window, display.window, label);
      }
    }
    assert.ok(tables >= MONOCHROME.length * 3, `only ${tables} table cases: the test would prove little`);
  });

  test('declines colour images', async () => {
    const { file, frame } = await decodePath(COLOUR);
    assert.equal(frame.samplesPerPixel, 3);
    assert.equal(displayTable(frame, presentationOf(file)), undefined);
  });
});

describe('the model input of a decode job', () => {
  test('equals the tensor of the full-size display image, with and without scratch memory', async () => {
    const scratch = decodeScratch();
    for (const file of [...MONOCHROME, COLOUR]) {
      const { file: dicom, frame } = await decodePath(file);
      const options = { voi: 'file', invertMonochrome1: MODEL.dicom.invertMonochrome1 } as const;
      const display = displayImage(dicom, frame, options);
      const expected = toImageTensor(
        [{ width: display.columns, height: display.rows, channels: display.channels, data: display.data }],
        MODEL,
      ).data;
      for (const s of [undefined, scratch]) {
        const got = await runDecodeJob({ path: file, outputs: ['model'], model: MODEL }, s);
        const label = `${path.basename(file)} ${s ? 'scratch' : 'fresh'}`;
        assert.equal(firstDifference(got.modelInput!, expected), 'identical', label);
      }
    }
  });
});
