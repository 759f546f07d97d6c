/**
 * JPEG lossless (process 14, .57/.70): RadSift's TypeScript decoder against the source pixels and dcmtk.
 * - dcmtk route: native WG04 REF images and synthetic 8-bit images are encoded at test time with
 *   `dcmcjpeg +el +sv N` (every selection value 1–7, optimised Huffman tables) and with point
 *   transforms (`+pt`); Pt = 0 must give back the source stored values, Pt > 0 what `dcmdjpeg` gives.
 * - Our own encoder (below, written from T.81 Annex H for this test): what dcmcjpeg cannot write —
 *   restart intervals with fill bytes before the markers, one scan per component or a split,
 *   precisions 2–16, difference category 16, long (slow-path) Huffman codes. Each stream must decode
 *   to the source in RadSift and in `dcmdjpeg`, so the encoder itself is checked by dcmtk.
 * - Corrupt and truncated streams: a DicomError, quickly; unsupported streams: a clear refusal.
 * Nothing binary is committed; every file is made in a temp dir.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { decodeLosslessJpeg } from '../../../electron/dicom/codecs/jpeg-lossless-decode.js';
import { DicomError } from '../../../electron/dicom/errors.js';
import { decodeFrame, openDicom, pixelModule } from '../../../electron/dicom/image.js';
import { readFrame } from '../../../electron/dicom/frames.js';
import { buildDicom, imagePixel } from './builder.js';
import { CORPUS, firstDifference, hasTool, runTool, tempDir } from './support.js';

const HAS_DCMTK = hasTool('dcmcjpeg') && hasTool('dcmdjpeg');
const NO_DCMTK = HAS_DCMTK ? false : 'dcmtk (dcmcjpeg, dcmdjpeg) is not installed';

async function storedValues(file: string): Promise<ArrayLike<number>> {
  return (await decodeFrame(openDicom(readFileSync(file)), 0)).stored;
}

/** The first frame's codestream of an encapsulated file. */
function codestream(file: string): Uint8Array {
  const dicom = openDicom(readFileSync(file));
  const module = pixelModule(dicom);
  return readFrame({ reader: dicom.reader, module, transferSyntaxUID: dicom.transferSyntaxUID }, 0);
}

/** Selection value and point transform of the stream's first scan header (to prove the tool did what was asked). */
function scanParameters(stream: Uint8Array): { predictor: number; pointTransform: number; precision: number } {
  let precision = -1;
  for (let i = 2; i + 1 < stream.length; i++) {
    if (stream[i] !== 0xff) continue;
    if (stream[i + 1] === 0xc3) precision = stream[i + 4]!;
    if (stream[i + 1] === 0xda) {
      const ns = stream[i + 4]!;
      const p = i + 5 + ns * 2;
      return { predictor: stream[p]!, pointTransform: stream[p + 2]! & 15, precision };
    }
  }
  throw new Error('no scan header');
}

function assertSame(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: sample count`);
  const diff = firstDifference(actual, expected);
  assert.equal(diff, 'identical', `${what}: first difference ${diff}`);
}

// ---------------------------------------------------------------------------------------------
// Synthetic sources

interface Image {
  name: string;
  width: number;
  height: number;
  components: number;
  precision: number;
  /** Bit patterns of the stored values, pixel-interleaved. */
  samples: Uint16Array;
}

/** Deterministic pseudo-random numbers (LCG), so every run encodes the same images. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Smooth gradient + noise + hard edges (min/max blocks, a checkerboard) + a stripe of half-range jumps. */
function synthetic(name: string, width: number, height: number, components: number, precision: number): Image {
  const max = 2 ** precision - 1;
  const half = 2 ** (precision - 1);
  const random = lcg(width * 31 + height * 7 + components * 1009 + precision * 17);
  const samples = new Uint16Array(width * height * components);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < components; c++) {
        let v: number;
        if (x < 6 && y >= 4 && y < 10) v = max;
        else if (x >= 6 && x < 12 && y >= 4 && y < 10) v = 0;
        else if (y >= 12 && y < 16) v = (x + y + c) % 2 ? max : 0;
        else if (y >= 18 && y < 21)
          v = x % 2 ? half : 0; // differences of exactly half the range (category 16 at P = 16)
        else {
          const t = (x / width) * 0.6 + (y / height) * 0.5 + c * 0.3;
          v = Math.round((t % 1) * max + (random() - 0.5) * 0.05 * max);
        }
        samples[(y * width + x) * components + c] = Math.max(0, Math.min(max, v));
      }
    }
  }
  return { name, width, height, components, precision, samples };
}

function writeNative(image: Image, file: string): void {
  const bitsAllocated = image.precision > 8 ? 16 : 8;
  const pixels =
    bitsAllocated === 8
      ? Uint8Array.from(image.samples)
      : new Uint8Array(image.samples.buffer, image.samples.byteOffset, image.samples.byteLength);
  writeFileSync(file, buildDicom({ ...header(image), x7fe00010: [bitsAllocated === 8 ? 'OB' : 'OW', pixels] }));
}

function header(image: Image) {
  return {
    x00080016: ['UI', '1.2.840.10008.5.1.4.1.1.7'] as [string, string],
    x00080018: ['UI', '1.2.3.4.5.6'] as [string, string],
    x00080060: ['CS', 'OT'] as [string, string],
    ...imagePixel({
      rows: image.height,
      columns: image.width,
      bitsAllocated: image.precision > 8 ? 16 : 8,
      bitsStored: image.precision,
      samples: image.components,
      photometric: image.components === 3 ? 'RGB' : 'MONOCHROME2',
      planar: 0,
    }),
  };
}

function writeEncapsulated(image: Image, stream: Uint8Array, file: string, syntax: string): void {
  writeFileSync(
    file,
    buildDicom(
      { ...header(image), x7fe00010: ['OB', { offsets: [], fragments: [stream] }] },
      { transferSyntax: syntax },
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// A small lossless JPEG encoder (T.81 Annex H), for the stream shapes dcmcjpeg does not write.

interface EncodeOptions {
  predictor: number;
  pointTransform?: number;
  /** Restart interval in whole lines (0: none). */
  restartLines?: number;
  /** Component indices of each scan (default: one interleaved scan with all components). */
  scans?: number[][];
  /** 0xFF fill bytes written before every marker after the first. */
  fillBytes?: number;
}

/**
 * Code lengths of the categories 0–16: a valid prefix code (Kraft sum < 1), with codes of 11–14 bits
 * for the large categories so the decoder's slow path (codes longer than its lookahead) is used.
 */
const CODE_LENGTHS = [2, 3, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];

function huffmanCodes(): { counts: number[]; symbols: number[]; code: number[]; length: number[] } {
  const counts = new Array<number>(16).fill(0);
  const symbols: number[] = [];
  const code: number[] = [];
  const length: number[] = [];
  let next = 0;
  for (let len = 1; len <= 16; len++) {
    for (let s = 0; s < CODE_LENGTHS.length; s++) {
      if (CODE_LENGTHS[s] !== len) continue;
      counts[len - 1]!++;
      symbols.push(s);
      code[s] = next++;
      length[s] = len;
    }
    next <<= 1;
  }
  return { counts, symbols, code, length };
}

function encodeLossless(image: Image, options: EncodeOptions): Uint8Array {
  const { width, height, components, precision } = image;
  const pt = options.pointTransform ?? 0;
  const restartLines = options.restartLines ?? 0;
  const scans = options.scans ?? [[...Array(components).keys()]];
  const fill = options.fillBytes ?? 0;
  const huff = huffmanCodes();
  const bytes: number[] = [0xff, 0xd8];
  const marker = (m: number, body: number[]) => {
    for (let i = 0; i < fill; i++) bytes.push(0xff);
    bytes.push(0xff, m, (body.length + 2) >> 8, (body.length + 2) & 255, ...body);
  };
  marker(0xc4, [0x00, ...huff.counts, ...huff.symbols]);
  const sof = [precision, height >> 8, height & 255, width >> 8, width & 255, components];
  for (let c = 0; c < components; c++) sof.push(c + 1, 0x11, 0);
  marker(0xc3, sof);
  if (restartLines) marker(0xdd, [(restartLines * width) >> 8, (restartLines * width) & 255]);
  let acc = 0;
  let nbits = 0;
  const put = (value: number, n: number) => {
    for (let i = n - 1; i >= 0; i--) {
      acc = (acc << 1) | ((value >> i) & 1);
      if (++nbits === 8) {
        bytes.push(acc);
        if (acc === 0xff) bytes.push(0); // byte stuffing
        acc = 0;
        nbits = 0;
      }
    }
  };
  const flush = () => {
    if (nbits) put(0x7f, 8 - nbits); // pad with 1-bits
  };
  const at = (x: number, y: number, c: number) => image.samples[(y * width + x) * components + c]! >> pt;
  for (const scan of scans) {
    const sos = [scan.length];
    for (const c of scan) sos.push(c + 1, 0x00);
    sos.push(options.predictor, 0, pt);
    marker(0xda, sos);
    let rst = 0;
    for (let y = 0; y < height; y++) {
      const restartHere = restartLines > 0 && y > 0 && y % restartLines === 0;
      if (restartHere) {
        flush();
        for (let i = 0; i < fill; i++) bytes.push(0xff);
        bytes.push(0xff, 0xd0 + rst);
        rst = (rst + 1) & 7;
      }
      const firstLine = y === 0 || restartHere;
      for (let x = 0; x < width; x++) {
        for (const c of scan) {
          let prediction: number;
          if (firstLine) prediction = x === 0 ? 1 << (precision - pt - 1) : at(x - 1, y, c);
          else if (x === 0) prediction = at(x, y - 1, c);
          else {
            const ra = at(x - 1, y, c);
            const rb = at(x, y - 1, c);
            const rc = at(x - 1, y - 1, c);
            prediction = [0, ra, rb, rc, ra + rb - rc, ra + ((rb - rc) >> 1), rb + ((ra - rc) >> 1), (ra + rb) >> 1][
              options.predictor
            ]!;
          }
          let diff = (at(x, y, c) - prediction) & 0xffff;
          if (diff > 32768) diff -= 65536;
          const category = diff === 0 ? 0 : diff === 32768 ? 16 : 32 - Math.clz32(Math.abs(diff));
          put(huff.code[category]!, huff.length[category]!);
          if (category > 0 && category < 16) put(diff > 0 ? diff : diff + (1 << category) - 1, category);
        }
      }
    }
    flush();
  }
  for (let i = 0; i < fill; i++) bytes.push(0xff);
  bytes.push(0xff, 0xd9);
  return Uint8Array.from(bytes);
}

// ---------------------------------------------------------------------------------------------

describe('JPEG lossless written by dcmcjpeg decodes exactly', { skip: NO_DCMTK }, () => {
  const dir = HAS_DCMTK ? tempDir('jpll') : '';
  const sources: Array<{ name: string; file: () => string }> = [
    { name: 'CT1 (16-bit signed)', file: () => path.join(CORPUS, 'nema-wg04/REF/CT1_UNC') },
    { name: 'MR4 (12-bit)', file: () => path.join(CORPUS, 'nema-wg04/REF/MR4_UNC') },
    { name: 'US1 (RGB 8-bit)', file: () => path.join(CORPUS, 'nema-wg04/REF/US1_UNC') },
    {
      name: 'synthetic 8-bit 67×45',
      file: () => {
        const file = path.join(dir, 'u8.dcm');
        writeNative(synthetic('u8', 67, 45, 1, 8), file);
        return file;
      },
    },
    {
      name: 'synthetic 16-bit 65×33',
      file: () => {
        const file = path.join(dir, 'u16.dcm');
        writeNative(synthetic('u16', 65, 33, 1, 16), file);
        return file;
      },
    },
  ];
  for (const source of sources) {
    test(`${source.name}: selection values 1–7 give back the source`, async () => {
      const input = source.file();
      const expected = await storedValues(input);
      for (let sv = 1; sv <= 7; sv++) {
        const output = path.join(dir, `${path.basename(input)}.sv${sv}.dcm`);
        const run = runTool('dcmcjpeg', ['+el', '+sv', String(sv), input, output]);
        assert.ok(run.ok, `dcmcjpeg +sv ${sv}: ${run.error}`);
        assert.equal(scanParameters(codestream(output)).predictor, sv);
        assertSame(await storedValues(output), expected, `${source.name} SV${sv}`);
      }
    });
    test(`${source.name}: point transforms equal dcmdjpeg`, async () => {
      const input = source.file();
      for (const [sv, pt] of [
        [1, 1],
        [4, 3],
        [7, 2],
      ] as const) {
        const encoded = path.join(dir, `${path.basename(input)}.sv${sv}pt${pt}.dcm`);
        const decoded = path.join(dir, `${path.basename(input)}.sv${sv}pt${pt}.raw.dcm`);
        let run = runTool('dcmcjpeg', ['+el', '+sv', String(sv), '+pt', String(pt), input, encoded]);
        assert.ok(run.ok, `dcmcjpeg +pt ${pt}: ${run.error}`);
        assert.equal(scanParameters(codestream(encoded)).pointTransform, pt);
        run = runTool('dcmdjpeg', [encoded, decoded]);
        assert.ok(run.ok, `dcmdjpeg: ${run.error}`);
        const reference = await storedValues(decoded);
        assertSame(await storedValues(encoded), reference, `${source.name} SV${sv} Pt${pt}`);
        // Not the source any more: the low bits were dropped.
        assert.notEqual(firstDifference(reference, await storedValues(input)), 'identical');
      }
    });
  }
});

interface Shape {
  name: string;
  image: Image;
  options: EncodeOptions;
}

const SHAPES: Shape[] = [
  ...[1, 2, 3, 4, 5, 6, 7].map((predictor) => ({
    name: `16-bit, SV${predictor}, restart every 3 lines, fill bytes`,
    image: synthetic('r16', 37, 29, 1, 16),
    options: { predictor, restartLines: 3, fillBytes: 2 },
  })),
  {
    name: '16-bit, SV1, restart every line',
    image: synthetic('r16', 37, 29, 1, 16),
    options: { predictor: 1, restartLines: 1 },
  },
  {
    name: 'RGB 8-bit interleaved, SV6, restart every 2 lines',
    image: synthetic('rgb', 33, 25, 3, 8),
    options: { predictor: 6, restartLines: 2 },
  },
  {
    name: 'RGB 8-bit, one scan per component, SV7',
    image: synthetic('rgb', 33, 25, 3, 8),
    options: { predictor: 7, scans: [[0], [1], [2]] },
  },
  {
    name: 'RGB 12-bit, scans {G, B} then {R}, SV4, restart every 4 lines',
    image: synthetic('rgb12', 31, 23, 3, 12),
    options: { predictor: 4, scans: [[1, 2], [0]], restartLines: 4 },
  },
  {
    name: '4 components 8-bit, SV5',
    image: synthetic('c4', 21, 19, 4, 8),
    options: { predictor: 5 },
  },
  ...[2, 3, 5, 7, 9, 11, 13, 15].map((precision) => ({
    name: `precision ${precision}, SV${(precision % 7) + 1}`,
    image: synthetic(`p${precision}`, 29, 23, 1, precision),
    options: { predictor: (precision % 7) + 1 },
  })),
  {
    name: '16-bit, SV2, Pt 4, restart every 5 lines',
    image: synthetic('pt16', 37, 29, 1, 16),
    options: { predictor: 2, pointTransform: 4, restartLines: 5 },
  },
];

describe('JPEG lossless of every stream shape (our encoder, checked by dcmdjpeg)', () => {
  const dir = tempDir('jpll-shapes');
  for (const shape of SHAPES) {
    test(shape.name, async (t) => {
      const stream = encodeLossless(shape.image, shape.options);
      const pt = shape.options.pointTransform ?? 0;
      const expected = shape.image.samples.map((v) => (v >> pt) << pt);
      if (shape.image.components === 4) {
        // DICOM has no 4-sample photometric interpretation any more (CMYK, ARGB retired): the decoder alone.
        const { width, height } = shape.image;
        assertSame(
          decodeLosslessJpeg(stream, { width, height, components: 4, bytesPerSample: 1 }),
          expected,
          'decoder',
        );
        return;
      }
      const file = path.join(dir, `${shape.name.replace(/\W+/g, '_')}.dcm`);
      const syntax = shape.options.predictor === 1 ? '1.2.840.10008.1.2.4.70' : '1.2.840.10008.1.2.4.57';
      writeEncapsulated(shape.image, stream, file, syntax);
      assertSame(await storedValues(file), expected, 'RadSift');
      if (!HAS_DCMTK) return t.diagnostic('dcmdjpeg not installed: the stream itself is not cross-checked');
      const decoded = `${file}.raw.dcm`;
      const run = runTool('dcmdjpeg', [file, decoded]);
      if (!run.ok && shape.image.precision < 8) {
        return t.diagnostic(`dcmdjpeg refuses precision ${shape.image.precision}: ${run.error}`);
      }
      assert.ok(run.ok, `dcmdjpeg: ${run.error}`);
      assertSame(await storedValues(decoded), expected, 'dcmdjpeg');
    });
  }

  test('category 16 (a difference of exactly 32768) is coded and decoded', () => {
    const image = synthetic('c16', 16, 24, 1, 16);
    const out = decodeLosslessJpeg(encodeLossless(image, { predictor: 1 }), {
      width: 16,
      height: 24,
      components: 1,
      bytesPerSample: 2,
    });
    assert.ok(out instanceof Uint16Array);
    assertSame(out, image.samples, 'samples');
    assert.equal(image.samples[19 * 16 + 1]! - image.samples[19 * 16]!, 32768);
  });

  test('8-bit streams come back as Uint8Array, deeper ones as Uint16Array', () => {
    const small = synthetic('u8', 9, 7, 1, 8);
    const expected = { width: 9, height: 7, components: 1 } as const;
    const stream = encodeLossless(small, { predictor: 1 });
    assert.ok(decodeLosslessJpeg(stream, { ...expected, bytesPerSample: 1 }) instanceof Uint8Array);
    assert.ok(decodeLosslessJpeg(stream, { ...expected, bytesPerSample: 2 }) instanceof Uint16Array);
  });
});

describe('JPEG lossless: corrupt, truncated and unsupported streams', () => {
  const image = synthetic('bad', 37, 29, 1, 16);
  const expected = { width: 37, height: 29, components: 1, bytesPerSample: 2 } as const;
  const good = encodeLossless(image, { predictor: 6, restartLines: 4 });
  const sos = good.findIndex((b, i) => b === 0xff && good[i + 1] === 0xda);
  const scanStart = sos + 2 + ((good[sos + 2]! << 8) | good[sos + 3]!);

  function outcome(stream: Uint8Array): string {
    const start = performance.now();
    try {
      decodeLosslessJpeg(stream, expected);
      return 'decoded';
    } catch (error) {
      assert.ok(error instanceof DicomError, `not a DicomError: ${String(error)}`);
      return error.code;
    } finally {
      assert.ok(performance.now() - start < 2000, 'took more than 2 s');
    }
  }

  test('the intact stream decodes, also without its EOI', () => {
    assertSame(decodeLosslessJpeg(good, expected), image.samples, 'intact');
    assertSame(decodeLosslessJpeg(good.subarray(0, good.length - 2), expected), image.samples, 'no EOI');
  });

  test('every truncation inside the scan is TRUNCATED', () => {
    for (let cut = scanStart; cut < good.length - 4; cut += 7) {
      assert.equal(outcome(good.subarray(0, cut)), 'TRUNCATED', `cut at ${cut} of ${good.length}`);
    }
    for (let cut = 0; cut < scanStart; cut++) {
      assert.match(
        outcome(good.subarray(0, cut)),
        /TRUNCATED|CORRUPT_PIXEL_DATA|SIZE_MISMATCH/,
        `header cut at ${cut}`,
      );
    }
  });

  test('a missing restart marker is CORRUPT_PIXEL_DATA', () => {
    const rst = good.findIndex((b, i) => b === 0xff && good[i + 1] === 0xd1);
    const broken = good.slice();
    broken[rst + 1] = 0xd5;
    assert.equal(outcome(broken), 'CORRUPT_PIXEL_DATA');
  });

  test('bit flips and byte overwrites give a DicomError or a result, never a hang or another error', () => {
    const random = lcg(42);
    for (let n = 0; n < 400; n++) {
      const broken = good.slice();
      for (let k = 0; k < 1 + (n % 4); k++) {
        const i = 2 + Math.floor(random() * (broken.length - 2));
        broken[i] = n % 2 ? broken[i]! ^ (1 << Math.floor(random() * 8)) : Math.floor(random() * 256);
      }
      outcome(broken);
    }
  });

  test('an all-ones code that is no Huffman code is CORRUPT_PIXEL_DATA', () => {
    const broken = good.slice(0, scanStart);
    const junk = new Uint8Array(64);
    for (let i = 0; i < junk.length; i += 2) junk.set([0xff, 0x00], i);
    assert.equal(outcome(Uint8Array.from([...broken, ...junk, 0xff, 0xd9])), 'CORRUPT_PIXEL_DATA');
  });

  /** `good` with one byte of its SOF3 or SOS segment replaced. */
  function patched(markerByte: number, offset: number, value: number): Uint8Array {
    const copy = good.slice();
    const at = copy.findIndex((b, i) => b === 0xff && copy[i + 1] === markerByte);
    copy[at + 4 + offset] = value;
    return copy;
  }

  test('other processes, subsampling, DNL and bad parameters are refused clearly', () => {
    const expectError = (stream: Uint8Array, code: string, message: RegExp) => {
      assert.throws(
        () => decodeLosslessJpeg(stream, expected),
        (e: unknown) => e instanceof DicomError && e.code === code && message.test(e.message),
      );
    };
    const sof = good.findIndex((b, i) => b === 0xff && good[i + 1] === 0xc3);
    for (const [marker, name] of [
      [0xc0, /SOF0/],
      [0xc1, /SOF1/],
      [0xc7, /SOF7/],
      [0xcb, /SOF11/],
    ] as const) {
      const copy = good.slice();
      copy[sof + 1] = marker;
      expectError(copy, 'UNSUPPORTED_IMAGE', name);
    }
    expectError(patched(0xc3, 2, 0), 'UNSUPPORTED_IMAGE', /DNL/);
    expectError(patched(0xc3, 0, 17), 'CORRUPT_PIXEL_DATA', /precision 17/);
    expectError(patched(0xc3, 0, 1), 'CORRUPT_PIXEL_DATA', /precision 1/);
    expectError(patched(0xc3, 4, 38), 'SIZE_MISMATCH', /38×29/);
    expectError(patched(0xda, 3, 0), 'CORRUPT_PIXEL_DATA', /selection value 0/);
    expectError(patched(0xda, 3, 8), 'CORRUPT_PIXEL_DATA', /selection value 8/);
    const shallow = patched(0xda, 5, 5);
    shallow[sof + 4] = 4;
    expectError(shallow, 'CORRUPT_PIXEL_DATA', /point transform 5 with precision 4/);
    expectError(patched(0xda, 1, 9), 'CORRUPT_PIXEL_DATA', /component 9/);
    expectError(patched(0xda, 2, 0x30), 'CORRUPT_PIXEL_DATA', /table 3/);
    // DRI of 40 samples: not whole lines of 37.
    expectError(patched(0xdd, 1, 40), 'UNSUPPORTED_IMAGE', /restart interval 40/);

    const rgb = synthetic('rgb', 8, 8, 3, 8);
    const sub = encodeLossless(rgb, { predictor: 1 });
    const rgbSof = sub.findIndex((b, i) => b === 0xff && sub[i + 1] === 0xc3);
    sub[rgbSof + 11] = 0x21; // component 1: 2×1
    assert.throws(
      () => decodeLosslessJpeg(sub, { width: 8, height: 8, components: 3, bytesPerSample: 1 }),
      (e: unknown) =>
        e instanceof DicomError && e.code === 'UNSUPPORTED_IMAGE' && /sampling factors 2×1/.test(e.message),
    );
    // A single-component frame may declare any sampling factors: they do not change anything.
    const mono = good.slice();
    mono[sof + 11] = 0x22;
    assertSame(decodeLosslessJpeg(mono, expected), image.samples, 'mono 2×2');
  });

  test('through the codec, a truncated stream is a DicomError with TRUNCATED', async () => {
    const dir = tempDir('jpll-bad');
    const file = path.join(dir, 'bad.dcm');
    writeEncapsulated(image, good.subarray(0, scanStart + 40), file, '1.2.840.10008.1.2.4.57');
    await assert.rejects(
      decodeFrame(openDicom(readFileSync(file)), 0),
      (e: unknown) => e instanceof DicomError && e.code === 'TRUNCATED' && /JPEG lossless/.test(e.message),
    );
  });
});
