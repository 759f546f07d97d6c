/**
 * RLE Lossless (PS3.5 Annex G): up to 15 PackBits segments, one per byte
 * plane, most significant byte first, one sample after another. Output is
 * always colour-by-pixel whatever Planar Configuration says, since the
 * segments are planes by definition.
 */
import { DicomError } from '../errors.js';
import { pixelsPerFrame } from '../pixel-module.js';
import { unpackBits } from './native.js';
import type { Codec, CodecOutput, FrameContext } from './types.js';
import type { PixelArray } from '../../util/typed-arrays.js';
import { Scratch } from '../../util/scratch.js';

/** The byte planes of the 16-bit fast path: they never outlive one (synchronous) decode. */
const planes = new Scratch();

export const rleCodec: Codec = {
  name: 'rle',
  decode(frame: Uint8Array, { module, output }: FrameContext): CodecOutput {
    const pixels = pixelsPerFrame(module);
    const segments = readHeader(frame);
    if (module.bitsAllocated === 1) {
      if (segments.length !== 1) throw corrupt(`1-bit RLE needs 1 segment, found ${segments.length}`);
      const packed = unpackSegment(frame, segments[0]!, Math.ceil(pixels / 8));
      return { pixels: unpackBits(packed, pixels), photometric: module.photometric, lossy: false };
    }
    const bytesPerSample = module.bitsAllocated / 8;
    const expected = bytesPerSample * module.samplesPerPixel;
    if (segments.length !== expected) {
      throw corrupt(`expected ${expected} RLE segments for this image, found ${segments.length}`);
    }
    if (module.bitsAllocated === 16 && module.samplesPerPixel === 1) {
      // The common radiograph case: join the two byte planes in one pass.
      const both = planes.uint8(pixels * 2);
      const hi = unpackSegment(frame, segments[0]!, pixels, both.subarray(0, pixels));
      const lo = unpackSegment(frame, segments[1]!, pixels, both.subarray(pixels));
      const out = output ? output.uint16(pixels) : new Uint16Array(pixels);
      for (let i = 0; i < pixels; i++) out[i] = (hi[i]! << 8) | lo[i]!;
      return { pixels: out, photometric: module.photometric, lossy: false };
    }
    const out = containerFor(module.bitsAllocated, pixels * module.samplesPerPixel);
    const bytesOut = new Uint8Array(out.buffer);
    const stride = bytesPerSample * module.samplesPerPixel;
    for (let sample = 0; sample < module.samplesPerPixel; sample++) {
      for (let b = 0; b < bytesPerSample; b++) {
        const plane = unpackSegment(frame, segments[sample * bytesPerSample + b]!, pixels);
        // Segment b holds the (b)th most significant byte; typed arrays are little-endian.
        const byteInSample = bytesPerSample - 1 - b;
        let at = sample * bytesPerSample + byteInSample;
        for (let i = 0; i < pixels; i++, at += stride) bytesOut[at] = plane[i]!;
      }
    }
    return { pixels: out, photometric: module.photometric, lossy: false };
  },
};

function corrupt(message: string): DicomError {
  return new DicomError('CORRUPT_PIXEL_DATA', `RLE: ${message}`);
}

interface Segment {
  start: number;
  end: number;
}

function readHeader(frame: Uint8Array): Segment[] {
  if (frame.length < 64) throw corrupt('frame is shorter than the 64-byte header');
  const view = new DataView(frame.buffer, frame.byteOffset, 64);
  const count = view.getUint32(0, true);
  if (count < 1 || count > 15) throw corrupt(`header declares ${count} segments`);
  const starts: number[] = [];
  for (let i = 0; i < count; i++) starts.push(view.getUint32(4 + i * 4, true));
  return starts.map((start, i) => {
    const end = i + 1 < count ? starts[i + 1]! : frame.length;
    if (start < 64 || start > end || end > frame.length) throw corrupt(`segment ${i} offsets are out of range`);
    return { start, end };
  });
}

/** PackBits: n ≥ 0 copies n+1 literal bytes; −127 ≤ n ≤ −1 repeats the next byte 1−n times; −128 is a no-op. */
function unpackSegment(frame: Uint8Array, segment: Segment, length: number, into?: Uint8Array): Uint8Array {
  // Every byte of `out` is written or the segment is rejected, so reused memory needs no clearing.
  const out = into ?? new Uint8Array(length);
  const end = segment.end;
  let src = segment.start;
  let dst = 0;
  // Plain index loops for short runs (a subarray per run costs more than the copy), set/fill for long ones.
  while (dst < length && src < end) {
    const header = frame[src++]!;
    if (header < 128) {
      const stop = Math.min(dst + header + 1, length, dst + (end - src));
      if (stop - dst > 24) {
        out.set(frame.subarray(src, src + (stop - dst)), dst);
        src += stop - dst;
        dst = stop;
      } else while (dst < stop) out[dst++] = frame[src++]!;
    } else if (header > 128) {
      if (src >= end) break;
      const value = frame[src++]!;
      const stop = Math.min(dst + 257 - header, length);
      if (stop - dst > 24) {
        out.fill(value, dst, stop);
        dst = stop;
      } else while (dst < stop) out[dst++] = value;
    }
  }
  if (dst < length) throw corrupt(`a segment decodes to ${dst} bytes, expected ${length}`);
  return out;
}

function containerFor(bitsAllocated: number, count: number): PixelArray {
  if (bitsAllocated === 8) return new Uint8Array(count);
  if (bitsAllocated === 16) return new Uint16Array(count);
  if (bitsAllocated === 32) return new Uint32Array(count);
  throw new DicomError('UNSUPPORTED_IMAGE', `RLE with ${bitsAllocated}-bit samples is not supported`);
}
