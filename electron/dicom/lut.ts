/**
 * Lookup tables as DICOM encodes them: a descriptor (entries, first mapped
 * value, bits per entry) and data, plain or segmented. Used by the Modality
 * LUT, VOI LUT and Palette Color LUT stages.
 */
import type { DatasetReader } from './dataset.js';

export interface Lut {
  /** Input value mapped by entry 0; inputs below/above map to the first/last entry. */
  firstMapped: number;
  bitsPerEntry: number;
  entries: Uint16Array;
}

const MAX_ENTRIES = 65536;

/**
 * Reads a LUT. `signedInput` says whether the first-mapped value is SS (it
 * follows the Pixel Representation of the values the LUT maps).
 */
export function readLut(
  reader: DatasetReader,
  descriptorTag: string,
  dataTag: string,
  signedInput: boolean,
  segmentedDataTag?: string,
): Lut | undefined {
  const declared = reader.uint16(descriptorTag, 0);
  const firstRaw = reader.uint16(descriptorTag, 1);
  const bits = reader.uint16(descriptorTag, 2);
  if (declared === undefined || firstRaw === undefined || bits === undefined) return undefined;
  const count = declared === 0 ? MAX_ENTRIES : declared;
  const firstMapped = signedInput && firstRaw > 0x7fff ? firstRaw - 0x10000 : firstRaw;
  const entries =
    (segmentedDataTag && reader.has(segmentedDataTag)
      ? expandSegmented(words(reader.bytes(segmentedDataTag)!, reader.littleEndian), count)
      : readEntries(reader.bytes(dataTag), count, bits, reader.littleEndian)) ?? undefined;
  if (!entries) return undefined;
  return { firstMapped, bitsPerEntry: bits, entries };
}

/** LUT data as 16-bit words in the dataset's byte order (a big endian file's LUTs are big endian too). */
function words(bytes: Uint8Array, littleEndian: boolean): Uint16Array {
  const out = new Uint16Array(bytes.length >> 1);
  const [low, high] = littleEndian ? [0, 1] : [1, 0];
  for (let i = 0; i < out.length; i++) out[i] = bytes[2 * i + low]! | (bytes[2 * i + high]! << 8);
  return out;
}

/** 8-bit entries may be packed one per byte (an odd count padded to even length) or stored one per 16-bit word. */
function readEntries(
  bytes: Uint8Array | undefined,
  count: number,
  bits: number,
  littleEndian: boolean,
): Uint16Array | undefined {
  if (!bytes) return undefined;
  if (bits <= 8 && bytes.length === count + (count % 2)) return Uint16Array.from(bytes.subarray(0, count));
  const data = words(bytes, littleEndian);
  if (data.length < count) return undefined;
  const entries = data.subarray(0, count);
  if (bits <= 8 && entries.some((v) => v > 0xff)) return entries.map((v) => v >> 8);
  return entries;
}

/** Segmented LUT data (PS3.3 C.7.9.2): discrete, linear and indirect segments. */
export function expandSegmented(data: Uint16Array, count: number): Uint16Array | undefined {
  const out: number[] = [];
  let i = 0;
  while (i + 1 < data.length && out.length < count) {
    const opcode = data[i]!;
    const length = data[i + 1]!;
    i += 2;
    if (opcode === 0) {
      for (let k = 0; k < length && i < data.length; k++) out.push(data[i++]!);
    } else if (opcode === 1) {
      if (i >= data.length || out.length === 0) return undefined;
      const start = out[out.length - 1]!;
      const end = data[i++]!;
      for (let k = 1; k <= length; k++) out.push(Math.round(start + ((end - start) * k) / length));
    } else if (opcode === 2) {
      // Indirect segments reference earlier segments of the same data; rare and unbounded: not supported.
      return undefined;
    } else {
      return undefined;
    }
  }
  if (out.length < count) return undefined;
  return Uint16Array.from(out.slice(0, count));
}

/** Looks up one input value, clamping to the table ends. */
export function applyLut(lut: Lut, value: number): number {
  const index = value - lut.firstMapped;
  const last = lut.entries.length - 1;
  return lut.entries[index <= 0 ? 0 : index >= last ? last : index]!;
}
