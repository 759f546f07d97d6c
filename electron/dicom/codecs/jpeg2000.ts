/**
 * JPEG 2000 (.90/.91) via OpenJPEG (WASM) and HTJ2K (.201–.203) via OpenJPH.
 * OpenJPEG never throws on a corrupt stream and a reused decoder hands back
 * the previous image, so every frame gets a fresh decoder that is deleted
 * afterwards; the pipeline then checks the decoded size against the header.
 * Colour transforms (RCT/ICT) are undone by the decoder: output is RGB.
 */
import { DicomError } from '../errors.js';
import { j2kTileDataEnd, j2kTruncation, truncatedFrame } from './stream-end.js';
import type { CodecOutput, FrameContext } from './types.js';
import { feed, loadEmscriptenModule, takeDecoded, type WasmDecoder } from './wasm.js';

interface J2kDecoder extends WasmDecoder {
  getIsReversible(): boolean;
  delete(): void;
}

interface HtDecoder extends J2kDecoder {
  getIsHeaderValid?(): boolean;
}

let openjpeg: { J2KDecoder: new () => J2kDecoder } | undefined;
let openjph: { HTJ2KDecoder: new () => HtDecoder } | undefined;

/**
 * OpenJPEG's own error lines ("Stream too short, expected SOT") from the frame being decoded: it reports a stream
 * it cannot decode by printing them and handing back an empty (0×0) image, never by throwing.
 */
const openjpegErrors: string[] = [];

export async function loadJpeg2000(): Promise<void> {
  openjpeg ??= await loadEmscriptenModule('@cornerstonejs/codec-openjpeg/decodewasmjs', (line) => {
    const error = /^\[ERROR\]\s*(.*)$/.exec(line.trim());
    if (error?.[1] && openjpegErrors.length < 8) openjpegErrors.push(error[1].replace(/\.$/, ''));
  });
}

export async function loadHtj2k(): Promise<void> {
  openjph ??= await loadEmscriptenModule('@cornerstonejs/codec-openjph/wasmjs');
}

export function decodeJpeg2000(frame: Uint8Array, context: FrameContext): CodecOutput {
  if (!openjpeg) throw new Error('JPEG 2000 decoder used before loadJpeg2000()');
  return decodeWith(new openjpeg.J2KDecoder(), frame, context, 'JPEG 2000');
}

export function decodeHtj2k(frame: Uint8Array, context: FrameContext): CodecOutput {
  if (!openjph) throw new Error('HTJ2K decoder used before loadHtj2k()');
  return decodeWith(new openjph.HTJ2KDecoder(), frame, context, 'HTJ2K');
}

/** JPEG 2000 (lossy-capable) syntaxes: a reversible wavelet does not make them lossless — the rate may be truncated. */
const LOSSY_CAPABLE = new Set(['1.2.840.10008.1.2.4.91', '1.2.840.10008.1.2.4.203']);

function decodeWith(
  decoder: J2kDecoder,
  frame: Uint8Array,
  { module, transferSyntaxUID, output }: FrameContext,
  name: string,
): CodecOutput {
  try {
    // OpenJPH decodes a cut codestream without a word (the missing code-blocks come out wrong), and OpenJPEG
    // fails with an empty image: the tile-part lengths say whether the frame is whole, before decoding.
    const cut = j2kTruncation(frame);
    if (cut) throw truncatedFrame(name, cut);
    // Every tile-part whole, then no EOC (or stray bytes where it should be): the tile data with its EOC.
    const tileDataEnd = j2kTileDataEnd(frame);
    if (tileDataEnd === undefined) feed(decoder, frame);
    else {
      const whole = decoder.getEncodedBuffer(tileDataEnd + 2);
      whole.set(frame.subarray(0, tileDataEnd));
      whole.set([0xff, 0xd9], tileDataEnd);
    }
    openjpegErrors.length = 0;
    try {
      decoder.decode();
    } catch (thrown) {
      throw new DicomError('CORRUPT_PIXEL_DATA', `${name}: the decoder rejected the frame (${String(thrown)})`);
    }
    const info = decoder.getFrameInfo();
    if (info.width === 0 || info.componentCount === 0) {
      // No image at all: OpenJPEG failed (it does not throw). Say why, not a 0×0×0 size mismatch.
      const why = openjpegErrors.length ? openjpegErrors.join('; ') : 'no image came back';
      throw new DicomError('CORRUPT_PIXEL_DATA', `${name}: the codestream could not be decoded (${why})`);
    }
    if (
      info.width !== module.columns ||
      info.height !== module.rows ||
      info.componentCount !== module.samplesPerPixel
    ) {
      throw new DicomError(
        'SIZE_MISMATCH',
        `${name}: codestream is ${info.width}×${info.height}×${info.componentCount}, the header says ${module.columns}×${module.rows}×${module.samplesPerPixel}`,
      );
    }
    const pixels = takeDecoded(decoder, info, output);
    const mct = module.photometric === 'YBR_RCT' || module.photometric === 'YBR_ICT';
    const lossy = LOSSY_CAPABLE.has(transferSyntaxUID) || !decoder.getIsReversible();
    return { pixels, photometric: mct ? 'RGB' : module.photometric, lossy };
  } finally {
    decoder.delete();
  }
}
