/**
 * JPEG lossless, process 14 (any predictor, incl. SV1), via
 * @cornerstonejs/jpeg-lossless-decoder-js (pure JS, one decoder per thread).
 */
import { DicomError, describeThrown } from '../errors.js';
import type { CodecOutput, FrameContext } from './types.js';
import { requireCommonJs } from './wasm.js';

interface LosslessDecoder {
  decode(buffer: ArrayBuffer, offset: number, length: number, numBytes: number): Uint8Array | Uint16Array;
}

let decoder: LosslessDecoder | undefined;

export function decodeJpegLossless(frame: Uint8Array, precision: number, { module }: FrameContext): CodecOutput {
  if (!decoder) {
    const { Decoder } = requireCommonJs<{ Decoder: new () => LosslessDecoder }>(
      '@cornerstonejs/jpeg-lossless-decoder-js',
    );
    decoder = new Decoder();
  }
  const bytesPerSample = precision > 8 || module.bitsAllocated > 8 ? 2 : 1;
  let decoded: Uint8Array | Uint16Array;
  try {
    decoded = decoder.decode(frame.buffer as ArrayBuffer, frame.byteOffset, frame.length, bytesPerSample);
  } catch (thrown) {
    throw new DicomError('CORRUPT_PIXEL_DATA', `JPEG lossless: ${describeThrown(thrown)}`, { cause: thrown });
  }
  // The decoder may return a view over a larger buffer; keep exactly one frame.
  const pixels = decoded.slice(0, module.rows * module.columns * module.samplesPerPixel);
  return { pixels, photometric: module.photometric, lossy: false };
}
