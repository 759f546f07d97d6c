/**
 * Native (uncompressed) frames: bytes → samples in their container type,
 * colour-by-plane re-interleaved, YBR 4:2:2 (Y1 Y2 Cb Cr) upsampled.
 * Also serves Encapsulated Uncompressed (.1.98), whose fragments hold native frames.
 */
import { DicomError } from '../errors.js';
import { isNative422, pixelsPerFrame, type PixelModule } from '../pixel-module.js';
import type { Codec, CodecOutput, FrameContext } from './types.js';
import type { PixelArray } from '../../util/typed-arrays.js';
import type { Scratch } from '../../util/scratch.js';

export const nativeCodec: Codec = {
  name: 'native',
  decode(frame: Uint8Array, { module, output }: FrameContext): CodecOutput {
    return decodeNative(frame, module, output);
  },
};

export function decodeNative(frame: Uint8Array, module: PixelModule, output?: Scratch): CodecOutput {
  const pixels = pixelsPerFrame(module);
  if (module.bitsAllocated === 1)
    return { pixels: unpackBits(frame, pixels), photometric: module.photometric, lossy: false };
  const storedSamples = isNative422(module) ? pixels * 2 : pixels * module.samplesPerPixel;
  const samples = toContainer(frame, storedSamples, module, output);
  if (isNative422(module)) {
    return { pixels: upsample422(samples, module), photometric: module.photometric.replace('_422', ''), lossy: false };
  }
  const interleaved =
    module.samplesPerPixel === 3 && module.planarConfiguration === 1 ? interleavePlanes(samples, pixels) : samples;
  return { pixels: interleaved, photometric: module.photometric, lossy: false };
}

/** One value per pixel from LSB-first packed bits. */
export function unpackBits(packed: Uint8Array, count: number): Uint8Array {
  if (packed.length * 8 < count)
    throw new DicomError('SIZE_MISMATCH', 'bit-packed frame is shorter than Rows × Columns');
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = (packed[i >> 3]! >> (i & 7)) & 1;
  return out;
}

/**
 * Little-endian bytes as an aligned array of the container type. With `output` (the samples will not
 * outlive the caller's job, and neither will the bytes they came from) an aligned frame is viewed in
 * place: no 13 MB copy per radiograph. Otherwise a fresh copy, since `frame` may be a view into a
 * buffer the caller reuses, at any offset.
 */
function toContainer(frame: Uint8Array, count: number, module: PixelModule, output?: Scratch): PixelArray {
  const bytesPerSample = module.bitsAllocated / 8;
  const length = count * bytesPerSample;
  if (frame.length < length) {
    throw new DicomError('SIZE_MISMATCH', `frame has ${frame.length} bytes, needs ${length}`);
  }
  let buffer: ArrayBufferLike;
  let at = 0;
  if (output && frame.byteOffset % bytesPerSample === 0) {
    buffer = frame.buffer;
    at = frame.byteOffset;
  } else {
    buffer = output ? output.buffer(length) : new ArrayBuffer(length);
    new Uint8Array(buffer, 0, length).set(frame.subarray(0, length));
  }
  if (module.pixelDataTag === 'x7fe00008') return new Float32Array(buffer, at, count);
  if (module.pixelDataTag === 'x7fe00009') return new Float64Array(buffer, at, count);
  switch (module.bitsAllocated) {
    case 8:
      return new Uint8Array(buffer, at, count);
    case 16:
      return new Uint16Array(buffer, at, count);
    case 32:
      return new Uint32Array(buffer, at, count);
    default:
      throw new DicomError('UNSUPPORTED_IMAGE', `integer pixels of ${module.bitsAllocated} bits are not supported`);
  }
}

/** RRR…GGG…BBB → RGBRGB… */
export function interleavePlanes<T extends PixelArray>(planar: T, pixels: number): T {
  const out = new (planar.constructor as new (n: number) => T)(planar.length);
  for (let s = 0; s < 3; s++) {
    const plane = s * pixels;
    for (let i = 0; i < pixels; i++) out[i * 3 + s] = planar[plane + i]!;
  }
  return out;
}

/** Y1 Y2 Cb Cr per pixel pair → Y Cb Cr per pixel (chroma repeated). */
function upsample422(samples: PixelArray, module: PixelModule): PixelArray {
  const { rows, columns } = module;
  const out = new (samples.constructor as new (n: number) => PixelArray)(rows * columns * 3);
  let src = 0;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x += 2) {
      const y1 = samples[src]!;
      const y2 = samples[src + 1]!;
      const cb = samples[src + 2]!;
      const cr = samples[src + 3]!;
      src += 4;
      const at = (y * columns + x) * 3;
      out[at] = y1;
      out[at + 1] = cb;
      out[at + 2] = cr;
      if (x + 1 < columns) {
        out[at + 3] = y2;
        out[at + 4] = cb;
        out[at + 5] = cr;
      }
    }
  }
  return out;
}
