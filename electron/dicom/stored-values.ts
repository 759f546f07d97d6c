/**
 * Codec output → stored values in the container type of Bits Allocated and
 * Pixel Representation. Lossless data is masked to Bits Stored (bits above
 * it may hold overlays) and sign-extended; lossy data is clamped to the Bits
 * Stored range instead, because a lossy decode may overshoot (WG04 RG3_JPLY
 * has Bits Stored 10 and values of 1024) and masking would wrap it.
 * Codecs that are sign-blind (JPEG-LS, JPEG lossless, some J2K codestreams)
 * return the two's-complement bit pattern; it is sign-extended here.
 */
import type { CodecOutput } from './codecs/types.js';
import type { IntegerArray, PixelArray } from '../util/typed-arrays.js';
import type { PixelModule } from './pixel-module.js';

export function toStoredValues(output: CodecOutput, module: PixelModule): PixelArray {
  const { pixels } = output;
  if (pixels instanceof Float32Array || pixels instanceof Float64Array) return pixels;
  const signed = module.pixelRepresentation === 1;
  const bits = module.bitsStored;
  const shift = module.highBit + 1 - bits;
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const sourceSigned = pixels instanceof Int8Array || pixels instanceof Int16Array || pixels instanceof Int32Array;
  if (!signed && !sourceSigned && shift === 0 && sameContainer(pixels, module.bitsAllocated)) {
    // The common case (unsigned, High Bit = Bits Stored − 1, nothing above it): a read-only scan
    // proves the samples are already their stored values, and they are returned as they are.
    if (!hasBitsAbove(pixels, max)) return pixels;
  }
  const target = containerFor(module.bitsAllocated, signed, pixels.length);

  if (output.lossy && sourceSigned === signed && shift === 0) {
    for (let i = 0; i < pixels.length; i++) {
      const v = pixels[i]!;
      target[i] = v < min ? min : v > max ? max : v;
    }
    return target;
  }
  if (bits < 32) {
    const mask = 2 ** bits - 1;
    const up = 32 - bits;
    if (!signed) for (let i = 0; i < pixels.length; i++) target[i] = (pixels[i]! >> shift) & mask;
    else for (let i = 0; i < pixels.length; i++) target[i] = (((pixels[i]! >> shift) & mask) << up) >> up;
    return target;
  }
  const modulus = 2 ** bits;
  for (let i = 0; i < pixels.length; i++) {
    // Math on plain numbers (not 32-bit ints) so 32-bit samples keep their value.
    let v = Math.floor(pixels[i]! / 2 ** shift) % modulus;
    if (v < 0) v += modulus;
    if (signed && v > max) v -= modulus;
    target[i] = v;
  }
  return target;
}

/** Whether any unsigned 8- or 16-bit sample has a bit above `max` (2^n − 1): scanned 32 bits at a time. */
function hasBitsAbove(pixels: IntegerArray, max: number): boolean {
  const size = pixels.BYTES_PER_ELEMENT;
  if (max >= 2 ** (8 * size) - 1) return false; // Bits Stored fills the container: nothing can be above
  let above = 0;
  let i = 0;
  if (size <= 2 && pixels.byteOffset % 4 === 0) {
    const words = new Uint32Array(pixels.buffer, pixels.byteOffset, (pixels.length * size) >> 2);
    const mask = size === 2 ? (~max & 0xffff) * 0x10001 : (~max & 0xff) * 0x1010101;
    for (let k = 0; k < words.length; k++) above |= words[k]! & mask;
    i = (words.length * 4) / size;
  }
  for (; i < pixels.length; i++) above |= pixels[i]! & ~max;
  return above !== 0;
}

export function containerFor(bitsAllocated: number, signed: boolean, length: number): IntegerArray {
  if (bitsAllocated <= 8) return signed ? new Int8Array(length) : new Uint8Array(length);
  if (bitsAllocated <= 16) return signed ? new Int16Array(length) : new Uint16Array(length);
  return signed ? new Int32Array(length) : new Uint32Array(length);
}

/** Whether an unsigned codec output already has the container type of Bits Allocated. */
function sameContainer(pixels: IntegerArray, bitsAllocated: number): boolean {
  if (bitsAllocated <= 8) return pixels instanceof Uint8Array;
  if (bitsAllocated <= 16) return pixels instanceof Uint16Array;
  return false; // 32-bit: the general loop below handles values above 2^31 exactly
}
