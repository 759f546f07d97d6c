/**
 * JPEG-LS lossless and near-lossless via CharLS (WASM). CharLS returns
 * interleave-mode-0 colour images plane by plane; they are re-interleaved.
 * JPEG-LS has no sign: signed data comes back as its two's-complement bit
 * pattern and the pixel pipeline sign-extends it.
 * CharLS rejects a bad stream with a C++ exception that leaves its WASM
 * stack unwound: after ~270 of them the instance trapped ("memory access out
 * of bounds") on every frame, good ones included, for the rest of the
 * thread. So a failed decode drops the instance; the next load makes a new one.
 */
import { DicomError } from '../errors.js';
import { interleavePlanes } from './native.js';
import { endsWithEoi, truncatedFrame } from './stream-end.js';
import type { CodecOutput, FrameContext } from './types.js';
import { feed, forgetEmscriptenModule, loadEmscriptenModule, takeDecoded, type WasmDecoder } from './wasm.js';

interface CharLsDecoder extends WasmDecoder {
  getInterleaveMode(): number;
  getNearLossless(): number;
}

interface CharLsModule {
  JpegLSDecoder: new () => CharLsDecoder;
}

const CHARLS = '@cornerstonejs/codec-charls/decodewasmjs';
let decoder: CharLsDecoder | undefined;

export async function loadJpegLs(): Promise<void> {
  if (decoder) return;
  const module = await loadEmscriptenModule<CharLsModule>(CHARLS);
  decoder ??= new module.JpegLSDecoder();
}

export function decodeJpegLs(frame: Uint8Array, { module, output }: FrameContext): CodecOutput {
  if (!decoder) throw new Error('JPEG-LS decoder used before loadJpegLs()');
  feed(decoder, frame);
  try {
    decoder.decode();
  } catch (thrown) {
    decoder = undefined;
    forgetEmscriptenModule(CHARLS);
    if (!endsWithEoi(frame)) throw truncatedFrame('JPEG-LS', 'the stream ends without its end-of-image marker');
    throw new DicomError('CORRUPT_PIXEL_DATA', `JPEG-LS: CharLS could not decode the frame (${String(thrown)})`);
  }
  const info = decoder.getFrameInfo();
  let pixels = takeDecoded(decoder, { ...info, isSigned: false }, output);
  if (info.componentCount === 3 && decoder.getInterleaveMode() === 0) {
    pixels = interleavePlanes(pixels, info.width * info.height);
  }
  return { pixels, photometric: module.photometric, lossy: decoder.getNearLossless() > 0 };
}
