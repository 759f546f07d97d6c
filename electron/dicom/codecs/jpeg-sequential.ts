/**
 * Sequential Huffman DCT JPEG (SOF0/SOF1) of any precision, in TypeScript.
 * It exists for 12-bit JPEG (DICOM .51), which the libjpeg-turbo WASM build
 * cannot decode. Float IDCT with rounding: within ±1 of libjpeg's integer
 * IDCT. Progressive and arithmetic-coded streams are not handled here.
 */
import { DicomError } from '../errors.js';

interface Component {
  id: number;
  h: number;
  v: number;
  quantTable: number;
  blocksPerLine: number;
  blocksPerColumn: number;
  /** 64 dequantised coefficients per block, natural order. */
  coefficients: Float32Array;
  dcTable?: HuffmanTable;
  acTable?: HuffmanTable;
  prediction: number;
}

interface Frame {
  precision: number;
  width: number;
  height: number;
  components: Component[];
  hMax: number;
  vMax: number;
  mcusPerLine: number;
  mcusPerColumn: number;
}

interface HuffmanTable {
  /** Largest code of each length (index 1…16), −1 when none. */
  maxCode: Int32Array;
  /** Index into `values` of the first code of each length, minus that code. */
  offset: Int32Array;
  values: Uint8Array;
}

const ZIGZAG = Uint8Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47,
  55, 62, 63,
]);

/** cos((2x+1)uπ/16) · C(u) / 2, indexed [x * 8 + u]. */
const IDCT_BASIS = (() => {
  const table = new Float64Array(64);
  for (let x = 0; x < 8; x++) {
    for (let u = 0; u < 8; u++) {
      table[x * 8 + u] = ((u === 0 ? Math.SQRT1_2 : 1) * Math.cos(((2 * x + 1) * u * Math.PI) / 16)) / 2;
    }
  }
  return table;
})();

function corrupt(message: string): DicomError {
  return new DicomError('CORRUPT_PIXEL_DATA', `JPEG: ${message}`);
}

export interface SequentialJpegImage {
  width: number;
  height: number;
  precision: number;
  /** Component samples, pixel-interleaved, each at full resolution. */
  samples: Uint16Array;
  components: number;
  adobeTransform?: number;
}

/** `expected`: the size the DICOM header declares; any frame header disagreeing with it is refused before allocating. */
export function decodeSequentialJpeg(
  data: Uint8Array,
  expected: { width: number; height: number },
): SequentialJpegImage {
  const quantTables: Array<Uint16Array | undefined> = [];
  const dcTables: Array<HuffmanTable | undefined> = [];
  const acTables: Array<HuffmanTable | undefined> = [];
  let frame: Frame | undefined;
  let restartInterval = 0;
  let adobeTransform: number | undefined;
  let at = 2;
  const u16 = (p: number) => {
    if (p + 2 > data.length) throw corrupt('stream ends inside a marker segment');
    return (data[p]! << 8) | data[p + 1]!;
  };
  if (data[0] !== 0xff || data[1] !== 0xd8) throw corrupt('no start-of-image marker');
  for (;;) {
    if (at + 2 > data.length) break;
    if (data[at] !== 0xff) throw corrupt(`expected a marker at byte ${at}`);
    const marker = data[at + 1]!;
    at += 2;
    if (marker === 0xff) {
      at -= 1;
      continue;
    }
    if (marker === 0xd9) break;
    if (marker >= 0xd0 && marker <= 0xd7) continue;
    const length = u16(at);
    const end = at + length;
    if (length < 2 || end > data.length) throw corrupt('a marker segment runs past the end');
    const body = at + 2;
    switch (marker) {
      case 0xdb:
        readQuantTables(data, body, end, quantTables);
        break;
      case 0xc4:
        readHuffmanTables(data, body, end, dcTables, acTables);
        break;
      case 0xdd:
        restartInterval = u16(body);
        break;
      case 0xee:
        if (String.fromCharCode(...data.subarray(body, body + 5)) === 'Adobe') adobeTransform = data[body + 11];
        break;
      case 0xc0:
      case 0xc1:
        frame = readFrameHeader(data, body);
        if (frame.width !== expected.width || frame.height !== expected.height) {
          throw new DicomError('SIZE_MISMATCH', `JPEG: frame header says ${frame.width}×${frame.height}`);
        }
        break;
      case 0xda: {
        if (!frame) throw corrupt('scan before frame header');
        const scan = readScanHeader(data, body, frame, dcTables, acTables);
        at = decodeScan(data, end, frame, scan, restartInterval);
        continue;
      }
      default:
        if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xcc) {
          throw new DicomError(
            'UNSUPPORTED_IMAGE',
            `JPEG process with marker FF${marker.toString(16)} is not supported`,
          );
        }
    }
    at = end;
  }
  if (!frame) throw corrupt('no frame header');
  return {
    width: frame.width,
    height: frame.height,
    precision: frame.precision,
    samples: reconstruct(frame, quantTables),
    components: frame.components.length,
    adobeTransform,
  };
}

function readQuantTables(data: Uint8Array, at: number, end: number, tables: Array<Uint16Array | undefined>): void {
  while (at < end) {
    const precision = data[at]! >> 4;
    const id = data[at]! & 15;
    at++;
    const table = new Uint16Array(64);
    for (let k = 0; k < 64; k++) {
      table[k] = precision ? (data[at]! << 8) | data[at + 1]! : data[at]!;
      at += precision ? 2 : 1;
    }
    if (at > end || id > 3) throw corrupt('bad quantisation table');
    tables[id] = table; // zigzag order
  }
}

function readHuffmanTables(
  data: Uint8Array,
  at: number,
  end: number,
  dc: Array<HuffmanTable | undefined>,
  ac: Array<HuffmanTable | undefined>,
): void {
  while (at < end) {
    const tableClass = data[at]! >> 4;
    const id = data[at]! & 15;
    const counts = data.subarray(at + 1, at + 17);
    let total = 0;
    for (const c of counts) total += c;
    const values = data.slice(at + 17, at + 17 + total);
    if (at + 17 + total > end || id > 3 || values.length !== total) throw corrupt('bad Huffman table');
    (tableClass === 0 ? dc : ac)[id] = buildHuffman(counts, values);
    at += 17 + total;
  }
}

/** Canonical Huffman code: codes of each length are consecutive integers. */
function buildHuffman(counts: Uint8Array, values: Uint8Array): HuffmanTable {
  const maxCode = new Int32Array(18).fill(-1);
  const offset = new Int32Array(18);
  let code = 0;
  let index = 0;
  for (let length = 1; length <= 16; length++) {
    const n = counts[length - 1]!;
    offset[length] = index - code;
    if (n > 0) {
      code += n;
      index += n;
      maxCode[length] = code - 1;
    }
    code <<= 1;
  }
  return { maxCode, offset, values };
}

function readFrameHeader(data: Uint8Array, at: number): Frame {
  const precision = data[at]!;
  // ITU T.81 allows 8 and 12 bits for DCT processes; some encoders write 16 (non-standard, and
  // decoded differently by each library): refuse rather than return a wrong image.
  if (precision !== 8 && precision !== 12) {
    throw new DicomError('UNSUPPORTED_IMAGE', `JPEG: DCT sample precision ${precision} (only 8 and 12 are standard)`);
  }
  const height = (data[at + 1]! << 8) | data[at + 2]!;
  const width = (data[at + 3]! << 8) | data[at + 4]!;
  const count = data[at + 5]!;
  if (width === 0 || height === 0 || count === 0 || count > 4)
    throw corrupt(`unsupported frame ${width}×${height}×${count}`);
  const components: Component[] = [];
  for (let i = 0; i < count; i++) {
    const p = at + 6 + i * 3;
    const h = data[p + 1]! >> 4;
    const v = data[p + 1]! & 15;
    if (h < 1 || h > 4 || v < 1 || v > 4) throw corrupt('bad sampling factors');
    components.push({
      id: data[p]!,
      h,
      v,
      quantTable: data[p + 2]! & 3,
      blocksPerLine: 0,
      blocksPerColumn: 0,
      coefficients: new Float32Array(0),
      prediction: 0,
    });
  }
  const hMax = Math.max(...components.map((c) => c.h));
  const vMax = Math.max(...components.map((c) => c.v));
  const mcusPerLine = Math.ceil(width / (8 * hMax));
  const mcusPerColumn = Math.ceil(height / (8 * vMax));
  for (const c of components) {
    c.blocksPerLine = mcusPerLine * c.h;
    c.blocksPerColumn = mcusPerColumn * c.v;
    c.coefficients = new Float32Array(c.blocksPerLine * c.blocksPerColumn * 64);
  }
  return { precision, width, height, components, hMax, vMax, mcusPerLine, mcusPerColumn };
}

interface Scan {
  components: Component[];
}

function readScanHeader(
  data: Uint8Array,
  at: number,
  frame: Frame,
  dc: Array<HuffmanTable | undefined>,
  ac: Array<HuffmanTable | undefined>,
): Scan {
  const count = data[at]!;
  const components: Component[] = [];
  for (let i = 0; i < count; i++) {
    const id = data[at + 1 + i * 2]!;
    const tables = data[at + 2 + i * 2]!;
    const component = frame.components.find((c) => c.id === id);
    if (!component) throw corrupt(`scan refers to unknown component ${id}`);
    component.dcTable = dc[tables >> 4];
    component.acTable = ac[tables & 15];
    if (!component.dcTable || !component.acTable) throw corrupt('scan uses an undefined Huffman table');
    components.push(component);
  }
  return { components };
}

/** Entropy-coded bits, with 0xFF00 unstuffed; a marker ends the data (then zeros are read). */
class BitReader {
  private bits = 0;
  private count = 0;
  constructor(
    private readonly data: Uint8Array,
    public position: number,
    private readonly end: number,
  ) {}

  bit(): number {
    if (this.count === 0) {
      this.bits = this.nextByte();
      this.count = 8;
    }
    this.count--;
    return (this.bits >> this.count) & 1;
  }

  receive(length: number): number {
    let value = 0;
    for (let i = 0; i < length; i++) value = (value << 1) | this.bit();
    return value;
  }

  /** A coefficient of `length` bits, sign-extended the JPEG way. */
  receiveExtend(length: number): number {
    if (length === 0) return 0;
    if (length > 16) throw corrupt('coefficient size out of range');
    const value = this.receive(length);
    return value < 1 << (length - 1) ? value - (1 << length) + 1 : value;
  }

  decode(table: HuffmanTable): number {
    let code = 0;
    for (let length = 1; length <= 16; length++) {
      code = (code << 1) | this.bit();
      if (code <= table.maxCode[length]!) {
        const value = table.values[table.offset[length]! + code];
        if (value === undefined) throw corrupt('Huffman code out of range');
        return value;
      }
    }
    throw corrupt('invalid Huffman code');
  }

  /** Skips to just after the next RSTn marker. */
  restart(): void {
    this.count = 0;
    while (this.position + 1 < this.end) {
      if (
        this.data[this.position] === 0xff &&
        this.data[this.position + 1]! >= 0xd0 &&
        this.data[this.position + 1]! <= 0xd7
      ) {
        this.position += 2;
        return;
      }
      this.position++;
    }
  }

  /** Position of the next marker (where the following segment starts). */
  nextMarker(): number {
    let p = this.position;
    while (p + 1 < this.data.length) {
      if (
        this.data[p] === 0xff &&
        this.data[p + 1] !== 0 &&
        !(this.data[p + 1]! >= 0xd0 && this.data[p + 1]! <= 0xd7)
      ) {
        return p;
      }
      p++;
    }
    return this.data.length;
  }

  private nextByte(): number {
    if (this.position >= this.data.length) return 0;
    const byte = this.data[this.position]!;
    if (byte === 0xff) {
      const next = this.data[this.position + 1];
      if (next === 0) {
        this.position += 2;
        return 0xff;
      }
      return 0; // a marker: no more data in this interval
    }
    this.position++;
    return byte;
  }
}

function decodeScan(data: Uint8Array, start: number, frame: Frame, scan: Scan, restartInterval: number): number {
  const reader = new BitReader(data, start, data.length);
  const single = scan.components.length === 1;
  const only = scan.components[0]!;
  // A single-component scan covers that component's own block grid, not whole MCUs.
  const total = single
    ? Math.ceil(Math.ceil((frame.width * only.h) / frame.hMax) / 8) *
      Math.ceil(Math.ceil((frame.height * only.v) / frame.vMax) / 8)
    : frame.mcusPerLine * frame.mcusPerColumn;
  const singleBlocksPerLine = Math.ceil(Math.ceil((frame.width * only.h) / frame.hMax) / 8);
  for (const c of scan.components) c.prediction = 0;
  for (let mcu = 0; mcu < total; mcu++) {
    if (restartInterval && mcu > 0 && mcu % restartInterval === 0) {
      reader.restart();
      for (const c of scan.components) c.prediction = 0;
    }
    if (single) {
      const row = Math.floor(mcu / singleBlocksPerLine);
      const col = mcu % singleBlocksPerLine;
      decodeBlock(reader, only, row * only.blocksPerLine + col);
      continue;
    }
    const mcuRow = Math.floor(mcu / frame.mcusPerLine);
    const mcuCol = mcu % frame.mcusPerLine;
    for (const c of scan.components) {
      for (let v = 0; v < c.v; v++) {
        for (let h = 0; h < c.h; h++) {
          decodeBlock(reader, c, (mcuRow * c.v + v) * c.blocksPerLine + mcuCol * c.h + h);
        }
      }
    }
  }
  return reader.nextMarker();
}

/** Decodes one block's coefficients (still quantised, zigzag order) into the component's store. */
function decodeBlock(reader: BitReader, c: Component, block: number): void {
  const out = c.coefficients;
  const base = block * 64;
  const size = reader.decode(c.dcTable!);
  c.prediction += reader.receiveExtend(size);
  out[base] = c.prediction;
  for (let k = 1; k < 64;) {
    const rs = reader.decode(c.acTable!);
    const run = rs >> 4;
    const s = rs & 15;
    if (s === 0) {
      if (run !== 15) break; // end of block
      k += 16;
      continue;
    }
    k += run;
    if (k > 63) throw corrupt('coefficient index past the end of a block');
    out[base + k] = reader.receiveExtend(s);
    k++;
  }
}

/** Dequantise, inverse DCT, level shift, clamp and upsample every component into interleaved samples. */
function reconstruct(frame: Frame, quantTables: Array<Uint16Array | undefined>): Uint16Array {
  const { width, height, components, precision } = frame;
  const max = 2 ** precision - 1;
  const shift = 2 ** (precision - 1);
  const out = new Uint16Array(width * height * components.length);
  const block = new Float64Array(64);
  const temp = new Float64Array(64);
  components.forEach((c, index) => {
    const q = quantTables[c.quantTable];
    if (!q) throw corrupt('component uses an undefined quantisation table');
    const planeWidth = c.blocksPerLine * 8;
    const plane = new Uint16Array(planeWidth * c.blocksPerColumn * 8);
    for (let b = 0; b < c.blocksPerLine * c.blocksPerColumn; b++) {
      const base = b * 64;
      for (let k = 0; k < 64; k++) block[ZIGZAG[k]!] = c.coefficients[base + k]! * q[k]!;
      inverseDct(block, temp);
      const x0 = (b % c.blocksPerLine) * 8;
      const y0 = Math.floor(b / c.blocksPerLine) * 8;
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) {
          const v = Math.round(block[y * 8 + x]!) + shift;
          plane[(y0 + y) * planeWidth + x0 + x] = v < 0 ? 0 : v > max ? max : v;
        }
      }
    }
    const sx = frame.hMax / c.h;
    const sy = frame.vMax / c.v;
    const n = components.length;
    for (let y = 0; y < height; y++) {
      const row = Math.floor(y / sy) * planeWidth;
      for (let x = 0; x < width; x++) out[(y * width + x) * n + index] = plane[row + Math.floor(x / sx)]!;
    }
  });
  return out;
}

/** Separable 2-D inverse DCT in place (rows, then columns). */
function inverseDct(block: Float64Array, temp: Float64Array): void {
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      let sum = 0;
      for (let u = 0; u < 8; u++) sum += IDCT_BASIS[x * 8 + u]! * block[y * 8 + u]!;
      temp[y * 8 + x] = sum;
    }
  }
  for (let x = 0; x < 8; x++) {
    for (let y = 0; y < 8; y++) {
      let sum = 0;
      for (let v = 0; v < 8; v++) sum += IDCT_BASIS[y * 8 + v]! * temp[v * 8 + x]!;
      block[y * 8 + x] = sum;
    }
  }
}
