/**
 * The JPEG family (.50–.70, and JPEG-LS .80/.81): picks the decoder from the
 * stream's SOF marker and precision, since transfer syntax labels are not
 * always right.
 */
import { DicomError } from '../errors.js';
import { decodeJpeg8, loadJpeg8 } from './jpeg-8bit.js';
import { decodeJpegLossless } from './jpeg-lossless.js';
import { decodeJpegLs, loadJpegLs } from './jpeg-ls.js';
import { readJpegHeader } from './jpeg-markers.js';
import { decodeSequentialJpeg } from './jpeg-sequential.js';
import type { Codec, CodecOutput, FrameContext } from './types.js';

export async function loadJpegCodec(): Promise<Codec> {
  await Promise.all([loadJpeg8(), loadJpegLs()]);
  return jpegCodec;
}

/** 12-bit (and other non-8-bit) sequential DCT JPEG via the TypeScript decoder. */
function decodeHighPrecision(frame: Uint8Array, { module }: FrameContext): CodecOutput {
  const image = decodeSequentialJpeg(frame, { width: module.columns, height: module.rows });
  const convert = image.components === 3 && module.photometric !== 'RGB' && image.adobeTransform !== 0;
  if (convert) ycbcrToRgb(image.samples, image.precision);
  return { pixels: image.samples, photometric: convert ? 'RGB' : module.photometric, lossy: true };
}

/** JFIF YCbCr → RGB at any precision, in place (what libjpeg does for 3-component streams). */
function ycbcrToRgb(samples: Uint16Array, precision: number): void {
  const max = 2 ** precision - 1;
  const mid = 2 ** (precision - 1);
  const clamp = (v: number) => (v < 0 ? 0 : v > max ? max : Math.round(v));
  for (let i = 0; i < samples.length; i += 3) {
    const y = samples[i]!;
    const cb = samples[i + 1]! - mid;
    const cr = samples[i + 2]! - mid;
    samples[i] = clamp(y + 1.402 * cr);
    samples[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
    samples[i + 2] = clamp(y + 1.772 * cb);
  }
}

const jpegCodec: Codec = {
  name: 'jpeg',
  decode(frame: Uint8Array, context: FrameContext): CodecOutput {
    const header = readJpegHeader(frame);
    if (!header) throw new DicomError('CORRUPT_PIXEL_DATA', 'JPEG: no frame header (SOF) before the first scan');
    const { module } = context;
    if (header.width !== module.columns || header.height !== module.rows) {
      throw new DicomError(
        'SIZE_MISMATCH',
        `JPEG: stream is ${header.width}×${header.height}, the header says ${module.columns}×${module.rows}`,
      );
    }
    if (header.components !== module.samplesPerPixel) {
      throw new DicomError(
        'SIZE_MISMATCH',
        `JPEG: stream has ${header.components} components, Samples per Pixel is ${module.samplesPerPixel}`,
      );
    }
    switch (header.process) {
      case 'jpeg-ls':
        return decodeJpegLs(frame, context);
      case 'lossless':
        return decodeJpegLossless(frame, header.precision, context);
      case 'dct':
      case 'progressive':
        if (header.precision === 8) return decodeJpeg8(frame, header, context);
        if (header.process === 'dct') return decodeHighPrecision(frame, context);
        throw new DicomError(
          'UNSUPPORTED_IMAGE',
          `progressive JPEG with ${header.precision}-bit precision has no decoder in this version; convert it with \`dcmdjpeg\` first`,
        );
      default:
        throw new DicomError('UNSUPPORTED_IMAGE', 'JPEG with arithmetic coding has no decoder in this version');
    }
  },
};
