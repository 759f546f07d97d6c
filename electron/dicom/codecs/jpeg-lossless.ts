/**
 * JPEG lossless, process 14 (SOF3, any predictor incl. SV1), via RadSift's own TypeScript decoder
 * (jpeg-lossless-decode.ts, written from ITU-T T.81 Annex H).
 */
import { toDicomError } from '../errors.js';
import { decodeLosslessJpeg } from './jpeg-lossless-decode.js';
import type { CodecOutput, FrameContext } from './types.js';

/** Samples are sign-blind bit patterns: Uint8Array when precision and Bits Allocated are ≤ 8, else Uint16Array. */
export function decodeJpegLossless(
  frame: Uint8Array,
  precision: number,
  { module, output }: FrameContext,
): CodecOutput {
  const bytesPerSample = precision > 8 || module.bitsAllocated > 8 ? 2 : 1;
  let pixels: Uint8Array | Uint16Array;
  try {
    pixels = decodeLosslessJpeg(frame, {
      width: module.columns,
      height: module.rows,
      components: module.samplesPerPixel,
      bytesPerSample,
      ...(output ? { allocate: (n: number) => (bytesPerSample === 1 ? output.uint8(n) : output.uint16(n)) } : {}),
    });
  } catch (thrown) {
    throw toDicomError(thrown, 'CORRUPT_PIXEL_DATA', 'JPEG lossless');
  }
  return { pixels, photometric: module.photometric, lossy: false };
}
