/**
 * The Image Pixel module attributes that decide how frame bytes become
 * samples, read once and validated, with the memory caps that stop absurd
 * Rows × Columns × Frames before anything is allocated.
 */
import type { DatasetReader } from './dataset.js';
import { DicomError } from './errors.js';

export type PixelDataTag = 'x7fe00010' | 'x7fe00008' | 'x7fe00009';

export interface PixelModule {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: 0 | 1;
  photometric: string;
  /** 0 colour-by-pixel, 1 colour-by-plane (native and RLE only). */
  planarConfiguration: 0 | 1;
  numberOfFrames: number;
  /** Which pixel data element holds the frames: integer, float or double. */
  pixelDataTag: PixelDataTag;
}

export interface SizeLimits {
  /** Largest decoded frame, in bytes (default 1 GiB). */
  maxFrameBytes: number;
  /** Largest number of frames a file may declare (default 100 000). */
  maxFrames: number;
}

export const DEFAULT_LIMITS: SizeLimits = { maxFrameBytes: 1 << 30, maxFrames: 100_000 };

export function findPixelDataTag(reader: DatasetReader): PixelDataTag | undefined {
  for (const tag of ['x7fe00010', 'x7fe00008', 'x7fe00009'] as const) {
    if (reader.dataSet.elements[tag]) return tag;
  }
  return undefined;
}

export function readPixelModule(reader: DatasetReader, limits: SizeLimits = DEFAULT_LIMITS): PixelModule {
  const pixelDataTag = findPixelDataTag(reader);
  if (!pixelDataTag) throw new DicomError('NO_PIXEL_DATA', 'the file has no Pixel Data element');
  const rows = required(reader.uint16('x00280010'), 'Rows (0028,0010)');
  const columns = required(reader.uint16('x00280011'), 'Columns (0028,0011)');
  const floatBits = pixelDataTag === 'x7fe00008' ? 32 : pixelDataTag === 'x7fe00009' ? 64 : undefined;
  const bitsAllocated = floatBits ?? required(reader.uint16('x00280100'), 'Bits Allocated (0028,0100)');
  const bitsStored = floatBits ?? reader.uint16('x00280101') ?? bitsAllocated;
  const highBit = floatBits ? floatBits - 1 : (reader.uint16('x00280102') ?? bitsStored - 1);
  const samplesPerPixel = reader.uint16('x00280002') ?? 1;
  const pixelRepresentation = reader.uint16('x00280103') === 1 ? 1 : 0;
  const photometric = (reader.string('x00280004') ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2')).toUpperCase();
  const planarConfiguration = reader.uint16('x00280006') === 1 ? 1 : 0;
  const numberOfFrames = declaredFrames(reader) ?? 1;

  const module: PixelModule = {
    rows,
    columns,
    samplesPerPixel,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation,
    photometric,
    planarConfiguration,
    numberOfFrames,
    pixelDataTag,
  };
  validate(module, limits);
  return module;
}

/**
 * Number of Frames (0028,0008) as declared, where 0 is read as 1: some writers put 0 in single-frame images,
 * and dcmtk, GDCM and pydicom show them ("assuming 1"); refusing the file would hide an intact image.
 */
export function declaredFrames(reader: DatasetReader): number | undefined {
  const frames = reader.decimal('x00280008');
  return frames === 0 ? 1 : frames;
}

function required(value: number | undefined, name: string): number {
  if (value === undefined) throw new DicomError('INVALID_ATTRIBUTE', `${name} is missing`);
  return value;
}

function validate(m: PixelModule, limits: SizeLimits): void {
  const bad = (message: string) => new DicomError('INVALID_ATTRIBUTE', message);
  if (m.rows < 1 || m.columns < 1) throw bad(`image size ${m.rows}×${m.columns} is empty`);
  if (![1, 8, 16, 32, 64].includes(m.bitsAllocated)) throw bad(`Bits Allocated ${m.bitsAllocated} is not supported`);
  if (m.bitsStored < 1 || m.bitsStored > m.bitsAllocated) {
    throw bad(`Bits Stored ${m.bitsStored} does not fit Bits Allocated ${m.bitsAllocated}`);
  }
  if (m.highBit < m.bitsStored - 1 || m.highBit >= m.bitsAllocated) {
    throw bad(`High Bit ${m.highBit} is inconsistent with Bits Stored ${m.bitsStored}`);
  }
  if (m.samplesPerPixel !== 1 && m.samplesPerPixel !== 3) {
    throw new DicomError('UNSUPPORTED_IMAGE', `Samples per Pixel ${m.samplesPerPixel} is not supported`);
  }
  if (!Number.isInteger(m.numberOfFrames) || m.numberOfFrames < 1) {
    throw bad(`Number of Frames ${m.numberOfFrames} is not a positive integer`);
  }
  if (m.numberOfFrames > limits.maxFrames) {
    throw new DicomError('TOO_LARGE', `${m.numberOfFrames} frames exceed the limit of ${limits.maxFrames}`);
  }
  const frameBytes = decodedFrameBytes(m);
  if (frameBytes > limits.maxFrameBytes) {
    throw new DicomError(
      'TOO_LARGE',
      `a ${m.rows}×${m.columns}×${m.samplesPerPixel} frame needs ${frameBytes} bytes, over the ${limits.maxFrameBytes}-byte limit`,
    );
  }
}

export function pixelsPerFrame(m: PixelModule): number {
  return m.rows * m.columns;
}

/** Bytes of one decoded frame in its container type (1-bit frames unpack to one byte per pixel). */
export function decodedFrameBytes(m: PixelModule): number {
  return pixelsPerFrame(m) * m.samplesPerPixel * Math.max(1, m.bitsAllocated / 8);
}

/** Bytes of one native (uncompressed) frame as stored, for bit-packed data rounded up. */
export function nativeFrameBits(m: PixelModule): number {
  const samples = isNative422(m) ? pixelsPerFrame(m) * 2 : pixelsPerFrame(m) * m.samplesPerPixel;
  return samples * m.bitsAllocated;
}

/** Native YBR_FULL_422 stores Y1 Y2 Cb Cr: two samples per pixel. */
export function isNative422(m: PixelModule): boolean {
  return m.samplesPerPixel === 3 && (m.photometric === 'YBR_FULL_422' || m.photometric === 'YBR_PARTIAL_422');
}
