/**
 * JPEG lossless, process 14 (SOF3, Huffman coded, non-hierarchical), written from ITU-T T.81 Annex H
 * (prediction, point transform, restart) and Annex F.2.2 (Huffman decoding of difference categories).
 *
 * Supported: precision 2–16, 1–4 components in one interleaved scan or in several scans (any split),
 * sampling factors 1 (a single-component frame may declare any), predictors 1–7, point transform,
 * restart intervals that are whole lines (T.81 H.1.1 requires it), fill bytes and byte stuffing.
 * Refused with a DicomError: other processes (DCT, hierarchical, arithmetic), DNL, subsampling.
 *
 * Decoding is sign-blind and modulo 2^16, as T.81 H.2.1 says: samples come back as bit patterns,
 * `Uint8Array` when `bytesPerSample` is 1, else `Uint16Array`, components pixel-interleaved.
 * Truncated streams throw TRUNCATED, corrupt scans CORRUPT_PIXEL_DATA; every loop is bounded by the sample count.
 *
 * Speed: each line's differences are Huffman-decoded into an Int32Array by one loop that keeps the
 * bit reader in local variables (a 32-bit buffer refilled byte by byte, unstuffing 0xFF00) and
 * resolves codes of up to LOOKAHEAD bits with one table read; then one loop per predictor adds the
 * predictions, reading the line above straight from the output array (which wraps values to 16 or
 * 8 bits exactly as the modulo arithmetic requires).
 */
import { DicomError } from '../errors.js';
import { truncatedFrame } from './stream-end.js';

/** Codes up to this many bits resolve with one lookup: (length << 8) | category, 0 = longer code. */
const LOOKAHEAD = 10;

interface HuffmanTable {
  /** 2^LOOKAHEAD entries: (code length << 8) | symbol, or 0 when the code is longer than LOOKAHEAD. */
  fast: Int32Array;
  /** Largest code of each length 1…16 (−1 when there is none), for codes longer than LOOKAHEAD. */
  maxCode: Int32Array;
  /** Index into `symbols` of the first code of each length, minus that code. */
  offset: Int32Array;
  symbols: Uint8Array;
}

interface FrameComponent {
  id: number;
  h: number;
  v: number;
  /** Set once a scan has decoded this component. */
  done: boolean;
}

interface Frame {
  precision: number;
  width: number;
  height: number;
  components: FrameComponent[];
}

export interface LosslessExpected {
  width: number;
  height: number;
  components: number;
  /** 1: Uint8Array output, 2: Uint16Array. */
  bytesPerSample: 1 | 2;
  /** Where to put the samples (length width × height × components); a fresh array when absent. */
  allocate?: (length: number) => Uint8Array | Uint16Array;
}

function corrupt(message: string): DicomError {
  return new DicomError('CORRUPT_PIXEL_DATA', `JPEG lossless: ${message}`);
}

function unsupported(message: string): DicomError {
  return new DicomError('UNSUPPORTED_IMAGE', `JPEG lossless: ${message}`);
}

const SOF_NAMES: Record<number, string> = {
  0xc0: 'baseline DCT (SOF0)',
  0xc1: 'extended DCT (SOF1)',
  0xc2: 'progressive DCT (SOF2)',
  0xc5: 'differential sequential DCT (SOF5, hierarchical)',
  0xc6: 'differential progressive DCT (SOF6, hierarchical)',
  0xc7: 'differential lossless (SOF7, hierarchical)',
  0xc9: 'arithmetic extended DCT (SOF9)',
  0xca: 'arithmetic progressive DCT (SOF10)',
  0xcb: 'arithmetic lossless (SOF11)',
  0xcd: 'arithmetic differential sequential DCT (SOF13)',
  0xce: 'arithmetic differential progressive DCT (SOF14)',
  0xcf: 'arithmetic differential lossless (SOF15)',
};

/** Decodes one JPEG lossless (SOF3) stream into pixel-interleaved samples. */
export function decodeLosslessJpeg(data: Uint8Array, expected: LosslessExpected): Uint8Array | Uint16Array {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) throw corrupt('no start-of-image marker');
  const tables: Array<HuffmanTable | undefined> = [];
  let frame: Frame | undefined;
  let out: Uint8Array | Uint16Array | undefined;
  let restartInterval = 0;
  let at = 2;
  const end = data.length;
  for (;;) {
    // Find the next marker: fill bytes (0xFF) may precede it; anything else between segments is skipped.
    while (at < end && data[at] !== 0xff) at++;
    while (at < end && data[at] === 0xff) at++;
    if (at >= end) break;
    const marker = data[at]!;
    at++;
    if (marker === 0xd9) break; // EOI
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    if (at + 2 > end) throw truncatedFrame('JPEG lossless', 'the stream ends inside a marker segment');
    const length = (data[at]! << 8) | data[at + 1]!;
    const segmentEnd = at + length;
    if (length < 2) throw corrupt(`marker segment FF${hex(marker)} has a length under 2`);
    if (segmentEnd > end) {
      throw truncatedFrame('JPEG lossless', `marker segment FF${hex(marker)} runs past the end of the stream`);
    }
    const body = at + 2;
    switch (marker) {
      case 0xc3:
        if (frame) throw corrupt('a second frame header');
        frame = readFrame(data, body, segmentEnd, expected);
        out = expected.allocate
          ? expected.allocate(frame.width * frame.height * frame.components.length)
          : expected.bytesPerSample === 1
            ? new Uint8Array(frame.width * frame.height * frame.components.length)
            : new Uint16Array(frame.width * frame.height * frame.components.length);
        break;
      case 0xc4:
        readHuffmanTables(data, body, segmentEnd, tables);
        break;
      case 0xdd:
        if (length < 4) throw corrupt('short DRI segment');
        restartInterval = (data[body]! << 8) | data[body + 1]!;
        break;
      case 0xda:
        if (!frame || !out) throw corrupt('scan before the frame header');
        at = decodeScan(data, body, segmentEnd, frame, tables, restartInterval, out);
        continue;
      case 0xdc:
        throw unsupported('DNL (number of lines after the first scan) is not supported');
      case 0xcc:
        throw unsupported('arithmetic coding (DAC) is not supported');
      case 0xde:
      case 0xdf:
        throw unsupported('hierarchical JPEG (DHP/EXP) is not supported');
      default: {
        const name = SOF_NAMES[marker];
        if (name) throw unsupported(`${name} is not JPEG lossless process 14; only SOF3 is decoded here`);
      }
    }
    at = segmentEnd;
  }
  if (!frame || !out) throw corrupt('no SOF3 frame header');
  for (const c of frame.components) {
    if (!c.done) throw truncatedFrame('JPEG lossless', `the stream ends before the scan of component ${c.id}`);
  }
  return out;
}

function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}

function readFrame(data: Uint8Array, at: number, end: number, expected: LosslessExpected): Frame {
  if (at + 6 > end) throw corrupt('short frame header');
  const precision = data[at]!;
  const height = (data[at + 1]! << 8) | data[at + 2]!;
  const width = (data[at + 3]! << 8) | data[at + 4]!;
  const count = data[at + 5]!;
  if (precision < 2 || precision > 16) throw corrupt(`precision ${precision} (T.81 allows 2–16)`);
  if (height === 0) throw unsupported('frame height 0 (DNL) is not supported');
  if (width === 0) throw corrupt('frame width 0');
  if (count < 1 || count > 4) throw unsupported(`${count} components (1–4 are supported)`);
  if (at + 6 + count * 3 > end) throw corrupt('short frame header');
  if (width !== expected.width || height !== expected.height || count !== expected.components) {
    throw new DicomError(
      'SIZE_MISMATCH',
      `JPEG lossless: frame header says ${width}×${height}×${count}, expected ${expected.width}×${expected.height}×${expected.components}`,
    );
  }
  const components: FrameComponent[] = [];
  for (let i = 0; i < count; i++) {
    const p = at + 6 + i * 3;
    const id = data[p]!;
    const h = data[p + 1]! >> 4;
    const v = data[p + 1]! & 15;
    if (h < 1 || h > 4 || v < 1 || v > 4) throw corrupt(`component ${id} has sampling factors ${h}×${v}`);
    if (count > 1 && (h !== 1 || v !== 1)) {
      throw unsupported(`component ${id} has sampling factors ${h}×${v}; only 1×1 is supported`);
    }
    if (components.some((c) => c.id === id)) throw corrupt(`component ${id} is declared twice`);
    components.push({ id, h, v, done: false });
  }
  return { precision, width, height, components };
}

function readHuffmanTables(data: Uint8Array, at: number, end: number, tables: Array<HuffmanTable | undefined>): void {
  while (at < end) {
    if (at + 17 > end) throw corrupt('short Huffman table');
    const tableClass = data[at]! >> 4;
    const id = data[at]! & 15;
    if (tableClass > 1 || id > 3) throw corrupt(`Huffman table class ${tableClass} id ${id}`);
    const counts = data.subarray(at + 1, at + 17);
    let total = 0;
    for (let i = 0; i < 16; i++) total += counts[i]!;
    if (at + 17 + total > end) throw corrupt('Huffman table runs past its segment');
    const symbols = data.slice(at + 17, at + 17 + total);
    // Lossless scans use the DC (class 0) tables; AC tables are parsed and ignored.
    if (tableClass === 0) tables[id] = buildTable(counts, symbols);
    at += 17 + total;
  }
}

/** Canonical Huffman codes (T.81 Annex C): the codes of each length are consecutive integers. */
function buildTable(counts: Uint8Array, symbols: Uint8Array): HuffmanTable {
  const fast = new Int32Array(1 << LOOKAHEAD);
  const maxCode = new Int32Array(18).fill(-1);
  const offset = new Int32Array(18);
  let code = 0;
  let index = 0;
  for (let length = 1; length <= 16; length++) {
    const n = counts[length - 1]!;
    offset[length] = index - code;
    for (let k = 0; k < n; k++) {
      if (length <= LOOKAHEAD) {
        const shift = LOOKAHEAD - length;
        const first = code << shift;
        const entry = (length << 8) | symbols[index]!;
        for (let j = 0; j < 1 << shift; j++) fast[first + j] = entry;
      }
      code++;
      index++;
    }
    if (n > 0) maxCode[length] = code - 1;
    if (code > 1 << length) throw corrupt('Huffman table has more codes than fit their lengths');
    code <<= 1;
  }
  return { fast, maxCode, offset, symbols };
}

/**
 * The entropy-coded segment reader: `buffer` holds `count` unread bits at its low end (older bits
 * above them are garbage). Past a marker or the end of the data it feeds zero bytes and counts them
 * in `padding`, so a scan that reads into them is known to be truncated.
 */
interface BitReader {
  data: Uint8Array;
  pos: number;
  end: number;
  buffer: number;
  count: number;
  padding: number;
}

/** The next byte of entropy-coded data after a 0xFF, or 0 (padding) at a marker or the end. */
function slowByte(r: BitReader): number {
  const { data, end } = r;
  while (r.pos < end) {
    const b = data[r.pos]!;
    if (b !== 0xff) {
      r.pos++;
      return b;
    }
    if (r.pos + 1 >= end) break;
    const next = data[r.pos + 1]!;
    if (next === 0) {
      r.pos += 2; // stuffed 0xFF
      return 0xff;
    }
    if (next !== 0xff) break; // a marker: stop before it
    r.pos++; // fill byte before a marker
  }
  r.padding++;
  return 0;
}

/**
 * Decodes `n` differences into `diffs` (MCU order: component c of MCU m at m × tablesPerMcu + c)
 * using tables[c % tablesPerMcu].
 */
function decodeDiffs(r: BitReader, diffs: Int32Array, n: number, mcuTables: HuffmanTable[]): void {
  const data = r.data;
  const end = r.end;
  let pos = r.pos;
  let buffer = r.buffer;
  let count = r.count;
  const perMcu = mcuTables.length;
  let c = 0;
  let table = mcuTables[0]!;
  let fast = table.fast;
  for (let i = 0; i < n; i++) {
    if (perMcu > 1) {
      table = mcuTables[c]!;
      fast = table.fast;
      if (++c === perMcu) c = 0;
    }
    if (count < 16) {
      while (count <= 24) {
        let b: number;
        if (pos < end && (b = data[pos]!) !== 0xff) pos++;
        else {
          r.pos = pos;
          b = slowByte(r);
          pos = r.pos;
        }
        buffer = (buffer << 8) | b;
        count += 8;
      }
    }
    const entry = fast[(buffer >>> (count - LOOKAHEAD)) & ((1 << LOOKAHEAD) - 1)]!;
    let s: number;
    if (entry !== 0) {
      count -= entry >> 8;
      s = entry & 0xff;
    } else {
      const code16 = (buffer >>> (count - 16)) & 0xffff;
      let length = LOOKAHEAD + 1;
      let code = code16 >>> (16 - length);
      while (length <= 16 && code > table.maxCode[length]!) {
        length++;
        code = code16 >>> (16 - length);
      }
      if (length > 16) throw badData(r, 'invalid Huffman code');
      count -= length;
      s = table.symbols[table.offset[length]! + code]!;
    }
    let diff = 0;
    if (s !== 0) {
      if (s > 15) {
        if (s !== 16) throw badData(r, `difference category ${s} (at most 16)`);
        diff = 32768; // T.81 H.1.2.2: category 16 has no extra bits
      } else {
        if (count < s) {
          // The same refill as above, deliberately written out again: a shared helper or a single
          // refill point (looping back for the extra bits) measured 10–15% slower.
          while (count <= 24) {
            let b: number;
            if (pos < end && (b = data[pos]!) !== 0xff) pos++;
            else {
              r.pos = pos;
              b = slowByte(r);
              pos = r.pos;
            }
            buffer = (buffer << 8) | b;
            count += 8;
          }
        }
        const bits = (buffer >>> (count - s)) & ((1 << s) - 1);
        count -= s;
        // F.2.2.1 EXTEND: a leading 0 bit means a negative difference.
        diff = bits < 1 << (s - 1) ? bits - (1 << s) + 1 : bits;
      }
    }
    diffs[i] = diff;
  }
  r.pos = pos;
  r.buffer = buffer;
  r.count = count;
}

function decodeScan(
  data: Uint8Array,
  at: number,
  headerEnd: number,
  frame: Frame,
  tables: Array<HuffmanTable | undefined>,
  restartInterval: number,
  out: Uint8Array | Uint16Array,
): number {
  const ns = data[at]!;
  if (ns < 1 || ns > 4 || at + 1 + ns * 2 + 3 > headerEnd) throw corrupt('bad scan header');
  const offsets: number[] = [];
  const scanTables: HuffmanTable[] = [];
  for (let i = 0; i < ns; i++) {
    const id = data[at + 1 + i * 2]!;
    const td = data[at + 2 + i * 2]! >> 4;
    const index = frame.components.findIndex((c) => c.id === id);
    if (index < 0) throw corrupt(`scan names component ${id}, which the frame does not have`);
    const component = frame.components[index]!;
    if (component.done || offsets.includes(index)) throw corrupt(`component ${id} is in two scans`);
    const table = tables[td];
    if (!table) throw corrupt(`scan uses Huffman table ${td}, which is not defined`);
    offsets.push(index);
    scanTables.push(table);
  }
  const p = at + 1 + ns * 2;
  const predictor = data[p]!;
  const pointTransform = data[p + 2]! & 15;
  if (predictor < 1 || predictor > 7) throw corrupt(`predictor selection value ${predictor} (1–7)`);
  if (pointTransform >= frame.precision) {
    throw corrupt(`point transform ${pointTransform} with precision ${frame.precision}`);
  }
  const { width, height, precision } = frame;
  const nf = frame.components.length;
  if (restartInterval > 0 && restartInterval % width !== 0) {
    throw unsupported(
      `restart interval ${restartInterval} is not a whole number of lines of ${width} (T.81 H.1.1 requires it)`,
    );
  }
  const linesPerRestart = restartInterval > 0 ? restartInterval / width : 0;
  const initial = 1 << (precision - pointTransform - 1);
  const reader: BitReader = { data, pos: headerEnd, end: data.length, buffer: 0, count: 0, padding: 0 };
  const diffs = new Int32Array(width * ns);
  let nextRestart = 0;
  for (let y = 0, linesLeft = linesPerRestart; y < height; y++) {
    let firstLine = y === 0;
    if (linesPerRestart > 0) {
      if (linesLeft === 0) {
        restart(reader, nextRestart);
        nextRestart = (nextRestart + 1) & 7;
        linesLeft = linesPerRestart;
        firstLine = true;
      }
      linesLeft--;
    }
    decodeDiffs(reader, diffs, width * ns, scanTables);
    const row = y * width * nf;
    for (let i = 0; i < ns; i++) {
      const start = row + offsets[i]!;
      undifference(out, start, nf, diffs, i, ns, width, firstLine ? 0 : predictor, width * nf, initial);
    }
  }
  if (reader.padding * 8 > reader.count) throw shortScan(reader, 'before the last line');
  if (pointTransform > 0) {
    // H.1.2.3: samples were coded at precision P − Pt; the output is scaled back up.
    for (const index of offsets) {
      for (let k = index; k < out.length; k += nf) out[k] = out[k]! << pointTransform;
    }
  }
  for (const index of offsets) frame.components[index]!.done = true;
  return reader.pos;
}

/** Bad entropy-coded data: TRUNCATED when the reader had already run past the end of the stream (zeros fed there). */
function badData(r: BitReader, message: string): DicomError {
  return r.padding > 0 && r.pos + 1 >= r.end ? shortScan(r, 'before the last line') : corrupt(message);
}

/** A scan that read into the zeros fed past its data: TRUNCATED when the stream itself ended, else a marker cut it. */
function shortScan(r: BitReader, where: string): DicomError {
  if (r.pos + 1 >= r.end) return truncatedFrame('JPEG lossless', `the stream ends ${where}`);
  return corrupt(`the scan data ends at a marker ${where}`);
}

/** Byte-aligns the reader and consumes the expected RSTn marker (and fill bytes before it). */
function restart(r: BitReader, n: number): void {
  if (r.padding * 8 > r.count) throw shortScan(r, 'inside a restart interval');
  const { data, end } = r;
  let pos = r.pos;
  while (pos < end && data[pos] === 0xff && pos + 1 < end && data[pos + 1] === 0xff) pos++;
  if (pos + 1 >= end) throw truncatedFrame('JPEG lossless', `the stream ends before restart marker RST${n}`);
  if (data[pos] !== 0xff || data[pos + 1] !== 0xd0 + n) {
    throw corrupt(`restart marker RST${n} missing`);
  }
  r.pos = pos + 2;
  r.buffer = 0;
  r.count = 0;
  r.padding = 0;
}

/**
 * One line of one component: predictor 1–7 (T.81 Table H.1) with Rb for the first sample, all modulo
 * the array's width; predictor 0 here means the first line of the image or of a restart interval,
 * 2^(P−Pt−1) (`initial`) for the first sample, then Ra (H.1.2.1).
 */
function undifference(
  out: Uint8Array | Uint16Array,
  start: number,
  step: number,
  diffs: Int32Array,
  d: number,
  dStep: number,
  width: number,
  predictor: number,
  stride: number,
  initial: number,
): void {
  out[start] = (predictor === 0 ? initial : out[start - stride]!) + diffs[d]!;
  const last = start + (width - 1) * step;
  let j = d + dStep;
  switch (predictor) {
    case 0:
    case 1:
      for (let k = start + step; k <= last; k += step, j += dStep) out[k] = out[k - step]! + diffs[j]!;
      break;
    case 2:
      for (let k = start + step; k <= last; k += step, j += dStep) out[k] = out[k - stride]! + diffs[j]!;
      break;
    case 3:
      for (let k = start + step; k <= last; k += step, j += dStep) {
        out[k] = out[k - stride - step]! + diffs[j]!;
      }
      break;
    case 4:
      for (let k = start + step; k <= last; k += step, j += dStep) {
        out[k] = out[k - step]! + out[k - stride]! - out[k - stride - step]! + diffs[j]!;
      }
      break;
    case 5:
      for (let k = start + step; k <= last; k += step, j += dStep) {
        out[k] = out[k - step]! + ((out[k - stride]! - out[k - stride - step]!) >> 1) + diffs[j]!;
      }
      break;
    case 6:
      for (let k = start + step; k <= last; k += step, j += dStep) {
        out[k] = out[k - stride]! + ((out[k - step]! - out[k - stride - step]!) >> 1) + diffs[j]!;
      }
      break;
    default:
      for (let k = start + step; k <= last; k += step, j += dStep) {
        out[k] = ((out[k - step]! + out[k - stride]!) >> 1) + diffs[j]!;
      }
  }
}
