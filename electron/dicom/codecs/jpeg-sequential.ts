/**
 * Sequential Huffman DCT JPEG (SOF0/SOF1) of any precision, in TypeScript.
 * It exists for 12-bit JPEG (DICOM .51), which the libjpeg-turbo WASM build
 * cannot decode. The inverse DCT is the IJG "islow" integer algorithm
 * (Loeffler–Ligtenberg–Moschytz with 13-bit constants; 2 extra bits kept
 * between the passes at 8-bit precision, 1 at 12-bit), with libjpeg's
 * dequantisation, rounding and range limiting: the samples equal libjpeg's
 * JDCT_ISLOW decode (dcmtk's IJG 12-bit build, libjpeg-turbo at 8 bits)
 * exactly. Subsampled components are upsampled by replication. Progressive
 * and arithmetic-coded streams are not handled here.
 *
 * Speed: 9-bit lookahead Huffman tables, a 32-bit bit accumulator, each
 * block dequantised and inverse-transformed as soon as it is decoded
 * (shortcuts for all-zero columns and DC-only blocks, exact by construction),
 * written straight into the output; no allocation per block.
 */
import { DicomError } from '../errors.js';
import { truncatedFrame } from './stream-end.js';

interface Component {
  id: number;
  h: number;
  v: number;
  quantTable: number;
  /** Size of the component's own sample grid (before upsampling). */
  width: number;
  height: number;
  blocksPerLine: number;
  blocksPerColumn: number;
  dcTable?: HuffmanTable;
  acTable?: HuffmanTable;
  /** The quantisation table in use (zigzag order), latched when the component's scan starts. */
  quant?: Uint16Array;
  prediction: number;
  /** Where the component's samples go: the interleaved output (full resolution) or its own plane, upsampled at the end. */
  target: Uint16Array;
  targetOffset: number;
  targetStep: number;
  targetStride: number;
  /** The target's size in component samples: blocks are clipped to it. */
  targetWidth: number;
  targetHeight: number;
  plane: boolean;
  scanned: boolean;
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
  /** Codes of up to LOOKAHEAD bits: the next LOOKAHEAD bits index `(length << 8) | symbol`, 0 when the code is longer. */
  lookup: Int32Array;
  /**
   * AC codes and their extra bits together, when both fit in the next LOOKAHEAD bits: the
   * coefficient (value << 16) | (run << 4) | bits used; end of block 0x100 | bits used; 0 otherwise.
   */
  fast: Int32Array;
  /** Largest code of each length (index 1…16), −1 when none. */
  maxCode: Int32Array;
  /** Index into `values` of the first code of each length, minus that code. */
  offset: Int32Array;
  values: Uint8Array;
}

/** Huffman tables by destination id (0–3) of one class, as defined so far. */
type HuffmanSlots = Array<HuffmanTable | undefined>;

const LOOKAHEAD = 9;
/**
 * Dequantised coefficients up to this magnitude keep every intermediate of the column pass below
 * 2^31 (the largest sum of the multipliers' magnitudes along any intermediate is 61214), so the
 * pass can run in int32 arithmetic; larger ones (corrupt or extreme 12-bit data) take the exact path.
 */
const SMALL = 32767;

const ZIGZAG = Uint8Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47,
  55, 62, 63,
]);

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
  const dcTables: HuffmanSlots = [];
  const acTables: HuffmanSlots = [];
  let frame: Frame | undefined;
  let samples: Uint16Array | undefined;
  let restartInterval = 0;
  let adobeTransform: number | undefined;
  let at = 2;
  const u16 = (p: number) => {
    if (p + 2 > data.length) throw truncatedFrame('JPEG', 'the stream ends inside a marker segment');
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
    if (length < 2) throw corrupt('a marker segment with a length under 2');
    if (end > data.length) throw truncatedFrame('JPEG', 'a marker segment runs past the end of the stream');
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
        samples = allocateTargets(frame);
        break;
      case 0xda: {
        if (!frame) throw corrupt('scan before frame header');
        const scan = readScanHeader(data, body, frame, dcTables, acTables, quantTables);
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
  if (!frame || !samples) throw corrupt('no frame header');
  const unscanned = frame.components.find((c) => !c.scanned);
  if (unscanned) {
    // Each component has its scan in a sequential stream; one that never came means the stream stopped early.
    throw truncatedFrame('JPEG', `the stream ends before the scan of component ${unscanned.id}`);
  }
  finish(frame, samples);
  return {
    width: frame.width,
    height: frame.height,
    precision: frame.precision,
    samples,
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

function readHuffmanTables(data: Uint8Array, at: number, end: number, dc: HuffmanSlots, ac: HuffmanSlots): void {
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
  const lookup = new Int32Array(1 << LOOKAHEAD);
  let code = 0;
  let index = 0;
  for (let length = 1; length <= 16; length++) {
    const n = counts[length - 1]!;
    offset[length] = index - code;
    for (let i = 0; i < n; i++, code++, index++) {
      // An over-full table (more codes than the length allows) keeps what fits; such codes never match.
      if (length > LOOKAHEAD || code >= 1 << length) continue;
      const shift = LOOKAHEAD - length;
      lookup.fill((length << 8) | values[index]!, code << shift, (code + 1) << shift);
    }
    if (n > 0) maxCode[length] = code - 1;
    code <<= 1;
  }
  const fast = new Int32Array(1 << LOOKAHEAD);
  for (let bits = 0; bits < 1 << LOOKAHEAD; bits++) {
    const entry = lookup[bits]!;
    if (entry === 0) continue;
    const length = entry >> 8;
    const rs = entry & 0xff;
    const size = rs & 15;
    if (rs === 0) fast[bits] = 0x100 | length;
    else if (size !== 0 && length + size <= LOOKAHEAD) {
      const extra = (bits >> (LOOKAHEAD - length - size)) & ((1 << size) - 1);
      const value = extra < 1 << (size - 1) ? extra - (1 << size) + 1 : extra;
      fast[bits] = (value << 16) | ((rs >> 4) << 4) | (length + size);
    }
  }
  return { lookup, fast, maxCode, offset, values };
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
      width: 0,
      height: 0,
      blocksPerLine: 0,
      blocksPerColumn: 0,
      prediction: 0,
      target: new Uint16Array(0),
      targetOffset: 0,
      targetStep: 1,
      targetStride: 0,
      targetWidth: 0,
      targetHeight: 0,
      plane: false,
      scanned: false,
    });
  }
  const hMax = Math.max(...components.map((c) => c.h));
  const vMax = Math.max(...components.map((c) => c.v));
  const mcusPerLine = Math.ceil(width / (8 * hMax));
  const mcusPerColumn = Math.ceil(height / (8 * vMax));
  for (const c of components) {
    c.width = Math.ceil((width * c.h) / hMax);
    c.height = Math.ceil((height * c.v) / vMax);
    c.blocksPerLine = mcusPerLine * c.h;
    c.blocksPerColumn = mcusPerColumn * c.v;
  }
  return { precision, width, height, components, hMax, vMax, mcusPerLine, mcusPerColumn };
}

/**
 * The interleaved output, and where each component's blocks are written: full-resolution components
 * straight into it, subsampled ones into a plane of whole blocks (upsampled by `finish`).
 */
function allocateTargets(frame: Frame): Uint16Array {
  const { width, height, components } = frame;
  const n = components.length;
  const out = new Uint16Array(width * height * n);
  components.forEach((c, index) => {
    if (c.h === frame.hMax && c.v === frame.vMax) {
      Object.assign(c, {
        target: out,
        targetOffset: index,
        targetStep: n,
        targetStride: width * n,
        targetWidth: width,
        targetHeight: height,
        plane: false,
      });
    } else {
      const planeWidth = c.blocksPerLine * 8;
      const planeHeight = c.blocksPerColumn * 8;
      Object.assign(c, {
        target: new Uint16Array(planeWidth * planeHeight),
        targetOffset: 0,
        targetStep: 1,
        targetStride: planeWidth,
        targetWidth: planeWidth,
        targetHeight: planeHeight,
        plane: true,
      });
    }
  });
  return out;
}

/** Upsamples subsampled components by replication (every component has had its scan: decodeSequentialJpeg). */
function finish(frame: Frame, out: Uint16Array): void {
  const { width, height, components } = frame;
  const n = components.length;
  components.forEach((c, index) => {
    if (!c.plane) return;
    const plane = c.target;
    const sx = frame.hMax / c.h;
    const sy = frame.vMax / c.v;
    for (let y = 0; y < height; y++) {
      const row = Math.floor(y / sy) * c.targetStride;
      for (let x = 0; x < width; x++) out[(y * width + x) * n + index] = plane[row + Math.floor(x / sx)]!;
    }
  });
}

interface Scan {
  components: Component[];
}

function readScanHeader(
  data: Uint8Array,
  at: number,
  frame: Frame,
  dc: HuffmanSlots,
  ac: HuffmanSlots,
  quantTables: Array<Uint16Array | undefined>,
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
    component.quant = quantTables[component.quantTable];
    if (!component.quant) throw corrupt('component uses an undefined quantisation table');
    component.scanned = true;
    components.push(component);
  }
  if (components.length === 0) throw corrupt('scan with no components');
  return { components };
}

/**
 * Entropy-coded bits, with 0xFF00 unstuffed, through a 32-bit accumulator: its low `bits` bits are
 * unread. A marker (or the end of the data) ends the data: zeros are read from there on, as libjpeg does.
 */
class BitReader {
  acc = 0;
  bits = 0;
  /** A marker or the end of the data was reached. */
  stopped = false;
  /** Zero bits fed after that: a scan that reads into them had too little data (libjpeg's "premature end"). */
  padded = 0;
  /** The reader stopped at the end of the data, not at a marker: the stream was cut short. */
  atEnd = false;
  constructor(
    private readonly data: Uint8Array,
    public position: number,
  ) {}

  /** Tops the accumulator up to at least 25 bits. */
  fill(): void {
    const data = this.data;
    let { acc, bits, position } = this;
    while (bits <= 24) {
      let byte = 0;
      if (!this.stopped) {
        if (position < data.length) {
          byte = data[position]!;
          if (byte !== 0xff) position++;
          else if (data[position + 1] === 0) position += 2;
          else {
            byte = 0;
            this.stopped = true;
            this.atEnd = position + 1 >= data.length; // a lone 0xFF last: cut, not a marker
          }
        } else {
          this.stopped = true;
          this.atEnd = true;
        }
      }
      if (this.stopped) this.padded += 8;
      acc = (acc << 8) | byte;
      bits += 8;
    }
    this.acc = acc;
    this.bits = bits;
    this.position = position;
  }

  decode(table: HuffmanTable): number {
    if (this.bits < 16) this.fill();
    const bits = this.bits;
    const entry = table.lookup[(this.acc >>> (bits - LOOKAHEAD)) & ((1 << LOOKAHEAD) - 1)]!;
    if (entry !== 0) {
      this.bits = bits - (entry >> 8);
      return entry & 0xff;
    }
    for (let length = LOOKAHEAD + 1; length <= 16; length++) {
      const code = (this.acc >>> (bits - length)) & ((1 << length) - 1);
      if (code <= table.maxCode[length]!) {
        const value = table.values[table.offset[length]! + code];
        if (value === undefined) throw this.failure('Huffman code out of range');
        this.bits = bits - length;
        return value;
      }
    }
    throw this.failure('invalid Huffman code');
  }

  /** Whether the bits read so far ran into the zeros fed past a marker or the end of the data. */
  ranShort(): boolean {
    return this.padded > this.bits;
  }

  /** The error for bad data: TRUNCATED when the reader had run past the end of the data, whatever it met there. */
  failure(message: string): DicomError {
    return this.atEnd ? truncatedFrame('JPEG', 'the entropy-coded data stops before the last block') : corrupt(message);
  }

  /** Throws when the segment just decoded needed more data than it had. */
  checkComplete(): void {
    if (!this.ranShort()) return;
    throw this.atEnd
      ? truncatedFrame('JPEG', 'the entropy-coded data stops before the last block')
      : corrupt('the scan data ends at a marker before its last block');
  }

  /** A coefficient of `length` (1…16) bits, sign-extended the JPEG way. */
  receiveExtend(length: number): number {
    if (this.bits < length) this.fill();
    const bits = this.bits - length;
    this.bits = bits;
    const value = (this.acc >>> bits) & ((1 << length) - 1);
    return value < 1 << (length - 1) ? value - (1 << length) + 1 : value;
  }

  /** Drops the buffered bits and skips to just after the next RSTn marker (to the end if there is none). */
  restart(): void {
    this.checkComplete();
    this.acc = 0;
    this.bits = 0;
    this.stopped = false;
    this.padded = 0;
    const data = this.data;
    let p = this.position;
    while (p + 1 < data.length) {
      if (data[p] === 0xff && data[p + 1]! >= 0xd0 && data[p + 1]! <= 0xd7) {
        this.position = p + 2;
        return;
      }
      p++;
    }
    this.position = data.length;
  }

  /** Position of the next marker (where the following segment starts). */
  nextMarker(): number {
    const data = this.data;
    let p = this.position;
    while (p + 1 < data.length) {
      if (data[p] === 0xff && data[p + 1] !== 0 && !(data[p + 1]! >= 0xd0 && data[p + 1]! <= 0xd7)) return p;
      p++;
    }
    return data.length;
  }
}

function decodeScan(data: Uint8Array, start: number, frame: Frame, scan: Scan, restartInterval: number): number {
  const reader = new BitReader(data, start);
  const idct = new InverseDct(frame.precision);
  const single = scan.components.length === 1;
  const only = scan.components[0]!;
  // A single-component scan covers that component's own block grid, not whole MCUs.
  const singleBlocksPerLine = Math.ceil(only.width / 8);
  const total = single ? singleBlocksPerLine * Math.ceil(only.height / 8) : frame.mcusPerLine * frame.mcusPerColumn;
  for (const c of scan.components) c.prediction = 0;
  let row = 0;
  let col = 0;
  for (let mcu = 0; mcu < total; mcu++) {
    if (restartInterval && mcu > 0 && mcu % restartInterval === 0) {
      reader.restart();
      for (const c of scan.components) c.prediction = 0;
    }
    if (single) {
      idct.block(reader, only, row, col);
      if (++col === singleBlocksPerLine) {
        col = 0;
        row++;
      }
      continue;
    }
    for (const c of scan.components) {
      for (let v = 0; v < c.v; v++) {
        for (let h = 0; h < c.h; h++) idct.block(reader, c, row * c.v + v, col * c.h + h);
      }
    }
    if (++col === frame.mcusPerLine) {
      col = 0;
      row++;
    }
  }
  reader.checkComplete();
  return reader.nextMarker();
}

// IJG islow constants: FIX(x) = round(x · 2^13).
const CONST_BITS = 13;
const fix = (x: number) => Math.round(x * (1 << CONST_BITS));
const F_0_298631336 = fix(0.298631336);
const F_0_390180644 = fix(0.390180644);
const F_0_541196100 = fix(0.5411961);
const F_0_765366865 = fix(0.765366865);
const F_0_899976223 = fix(0.899976223);
const F_1_175875602 = fix(1.175875602);
const F_1_501321110 = fix(1.50132111);
const F_1_847759065 = fix(1.847759065);
const F_1_961570560 = fix(1.96157056);
const F_2_053119869 = fix(2.053119869);
const F_2_562915447 = fix(2.562915447);
const F_3_072711026 = fix(3.072711026);

/**
 * Decodes one block's coefficients, dequantises them into natural order and inverse-transforms
 * them into the component's target. The arithmetic is libjpeg's jpeg_idct_islow with 64-bit
 * intermediates (as dcmtk's 12-bit build on LP64): the column pass is exact in doubles (its
 * products reach 2^48) and keeps, like libjpeg, the low 32 bits of each descaled result; the row
 * pass only needs the low 32 bits of its sums (its result is bits CONST_BITS+PASS1_BITS+3 upwards,
 * masked to RANGE_MASK), so it runs in wrapping int32 arithmetic.
 */
class InverseDct {
  /** Dequantised coefficients of the current block, natural order; all zero between blocks. */
  private readonly coefficients = new Int32Array(64);
  /** Natural-order positions of the current block's non-zero AC coefficients. */
  private readonly written = new Uint8Array(64);
  private readonly workspace = new Int32Array(64);
  private readonly row = new Int32Array(8);
  private readonly pass1Bits: number;
  /** libjpeg's post-IDCT range limit: index (x & rangeMask) → clamp(x + center) for |x| < 2·2^P, wrapping beyond. */
  private readonly range: Uint16Array;
  private readonly rangeMask: number;

  constructor(precision: number) {
    this.pass1Bits = precision === 8 ? 2 : 1;
    const levels = 1 << precision;
    const center = levels >> 1;
    this.rangeMask = 4 * levels - 1;
    this.range = new Uint16Array(4 * levels);
    for (let i = 0; i < 4 * levels; i++) {
      const x = i < 2 * levels ? i : i - 4 * levels; // the index as a signed offset
      const v = x + center;
      this.range[i] = v < 0 ? 0 : v > levels - 1 ? levels - 1 : v;
    }
  }

  block(reader: BitReader, c: Component, blockRow: number, blockCol: number): void {
    const coefficients = this.coefficients;
    const written = this.written;
    const q = c.quant!;
    // DC: libjpeg keeps the predictor as an int and stores the coefficient as a 16-bit JCOEF.
    const size = reader.decode(c.dcTable!);
    let diff = 0;
    if (size !== 0) {
      if (size > 16) throw reader.failure('coefficient size out of range');
      diff = reader.receiveExtend(size);
    }
    const dc = (c.prediction + diff) | 0;
    c.prediction = dc;
    const dcq = Math.imul((dc << 16) >> 16, q[0]!);
    coefficients[0] = dcq;
    // An upper bound of the dequantised magnitudes (|v| ≤ big + 1), for the column pass's int32 path.
    let big = dcq ^ (dcq >> 31);
    let count = 0;
    const acTable = c.acTable!;
    const fast = acTable.fast;
    for (let k = 1; k < 64;) {
      if (reader.bits < 16) reader.fill();
      const entry = fast[(reader.acc >>> (reader.bits - LOOKAHEAD)) & ((1 << LOOKAHEAD) - 1)]!;
      let coefficient: number;
      if (entry !== 0) {
        reader.bits -= entry & 15;
        if (entry & 0x100) break; // end of block
        k += (entry >> 4) & 15;
        coefficient = entry >> 16;
      } else {
        const rs = reader.decode(acTable);
        const s = rs & 15;
        if (s === 0) {
          if (rs !== 0xf0) break; // end of block
          k += 16;
          continue;
        }
        k += rs >> 4;
        coefficient = reader.receiveExtend(s);
      }
      if (k > 63) throw reader.failure('coefficient index past the end of a block');
      const z = ZIGZAG[k]!;
      const value = Math.imul(coefficient, q[k]!);
      big |= value ^ (value >> 31);
      coefficients[z] = value;
      written[count++] = z;
      k++;
    }
    const x0 = blockCol * 8;
    const y0 = blockRow * 8;
    const cols = Math.min(8, c.targetWidth - x0);
    const rows = Math.min(8, c.targetHeight - y0);
    if (cols > 0 && rows > 0) {
      const offset = c.targetOffset + y0 * c.targetStride + x0 * c.targetStep;
      this.transform(count, big < SMALL, c.target, offset, c.targetStep, c.targetStride, cols, rows);
    }
    for (let i = 0; i < count; i++) coefficients[written[i]!] = 0;
  }

  private transform(
    count: number,
    small: boolean,
    out: Uint16Array,
    offset: number,
    step: number,
    stride: number,
    cols: number,
    rows: number,
  ): void {
    const d = this.coefficients;
    const range = this.range;
    const mask = this.rangeMask;
    const p1 = this.pass1Bits;
    const shift2 = CONST_BITS + p1 + 3;
    if (count === 0) {
      // DC only: what both passes' zero-AC shortcuts give (libjpeg takes them too: exact).
      const value = range[((((d[0]! << p1) | 0) + (1 << (p1 + 2))) >> (p1 + 3)) & mask]!;
      if (cols === 8 && step === 1) {
        for (let y = 0, at = offset; y < rows; y++, at += stride) {
          out[at] = value;
          out[at + 1] = value;
          out[at + 2] = value;
          out[at + 3] = value;
          out[at + 4] = value;
          out[at + 5] = value;
          out[at + 6] = value;
          out[at + 7] = value;
        }
        return;
      }
      for (let y = 0; y < rows; y++) {
        const at = offset + y * stride;
        for (let x = 0; x < cols; x++) out[at + x * step] = value;
      }
      return;
    }
    // Columns with a non-zero coefficient below row 0 need the full column pass; the others are
    // their row-0 value scaled (libjpeg's shortcut, exact); rows need the full pass only if some
    // column other than 0 has a coefficient.
    let deep = 0;
    let wide = 0;
    for (let i = 0; i < count; i++) {
      const z = this.written[i]!;
      if (z >= 8) deep |= 1 << (z & 7);
      wide |= z & 7;
    }
    const ws = this.workspace;
    this.columns(deep, small);
    const r2 = 1 << (shift2 - 1);
    const line = this.row;
    for (let y = 0; y < rows; y++) {
      const w = y * 8;
      const at = offset + y * stride;
      if (wide === 0) {
        const value = range[(((ws[w]! + (1 << (p1 + 2))) | 0) >> (p1 + 3)) & mask]!;
        for (let x = 0; x < cols; x++) out[at + x * step] = value;
        continue;
      }
      let z2 = ws[w + 2]!;
      let z3 = ws[w + 6]!;
      let z1 = Math.imul(z2 + z3, F_0_541196100);
      const e2 = (z1 - Math.imul(z3, F_1_847759065)) | 0;
      const e3 = (z1 + Math.imul(z2, F_0_765366865)) | 0;
      z2 = ws[w]!;
      z3 = ws[w + 4]!;
      const e0 = (z2 + z3) << CONST_BITS;
      const e1 = (z2 - z3) << CONST_BITS;
      const t10 = (e0 + e3 + r2) | 0;
      const t13 = (e0 - e3 + r2) | 0;
      const t11 = (e1 + e2 + r2) | 0;
      const t12 = (e1 - e2 + r2) | 0;
      const o0 = ws[w + 7]!;
      const o1 = ws[w + 5]!;
      const o2 = ws[w + 3]!;
      const o3 = ws[w + 1]!;
      z1 = Math.imul(o0 + o3, -F_0_899976223);
      z2 = Math.imul(o1 + o2, -F_2_562915447);
      const z5 = Math.imul(o0 + o1 + o2 + o3, F_1_175875602);
      z3 = (Math.imul(o0 + o2, -F_1_961570560) + z5) | 0;
      const z4 = (Math.imul(o1 + o3, -F_0_390180644) + z5) | 0;
      const t0 = (Math.imul(o0, F_0_298631336) + z1 + z3) | 0;
      const t1 = (Math.imul(o1, F_2_053119869) + z2 + z4) | 0;
      const t2 = (Math.imul(o2, F_3_072711026) + z2 + z3) | 0;
      const t3 = (Math.imul(o3, F_1_501321110) + z1 + z4) | 0;
      if (cols === 8) {
        out[at] = range[((t10 + t3) >> shift2) & mask]!;
        out[at + 7 * step] = range[((t10 - t3) >> shift2) & mask]!;
        out[at + step] = range[((t11 + t2) >> shift2) & mask]!;
        out[at + 6 * step] = range[((t11 - t2) >> shift2) & mask]!;
        out[at + 2 * step] = range[((t12 + t1) >> shift2) & mask]!;
        out[at + 5 * step] = range[((t12 - t1) >> shift2) & mask]!;
        out[at + 3 * step] = range[((t13 + t0) >> shift2) & mask]!;
        out[at + 4 * step] = range[((t13 - t0) >> shift2) & mask]!;
        continue;
      }
      line[0] = range[((t10 + t3) >> shift2) & mask]!;
      line[7] = range[((t10 - t3) >> shift2) & mask]!;
      line[1] = range[((t11 + t2) >> shift2) & mask]!;
      line[6] = range[((t11 - t2) >> shift2) & mask]!;
      line[2] = range[((t12 + t1) >> shift2) & mask]!;
      line[5] = range[((t12 - t1) >> shift2) & mask]!;
      line[3] = range[((t13 + t0) >> shift2) & mask]!;
      line[4] = range[((t13 - t0) >> shift2) & mask]!;
      for (let x = 0; x < cols; x++) out[at + x * step] = line[x]!;
    }
  }

  /**
   * Column pass. With `small` (every |coefficient| ≤ SMALL) no intermediate reaches 2^31 (L1 bound
   * 61214 · SMALL + 2^12), so int32 arithmetic is exact; otherwise products reach 2^48 and the pass runs
   * in exact (double) arithmetic, each result keeping its low 32 bits like libjpeg's (int) cast.
   */
  private columns(deep: number, small: boolean): void {
    const d = this.coefficients;
    const ws = this.workspace;
    const p1 = this.pass1Bits;
    const shift1 = CONST_BITS - p1;
    const r1 = 1 << (shift1 - 1);
    const s1 = 1 / (1 << shift1);
    for (let col = 0; col < 8; col++) {
      if ((deep & (1 << col)) === 0) {
        const dcval = (d[col]! << p1) | 0;
        for (let r = col; r < 64; r += 8) ws[r] = dcval;
        continue;
      }
      // Even part: rows 0, 2, 4, 6; odd part: rows 7, 5, 3, 1.
      const i0 = d[col]!;
      const i2 = d[16 + col]!;
      const i4 = d[32 + col]!;
      const i6 = d[48 + col]!;
      const o0 = d[56 + col]!;
      const o1 = d[40 + col]!;
      const o2 = d[24 + col]!;
      const o3 = d[8 + col]!;
      if (small) {
        const z1 = Math.imul(i2 + i6, F_0_541196100);
        const e2 = z1 - Math.imul(i6, F_1_847759065);
        const e3 = z1 + Math.imul(i2, F_0_765366865);
        const e0 = (i0 + i4) << CONST_BITS;
        const e1 = (i0 - i4) << CONST_BITS;
        const a1 = Math.imul(o0 + o3, -F_0_899976223);
        const a2 = Math.imul(o1 + o2, -F_2_562915447);
        const z5 = Math.imul(o0 + o1 + o2 + o3, F_1_175875602);
        const a3 = Math.imul(o0 + o2, -F_1_961570560) + z5;
        const a4 = Math.imul(o1 + o3, -F_0_390180644) + z5;
        const t0 = Math.imul(o0, F_0_298631336) + a1 + a3;
        const t1 = Math.imul(o1, F_2_053119869) + a2 + a4;
        const t2 = Math.imul(o2, F_3_072711026) + a2 + a3;
        const t3 = Math.imul(o3, F_1_501321110) + a1 + a4;
        ws[col] = (e0 + e3 + t3 + r1) >> shift1;
        ws[56 + col] = (e0 + e3 - t3 + r1) >> shift1;
        ws[8 + col] = (e1 + e2 + t2 + r1) >> shift1;
        ws[48 + col] = (e1 + e2 - t2 + r1) >> shift1;
        ws[16 + col] = (e1 - e2 + t1 + r1) >> shift1;
        ws[40 + col] = (e1 - e2 - t1 + r1) >> shift1;
        ws[24 + col] = (e0 - e3 + t0 + r1) >> shift1;
        ws[32 + col] = (e0 - e3 - t0 + r1) >> shift1;
        continue;
      }
      let z1 = (i2 + i6) * F_0_541196100;
      const e2 = z1 - i6 * F_1_847759065;
      const e3 = z1 + i2 * F_0_765366865;
      const e0 = (i0 + i4) * 8192;
      const e1 = (i0 - i4) * 8192;
      const t10 = e0 + e3;
      const t13 = e0 - e3;
      const t11 = e1 + e2;
      const t12 = e1 - e2;
      z1 = o0 + o3;
      let z2 = o1 + o2;
      let z3 = o0 + o2;
      let z4 = o1 + o3;
      const z5 = (z3 + z4) * F_1_175875602;
      z1 *= -F_0_899976223;
      z2 *= -F_2_562915447;
      z3 = z3 * -F_1_961570560 + z5;
      z4 = z4 * -F_0_390180644 + z5;
      const t0 = o0 * F_0_298631336 + z1 + z3;
      const t1 = o1 * F_2_053119869 + z2 + z4;
      const t2 = o2 * F_3_072711026 + z2 + z3;
      const t3 = o3 * F_1_501321110 + z1 + z4;
      ws[col] = Math.floor((t10 + t3 + r1) * s1);
      ws[56 + col] = Math.floor((t10 - t3 + r1) * s1);
      ws[8 + col] = Math.floor((t11 + t2 + r1) * s1);
      ws[48 + col] = Math.floor((t11 - t2 + r1) * s1);
      ws[16 + col] = Math.floor((t12 + t1 + r1) * s1);
      ws[40 + col] = Math.floor((t12 - t1 + r1) * s1);
      ws[24 + col] = Math.floor((t13 + t0 + r1) * s1);
      ws[32 + col] = Math.floor((t13 - t0 + r1) * s1);
    }
  }
}
