/** Modality transform: stored values → modality values (e.g. Hounsfield units), as float32. */
import type { PixelArray } from '../util/typed-arrays.js';
import { applyLut } from './lut.js';
import type { Presentation } from './presentation.js';

export function toModalityValues(stored: PixelArray, presentation: Presentation): Float32Array {
  const out = new Float32Array(stored.length);
  const lut = presentation.modalityLut;
  if (lut) {
    for (let i = 0; i < stored.length; i++) out[i] = applyLut(lut, stored[i]!);
    return out;
  }
  // Slope and intercept are decimal strings: keep them as doubles (a slope of 0.01 must stay 0.01).
  const { rescaleSlope: slope, rescaleIntercept: intercept } = presentation;
  for (let i = 0; i < stored.length; i++) out[i] = stored[i]! * slope + intercept;
  return out;
}

/**
 * Min and max of the finite values whose stored value is not padding; undefined when there is none.
 * Float pixel data may hold NaN and ±Infinity (no value, out of range): counted, an infinite bound
 * made the automatic window infinite and the whole image black. `present`, when given, says which
 * entries count (for a table of candidate values).
 */
export function valueRange(
  values: ArrayLike<number>,
  stored: ArrayLike<number>,
  padding: Presentation['padding'],
  present?: Uint8Array,
): { min: number; max: number } | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (present && !present[i]) continue;
    const s = stored[i]!;
    if (padding && s >= padding.low && s <= padding.high) continue;
    const v = values[i]!;
    if (v - v !== 0) continue; // NaN or ±Infinity
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : undefined;
}
