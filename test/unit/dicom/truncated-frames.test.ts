/**
 * A frame cut short inside a fragment that is otherwise whole (the item length says where the cut
 * stream ends, so the file itself parses): every encapsulated JPEG-family, JPEG 2000 and RLE codec must
 * refuse it with TRUNCATED, never show it with the missing part grey or garbled. The files are real
 * corpus files (HTJ2K: a WG04 image encoded here with OpenJPH, as htj2k.test does), cut in a temp copy.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DicomError } from '../../../electron/dicom/errors.js';
import { decodeFrame, openDicom, pixelModule } from '../../../electron/dicom/image.js';
import { buildDicom, imagePixel } from './builder.js';
import { CORPUS, firstDifference, tempDir } from './support.js';

const FILES = [
  ['cornerstone/CTImage.dcm_JPEGProcess1TransferSyntax_1.2.840.10008.1.2.4.50.dcm', 'libjpeg-turbo, 8-bit'],
  ['cornerstone/TestPattern_JPEG-Baseline_YBRFull.dcm', 'libjpeg-turbo, colour'],
  ['nema-wg04/JPLY/SC1_JPLY', '12-bit sequential, 12 fragments'],
  ['nema-wg04/JPLY/MR1_JPLY', '12-bit sequential'],
  ['cornerstone/CTImage.dcm_JPEGProcess14TransferSyntax_1.2.840.10008.1.2.4.57.dcm', 'JPEG lossless'],
  ['nema-wg04/JPLL/CT1_JPLL', 'JPEG lossless SV1'],
  ['nema-wg04/JLSL/CT1_JLSL', 'CharLS lossless'],
  ['nema-wg04/JLSN/CT1_JLSN', 'CharLS near-lossless'],
  ['nema-wg04/J2KR/CT1_J2KR', 'OpenJPEG lossless'],
  ['nema-wg04/J2KI/CT1_J2KI', 'OpenJPEG lossy'],
  ['nema-wg04/RLE/CT1_RLE', 'RLE, 16-bit (2 segments)'],
  ['nema-wg04/RLE/VL1_RLE', 'RLE, RGB (3 segments)'],
] as const;

/** The file with its last fragment cut to `keep` of its length (even), the item length and the delimiter rewritten. */
function cutLastFragment(bytes: Uint8Array, keep: number): Uint8Array {
  const fragments = openDicom(bytes).reader.dataSet.elements.x7fe00010!.fragments!;
  const last = fragments[fragments.length - 1]!;
  let length = Math.floor(last.length * keep);
  length -= length % 2;
  const out = new Uint8Array(last.position + length + 8);
  out.set(bytes.subarray(0, last.position + length));
  new DataView(out.buffer).setUint32(last.position - 4, length, true);
  out.set([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0], last.position + length);
  return out;
}

/** A single-frame file's codestream: its fragments joined. */
function streamOf(bytes: Uint8Array): Uint8Array {
  const fragments = openDicom(bytes).reader.dataSet.elements.x7fe00010!.fragments!;
  return Uint8Array.from(fragments.flatMap((f) => [...bytes.subarray(f.position, f.position + f.length)]));
}

/** The single-frame file with its fragments replaced by one holding `stream` (padded to even length with 0x00). */
function withStream(bytes: Uint8Array, stream: Uint8Array): Uint8Array {
  const first = openDicom(bytes).reader.dataSet.elements.x7fe00010!.fragments![0]!;
  const length = stream.length + (stream.length % 2);
  const out = new Uint8Array(first.position + length + 8);
  out.set(bytes.subarray(0, first.position));
  out.set(stream, first.position);
  new DataView(out.buffer).setUint32(first.position - 4, length, true);
  out.set([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0], first.position + length);
  return out;
}

async function outcome(file: string): Promise<string> {
  try {
    await decodeFrame(openDicom(readFileSync(file)), 0);
    return 'image';
  } catch (error) {
    assert.ok(error instanceof DicomError, String(error));
    return `${error.code}: ${error.message}`;
  }
}

interface Encoder {
  getDecodedBuffer(info: object): Uint8Array;
  getEncodedBuffer(): Uint8Array;
  encode(): void;
  delete(): void;
}

/** WG04 CT1 as a one-fragment HTJ2K lossless file (no corpus file uses HTJ2K). */
async function htj2kFile(): Promise<Uint8Array> {
  const reference = openDicom(readFileSync(path.join(CORPUS, 'nema-wg04/REF/CT1_UNC')));
  const m = pixelModule(reference);
  const stored = (await decodeFrame(reference, 0)).stored;
  const require = createRequire(import.meta.url);
  const factory = require('@cornerstonejs/codec-openjph/wasmjs') as (
    o: object,
  ) => Promise<{ HTJ2KEncoder: new () => Encoder }>;
  const encoder = new (await factory({ print: () => {}, printErr: () => {} })).HTJ2KEncoder();
  let codestream: Uint8Array;
  try {
    const input = encoder.getDecodedBuffer({
      width: m.columns,
      height: m.rows,
      bitsPerSample: m.bitsStored,
      componentCount: 1,
      isSigned: m.pixelRepresentation === 1,
      isUsingColorTransform: false,
    });
    const target = new Uint16Array(input.buffer, input.byteOffset, stored.length);
    for (let i = 0; i < stored.length; i++) target[i] = stored[i]! & 0xffff;
    encoder.encode();
    codestream = encoder.getEncodedBuffer().slice();
  } finally {
    encoder.delete();
  }
  const padded = codestream.length % 2 ? Uint8Array.from([...codestream, 0]) : codestream;
  return buildDicom(
    {
      x00080060: ['CS', 'CT'],
      ...imagePixel({
        rows: m.rows,
        columns: m.columns,
        bitsAllocated: 16,
        bitsStored: m.bitsStored,
        signed: m.pixelRepresentation === 1,
      }),
      x7fe00010: ['OB', { offsets: [], fragments: [padded] }],
    },
    { transferSyntax: '1.2.840.10008.1.2.4.201' },
  );
}

describe('a frame cut short inside its fragment is TRUNCATED, an intact one decodes as before', () => {
  const dir = tempDir('truncated-frames');
  const check = async (name: string, bytes: Uint8Array) => {
    const base = path.join(dir, name.replace(/[^\w.]+/g, '_'));
    // The rewrite itself changes nothing: the whole fragment decodes to the original's samples.
    writeFileSync(`${base}.whole.dcm`, cutLastFragment(bytes, 1));
    const original = await decodeFrame(openDicom(bytes), 0);
    const rewritten = await decodeFrame(openDicom(readFileSync(`${base}.whole.dcm`)), 0);
    assert.equal(firstDifference(rewritten.stored, original.stored), 'identical', `${name}: rewritten whole`);
    // CharLS is reloaded after each stream it rejects (jpeg-ls.ts), a few seconds each: one cut there.
    for (const keep of /JLS/.test(name) ? [0.9] : [0.5, 0.9, 0.999]) {
      const file = `${base}.${keep}.dcm`;
      writeFileSync(file, cutLastFragment(bytes, keep));
      assert.match(await outcome(file), /^TRUNCATED: .*truncated/, `${name} cut to ${keep} of its last fragment`);
    }
  };
  for (const [name, codec] of FILES) {
    test(`${codec}: ${name}`, async () => check(name, readFileSync(path.join(CORPUS, name))));
  }
  test('OpenJPH (HTJ2K lossless): WG04 CT1 encoded here', async () => check('CT1.htj2k', await htj2kFile()));
  test('OpenJPEG: whole tile data without its EOC, or with a stray byte in its place, decodes; garbled, says why', async () => {
    // WG04 CT1_J2KR (three fragments, joined here into one): one tile-part, Psot up to its FF D9, as Kakadu wrote it.
    const bytes = readFileSync(path.join(CORPUS, 'nema-wg04/J2KR/CT1_J2KR'));
    const stream = streamOf(bytes);
    const sot = stream.findIndex((b, i) => b === 0xff && stream[i + 1] === 0x90);
    const tileEnd = sot + new DataView(stream.buffer, stream.byteOffset + sot + 6, 4).getUint32(0);
    assert.deepEqual([...stream.subarray(tileEnd, tileEnd + 2)], [0xff, 0xd9]);
    const original = (await decodeFrame(openDicom(bytes), 0)).stored;
    const tiles = stream.subarray(0, tileEnd);
    for (const [name, tail] of [
      ['no EOC (padded with 0x00)', []],
      ['a stray byte for the EOC', [0x01]],
      ['a stray FF', [0xff]],
    ] as const) {
      const file = path.join(dir, `CT1_J2KR.${name.replace(/\W+/g, '_')}.dcm`);
      writeFileSync(file, withStream(bytes, Uint8Array.from([...tiles, ...tail])));
      const decoded = await decodeFrame(openDicom(readFileSync(file)), 0);
      assert.equal(firstDifference(decoded.stored, original), 'identical', name);
    }
    // Garbled after the main header (its SOT marker overwritten): OpenJPEG's own reason, not "codestream is 0×0×0".
    const garbled = Uint8Array.from(stream);
    garbled.set([0x12, 0x34], sot);
    const file = path.join(dir, 'CT1_J2KR.garbled.dcm');
    writeFileSync(file, withStream(bytes, garbled));
    assert.match(
      await outcome(file),
      /^CORRUPT_PIXEL_DATA: JPEG 2000: the codestream could not be decoded \(A marker ID was expected .* 00001234/,
    );
  });
  test('RLE: a segment that is whole but too short (it ends where the next starts) stays CORRUPT_PIXEL_DATA', async () => {
    // WG04 CT1's high-byte segment made to end 8 bytes in: the header's second offset moved back. Its data did not
    // run out with the frame's: the frame is malformed, not cut.
    const bytes = Uint8Array.from(readFileSync(path.join(CORPUS, 'nema-wg04/RLE/CT1_RLE')));
    const fragment = openDicom(bytes).reader.dataSet.elements.x7fe00010!.fragments!.at(-1)!;
    const header = new DataView(bytes.buffer, fragment.position, 64);
    assert.equal(header.getUint32(0, true), 2);
    header.setUint32(8, header.getUint32(4, true) + 8, true);
    const file = path.join(dir, 'CT1_RLE.short-segment.dcm');
    writeFileSync(file, bytes);
    assert.match(await outcome(file), /^CORRUPT_PIXEL_DATA: RLE: segment 1 of 2 decodes to \d+ bytes, expected 262144/);
  });
});
