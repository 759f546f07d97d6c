/**
 * Frame extraction: the bytes of frame N, before any codec. Native data is
 * sliced (1-bit frames are re-aligned, big-endian samples swapped);
 * encapsulated data is split into frames by the Extended Offset Table, the
 * Basic Offset Table, one fragment per frame, or a scan for frame-start
 * markers, in that order.
 */
import type { DatasetReader } from './dataset.js';
import type { Element, Fragment } from './dicom-parser.js';
import { DicomError } from './errors.js';
import { type PixelModule, nativeFrameBits } from './pixel-module.js';
import { TS, transferSyntaxInfo } from './transfer-syntax.js';

export interface FrameSource {
  reader: DatasetReader;
  module: PixelModule;
  transferSyntaxUID: string;
}

export function isEncapsulated(transferSyntaxUID: string): boolean {
  return transferSyntaxInfo(transferSyntaxUID)?.encapsulated ?? false;
}

export function pixelDataElement(source: FrameSource): Element {
  const element = source.reader.dataSet.elements[source.module.pixelDataTag];
  if (!element) throw new DicomError('NO_PIXEL_DATA', 'the file has no Pixel Data element');
  return element;
}

export function readFrame(source: FrameSource, index: number): Uint8Array {
  const { module } = source;
  if (!Number.isInteger(index) || index < 0 || index >= module.numberOfFrames) {
    throw new DicomError('FRAME_OUT_OF_RANGE', `frame ${index} does not exist (${module.numberOfFrames} frames)`);
  }
  const element = pixelDataElement(source);
  if (element.encapsulatedPixelData || isEncapsulated(source.transferSyntaxUID)) {
    if (!element.fragments) {
      throw new DicomError('CORRUPT_PIXEL_DATA', 'the transfer syntax is encapsulated but Pixel Data is not');
    }
    return readEncapsulatedFrame(source, element, index);
  }
  return readNativeFrame(source, element, index);
}

/**
 * How many of the declared frames Pixel Data holds whole, for native data: frames are concatenated, so a value that
 * is too short holds the first ones. Encapsulated data: the frames its fragments can be grouped into.
 */
export function readableFrames(source: FrameSource): number {
  const element = pixelDataElement(source);
  if (element.encapsulatedPixelData || isEncapsulated(source.transferSyntaxUID)) {
    if (!element.fragments) return 0;
    const bytes = source.reader.dataSet.byteArray as Uint8Array;
    try {
      return groupFragments(source, element, element.fragments, bytes).length;
    } catch {
      return 0;
    }
  }
  return Math.min(
    source.module.numberOfFrames,
    Math.floor((nativeBytes(source, element) * 8) / nativeFrameBits(source.module)),
  );
}

function nativeBytes(source: FrameSource, element: Element): number {
  const bytes = source.reader.dataSet.byteArray as Uint8Array;
  return Math.max(0, Math.min(element.length, bytes.length - element.dataOffset));
}

/** Frame `index` is declared but its data is not there: the frames before it stay readable. */
function missingFrame(source: FrameSource, index: number, held: number, why: string): DicomError {
  const frames = source.module.numberOfFrames;
  return new DicomError(
    'FRAME_MISSING',
    `frame ${index} is missing: ${why}, so ${held} of the ${frames} frames declared are readable`,
  );
}

function readNativeFrame(source: FrameSource, element: Element, index: number): Uint8Array {
  const { module } = source;
  const bytes = source.reader.dataSet.byteArray as Uint8Array;
  const frameBits = nativeFrameBits(module);
  const available = nativeBytes(source, element);
  const bitStart = index * frameBits;
  if (bitStart + frameBits > available * 8) {
    // Each frame that is there is read; only those past the end of the value fail (dcmtk and pydicom refuse the file).
    const held = Math.floor((available * 8) / frameBits);
    throw missingFrame(
      source,
      index,
      held,
      `Pixel Data holds ${available} bytes, ${module.numberOfFrames} frame(s) of ${module.rows}×${module.columns} need ${Math.ceil((frameBits * module.numberOfFrames) / 8)}`,
    );
  }
  const big = source.transferSyntaxUID === TS.explicitBig;
  if (big && module.bitsAllocated <= 8 && element.vr === 'OW') {
    // OW in big endian is stored with each word swapped, words counted from the element's start: 1- and 8-bit
    // samples are the little endian stream once the words around the frame are swapped back (a frame of 1-bit
    // samples need not start or end on a word, nor on a byte).
    const first = Math.floor(bitStart / 16) * 2;
    const last = Math.min(Math.ceil((bitStart + frameBits) / 16) * 2, available);
    const words = swapBytes(bytes.subarray(element.dataOffset + first, element.dataOffset + last), 2);
    const from = bitStart - first * 8;
    return frameBits % 8 ? extractBits(words, from, frameBits) : words.slice(from / 8, from / 8 + frameBits / 8);
  }
  if (frameBits % 8 !== 0) return extractBits(bytes, element.dataOffset * 8 + bitStart, frameBits);
  const start = element.dataOffset + bitStart / 8;
  const frame = bytes.subarray(start, start + frameBits / 8);
  return big && module.bitsAllocated > 8 ? swapBytes(frame, module.bitsAllocated / 8) : frame;
}

/** Copies `bitCount` bits starting at `bitOffset` into a fresh, byte-aligned buffer (DICOM packs bits LSB first). */
function extractBits(bytes: Uint8Array, bitOffset: number, bitCount: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(bitCount / 8));
  for (let i = 0; i < bitCount; i++) {
    const bit = bitOffset + i;
    if ((bytes[bit >> 3]! >> (bit & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
  }
  return out;
}

function swapBytes(frame: Uint8Array, unit: number): Uint8Array {
  const out = new Uint8Array(frame.length);
  for (let i = 0; i + unit <= frame.length; i += unit) {
    for (let k = 0; k < unit; k++) out[i + k] = frame[i + unit - 1 - k]!;
  }
  return out;
}

function readEncapsulatedFrame(source: FrameSource, element: Element, index: number): Uint8Array {
  const fragments = element.fragments!;
  const bytes = source.reader.dataSet.byteArray as Uint8Array;
  for (const f of fragments) {
    if (f.position < 0 || f.length < 0 || f.position + f.length > bytes.length) {
      throw new DicomError('TRUNCATED', 'a pixel data fragment runs past the end of the file');
    }
  }
  const groups = groupFragments(source, element, fragments, bytes);
  const group = groups[index];
  if (!group) {
    throw missingFrame(
      source,
      index,
      groups.length,
      `Pixel Data has ${fragments.length} fragment(s) holding ${groups.length} frame(s)`,
    );
  }
  if (group.length === 0) throw new DicomError('CORRUPT_PIXEL_DATA', `no fragments for frame ${index}`);
  if (group.length === 1) return bytes.subarray(group[0]!.position, group[0]!.position + group[0]!.length);
  const total = group.reduce((sum, f) => sum + f.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const f of group) {
    out.set(bytes.subarray(f.position, f.position + f.length), at);
    at += f.length;
  }
  return out;
}

/**
 * Splits the fragment list into one list per frame. Fewer lists than frames when fragments are missing: the frames
 * found (by the offset tables, else by their start markers) are taken to be the first ones, and the rest are missing.
 */
function groupFragments(source: FrameSource, element: Element, fragments: Fragment[], bytes: Uint8Array): Fragment[][] {
  const frames = source.module.numberOfFrames;
  // An inconsistent offset table is ignored rather than trusted: the fallbacks below still find the frames.
  const extended = readExtendedOffsets(source.reader);
  const fromExtended = extended && byOffsets(fragments, extended, frames);
  if (fromExtended) return fromExtended;
  const fromBasic = byOffsets(fragments, element.basicOffsetTable ?? [], frames);
  if (fromBasic) return fromBasic;
  if (fragments.length === frames) return fragments.map((f) => [f]);
  if (frames === 1) return fragments.length ? [fragments] : [];
  return byStartMarkers(fragments, bytes, frames, source.transferSyntaxUID);
}

function readExtendedOffsets(reader: DatasetReader): number[] | undefined {
  const table = reader.bytes('x7fe00001');
  if (!table || table.length === 0 || table.length % 8 !== 0) return undefined;
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const offsets: number[] = [];
  for (let i = 0; i < table.length; i += 8) offsets.push(Number(view.getBigUint64(i, true)));
  return offsets;
}

/** Groups fragments by frame start offsets; undefined when the table does not fit the fragments. */
function byOffsets(fragments: Fragment[], offsets: number[], frames: number): Fragment[][] | undefined {
  if (offsets.length !== frames || offsets[0] !== 0) return undefined;
  for (let i = 1; i < offsets.length; i++) if (offsets[i]! <= offsets[i - 1]!) return undefined;
  const starts = new Set(fragments.map((f) => f.offset));
  if (!offsets.every((o) => starts.has(o))) return undefined;
  const groups: Fragment[][] = offsets.map(() => []);
  let frame = 0;
  for (const fragment of fragments) {
    while (frame + 1 < offsets.length && fragment.offset >= offsets[frame + 1]!) frame++;
    groups[frame]!.push(fragment);
  }
  return groups;
}

/** Without an offset table, a frame starts at each fragment that begins with the codec's start-of-image marker. */
function byStartMarkers(fragments: Fragment[], bytes: Uint8Array, frames: number, uid: string): Fragment[][] {
  const startsFrame = frameStartTest(uid);
  const groups: Fragment[][] = [];
  for (const fragment of fragments) {
    const head = bytes.subarray(fragment.position, fragment.position + Math.min(fragment.length, 64));
    if (groups.length === 0 || (groups.length < frames && startsFrame(head))) groups.push([]);
    groups[groups.length - 1]!.push(fragment);
  }
  if (groups.length > frames || (groups.length < frames && fragments.length >= frames && groups.length <= 1)) {
    throw new DicomError(
      'CORRUPT_PIXEL_DATA',
      `found ${groups.length} frame start(s) in ${fragments.length} fragments, the header says ${frames} frames`,
    );
  }
  return groups;
}

function frameStartTest(uid: string): (head: Uint8Array) => boolean {
  if (uid === TS.rle) return isRleHeader;
  if (uid === TS.jpeg2000 || uid === TS.jpeg2000Lossless || uid.startsWith('1.2.840.10008.1.2.4.20')) {
    return (h) => (h[0] === 0xff && h[1] === 0x4f && h[2] === 0xff && h[3] === 0x51) || isJp2Signature(h);
  }
  // JPEG family (incl. JPEG-LS): SOI followed by another marker.
  return (h) => h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff;
}

function isJp2Signature(h: Uint8Array): boolean {
  return h.length >= 12 && h[3] === 0x0c && h[4] === 0x6a && h[5] === 0x50 && h[6] === 0x20 && h[7] === 0x20;
}

/** RLE header: 1–15 segments, the first one starting right after the 64-byte header. */
function isRleHeader(h: Uint8Array): boolean {
  if (h.length < 64) return false;
  const view = new DataView(h.buffer, h.byteOffset, h.byteLength);
  const segments = view.getUint32(0, true);
  return segments >= 1 && segments <= 15 && view.getUint32(4, true) === 64;
}
