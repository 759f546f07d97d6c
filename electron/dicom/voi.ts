/**
 * VOI transform: modality values → 8-bit display values, by window
 * (LINEAR, LINEAR_EXACT, SIGMOID per PS3.3 C.11.2.1) or by VOI LUT. The
 * output is truncated to an integer after mapping, as dcmtk's dcm2pnm does;
 * MONOCHROME1 is inverted after the window (as the standard orders) by
 * mapping onto 255→0 before truncation, so 255 − y keeps y's fraction.
 */
import { applyLut, type Lut } from './lut.js';
import type { VoiFunction, Window } from './presentation.js';

export function windowToDisplay(
  values: ArrayLike<number>,
  window: Window,
  fn: VoiFunction,
  invert = false,
): Uint8Array {
  const out = new Uint8Array(values.length);
  const { center: c, width: w } = window;
  const [low, high] = invert ? [255, 0] : [0, 255];
  if (fn === 'LINEAR') {
    // The DICOM formula with its 0.5 offsets, evaluated as offset + x·gradient (dcmtk's
    // arithmetic, so results agree to the last bit); width 1 is a threshold.
    const left = c - 0.5 - (w - 1) / 2;
    const right = c - 0.5 + (w - 1) / 2;
    const range = high - low;
    const gradient = w > 1 ? range / (w - 1) : 0;
    const offset = w > 1 ? high - ((c - 0.5) / (w - 1) + 0.5) * range : 0;
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      out[i] = x <= left ? low : x > right ? high : Math.trunc(offset + x * gradient);
    }
    return out;
  }
  const position =
    fn === 'SIGMOID'
      ? (x: number) => 1 / (1 + Math.exp((-4 * (x - c)) / w))
      : (x: number) => (x <= c - w / 2 ? 0 : x > c + w / 2 ? 1 : (x - c) / w + 0.5);
  for (let i = 0; i < values.length; i++) out[i] = Math.floor(low + position(values[i]!) * (high - low));
  return out;
}

/**
 * Maps through a VOI LUT onto 0–255 as dcm2pnm does: entry × 256 / 2^bits, truncated (each grey level
 * takes an equal share of the entries' range). Bits is the descriptor's, or the entries' own where they
 * run past it (a descriptor that says 12 over 16-bit data): a value past 255 wrapped to a dark one.
 */
export function lutToDisplay(values: ArrayLike<number>, lut: Lut): Uint8Array {
  const out = new Uint8Array(values.length);
  let largest = 0;
  for (const entry of lut.entries) if (entry > largest) largest = entry;
  const bits = Math.max(lut.bitsPerEntry, Math.ceil(Math.log2(largest + 1)));
  const scale = 256 / 2 ** bits;
  for (let i = 0; i < values.length; i++) out[i] = Math.trunc(applyLut(lut, Math.round(values[i]!)) * scale);
  return out;
}

/** A LINEAR_EXACT window mapping min → 0 and max → 255 (used when the file has none). */
export function windowForRange(min: number, max: number): Window {
  return { center: (min + max) / 2, width: Math.max(1, max - min) };
}
