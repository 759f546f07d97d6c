/**
 * Deflated Image Frame Compression (1.2.840.10008.1.2.8.1): each fragment is
 * a raw-deflated native frame. Inflation is capped at the frame size, so a
 * decompression bomb fails fast instead of exhausting memory.
 */
import { inflateRawSync } from 'node:zlib';
import { DicomError, describeThrown } from '../errors.js';
import { nativeFrameBits } from '../pixel-module.js';
import { decodeNative } from './native.js';
import type { Codec, CodecOutput, FrameContext } from './types.js';

export const deflateFrameCodec: Codec = {
  name: 'deflate-frame',
  decode(frame: Uint8Array, { module }: FrameContext): CodecOutput {
    const expected = Math.ceil(nativeFrameBits(module) / 8);
    let inflated: Buffer;
    try {
      inflated = inflateRawSync(frame, { maxOutputLength: expected + 1 });
    } catch (thrown) {
      const tooBig = /maxOutputLength|larger than/i.test(describeThrown(thrown));
      throw new DicomError(
        tooBig ? 'SIZE_MISMATCH' : 'CORRUPT_PIXEL_DATA',
        tooBig
          ? `deflated frame inflates past its ${expected}-byte size`
          : `deflated frame is corrupt: ${describeThrown(thrown)}`,
      );
    }
    if (inflated.length < expected) {
      throw new DicomError(
        'SIZE_MISMATCH',
        `deflated frame inflates to ${inflated.length} bytes, expected ${expected}`,
      );
    }
    return decodeNative(new Uint8Array(inflated.buffer, inflated.byteOffset, expected), module);
  },
};
