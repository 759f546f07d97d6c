/**
 * Colour samples → 8-bit RGB for display: YBR_FULL / YBR_PARTIAL to RGB
 * (BT.601), PALETTE COLOR through its LUTs, samples wider than 8 bits scaled.
 */
import type { PixelArray } from '../util/typed-arrays.js';
import { applyLut, type Lut } from './lut.js';

export function colorToRgb8(samples: PixelArray, photometric: string, bitsStored: number): Uint8Array {
  const out = new Uint8Array(samples.length);
  const shift = Math.max(0, bitsStored - 8);
  if (photometric === 'YBR_FULL' || photometric === 'YBR_FULL_422') {
    const mid = 2 ** (bitsStored - 1);
    for (let i = 0; i < samples.length; i += 3) {
      const y = samples[i]!;
      const cb = samples[i + 1]! - mid;
      const cr = samples[i + 2]! - mid;
      out[i] = clamp8((y + 1.402 * cr) / 2 ** shift);
      out[i + 1] = clamp8((y - 0.344136 * cb - 0.714136 * cr) / 2 ** shift);
      out[i + 2] = clamp8((y + 1.772 * cb) / 2 ** shift);
    }
    return out;
  }
  if (photometric.startsWith('YBR_PARTIAL')) {
    for (let i = 0; i < samples.length; i += 3) {
      const y = 1.1644 * ((samples[i]! >> shift) - 16);
      const cb = (samples[i + 1]! >> shift) - 128;
      const cr = (samples[i + 2]! >> shift) - 128;
      out[i] = clamp8(y + 1.596 * cr);
      out[i + 1] = clamp8(y - 0.3918 * cb - 0.813 * cr);
      out[i + 2] = clamp8(y + 2.0172 * cb);
    }
    return out;
  }
  for (let i = 0; i < samples.length; i++) out[i] = clamp8(samples[i]! / 2 ** shift);
  return out;
}

export function paletteToRgb8(indices: PixelArray, palette: { red: Lut; green: Lut; blue: Lut }): Uint8Array {
  const out = new Uint8Array(indices.length * 3);
  const luts = [palette.red, palette.green, palette.blue];
  for (let c = 0; c < 3; c++) {
    const lut = luts[c]!;
    const shift = lut.bitsPerEntry > 8 ? lut.bitsPerEntry - 8 : 0;
    for (let i = 0; i < indices.length; i++) out[i * 3 + c] = applyLut(lut, indices[i]!) >> shift;
  }
  return out;
}

function clamp8(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}
