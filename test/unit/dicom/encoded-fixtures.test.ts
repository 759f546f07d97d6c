import { seededRandom } from '../../../electron/scoring/metrics.js';
/**
 * Fixtures of our own: small synthetic images (seeded gradients, noise and
 * sharp edges; 8/12/16-bit, signed, RGB, multi-frame) are written as native
 * DICOM in a temp dir, encoded into every syntax the Debian tools write
 * (dcmtk, GDCM, OpenJPEG), and decoded by RadSift through `runDecodeJob`.
 * Exactness standard (the DICOM notes): lossless syntaxes give back the
 * source stored values bit for bit; lossy ones equal the encoding tool's own
 * decode of the same file (libjpeg, CharLS, OpenJPEG; 12-bit DCT JPEG too, against
 * dcmtk's IJG 12-bit build) — so dcmcjpeg's lossy rewrite of pixel values / Rescale
 * does not matter.
 * No binary fixture is committed.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { runDecodeJob } from '../../../electron/screening/decode-job.js';
import { DicomError, type DicomErrorCode } from '../../../electron/dicom/errors.js';
import { openDicom, pixelModule } from '../../../electron/dicom/image.js';
import { buildDicom, imagePixel, type Item } from './builder.js';
import { firstDifference, hasTool, maxAbsDiff, runTool, tempDir } from './support.js';

interface Kind {
  name: string;
  rows: number;
  columns: number;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  signed: boolean;
  samples: 1 | 3;
  frames: number;
}

/**
 * Odd sizes on purpose: u8 has odd-length pixel data (padded), odd widths give
 * odd RLE segments and partial JPEG MCUs (RGB 4:2:2 with an odd width).
 */
const KINDS: Kind[] = [
  { name: 'u8', rows: 45, columns: 67, bitsAllocated: 8, bitsStored: 8, signed: false, samples: 1, frames: 1 },
  { name: 'u12', rows: 48, columns: 64, bitsAllocated: 16, bitsStored: 12, signed: false, samples: 1, frames: 1 },
  { name: 'u16', rows: 45, columns: 67, bitsAllocated: 16, bitsStored: 16, signed: false, samples: 1, frames: 1 },
  { name: 's16', rows: 50, columns: 65, bitsAllocated: 16, bitsStored: 16, signed: true, samples: 1, frames: 1 },
  { name: 'rgb8', rows: 46, columns: 67, bitsAllocated: 8, bitsStored: 8, signed: false, samples: 3, frames: 1 },
  { name: 'mf16', rows: 48, columns: 64, bitsAllocated: 16, bitsStored: 16, signed: false, samples: 1, frames: 3 },
];

function range({ bitsStored, signed }: { bitsStored: number; signed: boolean }): { min: number; max: number } {
  return signed
    ? { min: -(2 ** (bitsStored - 1)), max: 2 ** (bitsStored - 1) - 1 }
    : { min: 0, max: 2 ** bitsStored - 1 };
}

/** Bits Stored and sign of an encoded file, as its header says. */
function pixelModuleOf(bytes: Uint8Array): { bitsStored: number; signed: boolean } {
  const m = pixelModule(openDicom(bytes));
  return { bitsStored: m.bitsStored, signed: m.pixelRepresentation === 1 };
}

/**
 * One frame of stored values (colour interleaved), in RadSift's container
 * type: a diagonal gradient over the whole range that wraps once (a hard
 * edge), ±3 % noise, a max block, a min block and a one-pixel checkerboard.
 */
function sourceFrame(kind: Kind, frame: number): Uint8Array | Uint16Array | Int16Array {
  const { min, max } = range(kind);
  const span = max - min;
  const random = seededRandom(kind.name.length * 7919 + kind.bitsStored * 31 + frame * 104729 + (kind.signed ? 1 : 0));
  const { rows, columns } = kind;
  const n = rows * columns * kind.samples;
  const out = kind.bitsAllocated === 8 ? new Uint8Array(n) : kind.signed ? new Int16Array(n) : new Uint16Array(n);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) {
      for (let s = 0; s < kind.samples; s++) {
        let v: number;
        if (x >= 8 && x < 20 && y >= 6 && y < 30) v = max;
        else if (x >= 30 && x < 42 && y >= 24 && y < 40) v = min;
        else if (x >= 50 && x < 62 && y >= 3 && y < 15) v = (x + y + s) % 2 ? max : min;
        else {
          const t = (x / columns) * 0.7 + (y / rows) * 0.5 + s * 0.3 + frame * 0.21;
          v = min + (t % 1) * span + (random() - 0.5) * 0.06 * span;
        }
        out[(y * columns + x) * kind.samples + s] = Math.max(min, Math.min(max, Math.round(v)));
      }
    }
  }
  return out;
}

function littleEndianBytes(samples: Uint8Array | Uint16Array | Int16Array): Uint8Array {
  if (samples instanceof Uint8Array) return samples;
  const out = Buffer.alloc(samples.length * 2);
  samples.forEach((v, i) => out.writeUInt16LE(v & 0xffff, i * 2));
  return out;
}

const SOP_CLASS = '1.2.840.10008.5.1.4.1.1.7';

function header(kind: Kind, photometric = kind.samples === 3 ? 'RGB' : 'MONOCHROME2'): Item {
  return {
    x00080016: ['UI', SOP_CLASS],
    x00080018: ['UI', '1.2.3.4.5'],
    x00080060: ['CS', 'OT'],
    x00100010: ['PN', 'Fixture^Encoded'],
    x00100020: ['LO', kind.name],
    x0020000d: ['UI', '1.2.3.4.1'],
    x0020000e: ['UI', '1.2.3.4.2'],
    x00200013: ['IS', '1'],
    ...imagePixel({
      rows: kind.rows,
      columns: kind.columns,
      bitsAllocated: kind.bitsAllocated,
      bitsStored: kind.bitsStored,
      signed: kind.signed,
      samples: kind.samples,
      photometric,
      planar: 0,
      ...(kind.frames > 1 ? { frames: kind.frames } : {}),
    }),
  };
}

function writeSource(kind: Kind, frames: ReturnType<typeof sourceFrame>[], file: string): void {
  const pixels = Buffer.concat(frames.map((f) => littleEndianBytes(f)));
  const dataset = { ...header(kind), x7fe00010: [kind.bitsAllocated === 8 ? 'OB' : 'OW', pixels] as Item[string] };
  writeFileSync(file, buildDicom(dataset));
}

/** OpenJPEG route: every frame through opj_compress (raw planar input), wrapped as one fragment per frame. */
function opjEncode(kind: Kind, frames: ReturnType<typeof sourceFrame>[], out: string, lossy: boolean) {
  const codestreams: Uint8Array[] = [];
  for (let f = 0; f < frames.length; f++) {
    const raw = `${out}.f${f}.rawl`;
    const j2k = `${out}.f${f}.j2k`;
    writeFileSync(raw, planarBytes(kind, frames[f]!));
    const format = `${kind.columns},${kind.rows},${kind.samples},${kind.bitsStored},${kind.signed ? 's' : 'u'}`;
    const run = runTool('opj_compress', ['-i', raw, '-o', j2k, '-F', format, ...(lossy ? ['-I', '-r', '8'] : [])]);
    if (!run.ok) return run;
    codestreams.push(readFileSync(j2k));
  }
  const offsets: number[] = [];
  let at = 0;
  for (const c of codestreams) {
    offsets.push(at);
    at += 8 + c.length + (c.length % 2);
  }
  const photometric = kind.samples === 3 ? (lossy ? 'YBR_ICT' : 'YBR_RCT') : 'MONOCHROME2';
  const dataset = {
    ...header(kind, photometric),
    x7fe00010: ['OB', { offsets, fragments: codestreams }] as Item[string],
  };
  const ts = lossy ? '1.2.840.10008.1.2.4.91' : '1.2.840.10008.1.2.4.90';
  writeFileSync(out, buildDicom(dataset, { transferSyntax: ts }));
  return { ok: true };
}

function planarBytes(kind: Kind, samples: ReturnType<typeof sourceFrame>): Uint8Array {
  const bytesPer = kind.bitsAllocated / 8;
  const pixels = kind.rows * kind.columns;
  const out = Buffer.alloc(samples.length * bytesPer);
  for (let i = 0; i < pixels; i++) {
    for (let s = 0; s < kind.samples; s++) {
      const v = samples[i * kind.samples + s]!;
      const at = (s * pixels + i) * bytesPer;
      if (bytesPer === 1) out[at] = v;
      else out.writeUInt16LE(v & 0xffff, at);
    }
  }
  return out;
}

/** opj_decompress of each frame's codestream, interleaved like RadSift's output. */
function opjReference(kind: Kind, encoded: string, dir: string): number[][] {
  const frames: number[][] = [];
  for (let f = 0; f < kind.frames; f++) {
    const output = path.join(dir, `${path.basename(encoded)}.f${f}.dec.rawl`);
    const run = runTool('opj_decompress', ['-i', `${encoded}.f${f}.j2k`, '-o', output]);
    assert.ok(run.ok, `opj_decompress failed: ${run.error}`);
    const raw = readFileSync(output);
    const bytesPer = kind.bitsAllocated / 8;
    const pixels = kind.rows * kind.columns;
    const values = new Array<number>(pixels * kind.samples);
    for (let i = 0; i < pixels; i++) {
      for (let s = 0; s < kind.samples; s++) {
        const at = (s * pixels + i) * bytesPer;
        values[i * kind.samples + s] =
          bytesPer === 1 ? raw[at]! : kind.signed ? raw.readInt16LE(at) : raw.readUInt16LE(at);
      }
    }
    frames.push(values);
  }
  return frames;
}

type Frames = ArrayLike<number>[];
type Run = { ok: boolean; error?: string };
interface Reference {
  frames: Frames;
  photometric: string;
}
type PerKind<T> = (kind: Kind) => T;

interface Encoding {
  id: string;
  /** Transfer syntax the encoded file must carry. */
  ts: string | PerKind<string>;
  /** Every tool the encode and the reference decode need. */
  tools: string[];
  lossy: boolean;
  /** Kinds the encoding's options apply to (default all); others get no test. */
  only?: PerKind<boolean>;
  /** Why the encoding is not attempted for a kind the tool refuses. */
  skip?: PerKind<string | undefined>;
  /** RadSift must refuse the encoded file with this error (a documented limitation). */
  expectError?: PerKind<DicomErrorCode | undefined>;
  /** A known RadSift bug this combination shows: the test runs and reports, as a todo. */
  todo?: PerKind<string | undefined>;
  /** A known problem with the lossy flag only (values are still checked strictly). */
  lossyFlagTodo?: string;
  encode: (source: string, out: string, kind: Kind, frames: ReturnType<typeof sourceFrame>[]) => Run;
  /** Lossy: the encoder family's own decode of the encoded file. */
  reference?: (encoded: string, kind: Kind, dir: string) => Reference;
  /** Lossy: largest |Δ| allowed against the reference (default 0). */
  tolerance?: PerKind<number>;
}

const TSU = {
  ile: '1.2.840.10008.1.2',
  ele: '1.2.840.10008.1.2.1',
  deflate: '1.2.840.10008.1.2.1.99',
  ebe: '1.2.840.10008.1.2.2',
  baseline: '1.2.840.10008.1.2.4.50',
  extended: '1.2.840.10008.1.2.4.51',
  spectral: '1.2.840.10008.1.2.4.53',
  progressive: '1.2.840.10008.1.2.4.55',
  lossless: '1.2.840.10008.1.2.4.57',
  losslessSV1: '1.2.840.10008.1.2.4.70',
  jls: '1.2.840.10008.1.2.4.80',
  jlsNear: '1.2.840.10008.1.2.4.81',
  j2kLossless: '1.2.840.10008.1.2.4.90',
  j2k: '1.2.840.10008.1.2.4.91',
  rle: '1.2.840.10008.1.2.5',
};

/**
 * Samples of every frame of a reference tool's native output, read unmasked
 * from the Pixel Data (the test clamps them to the encoded file's Bits Stored
 * range, as RadSift does after a lossy decode: JPEG-LS near-lossless or J2K
 * coded at P=16 for 12-bit data overshoot to 4097…, which GDCM writes with
 * Bits Stored 16 and a masking native read would wrap).
 */
function nativeReference(file: string): Reference {
  const dicom = openDicom(readFileSync(file));
  const m = pixelModule(dicom);
  const raw = dicom.reader.bytes('x7fe00010');
  assert.ok(raw, `${path.basename(file)}: no native Pixel Data`);
  const bytes = Buffer.from(raw); // a copy, aligned
  const signed = m.pixelRepresentation === 1;
  const perFrame = m.rows * m.columns * m.samplesPerPixel;
  const frames: Frames = [];
  for (let f = 0; f < m.numberOfFrames; f++) {
    const values = new Array<number>(perFrame);
    for (let i = 0; i < perFrame; i++) {
      const at = f * perFrame + i;
      values[i] =
        m.bitsAllocated === 8
          ? signed
            ? bytes.readInt8(at)
            : bytes[at]!
          : signed
            ? bytes.readInt16LE(at * 2)
            : bytes.readUInt16LE(at * 2);
    }
    frames.push(values);
  }
  return { frames, photometric: m.photometric };
}

/** A reference decoder run on the encoded file: `tool [args] in out`. */
const decodedBy =
  (tool: string, ...args: string[]) =>
  (encoded: string, _kind: Kind, dir: string): Reference => {
    const output = path.join(dir, `${path.basename(encoded)}.${tool}.dcm`);
    const run = runTool(tool, [...args, encoded, output]);
    assert.ok(run.ok, `${tool} could not decode ${path.basename(encoded)}: ${run.error}`);
    return nativeReference(output);
  };

/** `tool [args] in out`. */
const encodedBy =
  (tool: string, ...args: string[]) =>
  (source: string, out: string): Run =>
    runTool(tool, [...args, source, out]);

const unless =
  (refused: (kind: Kind) => boolean, reason: string) =>
  (kind: Kind): string | undefined =>
    refused(kind) ? reason : undefined;

const rgbOnly = (k: Kind) => k.samples === 3;

/*
 * Combinations the tools refuse, not attempted (each shows as a skipped test with its reason):
 * - gdcmconv --jpeg --lossy on 16-bit kinds: GDCM refuses ("DCT coefficient out of range").
 * - dcmcjpls +en on s16: dcmtk refuses ("Unsupported pixel representation for near-lossless
 *   JPEG-LS compression").
 * - gdcmconv --rle on u8 (odd rows × columns): GDCM 3.0.21 aborts on an assertion
 *   (`partition % dims[1] == 0`, gdcmRLECodec.cxx:506) when 8-bit Pixel Data has odd length.
 * Colour-only options (dcmcjpeg +cr / +s4, dcmcjpls +is / +in, +md 7 +in) run on the RGB kind only.
 * dcmcjpeg +es / +ep on 12/16-bit kinds are coded at 12-bit precision, for which RadSift has no
 * decoder: those must fail with UNSUPPORTED_IMAGE (documented, see corpus-folders.test.ts).
 * Known RadSift bugs run as todo tests (`todo`, `lossyFlagTodo`): they report without failing the
 * run; drop the todo when the bug is fixed.
 */
const ENCODINGS: Encoding[] = [
  { id: 'source (explicit VR LE)', ts: TSU.ele, tools: [], lossy: false, encode: () => ({ ok: true }) },
  { id: 'dcmconv +ti', ts: TSU.ile, tools: ['dcmconv'], lossy: false, encode: encodedBy('dcmconv', '+ti') },
  { id: 'dcmconv +tb', ts: TSU.ebe, tools: ['dcmconv'], lossy: false, encode: encodedBy('dcmconv', '+tb') },
  { id: 'dcmconv +td', ts: TSU.deflate, tools: ['dcmconv'], lossy: false, encode: encodedBy('dcmconv', '+td') },
  // JPEG lossless, process 14: SV1 and every predictor
  { id: 'dcmcjpeg +e1', ts: TSU.losslessSV1, tools: ['dcmcjpeg'], lossy: false, encode: encodedBy('dcmcjpeg', '+e1') },
  ...[1, 2, 3, 4, 5, 6, 7].map((sv): Encoding => ({
    id: `dcmcjpeg +el +sv ${sv}`,
    ts: TSU.lossless,
    tools: ['dcmcjpeg'],
    lossy: false,
    encode: encodedBy('dcmcjpeg', '+el', '+sv', String(sv)),
  })),
  {
    id: 'gdcmconv --jpeg',
    ts: TSU.losslessSV1,
    tools: ['gdcmconv'],
    lossy: false,
    encode: encodedBy('gdcmconv', '--jpeg'),
  },
  // JPEG lossy (DCT): against dcmtk's libjpeg
  {
    id: 'dcmcjpeg +eb',
    ts: TSU.baseline,
    tools: ['dcmcjpeg', 'dcmdjpeg'],
    lossy: true,
    encode: encodedBy('dcmcjpeg', '+eb'),
    reference: decodedBy('dcmdjpeg'),
  },
  {
    id: 'dcmcjpeg +eb +cr (RGB in the JPEG stream)',
    ts: TSU.baseline,
    tools: ['dcmcjpeg', 'dcmdjpeg'],
    lossy: true,
    only: rgbOnly,
    encode: encodedBy('dcmcjpeg', '+eb', '+cr'),
    reference: decodedBy('dcmdjpeg'),
  },
  {
    id: 'dcmcjpeg +eb +s4 (YBR_FULL 4:4:4)',
    ts: TSU.baseline,
    tools: ['dcmcjpeg', 'dcmdjpeg'],
    lossy: true,
    only: rgbOnly,
    encode: encodedBy('dcmcjpeg', '+eb', '+s4'),
    reference: decodedBy('dcmdjpeg'),
  },
  {
    id: 'dcmcjpeg +ee',
    ts: TSU.extended,
    tools: ['dcmcjpeg', 'dcmdjpeg'],
    lossy: true,
    encode: encodedBy('dcmcjpeg', '+ee'),
    reference: decodedBy('dcmdjpeg'),
  },
  ...[
    { option: '+es', ts: TSU.spectral },
    { option: '+ep', ts: TSU.progressive },
  ].map(({ option, ts }): Encoding => ({
    id: `dcmcjpeg ${option}`,
    ts,
    tools: ['dcmcjpeg', 'dcmdjpeg'],
    lossy: true,
    // dcmtk codes 16-bit data at 12-bit precision: RadSift has no 12-bit progressive decoder (documented).
    expectError: (k) => (k.bitsAllocated > 8 ? 'UNSUPPORTED_IMAGE' : undefined),
    encode: encodedBy('dcmcjpeg', option),
    reference: decodedBy('dcmdjpeg'),
  })),
  {
    id: 'gdcmconv --jpeg --lossy -q 85',
    ts: (k) => (k.bitsStored > 8 ? TSU.extended : TSU.baseline),
    tools: ['gdcmconv', 'dcmdjpeg'],
    lossy: true,
    skip: unless((k) => k.bitsStored > 12, 'GDCM refuses: "DCT coefficient out of range"'),
    // 12-bit data: GDCM codes a (non-standard) P=16 DCT stream that dcmtk refuses; RadSift refuses it too,
    // with a typed error, rather than guess (it used to decode a wrong, all-white image).
    expectError: (k) => (k.bitsAllocated === 16 ? 'UNSUPPORTED_IMAGE' : undefined),
    encode: encodedBy('gdcmconv', '--jpeg', '--lossy', '-q', '85'),
    reference: (encoded, kind, dir) =>
      kind.bitsAllocated === 8
        ? decodedBy('dcmdjpeg')(encoded, kind, dir)
        : decodedBy('gdcmconv', '--raw')(encoded, kind, dir),
  },
  // JPEG-LS: lossless against the source, near-lossless against CharLS (dcmdjpls)
  { id: 'dcmcjpls', ts: TSU.jls, tools: ['dcmcjpls'], lossy: false, encode: encodedBy('dcmcjpls') },
  ...['+is', '+in'].map((mode): Encoding => ({
    id: `dcmcjpls ${mode}`,
    ts: TSU.jls,
    tools: ['dcmcjpls'],
    lossy: false,
    only: rgbOnly,
    encode: encodedBy('dcmcjpls', mode),
  })),
  {
    id: 'gdcmconv --jpegls',
    ts: TSU.jls,
    tools: ['gdcmconv'],
    lossy: false,
    encode: encodedBy('gdcmconv', '--jpegls'),
  },
  {
    id: 'dcmcjpls +en (NEAR 2)',
    ts: TSU.jlsNear,
    tools: ['dcmcjpls', 'dcmdjpls'],
    lossy: true,
    skip: unless((k) => k.signed, 'dcmtk refuses signed near-lossless JPEG-LS'),
    encode: encodedBy('dcmcjpls', '+en'),
    reference: decodedBy('dcmdjpls'),
  },
  {
    id: 'dcmcjpls +en +md 7 +in',
    ts: TSU.jlsNear,
    tools: ['dcmcjpls', 'dcmdjpls'],
    lossy: true,
    only: rgbOnly,
    encode: encodedBy('dcmcjpls', '+en', '+md', '7', '+in'),
    reference: decodedBy('dcmdjpls'),
  },
  {
    id: 'gdcmconv --jpegls --lossy -e 3',
    ts: TSU.jlsNear,
    tools: ['gdcmconv', 'dcmdjpls'],
    lossy: true,
    encode: encodedBy('gdcmconv', '--jpegls', '--lossy', '-e', '3'),
    reference: decodedBy('dcmdjpls'),
  },
  // RLE
  { id: 'dcmcrle', ts: TSU.rle, tools: ['dcmcrle'], lossy: false, encode: encodedBy('dcmcrle') },
  {
    id: 'gdcmconv --rle',
    ts: TSU.rle,
    tools: ['gdcmconv'],
    lossy: false,
    skip: unless(
      (k) => k.bitsAllocated === 8 && (k.rows * k.columns * k.samples * k.frames) % 2 === 1,
      'GDCM 3.0.21 aborts on odd-length 8-bit Pixel Data (assertion in gdcmRLECodec.cxx)',
    ),
    encode: encodedBy('gdcmconv', '--rle'),
  },
  // JPEG 2000: lossless against the source, lossy against OpenJPEG (gdcmconv --raw, opj_decompress)
  {
    id: 'gdcmconv --j2k',
    ts: TSU.j2kLossless,
    tools: ['gdcmconv'],
    lossy: false,
    encode: encodedBy('gdcmconv', '--j2k'),
  },
  {
    id: 'gdcmconv --j2k --lossy -r 8 (5/3 wavelet, rate-truncated)',
    ts: TSU.j2k,
    tools: ['gdcmconv'],
    lossy: true,
    // GDCM codes 12-bit data at P=16: the truncated decode overshoots 4095 (4105); .91 counts as lossy, so it is clamped.
    encode: encodedBy('gdcmconv', '--j2k', '--lossy', '-r', '8'),
    reference: decodedBy('gdcmconv', '--raw'),
  },
  {
    id: 'gdcmconv --j2k --lossy --irreversible -r 8',
    ts: TSU.j2k,
    tools: ['gdcmconv'],
    lossy: true,
    encode: encodedBy('gdcmconv', '--j2k', '--lossy', '--irreversible', '-r', '8'),
    reference: decodedBy('gdcmconv', '--raw'),
  },
  {
    id: 'opj_compress (lossless)',
    ts: TSU.j2kLossless,
    tools: ['opj_compress'],
    lossy: false,
    encode: (_source, out, kind, frames) => opjEncode(kind, frames, out, false),
  },
  {
    id: 'opj_compress -I -r 8',
    ts: TSU.j2k,
    tools: ['opj_compress', 'opj_decompress'],
    lossy: true,
    encode: (_source, out, kind, frames) => opjEncode(kind, frames, out, true),
    reference: (encoded, kind, dir) => ({
      frames: opjReference(kind, encoded, dir),
      photometric: kind.samples === 3 ? 'RGB' : 'MONOCHROME2',
    }),
  },
];

describe('synthetic images encoded by dcmtk, GDCM and OpenJPEG decode like the source / the tool', () => {
  const dir = tempDir('encoded');
  const covered: string[] = [];
  const sources = new Map<string, { file: string; frames: ReturnType<typeof sourceFrame>[] }>();
  const sourceOf = (kind: Kind) => {
    let source = sources.get(kind.name);
    if (!source) {
      const frames = Array.from({ length: kind.frames }, (_, f) => sourceFrame(kind, f));
      const file = path.join(dir, `${kind.name}.dcm`);
      writeSource(kind, frames, file);
      source = { file, frames };
      sources.set(kind.name, source);
    }
    return source;
  };
  const missing = [...new Set(ENCODINGS.flatMap((e) => e.tools))].filter((t) => !hasTool(t));

  ENCODINGS.forEach((encoding, e) => {
    for (const kind of KINDS.filter((k) => encoding.only?.(k) ?? true)) {
      const absent = encoding.tools.filter((t) => missing.includes(t));
      const skip = absent.length ? `not installed: ${absent.join(', ')}` : encoding.skip?.(kind);
      const todo = encoding.todo?.(kind);
      test(`${encoding.id} × ${kind.name}`, { skip: skip ?? false, todo: todo ?? false }, async (t) => {
        const source = sourceOf(kind);
        const encoded = path.join(dir, `${kind.name}-e${e}.dcm`);
        const run = encoding.encode(source.file, encoded, kind, source.frames);
        assert.ok(run.ok, `${encoding.id} refused ${kind.name}: ${run.error}`);
        const bytes = readFileSync(encoding.tools.length ? encoded : source.file);
        const ts = typeof encoding.ts === 'string' ? encoding.ts : encoding.ts(kind);
        assert.equal(openDicom(bytes).transferSyntaxUID, ts, 'transfer syntax written by the tool');
        const expectedError = encoding.expectError?.(kind);
        if (expectedError) {
          await assert.rejects(
            runDecodeJob({ bytes, outputs: ['stored'] }),
            (error: unknown) => error instanceof DicomError && error.code === expectedError,
          );
          covered.push(`${encoding.id} × ${kind.name} (${expectedError})`);
          return;
        }

        const reference = encoding.reference?.(encoded, kind, dir) ?? {
          frames: source.frames,
          photometric: kind.samples === 3 ? 'RGB' : 'MONOCHROME2',
        };
        assert.equal(reference.frames.length, kind.frames, 'reference frame count');
        const { min, max } = range(pixelModuleOf(bytes));
        const tolerance = encoding.tolerance?.(kind) ?? 0;
        const lossyFlags: boolean[] = [];
        for (let f = 0; f < kind.frames; f++) {
          const ours = await runDecodeJob({ bytes, frame: f, outputs: ['stored'] });
          assert.equal(ours.frames, kind.frames);
          assert.deepEqual([ours.rows, ours.columns, ours.samplesPerPixel], [kind.rows, kind.columns, kind.samples]);
          assert.equal(ours.photometric, reference.photometric, `frame ${f}: photometric`);
          const expected = encoding.reference
            ? Array.from(reference.frames[f]!, (v) => Math.max(min, Math.min(max, v)))
            : reference.frames[f]!;
          if (!encoding.reference) assert.equal(ours.stored!.constructor, expected.constructor, 'container type');
          if (tolerance === 0) {
            assert.equal(firstDifference(ours.stored!, expected), 'identical', `frame ${f}`);
          } else {
            const diff = maxAbsDiff(ours.stored!, expected);
            assert.ok(
              diff <= tolerance,
              `frame ${f}: |Δ| ${diff} > ${tolerance}, ${firstDifference(ours.stored!, expected)}`,
            );
          }
          lossyFlags.push(ours.lossy);
        }
        if (encoding.tools.length) covered.push(`${encoding.id} × ${kind.name}`);
        await t.test('lossy flag', { todo: encoding.lossyFlagTodo ?? false }, () => {
          assert.deepEqual(
            lossyFlags,
            lossyFlags.map(() => encoding.lossy),
          );
        });
      });
    }
  });

  test('covered at least 25 encoded files', (t) => {
    if (missing.length) return t.skip(`reference tools not installed: ${missing.join(', ')}`);
    t.diagnostic(`${covered.length} encoded files decoded and compared`);
    assert.ok(covered.length >= 25, `only ${covered.length} combinations ran: ${covered.join('; ')}`);
  });
});
