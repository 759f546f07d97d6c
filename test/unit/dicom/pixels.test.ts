/**
 * Pixel semantics on synthetic files built in memory: bit depths, sign,
 * unused bits, colour layouts, palettes, LUTs, windows, padding, frame
 * splitting and the frame-level codecs written here (RLE, deflated frames).
 */
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { DicomError } from '../../../electron/dicom/errors.js';
import { decodeFrame, displayImage, modalityValues, openDicom } from '../../../electron/dicom/image.js';
import { thumbnail } from '../../../electron/dicom/thumbnail.js';
import { buildDicom, imagePixel, type Item } from './builder.js';

const EXPLICIT = '1.2.840.10008.1.2.1';

function open(item: Item, transferSyntax = EXPLICIT) {
  return openDicom(buildDicom({ x00080060: ['CS', 'OT'], ...item }, { transferSyntax }));
}

function u16(values: number[]): Uint8Array {
  return new Uint8Array(Uint16Array.from(values).buffer);
}

async function rejectsWith(promise: Promise<unknown>, code: string) {
  await assert.rejects(promise, (e: unknown) => e instanceof DicomError && e.code === code);
}

/** RLE segment with literal runs only (enough to exercise the decoder). */
function rleSegment(bytes: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 128) {
    const run = bytes.slice(i, i + 128);
    out.push(run.length - 1, ...run);
  }
  if (out.length % 2) out.push(0x80); // no-op byte keeps segments even
  return out;
}

function rleFrame(segments: number[][]): Uint8Array {
  const encoded = segments.map(rleSegment);
  const header = new DataView(new ArrayBuffer(64));
  header.setUint32(0, encoded.length, true);
  let offset = 64;
  encoded.forEach((s, i) => {
    header.setUint32(4 + 4 * i, offset, true);
    offset += s.length;
  });
  return Uint8Array.from([...new Uint8Array(header.buffer), ...encoded.flat()]);
}

describe('native bit depths and unused bits', () => {
  test('16-bit with Bits Stored 12: bits above are masked (overlays live there)', async () => {
    const file = open({
      ...imagePixel({ rows: 1, columns: 3, bitsAllocated: 16, bitsStored: 12 }),
      x7fe00010: ['OW', u16([0xf123, 0x0fff, 0x1000])],
    });
    assert.deepEqual([...(await decodeFrame(file)).stored], [0x123, 0xfff, 0]);
  });

  test('a bit above Bits Stored is found wherever it is (the scan reads 32 bits at a time, then the tail)', async () => {
    for (const at of [0, 1, 2, 3, 4]) {
      const values = [0x123, 0x456, 0x789, 0xabc, 0xdef];
      values[at]! |= 0x8000;
      const file = open({
        ...imagePixel({ rows: 1, columns: 5, bitsAllocated: 16, bitsStored: 12 }),
        x7fe00010: ['OW', u16(values)],
      });
      assert.deepEqual([...(await decodeFrame(file)).stored], [0x123, 0x456, 0x789, 0xabc, 0xdef], `16-bit, at ${at}`);
    }
    for (const at of [0, 3, 4, 6]) {
      const values = [1, 2, 3, 4, 5, 6, 7];
      values[at]! |= 0x80;
      const file = open({
        ...imagePixel({ rows: 1, columns: 7, bitsAllocated: 8, bitsStored: 7 }),
        x7fe00010: ['OB', Uint8Array.from(values)],
      });
      assert.deepEqual([...(await decodeFrame(file)).stored], [1, 2, 3, 4, 5, 6, 7], `8-bit, at ${at}`);
    }
  });

  test('signed 16-bit with Bits Stored 12 is sign-extended', async () => {
    const file = open({
      ...imagePixel({ rows: 1, columns: 3, bitsAllocated: 16, bitsStored: 12, signed: true }),
      x7fe00010: ['OW', u16([0x0800, 0x07ff, 0xffff])],
    });
    const frame = await decodeFrame(file);
    assert.ok(frame.stored instanceof Int16Array);
    assert.deepEqual([...frame.stored], [-2048, 2047, -1]);
  });

  test('32-bit signed with Bits Stored 20', async () => {
    const data = new Uint8Array(Uint32Array.from([0x000fffff, 0x00080000, 0xfff00005]).buffer);
    const file = open({
      ...imagePixel({ rows: 1, columns: 3, bitsAllocated: 32, bitsStored: 20, signed: true }),
      x7fe00010: ['OB', data],
    });
    assert.deepEqual([...(await decodeFrame(file)).stored], [-1, -524288, 5]);
  });

  test('1-bit multi-frame whose frames are not byte aligned', async () => {
    // 3×3 frames of 9 bits each, packed LSB first: frame 0 = 101010101, frame 1 = 111000111.
    const bits = [1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1];
    const packed = new Uint8Array(4);
    bits.forEach((b, i) => (packed[i >> 3]! |= b << (i & 7)));
    const file = open({
      ...imagePixel({ rows: 3, columns: 3, bitsAllocated: 1, frames: 2 }),
      x7fe00010: ['OB', packed],
    });
    assert.deepEqual([...(await decodeFrame(file, 0)).stored], bits.slice(0, 9));
    assert.deepEqual([...(await decodeFrame(file, 1)).stored], bits.slice(9));
  });

  test('explicit big endian OW of 1- and 8-bit samples: words swapped back around frames off word boundaries', async () => {
    const BIG = '1.2.840.10008.1.2.2';
    const swapped = (le: number[]) => Uint8Array.from(le.flatMap((_, i) => (i % 2 ? [] : [le[i + 1] ?? 0, le[i]!])));
    const bits = [1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1];
    const packed = [0, 0, 0, 0];
    bits.forEach((b, i) => (packed[i >> 3]! |= b << (i & 7)));
    const oneBit = open(
      { ...imagePixel({ rows: 3, columns: 3, bitsAllocated: 1, frames: 2 }), x7fe00010: ['OW', swapped(packed)] },
      BIG,
    );
    assert.deepEqual([...(await decodeFrame(oneBit, 0)).stored], bits.slice(0, 9));
    assert.deepEqual([...(await decodeFrame(oneBit, 1)).stored], bits.slice(9));
    // 8-bit samples in OW, frames of 3 bytes: the second starts inside a word.
    const eight = open(
      {
        ...imagePixel({ rows: 1, columns: 3, bitsAllocated: 8, frames: 2 }),
        x7fe00010: ['OW', swapped([1, 2, 3, 4, 5, 6])],
      },
      BIG,
    );
    assert.deepEqual([...(await decodeFrame(eight, 0)).stored], [1, 2, 3]);
    assert.deepEqual([...(await decodeFrame(eight, 1)).stored], [4, 5, 6]);
  });

  test('Float and Double Float Pixel Data', async () => {
    const floats = new Uint8Array(Float32Array.from([0.5, -1.25]).buffer);
    const doubles = new Uint8Array(Float64Array.from([1e-9, 3.5]).buffer);
    const f = open({ ...imagePixel({ rows: 1, columns: 2, bitsAllocated: 32 }), x7fe00008: ['OF', floats] });
    const d = open({ ...imagePixel({ rows: 1, columns: 2, bitsAllocated: 64 }), x7fe00009: ['OD', doubles] });
    assert.deepEqual([...(await decodeFrame(f)).stored], [0.5, -1.25]);
    assert.deepEqual([...(await decodeFrame(d)).stored], [1e-9, 3.5]);
  });

  test('float pixels that are NaN or ±Infinity stay out of the automatic window', async () => {
    const values = Float32Array.from([0, 1, 2, 3, NaN, Infinity, -Infinity, 1.5]);
    const file = open({
      ...imagePixel({ rows: 2, columns: 4, bitsAllocated: 32 }),
      x7fe00008: ['OF', new Uint8Array(values.buffer)],
    });
    const image = displayImage(file, await decodeFrame(file));
    assert.deepEqual(image.window, { center: 1.5, width: 3 });
    assert.deepEqual([...image.data], [0, 85, 170, 255, 0, 255, 0, 127]);
  });

  test('explicit big endian: samples are byte-swapped', async () => {
    const be = Uint8Array.from([0x01, 0x02, 0xff, 0xfe]);
    const file = openDicom(
      buildDicom(
        { ...imagePixel({ rows: 1, columns: 2, bitsAllocated: 16, signed: true }), x7fe00010: ['OW', be] },
        { transferSyntax: '1.2.840.10008.1.2.2' },
      ),
    );
    // The builder writes OW values as given; in big endian 0x0102 and 0xFFFE.
    assert.deepEqual([...(await decodeFrame(file)).stored], [0x0102, -2]);
  });
});

describe('colour', () => {
  test('RGB colour-by-plane is re-interleaved', async () => {
    const file = open({
      ...imagePixel({ rows: 1, columns: 2, bitsAllocated: 8, samples: 3, photometric: 'RGB', planar: 1 }),
      x7fe00010: ['OB', Uint8Array.from([1, 2, 3, 4, 5, 6])],
    });
    assert.deepEqual([...(await decodeFrame(file)).stored], [1, 3, 5, 2, 4, 6]);
  });

  test('YBR_FULL displays as RGB (BT.601 full range)', async () => {
    const file = open({
      ...imagePixel({ rows: 1, columns: 2, bitsAllocated: 8, samples: 3, photometric: 'YBR_FULL' }),
      x7fe00010: ['OB', Uint8Array.from([128, 128, 128, 76, 85, 255])],
    });
    const image = displayImage(file, await decodeFrame(file));
    assert.equal(image.channels, 3);
    assert.deepEqual([...image.data.subarray(0, 3)], [128, 128, 128]);
    const [r, g, b] = image.data.subarray(3);
    assert.ok(r! >= 254 && g! <= 1 && b! <= 1, `pure red, got ${r},${g},${b}`);
  });

  test('native YBR_FULL_422 (Y1 Y2 Cb Cr) is upsampled', async () => {
    const file = open({
      ...imagePixel({ rows: 1, columns: 2, bitsAllocated: 8, samples: 3, photometric: 'YBR_FULL_422' }),
      x7fe00010: ['OB', Uint8Array.from([10, 20, 128, 128])],
    });
    const frame = await decodeFrame(file);
    assert.equal(frame.photometric, 'YBR_FULL');
    assert.deepEqual([...frame.stored], [10, 128, 128, 20, 128, 128]);
  });

  test('PALETTE COLOR with a segmented 16-bit LUT', async () => {
    // Red: linear ramp 0→65535 over 4 entries; green: discrete; blue: constant.
    const red = [0, 1, 0, 1, 3, 65535]; // discrete(1: 0) then linear(3 → 65535)
    const green = [0, 4, 0, 256, 512, 65535];
    const blue = [0, 4, 4096, 4096, 4096, 4096];
    const file = open({
      ...imagePixel({ rows: 1, columns: 4, bitsAllocated: 8, photometric: 'PALETTE COLOR' }),
      x00281101: ['US', [4, 0, 16]],
      x00281102: ['US', [4, 0, 16]],
      x00281103: ['US', [4, 0, 16]],
      x00281221: ['OW', u16(red)],
      x00281222: ['OW', u16(green)],
      x00281223: ['OW', u16(blue)],
      x7fe00010: ['OB', Uint8Array.from([0, 1, 2, 3])],
    });
    const image = displayImage(file, await decodeFrame(file));
    assert.deepEqual([...image.data], [0, 0, 16, 85, 1, 16, 170, 2, 16, 255, 255, 16]);
  });

  const palette8 = (entries: number, data: (channel: number) => Uint8Array): Item => ({
    x00281101: ['US', [entries, 0, 8]],
    x00281102: ['US', [entries, 0, 8]],
    x00281103: ['US', [entries, 0, 8]],
    x00281201: ['OW', data(0)],
    x00281202: ['OW', data(1)],
    x00281203: ['OW', data(2)],
  });

  test('PALETTE COLOR with an odd number of 8-bit entries, packed one per byte and padded to even length', async () => {
    // 3 entries: 3 bytes and a pad byte.
    const file = open({
      ...imagePixel({ rows: 1, columns: 3, bitsAllocated: 8, photometric: 'PALETTE COLOR' }),
      ...palette8(3, (c) => Uint8Array.from([10 + c, 20 + c, 30 + c, 0])),
      x7fe00010: ['OB', Uint8Array.from([2, 0, 1, 0])],
    });
    const image = displayImage(file, await decodeFrame(file));
    assert.deepEqual([...image.data], [30, 31, 32, 10, 11, 12, 20, 21, 22]);
  });

  test('PALETTE COLOR with three samples per pixel is refused, not shown as an image three times too large', async () => {
    const file = open({
      ...imagePixel({ rows: 1, columns: 2, bitsAllocated: 8, samples: 3, photometric: 'PALETTE COLOR' }),
      ...palette8(4, () => Uint8Array.from([0, 1, 2, 3])),
      x7fe00010: ['OB', Uint8Array.from([0, 1, 2, 3, 0, 1])],
    });
    const frame = await decodeFrame(file);
    assert.throws(
      () => displayImage(file, frame),
      (e: unknown) => e instanceof DicomError && e.code === 'INVALID_ATTRIBUTE',
    );
  });
});

describe('modality and VOI', () => {
  const ct = (extra: Item = {}) =>
    open({
      ...imagePixel({ rows: 1, columns: 4, bitsAllocated: 16, signed: true }),
      x7fe00010: ['OW', u16([0, 1000, 2000, 0xffff])],
      ...extra,
    });

  test('rescale slope and intercept stay floating point', async () => {
    const file = ct({ x00281053: ['DS', '0.01'], x00281052: ['DS', '-1.5'] });
    const values = modalityValues(file, await decodeFrame(file));
    assert.deepEqual([...values], [-1.5, 8.5, 18.5, -1.51].map(Math.fround));
  });

  test('Modality LUT Sequence replaces the rescale', async () => {
    const lut: Item = { x00283002: ['US', [3, 0, 16]], x00283006: ['OW', u16([7, 8, 9])] };
    const file = ct({ x00283000: ['SQ', [lut]] });
    assert.deepEqual([...modalityValues(file, await decodeFrame(file))], [7, 9, 9, 7]);
  });

  test("a big endian file's LUT data is big endian: modality, VOI and palette LUTs read as in little endian", async () => {
    const BIG = '1.2.840.10008.1.2.2';
    // number[] values: the builder writes OW words in the file's byte order.
    const mono = (extra: Item) => ({
      ...imagePixel({ rows: 1, columns: 4, bitsAllocated: 16, signed: true }),
      x7fe00010: ['OW', [0, 1000, 2000, 0xffff]] as Item[string],
      ...extra,
    });
    const modality: Item = {
      x00283000: ['SQ', [{ x00283002: ['US', [3, 0, 16]], x00283006: ['OW', [7, 8, 0x0109]] }]],
    };
    for (const ts of [EXPLICIT, BIG]) {
      const file = open(mono(modality), ts);
      assert.deepEqual([...modalityValues(file, await decodeFrame(file))], [7, 0x0109, 0x0109, 7], ts);
      const voi = open(
        mono({ x00283010: ['SQ', [{ x00283002: ['US', [3, 999, 8]], x00283006: ['OW', [0, 100, 255]] }]] }),
        ts,
      );
      assert.deepEqual([...displayImage(voi, await decodeFrame(voi)).data], [0, 100, 255, 0], ts);
      const palette = open(
        {
          ...imagePixel({ rows: 1, columns: 2, bitsAllocated: 8, photometric: 'PALETTE COLOR' }),
          x00281101: ['US', [2, 0, 16]],
          x00281102: ['US', [2, 0, 16]],
          x00281103: ['US', [2, 0, 16]],
          x00281201: ['OW', [0x0100, 0xff00]],
          x00281202: ['OW', [0x0200, 0x8000]],
          x00281203: ['OW', [0x0300, 0x4000]],
          x7fe00010: ['OB', Uint8Array.from([0, 1])],
        },
        ts,
      );
      assert.deepEqual([...displayImage(palette, await decodeFrame(palette)).data], [1, 2, 3, 255, 128, 64], ts);
    }
  });

  test('multi-valued window: the index picks one', async () => {
    const file = ct({ x00281050: ['DS', '1000\\0'], x00281051: ['DS', '2000\\2'] });
    const frame = await decodeFrame(file);
    assert.deepEqual([...displayImage(file, frame).data], [0, 127, 255, 0]);
    assert.equal(displayImage(file, frame).voi, 'file');
    assert.deepEqual([...displayImage(file, frame, { windowIndex: 1 }).data], [255, 255, 255, 0]);
    const asked = displayImage(file, frame, { window: { center: 5, width: 10 } });
    assert.equal(asked.voi, 'requested');
    assert.deepEqual(asked.window, { center: 5, width: 10 });
  });

  test('LINEAR_EXACT and SIGMOID', async () => {
    const exact = ct({ x00281050: ['DS', '1000'], x00281051: ['DS', '2000'], x00281056: ['CS', 'LINEAR_EXACT'] });
    assert.deepEqual([...displayImage(exact, await decodeFrame(exact)).data], [0, 127, 255, 0]);
    const sigmoid = ct({ x00281050: ['DS', '1000'], x00281051: ['DS', '2000'], x00281056: ['CS', 'SIGMOID'] });
    assert.deepEqual([...displayImage(sigmoid, await decodeFrame(sigmoid)).data], [30, 127, 224, 30]);
  });

  test('VOI LUT Sequence when there is no window', async () => {
    // Entries for 999, 1000, 1001; inputs outside map to the end entries.
    const lut: Item = { x00283002: ['US', [3, 999, 8]], x00283006: ['OW', u16([0, 100, 255])] };
    const file = ct({ x00283010: ['SQ', [lut]] });
    const image = displayImage(file, await decodeFrame(file));
    assert.deepEqual([...image.data], [0, 100, 255, 0]);
    // Said, with the value range's window (-1 … 2000) for a window dragged from it.
    assert.equal(image.voi, 'voi-lut');
    assert.deepEqual(image.window, displayImage(file, await decodeFrame(file), { voi: 'range' }).window);
    assert.equal(image.window!.width, 2001);
  });

  test("a VOI LUT whose entries run past its descriptor's bits is scaled by the entries, not wrapped", async () => {
    // The descriptor says 12 bits; the data is 16-bit (dcm2pnm wraps: 32768 / 16 = 2048 → 0).
    const lut: Item = { x00283002: ['US', [3, 999, 12]], x00283006: ['OW', u16([0, 32768, 65535])] };
    const file = ct({ x00283010: ['SQ', [lut]] });
    assert.deepEqual([...displayImage(file, await decodeFrame(file)).data], [0, 128, 255, 0]);
  });

  test('pixel padding is left out of the automatic window', async () => {
    const file = open({
      ...imagePixel({ rows: 1, columns: 4, bitsAllocated: 16 }),
      x00280120: ['US', [60000]],
      x7fe00010: ['OW', u16([100, 200, 300, 60000])],
    });
    const image = displayImage(file, await decodeFrame(file));
    assert.deepEqual([...image.data.subarray(0, 3)], [0, 127, 255]);
    assert.deepEqual(image.window, { center: 200, width: 200 });
    assert.equal(image.voi, 'range');
  });

  test('MONOCHROME1 is inverted after the window', async () => {
    const file = open({
      ...imagePixel({ rows: 1, columns: 2, bitsAllocated: 8, photometric: 'MONOCHROME1' }),
      x00281050: ['DS', '128'],
      x00281051: ['DS', '256'],
      x7fe00010: ['OB', Uint8Array.from([0, 255])],
    });
    assert.deepEqual([...displayImage(file, await decodeFrame(file)).data], [255, 0]);
  });
});

describe('frame codecs and frame splitting', () => {
  test('RLE: 16-bit, RGB and 1-bit', async () => {
    const rle16 = rleFrame([
      [0x12, 0xff],
      [0x34, 0x01],
    ]);
    const mono = open(
      {
        ...imagePixel({ rows: 1, columns: 2, bitsAllocated: 16 }),
        x7fe00010: ['OB', { offsets: [], fragments: [rle16] }],
      },
      '1.2.840.10008.1.2.5',
    );
    assert.deepEqual([...(await decodeFrame(mono)).stored], [0x1234, 0xff01]);
    const rgb = rleFrame([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const colour = open(
      {
        ...imagePixel({ rows: 1, columns: 2, bitsAllocated: 8, samples: 3, photometric: 'RGB', planar: 1 }),
        x7fe00010: ['OB', { offsets: [], fragments: [rgb] }],
      },
      '1.2.840.10008.1.2.5',
    );
    assert.deepEqual([...(await decodeFrame(colour)).stored], [1, 3, 5, 2, 4, 6]);
    const bits = rleFrame([[0b00000101]]);
    const binary = open(
      {
        ...imagePixel({ rows: 1, columns: 3, bitsAllocated: 1 }),
        x7fe00010: ['OB', { offsets: [], fragments: [bits] }],
      },
      '1.2.840.10008.1.2.5',
    );
    assert.deepEqual([...(await decodeFrame(binary)).stored], [1, 0, 1]);
  });

  test('RLE 32-bit', async () => {
    const frame = rleFrame([[0x01], [0x02], [0x03], [0x04]]);
    const file = open(
      {
        ...imagePixel({ rows: 1, columns: 1, bitsAllocated: 32 }),
        x7fe00010: ['OB', { offsets: [], fragments: [frame] }],
      },
      '1.2.840.10008.1.2.5',
    );
    assert.deepEqual([...(await decodeFrame(file)).stored], [0x01020304]);
  });

  test('Encapsulated Uncompressed with an Extended Offset Table and two fragments per frame', async () => {
    const frames = [u16([1, 2]), u16([3, 4])];
    const fragments = [
      frames[0]!.subarray(0, 2),
      frames[0]!.subarray(2),
      frames[1]!.subarray(0, 2),
      frames[1]!.subarray(2),
    ];
    // Each fragment item is 8 header bytes + 2 data bytes: frame 1 starts 20 bytes after frame 0.
    const eot = new Uint8Array(new BigUint64Array([0n, 20n]).buffer);
    const file = open(
      {
        ...imagePixel({ rows: 1, columns: 2, bitsAllocated: 16, frames: 2 }),
        x7fe00001: ['OV', eot],
        x7fe00010: ['OB', { offsets: [], fragments }],
      },
      '1.2.840.10008.1.2.1.98',
    );
    assert.deepEqual([...(await decodeFrame(file, 1)).stored], [3, 4]);
    assert.deepEqual([...(await decodeFrame(file, 0)).stored], [1, 2]);
  });

  test('Basic Offset Table groups fragments', async () => {
    const a = rleFrame([[9, 8]]);
    const b = rleFrame([[7, 6]]);
    const half = 32; // split frame a into two fragments
    const file = open(
      {
        ...imagePixel({ rows: 1, columns: 2, bitsAllocated: 8, frames: 2 }),
        x7fe00010: [
          'OB',
          { offsets: [0, 8 + half + 8 + (a.length - half)], fragments: [a.subarray(0, half), a.subarray(half), b] },
        ],
      },
      '1.2.840.10008.1.2.5',
    );
    assert.deepEqual([...(await decodeFrame(file, 0)).stored], [9, 8]);
    assert.deepEqual([...(await decodeFrame(file, 1)).stored], [7, 6]);
  });

  test('deflated image frames, and a frame that inflates past its size', async () => {
    const frame = deflateRawSync(u16([5, 6, 7, 8]));
    const file = open(
      {
        ...imagePixel({ rows: 2, columns: 2, bitsAllocated: 16 }),
        x7fe00010: ['OB', { offsets: [], fragments: [frame] }],
      },
      '1.2.840.10008.1.2.8.1',
    );
    assert.deepEqual([...(await decodeFrame(file)).stored], [5, 6, 7, 8]);
    const bomb = deflateRawSync(new Uint8Array(50 << 20));
    const bombFile = open(
      {
        ...imagePixel({ rows: 2, columns: 2, bitsAllocated: 16 }),
        x7fe00010: ['OB', { offsets: [], fragments: [bomb] }],
      },
      '1.2.840.10008.1.2.8.1',
    );
    await rejectsWith(decodeFrame(bombFile), 'SIZE_MISMATCH');
  });

  test('frame index out of range', async () => {
    const file = open({
      ...imagePixel({ rows: 1, columns: 1, bitsAllocated: 8 }),
      x7fe00010: ['OB', Uint8Array.from([1, 0])],
    });
    await rejectsWith(decodeFrame(file, 1), 'FRAME_OUT_OF_RANGE');
  });
});

describe('size caps', () => {
  test('absurd Rows × Columns × Frames are refused before allocating', async () => {
    const huge = open({
      ...imagePixel({ rows: 65535, columns: 65535, bitsAllocated: 16, samples: 3, photometric: 'RGB' }),
      x7fe00010: ['OB', Uint8Array.from([0, 0])],
    });
    await rejectsWith(decodeFrame(huge), 'TOO_LARGE');
    const frames = open({
      ...imagePixel({ rows: 2, columns: 2, bitsAllocated: 8, frames: 1e9 }),
      x7fe00010: ['OB', Uint8Array.from([0, 0])],
    });
    await rejectsWith(decodeFrame(frames), 'TOO_LARGE');
  });

  test('Number of Frames 0 is read as 1 (dcmtk: "invalid value … assuming 1"), not refused', async () => {
    const file = open({
      ...imagePixel({ rows: 1, columns: 2, bitsAllocated: 8, frames: 0 }),
      x7fe00010: ['OB', Uint8Array.from([7, 9])],
    });
    assert.deepEqual([...(await decodeFrame(file)).stored], [7, 9]);
    await rejectsWith(decodeFrame(file, 1), 'FRAME_OUT_OF_RANGE');
  });

  test('native pixel data shorter than the frames declared: the missing frame is FRAME_MISSING', async () => {
    const file = open({ ...imagePixel({ rows: 4, columns: 4, bitsAllocated: 16 }), x7fe00010: ['OW', u16([1, 2])] });
    await rejectsWith(decodeFrame(file), 'FRAME_MISSING');
  });
});

test('thumbnail averages areas', () => {
  const image = { rows: 2, columns: 4, channels: 1 as const, data: Uint8Array.from([0, 10, 20, 30, 40, 50, 60, 70]) };
  assert.deepEqual(thumbnail(image, 2), { rows: 1, columns: 2, channels: 1, data: Uint8Array.from([25, 45]) });
});
