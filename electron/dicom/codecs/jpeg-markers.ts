/**
 * Reads a JPEG / JPEG-LS stream's header markers up to the first scan, so the
 * codec can be chosen by what the stream is (SOF marker and precision), not
 * by the transfer syntax label, which is sometimes wrong.
 */
export type JpegProcess = 'dct' | 'progressive' | 'lossless' | 'jpeg-ls' | 'arithmetic';

export interface JpegHeader {
  process: JpegProcess;
  precision: number;
  height: number;
  width: number;
  components: number;
  hasJfif: boolean;
  /** Adobe APP14 colour transform (0 none, 1 YCbCr, 2 YCCK), undefined when absent. */
  adobeTransform: number | undefined;
}

const SOF_PROCESS: Record<number, JpegProcess> = {
  0xc0: 'dct',
  0xc1: 'dct',
  0xc2: 'progressive',
  0xc3: 'lossless',
  0xc7: 'lossless',
  0xf7: 'jpeg-ls',
};

export function isJpegStream(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8;
}

/** Undefined when the stream has no recognisable frame header before its first scan. */
export function readJpegHeader(bytes: Uint8Array): JpegHeader | undefined {
  if (!isJpegStream(bytes)) return undefined;
  let hasJfif = false;
  let adobeTransform: number | undefined;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    const body = at + 4;
    if (length < 2 || at + 2 + length > bytes.length) return undefined;
    if (marker === 0xe0 && length >= 7 && ascii(bytes, body, 4) === 'JFIF') hasJfif = true;
    if (marker === 0xee && length >= 14 && ascii(bytes, body, 5) === 'Adobe') adobeTransform = bytes[body + 11];
    const process =
      SOF_PROCESS[marker] ?? (marker >= 0xc9 && marker <= 0xcf && marker !== 0xcc ? 'arithmetic' : undefined);
    if (process && length >= 8) {
      return {
        process,
        precision: bytes[body]!,
        height: (bytes[body + 1]! << 8) | bytes[body + 2]!,
        width: (bytes[body + 3]! << 8) | bytes[body + 4]!,
        components: bytes[body + 5]!,
        hasJfif,
        adobeTransform,
      };
    }
    if (marker === 0xda || marker === 0xd9) return undefined;
    at += 2 + length;
  }
  return undefined;
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

/** An Adobe APP14 segment with transform 0: tells libjpeg the three components are not YCbCr. */
const ADOBE_NO_TRANSFORM = Uint8Array.from([
  0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00,
]);

export function withAdobeNoTransform(stream: Uint8Array): Uint8Array {
  const out = new Uint8Array(stream.length + ADOBE_NO_TRANSFORM.length);
  out.set(stream.subarray(0, 2), 0);
  out.set(ADOBE_NO_TRANSFORM, 2);
  out.set(stream.subarray(2), 2 + ADOBE_NO_TRANSFORM.length);
  return out;
}
