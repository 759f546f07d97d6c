/**
 * NEMA WG04 reference table: every lossless encoding decodes to exactly the
 * stored values of its REF original; every lossy encoding decodes to exactly
 * what the reference library family decodes (OpenJPEG via GDCM for J2KI,
 * CharLS via dcmdjpls for JLSN, dcmtk's IJG 12-bit libjpeg via dcmdjpeg for
 * JPLY), produced here by the Debian tools.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { openDicom } from '../../../electron/dicom/image.js';
import { corpusFiles, decodePath, firstDifference, hasTool, runTool, tempDir } from './support.js';

/** The 16-bit samples of a native file exactly as written, unmasked. */
function rawSamples(file: string): Uint16Array {
  const bytes = openDicom(readFileSync(file)).reader.bytes('x7fe00010')!;
  return new Uint16Array(new Uint8Array(bytes).buffer); // a copy: Buffer.slice() would share the pool
}

const refFor = (file: string) =>
  path.join(path.dirname(path.dirname(file)), 'REF', `${path.basename(file).split('_')[0]}_UNC`);

describe('NEMA WG04 lossless sets equal REF stored values', () => {
  for (const set of ['J2KR', 'JLSL', 'JPLL', 'RLE']) {
    for (const file of corpusFiles(path.join('nema-wg04', set))) {
      test(`${set}/${path.basename(file)}`, async () => {
        const ours = await decodePath(file);
        const ref = await decodePath(refFor(file));
        assert.equal(ours.frame.lossy, false);
        assert.equal(ours.frame.stored.constructor, ref.frame.stored.constructor);
        assert.equal(firstDifference(ours.frame.stored, ref.frame.stored), 'identical');
      });
    }
  }
});

const LOSSY_REFERENCES: Record<string, { tool: string; args: (input: string, output: string) => string[] }> = {
  J2KI: { tool: 'gdcmconv', args: (i, o) => ['--raw', i, o] },
  JLSN: { tool: 'dcmdjpls', args: (i, o) => [i, o] },
};

describe('NEMA WG04 lossy sets equal the reference library decode', () => {
  const dir = tempDir('wg04-lossy');
  for (const [set, reference] of Object.entries(LOSSY_REFERENCES)) {
    for (const file of corpusFiles(path.join('nema-wg04', set))) {
      test(`${set}/${path.basename(file)} vs ${reference.tool}`, { skip: !hasTool(reference.tool) }, async () => {
        const output = path.join(dir, `${set}-${path.basename(file)}.dcm`);
        const run = runTool(reference.tool, reference.args(file, output));
        assert.ok(run.ok, `${reference.tool} failed: ${run.error}`);
        const ours = await decodePath(file);
        const ref = await decodePath(output);
        assert.equal(firstDifference(ours.frame.stored, ref.frame.stored), 'identical');
      });
    }
  }
});

describe('NEMA WG04 12-bit lossy JPEG equals dcmdjpeg exactly', () => {
  const dir = tempDir('wg04-jply');
  for (const file of corpusFiles(path.join('nema-wg04', 'JPLY'))) {
    test(`JPLY/${path.basename(file)}`, { skip: !hasTool('dcmdjpeg') }, async () => {
      const output = path.join(dir, `${path.basename(file)}.dcm`);
      const run = runTool('dcmdjpeg', [file, output]);
      assert.ok(run.ok, `dcmdjpeg failed: ${run.error}`);
      const ours = await decodePath(file);
      assert.equal(ours.frame.lossy, true);
      // dcmdjpeg writes values as decoded (RG3 has 1024 with Bits Stored 10); RadSift clamps them: compare clamped.
      const max = 2 ** ours.frame.bitsStored - 1;
      const reference = Uint16Array.from(rawSamples(output), (v) => Math.min(v, max));
      assert.equal(firstDifference(ours.frame.stored, reference), 'identical');
    });
  }
});
