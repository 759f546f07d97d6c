/**
 * RadSift's own sequential DCT JPEG decoder (codecs/jpeg-sequential.ts, the IJG islow integer IDCT)
 * against libjpeg, sample for sample:
 * - 12-bit (.51): dcmcjpeg +ee streams of synthetic 12-bit images (several qualities, sizes that are
 *   not multiples of 8) and of WG04 REF images, decoded by dcmtk's IJG 12-bit library (dcmdjpeg).
 *   dcmcjpeg has no restart-interval option, so the same streams are also rewritten here with
 *   restart markers (every 1, 7 and 64 MCUs) and compared again.
 * - 8-bit: the same decoder on baseline streams (grayscale, with restarts, and RGB without a colour
 *   transform) against libjpeg-turbo, which RadSift uses for 8-bit JPEG.
 * - corrupt and truncated streams: a DicomError or an image, never another error or a hang.
 * The streams are made here with the Debian tools; no binary fixture is committed.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { seededRandom } from '../../../electron/scoring/metrics.js';
import { decodeSequentialJpeg } from '../../../electron/dicom/codecs/jpeg-sequential.js';
import { DicomError } from '../../../electron/dicom/errors.js';
import { readFrame } from '../../../electron/dicom/frames.js';
import { decodeFrame, openDicom, pixelModule } from '../../../electron/dicom/image.js';
import { buildDicom, imagePixel, type Item } from './builder.js';
import { CORPUS, firstDifference, hasTool, runTool, tempDir } from './support.js';

const EXTENDED = '1.2.840.10008.1.2.4.51';
const BASELINE = '1.2.840.10008.1.2.4.50';

interface Image {
  rows: number;
  columns: number;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  samples: 1 | 3;
}

function header(image: Image): Item {
  return {
    x00080016: ['UI', '1.2.840.10008.5.1.4.1.1.7'],
    x00080018: ['UI', '1.2.3.4.5.6'],
    x00080060: ['CS', 'OT'],
    x00100010: ['PN', 'Fixture^Jpeg'],
    x0020000d: ['UI', '1.2.3.4.1'],
    x0020000e: ['UI', '1.2.3.4.2'],
    ...imagePixel({
      rows: image.rows,
      columns: image.columns,
      bitsAllocated: image.bitsAllocated,
      bitsStored: image.bitsStored,
      samples: image.samples,
      photometric: image.samples === 3 ? 'RGB' : 'MONOCHROME2',
      planar: 0,
    }),
  };
}

/** A native source: a gradient over the whole range that wraps once, ±4 % noise, flat blocks and a checkerboard. */
function writeSource(image: Image, file: string, seed: number): void {
  const max = 2 ** image.bitsStored - 1;
  const random = seededRandom(seed);
  const n = image.rows * image.columns * image.samples;
  const values = image.bitsAllocated === 8 ? new Uint8Array(n) : new Uint16Array(n);
  for (let y = 0; y < image.rows; y++) {
    for (let x = 0; x < image.columns; x++) {
      for (let s = 0; s < image.samples; s++) {
        let v: number;
        if (x >= 5 && x < 19 && y >= 4 && y < 22) v = max;
        else if (x >= 24 && x < 33 && y >= 20 && y < 37) v = 0;
        else if (x >= 40 && y < 12) v = (x + y + s) % 2 ? max : 0;
        else v = (((x / image.columns) * 0.8 + (y / image.rows) * 0.6 + s * 0.3) % 1) * max;
        v += (random() - 0.5) * 0.08 * max;
        values[(y * image.columns + x) * image.samples + s] = Math.max(0, Math.min(max, Math.round(v)));
      }
    }
  }
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  writeFileSync(file, buildDicom({ ...header(image), x7fe00010: [image.bitsAllocated === 8 ? 'OB' : 'OW', bytes] }));
}

/** The first frame's JPEG stream and pixel module of an encapsulated file. */
function jpegOf(file: string) {
  const dicom = openDicom(readFileSync(file));
  const module = pixelModule(dicom);
  return { module, stream: readFrame({ reader: dicom.reader, module, transferSyntaxUID: dicom.transferSyntaxUID }, 0) };
}

/** `stream` in a DICOM file like the one it came from. */
function rewrap(file: string, stream: Uint8Array, out: string, transferSyntax: string): void {
  const { module } = jpegOf(file);
  const image: Image = {
    rows: module.rows,
    columns: module.columns,
    bitsAllocated: module.bitsAllocated as 8 | 16,
    bitsStored: module.bitsStored,
    samples: module.samplesPerPixel as 1 | 3,
  };
  const dataset: Item = { ...header(image), x7fe00010: ['OB', { offsets: [0], fragments: [stream] }] };
  writeFileSync(out, buildDicom(dataset, { transferSyntax }));
}

/** dcmdjpeg's samples (dcmtk's IJG 12-bit library), clamped to Bits Stored as RadSift stores lossy values. */
function dcmdjpegSamples(file: string, dir: string): Uint16Array {
  const output = path.join(dir, `${path.basename(file)}.dcmdjpeg.dcm`);
  const run = runTool('dcmdjpeg', [file, output]);
  assert.ok(run.ok, `dcmdjpeg failed: ${run.error}`);
  const dicom = openDicom(readFileSync(output));
  const max = 2 ** pixelModule(dicom).bitsStored - 1;
  const raw = new Uint16Array(new Uint8Array(dicom.reader.bytes('x7fe00010')!).buffer);
  return Uint16Array.from(raw, (v) => Math.min(v, max));
}

// ---------------------------------------------------------------------------------------------
// Restart-interval rewriting: an independent, bit-by-bit Huffman decode of the scan, re-encoded
// with DRI + RSTn markers. After a restart the DC predictors start again from 0, which needs DC
// categories an optimised table may lack, so the DC tables are redefined (categories 0…14 in 4
// bits, 15 in 5); the AC codes are copied as they are.
// ---------------------------------------------------------------------------------------------

interface Code {
  /** `${length}:${code}` → symbol */
  decode: Map<string, number>;
  encode: Map<number, { code: number; length: number }>;
}

function canonical(counts: number[], symbols: number[]): Code {
  const decode = new Map<string, number>();
  const encode = new Map<number, { code: number; length: number }>();
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < counts[length - 1]!; i++, code++, k++) {
      decode.set(`${length}:${code}`, symbols[k]!);
      encode.set(symbols[k]!, { code, length });
    }
    code <<= 1;
  }
  return { decode, encode };
}

const DC_COUNTS = [0, 0, 0, 15, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const DC_SYMBOLS = Array.from({ length: 16 }, (_, i) => i);
const DC_CODE = canonical(DC_COUNTS, DC_SYMBOLS);

function withRestarts(jpeg: Uint8Array, interval: number): { stream: Uint8Array; markers: number } {
  const tables = new Map<string, Code>();
  let at = 2;
  let frame: { width: number; height: number; components: Array<{ id: number; h: number; v: number }> } | undefined;
  for (;;) {
    assert.equal(jpeg[at], 0xff);
    const marker = jpeg[at + 1]!;
    const length = (jpeg[at + 2]! << 8) | jpeg[at + 3]!;
    const body = at + 4;
    if (marker === 0xc4) {
      for (let p = body; p < at + 2 + length;) {
        const counts = [...jpeg.subarray(p + 1, p + 17)];
        const total = counts.reduce((a, b) => a + b, 0);
        tables.set(`${jpeg[p]! >> 4}:${jpeg[p]! & 15}`, canonical(counts, [...jpeg.subarray(p + 17, p + 17 + total)]));
        p += 17 + total;
      }
    } else if (marker === 0xc0 || marker === 0xc1) {
      const components = [];
      for (let i = 0; i < jpeg[body + 5]!; i++) {
        const p = body + 6 + i * 3;
        components.push({ id: jpeg[p]!, h: jpeg[p + 1]! >> 4, v: jpeg[p + 1]! & 15 });
      }
      frame = {
        height: (jpeg[body + 1]! << 8) | jpeg[body + 2]!,
        width: (jpeg[body + 3]! << 8) | jpeg[body + 4]!,
        components,
      };
    } else if (marker === 0xdd) {
      throw new Error('the stream already has restart markers');
    } else if (marker === 0xda) break;
    at += 2 + length;
  }
  assert.ok(frame);
  const sosLength = (jpeg[at + 2]! << 8) | jpeg[at + 3]!;
  const scanCount = jpeg[at + 4]!;
  const scan = Array.from({ length: scanCount }, (_, i) => {
    const id = jpeg[at + 5 + i * 2]!;
    const t = jpeg[at + 6 + i * 2]!;
    const c = frame.components.find((x) => x.id === id)!;
    return {
      ...c,
      dc: tables.get(`0:${t >> 4}`)!,
      dcId: t >> 4,
      ac: tables.get(`1:${t & 15}`)!,
      dcOriginal: 0,
      prediction: 0,
    };
  });
  // Bit reader over the entropy-coded data (0xFF00 unstuffed).
  let position = at + 2 + sosLength;
  let byte = 0;
  let left = 0;
  const bit = () => {
    if (left === 0) {
      byte = jpeg[position]!;
      position += byte === 0xff ? 2 : 1;
      left = 8;
    }
    left--;
    return (byte >> left) & 1;
  };
  const bits = (n: number) => {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | bit();
    return v;
  };
  const symbol = (code: Code) => {
    let c = 0;
    for (let length = 1; length <= 16; length++) {
      c = (c << 1) | bit();
      const s = code.decode.get(`${length}:${c}`);
      if (s !== undefined) return s;
    }
    throw new Error('bad Huffman code in the source stream');
  };
  // Bit writer with stuffing.
  const out: number[] = [];
  let acc = 0;
  let count = 0;
  const put = (value: number, n: number) => {
    for (let i = n - 1; i >= 0; i--) {
      acc = (acc << 1) | ((value >> i) & 1);
      if (++count === 8) {
        out.push(acc);
        if (acc === 0xff) out.push(0);
        acc = 0;
        count = 0;
      }
    }
  };
  const flush = () => {
    if (count > 0) put((1 << (8 - count)) - 1, 8 - count);
  };
  const hMax = Math.max(...frame.components.map((c) => c.h));
  const vMax = Math.max(...frame.components.map((c) => c.v));
  const single = scan.length === 1;
  const mcus = single
    ? Math.ceil(Math.ceil((frame.width * scan[0]!.h) / hMax) / 8) *
      Math.ceil(Math.ceil((frame.height * scan[0]!.v) / vMax) / 8)
    : Math.ceil(frame.width / (8 * hMax)) * Math.ceil(frame.height / (8 * vMax));
  let markers = 0;
  for (let mcu = 0; mcu < mcus; mcu++) {
    if (mcu > 0 && mcu % interval === 0) {
      flush();
      out.push(0xff, 0xd0 + (markers++ % 8));
      for (const c of scan) c.prediction = 0;
    }
    for (const c of scan) {
      const blocks = single ? 1 : c.h * c.v;
      for (let b = 0; b < blocks; b++) {
        const size = symbol(c.dc);
        let diff = bits(size);
        if (size > 0 && diff < 1 << (size - 1)) diff -= (1 << size) - 1;
        const dc = c.dcOriginal + diff;
        c.dcOriginal = dc;
        const newDiff = dc - c.prediction;
        c.prediction = dc;
        const magnitude = Math.abs(newDiff);
        const category = magnitude === 0 ? 0 : Math.floor(Math.log2(magnitude)) + 1;
        const dcCode = DC_CODE.encode.get(category)!;
        put(dcCode.code, dcCode.length);
        if (category > 0) put(newDiff >= 0 ? newDiff : newDiff + (1 << category) - 1, category);
        for (let k = 1; k < 64;) {
          const rs = symbol(c.ac);
          const acCode = c.ac.encode.get(rs)!;
          put(acCode.code, acCode.length);
          const s = rs & 15;
          if (s === 0) {
            if (rs !== 0xf0) break;
            k += 16;
            continue;
          }
          put(bits(s), s);
          k += (rs >> 4) + 1;
        }
      }
    }
  }
  flush();
  // The source scan ends at its first marker: EOI (and whatever follows) is copied.
  while (!(jpeg[position] === 0xff && jpeg[position + 1] !== 0)) position++;
  // Class 0 (DC), the ids the scan uses.
  const dhtBody = [...new Set(scan.map((c) => c.dcId))].flatMap((id) => [id, ...DC_COUNTS, ...DC_SYMBOLS]);
  const stream = Uint8Array.from([
    ...jpeg.subarray(0, at),
    0xff,
    0xc4,
    (dhtBody.length + 2) >> 8,
    (dhtBody.length + 2) & 0xff,
    ...dhtBody,
    0xff,
    0xdd,
    0,
    4,
    interval >> 8,
    interval & 0xff,
    ...jpeg.subarray(at, at + 2 + sosLength),
    ...out,
    ...jpeg.subarray(position),
  ]);
  return { stream, markers };
}

const SYNTHETIC_12: Array<Image & { name: string }> = [
  { name: '12-bit 67×45', rows: 45, columns: 67, bitsAllocated: 16, bitsStored: 12, samples: 1 },
  { name: '12-bit 64×48', rows: 48, columns: 64, bitsAllocated: 16, bitsStored: 12, samples: 1 },
  { name: '12-bit 1×130', rows: 130, columns: 1, bitsAllocated: 16, bitsStored: 12, samples: 1 },
];
const REF_IMAGES = ['CT1_UNC', 'XA1_UNC'];

describe("12-bit sequential JPEG (dcmcjpeg +ee) equals dcmtk's IJG 12-bit decode exactly", () => {
  const dir = tempDir('jpeg12');
  const tools = ['dcmcjpeg', 'dcmdjpeg'].filter((t) => !hasTool(t));
  const skip = tools.length > 0 ? `needs ${tools.join(', ')}` : false;
  const sources: Array<{ name: string; file: string }> = [];
  SYNTHETIC_12.forEach((image, i) => {
    const file = path.join(dir, `source-${i}.dcm`);
    sources.push({ name: image.name, file });
    if (!skip) writeSource(image, file, 1000 + i);
  });
  for (const ref of REF_IMAGES) sources.push({ name: `WG04 ${ref}`, file: path.join(CORPUS, 'nema-wg04', 'REF', ref) });

  for (const { name, file } of sources) {
    for (const quality of [100, 90, 60, 25]) {
      if (name.startsWith('WG04') && quality !== 90 && quality !== 25) continue;
      test(`${name}, +q ${quality}, without and with restart intervals`, { skip }, async () => {
        const encoded = path.join(dir, `${path.basename(file)}-q${quality}.dcm`);
        const run = runTool('dcmcjpeg', ['+ee', '+q', String(quality), file, encoded]);
        assert.ok(run.ok, `dcmcjpeg failed: ${run.error}`);
        const { stream } = jpegOf(encoded);
        const sof = stream.findIndex((b, i) => b === 0xff && stream[i + 1] === 0xc1);
        assert.ok(sof > 0, 'dcmcjpeg +ee writes an extended (SOF1) frame');
        assert.equal(stream[sof + 4], 12, 'at 12-bit precision');
        const ours = await decodeFrame(openDicom(readFileSync(encoded)));
        assert.equal(ours.lossy, true);
        assert.equal(firstDifference(ours.stored, dcmdjpegSamples(encoded, dir)), 'identical');
        for (const interval of [1, 7, 64]) {
          const restarted = withRestarts(stream, interval);
          assert.ok(restarted.markers > 0 || interval === 64, 'restart markers written');
          const file2 = path.join(dir, `${path.basename(encoded)}-ri${interval}.dcm`);
          rewrap(encoded, restarted.stream, file2, EXTENDED);
          const reference = dcmdjpegSamples(file2, dir);
          const again = await decodeFrame(openDicom(readFileSync(file2)));
          assert.equal(firstDifference(again.stored, reference), 'identical', `restart interval ${interval}`);
          // Re-encoding only moves bits around: the same image as without restarts.
          assert.equal(firstDifference(again.stored, ours.stored), 'identical');
        }
      });
    }
  }
});

describe('8-bit baseline streams through this decoder equal libjpeg-turbo exactly', () => {
  const dir = tempDir('jpeg8-ts');
  const skip = hasTool('dcmcjpeg') ? false : 'needs dcmcjpeg';
  const cases: Array<{ name: string; image?: Image; file?: string; options: string[] }> = [
    {
      name: 'gray 67×45 +q 90',
      image: { rows: 45, columns: 67, bitsAllocated: 8, bitsStored: 8, samples: 1 },
      options: ['+q', '90'],
    },
    {
      name: 'gray 67×45 +q 30',
      image: { rows: 45, columns: 67, bitsAllocated: 8, bitsStored: 8, samples: 1 },
      options: ['+q', '30'],
    },
    {
      name: 'gray 256×200 +q 100',
      image: { rows: 200, columns: 256, bitsAllocated: 8, bitsStored: 8, samples: 1 },
      options: ['+q', '100'],
    },
    {
      name: 'RGB 67×46 +cr (no colour transform)',
      image: { rows: 46, columns: 67, bitsAllocated: 8, bitsStored: 8, samples: 3 },
      options: ['+cr'],
    },
    {
      name: 'cornerstone CTImage (.50 from the corpus)',
      file: path.join(CORPUS, 'cornerstone', 'CTImage.dcm_JPEGProcess1TransferSyntax_1.2.840.10008.1.2.4.50.dcm'),
      options: [],
    },
  ];
  cases.forEach(({ name, image, file, options }, i) => {
    test(name, { skip }, async () => {
      let encoded = file;
      if (image) {
        const source = path.join(dir, `source-${i}.dcm`);
        writeSource(image, source, 2000 + i);
        encoded = path.join(dir, `encoded-${i}.dcm`);
        const run = runTool('dcmcjpeg', ['+eb', ...options, source, encoded]);
        assert.ok(run.ok, `dcmcjpeg failed: ${run.error}`);
      }
      const { module, stream } = jpegOf(encoded!);
      const size = { width: module.columns, height: module.rows };
      const check = async (jpeg: Uint8Array, label: string) => {
        const target = path.join(dir, `check-${i}-${label}.dcm`);
        rewrap(encoded!, jpeg, target, BASELINE);
        const turbo = await decodeFrame(openDicom(readFileSync(target))); // libjpeg-turbo (jpeg-8bit.ts)
        const ours = decodeSequentialJpeg(jpeg, size);
        assert.equal(ours.precision, 8);
        assert.equal(ours.components, module.samplesPerPixel);
        assert.equal(firstDifference(ours.samples, turbo.stored), 'identical', label);
      };
      await check(stream, 'as encoded');
      if (!file)
        for (const interval of [1, 5]) await check(withRestarts(stream, interval).stream, `restart ${interval}`);
    });
  });
});

describe('corrupt and truncated 12-bit streams: a DicomError or an image, never another error', () => {
  const dir = tempDir('jpeg12-corrupt');
  const skip = hasTool('dcmcjpeg') ? false : 'needs dcmcjpeg';
  const image: Image = { rows: 48, columns: 64, bitsAllocated: 16, bitsStored: 12, samples: 1 };
  let stream: Uint8Array = new Uint8Array();
  /** The samples `stream` decodes to as encoded: every test checks it still does after mangling its copies. */
  let samples: ArrayLike<number> = [];
  const size = { width: image.columns, height: image.rows };
  const scanStart = () => stream.findIndex((b, i) => b === 0xff && stream[i + 1] === 0xda);
  // A decoder that never returns hangs this file's run, which shows; how long a decode takes is the
  // decode benchmark's to measure, not a test's.
  const attempt = (data: Uint8Array): 'image' | 'error' => {
    try {
      const out = decodeSequentialJpeg(data, size);
      assert.equal(out.samples.length, size.width * size.height);
      return 'image';
    } catch (error) {
      if (!(error instanceof DicomError)) throw error;
      return 'error';
    }
  };
  /**
   * The stream every test below mangles copies of, encoded once by whichever test runs first (any may run alone).
   * readFrame gives a Buffer view into the file's bytes, whose slice() is another view, not a copy: `stream` is a
   * Uint8Array of its own, and each test copies it before writing (Uint8Array.from), so no test runs on bytes an
   * earlier one altered.
   */
  const prepare = () => {
    if (stream.length) return;
    const source = path.join(dir, 'source.dcm');
    writeSource(image, source, 3000);
    const encoded = path.join(dir, 'encoded.dcm');
    assert.ok(runTool('dcmcjpeg', ['+ee', source, encoded]).ok);
    stream = Uint8Array.from(jpegOf(encoded).stream);
    assert.ok(stream.length > 0);
    samples = decodeSequentialJpeg(stream, size).samples;
  };
  /** The shared stream is as encoded: no test wrote into it. */
  const untouched = () =>
    assert.equal(firstDifference(decodeSequentialJpeg(stream, size).samples, samples), 'identical');
  test('prepare', { skip }, () => {
    prepare();
    assert.equal(attempt(stream), 'image');
  });
  test('truncated anywhere: terminates; cut streams are TRUNCATED', { skip }, () => {
    prepare();
    for (let length = 0; length < stream.length; length += 7) attempt(stream.subarray(0, length));
    // Cut before or inside the scan: refused with TRUNCATED, not shown with the rest as zeros (mid-grey).
    const code = (data: Uint8Array) => {
      try {
        decodeSequentialJpeg(data, size);
        return 'image';
      } catch (error) {
        return error instanceof DicomError ? error.code : String(error);
      }
    };
    assert.equal(code(stream.subarray(0, scanStart())), 'TRUNCATED');
    assert.equal(code(stream.subarray(0, stream.length - 40)), 'TRUNCATED');
    // Only the end-of-image marker missing: every block is there, so the image is whole.
    assert.equal(code(stream.subarray(0, stream.length - 2)), 'image');
  });
  test('garbage in the entropy-coded data: terminates', { skip }, () => {
    prepare();
    const random = seededRandom(77);
    const from = scanStart() + 14;
    for (let trial = 0; trial < 200; trial++) {
      const copy = Uint8Array.from(stream);
      for (let k = 0; k < 1 + (trial % 5); k++)
        copy[from + Math.floor(random() * (copy.length - from - 2))] = Math.floor(random() * 256);
      attempt(copy);
    }
    untouched();
  });
  test('invalid Huffman codes and missing parts are CORRUPT_PIXEL_DATA', { skip }, () => {
    prepare();
    const codes = (data: Uint8Array) => {
      try {
        decodeSequentialJpeg(data, size);
        return 'image';
      } catch (error) {
        assert.ok(error instanceof DicomError);
        return error.code;
      }
    };
    // All-ones bits are never a Huffman code: 0xFF 0x00 (stuffed 0xFF) over the whole scan.
    untouched();
    const ones = Uint8Array.from(stream);
    for (let p = scanStart() + 14; p + 1 < ones.length - 2; p += 2) {
      ones[p] = 0xff;
      ones[p + 1] = 0;
    }
    assert.equal(codes(ones), 'CORRUPT_PIXEL_DATA');
    assert.equal(codes(stream.subarray(2)), 'CORRUPT_PIXEL_DATA'); // no SOI
    assert.equal(codes(Uint8Array.from([0xff, 0xd8, 0xff, 0xd9])), 'CORRUPT_PIXEL_DATA'); // no frame header
    untouched();
  });
});
