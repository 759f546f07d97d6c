/**
 * The engine's front door: open DICOM bytes, decode a frame to stored values,
 * and derive modality values and the display image from them. Every failure
 * is a DicomError.
 */
import { codecFor } from './codecs/registry.js';
import type { PixelArray } from '../util/typed-arrays.js';
import { DatasetReader } from './dataset.js';
import { renderDisplay, type DisplayImage, type DisplayOptions } from './display.js';
import { DicomError, toDicomError } from './errors.js';
import { readFrame } from './frames.js';
import { toModalityValues } from './modality.js';
import { parseDicom, type ParseOptions, type ParsedDicom } from './parse.js';
import { DEFAULT_LIMITS, readPixelModule, type PixelModule, type SizeLimits } from './pixel-module.js';
import { readPresentation, type Presentation } from './presentation.js';
import { toStoredValues } from './stored-values.js';
import type { Scratch } from '../util/scratch.js';

export interface OpenOptions extends ParseOptions {
  limits?: SizeLimits;
}

export interface DicomFile {
  parsed: ParsedDicom;
  reader: DatasetReader;
  transferSyntaxUID: string;
}

export interface DecodedFrame {
  index: number;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  /** Photometric interpretation of `stored` (RGB when the codec converted YBR). */
  photometric: string;
  /** rows × columns × samples stored values (colour interleaved), typed by Bits Allocated / Pixel Representation. */
  stored: PixelArray;
  lossy: boolean;
}

export function openDicom(bytes: Uint8Array, options: OpenOptions = {}): DicomFile {
  const parsed = parseDicom(bytes, options);
  return {
    parsed,
    reader: new DatasetReader(parsed.dataSet, parsed.textDecoder),
    transferSyntaxUID: parsed.transferSyntaxUID,
  };
}

export function pixelModule(file: DicomFile, limits: SizeLimits = DEFAULT_LIMITS): PixelModule {
  return readPixelModule(file.reader, limits);
}

/** scratch: reusable memory for the samples, only where the frame will not outlive the caller's job and the
 * file's bytes stay unchanged until then (native samples may then be a view of them). */
export async function decodeFrame(
  file: DicomFile,
  index = 0,
  limits: SizeLimits = DEFAULT_LIMITS,
  scratch?: Scratch,
): Promise<DecodedFrame> {
  const module = readPixelModule(file.reader, limits);
  const source = { reader: file.reader, module, transferSyntaxUID: file.transferSyntaxUID };
  const bytes = readFrame(source, index);
  const codec = await codecFor(file.transferSyntaxUID);
  let output;
  try {
    output = codec.decode(bytes, { module, transferSyntaxUID: file.transferSyntaxUID, output: scratch });
  } catch (thrown) {
    throw toDicomError(thrown, 'CORRUPT_PIXEL_DATA', `${codec.name} decode of frame ${index} failed`);
  }
  const expected = module.rows * module.columns * module.samplesPerPixel;
  if (output.pixels.length !== expected) {
    throw new DicomError(
      'SIZE_MISMATCH',
      `${codec.name} decoded ${output.pixels.length} samples for frame ${index}, expected ${expected} (${module.rows}×${module.columns}×${module.samplesPerPixel})`,
    );
  }
  return {
    index,
    rows: module.rows,
    columns: module.columns,
    samplesPerPixel: module.samplesPerPixel,
    bitsAllocated: module.bitsAllocated,
    bitsStored: module.bitsStored,
    photometric: output.photometric,
    stored: toStoredValues(output, module),
    lossy: output.lossy,
  };
}

export function presentationOf(file: DicomFile, frameIndex = 0): Presentation {
  return readPresentation(file.reader, readPixelModule(file.reader), frameIndex);
}

export function modalityValues(file: DicomFile, frame: DecodedFrame): Float32Array {
  return toModalityValues(frame.stored, presentationOf(file, frame.index));
}

/** into: reusable memory for the 8-bit image, only where it will not outlive the caller's job. */
export function displayImage(
  file: DicomFile,
  frame: DecodedFrame,
  options: DisplayOptions = {},
  into?: Scratch,
): DisplayImage {
  return renderDisplay(frame, presentationOf(file, frame.index), options, into);
}
