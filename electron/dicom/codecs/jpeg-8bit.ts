/**
 * JPEG baseline / extended / progressive with 8-bit precision, via
 * libjpeg-turbo (WASM). libjpeg treats three components without a JFIF or
 * Adobe marker as YCbCr; for RGB data an Adobe "no transform" marker is
 * injected so the samples come out as stored.
 */
import { DicomError } from '../errors.js';
import { withAdobeNoTransform, type JpegHeader } from './jpeg-markers.js';
import { endsWithEoi, truncatedFrame } from './stream-end.js';
import type { CodecOutput, FrameContext } from './types.js';
import { feed, loadEmscriptenModule, takeDecoded, type WasmDecoder } from './wasm.js';

interface LibJpegModule {
  JPEGDecoder: new () => WasmDecoder & { readHeader(): void };
}

let decoder: WasmDecoder | undefined;

export async function loadJpeg8(): Promise<void> {
  if (decoder) return;
  const module = await loadEmscriptenModule<LibJpegModule>('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs');
  decoder ??= new module.JPEGDecoder();
}

export function decodeJpeg8(frame: Uint8Array, header: JpegHeader, { module }: FrameContext): CodecOutput {
  if (!decoder) throw new Error('JPEG 8-bit decoder used before loadJpeg8()');
  const injectAdobe =
    header.components === 3 && module.photometric === 'RGB' && !header.hasJfif && header.adobeTransform === undefined;
  feed(decoder, injectAdobe ? withAdobeNoTransform(frame) : frame);
  try {
    decoder.decode();
  } catch (thrown) {
    // libjpeg-turbo stops at "premature end of data" (a warning it treats as an error): without an EOI the
    // stream was cut short.
    if (!endsWithEoi(frame)) throw truncatedFrame('JPEG', 'the stream ends without its end-of-image marker');
    throw new DicomError('CORRUPT_PIXEL_DATA', `JPEG: libjpeg-turbo could not decode the frame (${String(thrown)})`);
  }
  const info = decoder.getFrameInfo();
  const pixels = takeDecoded(decoder, { ...info, bitsPerSample: 8 });
  // libjpeg converts YCbCr to RGB unless an Adobe marker says the data has no transform.
  const converted = header.components === 3 && (injectAdobe || header.adobeTransform !== 0);
  return {
    pixels,
    photometric: converted ? 'RGB' : module.photometric,
    lossy: true,
  };
}
