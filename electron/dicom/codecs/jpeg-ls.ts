/**
 * JPEG-LS lossless and near-lossless via CharLS (WASM). CharLS returns
 * interleave-mode-0 colour images plane by plane; they are re-interleaved.
 * JPEG-LS has no sign: signed data comes back as its two's-complement bit
 * pattern and the pixel pipeline sign-extends it.
 */
import { DicomError } from '../errors.js';
import { interleavePlanes } from './native.js';
import type { CodecOutput, FrameContext } from './types.js';
import { feed, loadEmscriptenModule, takeDecoded, type WasmDecoder } from './wasm.js';

interface CharLsDecoder extends WasmDecoder {
  getInterleaveMode(): number;
  getNearLossless(): number;
}

interface CharLsModule {
  JpegLSDecoder: new () => CharLsDecoder;
}

let decoder: CharLsDecoder | undefined;

export async function loadJpegLs(): Promise<void> {
  if (decoder) return;
  const module = await loadEmscriptenModule<CharLsModule>('@cornerstonejs/codec-charls/decodewasmjs');
  decoder ??= new module.JpegLSDecoder();
}

export function decodeJpegLs(frame: Uint8Array, { module, output }: FrameContext): CodecOutput {
  if (!decoder) throw new Error('JPEG-LS decoder used before loadJpegLs()');
  feed(decoder, frame);
  try {
    decoder.decode();
  } catch (thrown) {
    throw new DicomError('CORRUPT_PIXEL_DATA', `JPEG-LS: CharLS could not decode the frame (${String(thrown)})`);
  }
  const info = decoder.getFrameInfo();
  let pixels = takeDecoded(decoder, { ...info, isSigned: false }, output);
  if (info.componentCount === 3 && decoder.getInterleaveMode() === 0) {
    pixels = interleavePlanes(pixels, info.width * info.height);
  }
  return { pixels, photometric: module.photometric, lossy: decoder.getNearLossless() > 0 };
}
