/**
 * HTJ2K (.201 lossless, .203 lossy): no corpus file uses it, so fixtures are
 * made here by encoding WG04 REF images with OpenJPH's encoder (WASM), then
 * checked two ways: lossless decodes equal the REF stored values, and every
 * decode equals OpenJPEG's `opj_decompress` (±1 for lossy, as the notes allow).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, test } from 'node:test';
import { decodeFrame, openDicom, pixelModule } from '../../../electron/dicom/image.js';
import { buildDicom, imagePixel } from './builder.js';
import { CORPUS, firstDifference, hasTool, maxAbsDiff, runTool, tempDir } from './support.js';

interface Encoder {
  getDecodedBuffer(info: object): Uint8Array;
  getEncodedBuffer(): Uint8Array;
  encode(): void;
  setQuality(lossless: boolean, quantizationStep: number): void;
  delete(): void;
}

const require = createRequire(import.meta.url);
const openjph = (
  require('@cornerstonejs/codec-openjph/wasmjs') as (o: object) => Promise<{ HTJ2KEncoder: new () => Encoder }>
)({
  print: () => {},
  printErr: () => {},
});

async function encodeHtj2k(
  stored: ArrayLike<number>,
  m: ReturnType<typeof pixelModule>,
  lossless: boolean,
): Promise<Uint8Array> {
  const encoder = new (await openjph).HTJ2KEncoder();
  try {
    const input = encoder.getDecodedBuffer({
      width: m.columns,
      height: m.rows,
      bitsPerSample: m.bitsStored,
      componentCount: m.samplesPerPixel,
      isSigned: m.pixelRepresentation === 1,
      isUsingColorTransform: m.samplesPerPixel === 3,
    });
    const target = m.bitsAllocated > 8 ? new Uint16Array(input.buffer, input.byteOffset, stored.length) : input;
    for (let i = 0; i < stored.length; i++) target[i] = stored[i]! & (m.bitsAllocated > 8 ? 0xffff : 0xff);
    if (!lossless) encoder.setQuality(false, 0.002);
    encoder.encode();
    return encoder.getEncodedBuffer().slice();
  } finally {
    encoder.delete();
  }
}

/** OpenJPEG's decode of a raw codestream, read back as samples (little-endian raw output). */
function opjDecode(codestream: Uint8Array, dir: string, name: string, signed: boolean, bytes: number): number[] {
  const input = path.join(dir, `${name}.j2c`);
  const output = path.join(dir, `${name}.rawl`);
  writeFileSync(input, codestream);
  const run = runTool('opj_decompress', ['-i', input, '-o', output]);
  assert.ok(run.ok, run.error);
  const raw = readFileSync(output);
  const values: number[] = [];
  for (let i = 0; i < raw.length; i += bytes) {
    values.push(bytes === 1 ? (signed ? raw.readInt8(i) : raw[i]!) : signed ? raw.readInt16LE(i) : raw.readUInt16LE(i));
  }
  return values;
}

/** opj writes colour planar (RRR…GGG…BBB): interleave to match the engine's output. */
function interleave(planar: number[], samples: number): number[] {
  if (samples === 1) return planar;
  const pixels = planar.length / samples;
  const out = new Array<number>(planar.length);
  for (let s = 0; s < samples; s++) for (let i = 0; i < pixels; i++) out[i * samples + s] = planar[s * pixels + i]!;
  return out;
}

describe('HTJ2K', { skip: !hasTool('opj_decompress') }, () => {
  const dir = tempDir('htj2k');
  for (const name of ['CT1', 'MR2', 'XA1', 'VL1']) {
    for (const lossless of [true, false]) {
      test(`${name} ${lossless ? 'lossless (.201)' : 'lossy (.203)'}`, async () => {
        const refFile = openDicom(readFileSync(path.join(CORPUS, 'nema-wg04/REF', `${name}_UNC`)));
        const m = pixelModule(refFile);
        const ref = await decodeFrame(refFile);
        const codestream = await encodeHtj2k(ref.stored, m, lossless);
        const dicom = buildDicom(
          {
            ...imagePixel({
              rows: m.rows,
              columns: m.columns,
              bitsAllocated: m.bitsAllocated,
              bitsStored: m.bitsStored,
              signed: m.pixelRepresentation === 1,
              samples: m.samplesPerPixel,
              photometric: m.samplesPerPixel === 3 ? (lossless ? 'YBR_RCT' : 'YBR_ICT') : m.photometric,
            }),
            x7fe00010: ['OB', { offsets: [], fragments: [codestream] }],
          },
          { transferSyntax: lossless ? '1.2.840.10008.1.2.4.201' : '1.2.840.10008.1.2.4.203' },
        );
        const ours = await decodeFrame(openDicom(dicom));
        if (m.samplesPerPixel === 3) assert.equal(ours.photometric, 'RGB');
        const opj = interleave(
          opjDecode(codestream, dir, `${name}-${lossless}`, m.pixelRepresentation === 1, m.bitsAllocated / 8),
          m.samplesPerPixel,
        );
        if (lossless) {
          assert.equal(ours.lossy, false);
          assert.equal(firstDifference(ours.stored, ref.stored), 'identical');
          assert.equal(firstDifference(ours.stored, opj), 'identical');
        } else {
          assert.ok(maxAbsDiff(ours.stored, opj) <= 1, firstDifference(ours.stored, opj));
        }
      });
    }
  }
});
