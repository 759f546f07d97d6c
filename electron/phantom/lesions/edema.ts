/**
 * Pulmonary edema: bilateral perihilar haze (bat wing) that spreads with
 * severity, indistinct and upper-lobe-diverted vessels (set through the
 * marking options) and Kerley B lines — short horizontal septal lines at
 * the lateral bases.
 */
import { addCapsule, toMm, type Fields } from '../fields.js';
import { maskBit, type EdemaAttrs } from '../findings.js';
import type { Random } from '../random.js';
import { patchiness } from './consolidation.js';

export function renderEdema(f: Fields, e: EdemaAttrs, rng: Random): void {
  const th = f.thorax;
  const bit = maskBit('edema');
  const k = e.severity === 'mild' ? 0.38 : e.severity === 'moderate' ? 0.55 : 0.75;
  const reach = th.wt * (e.severity === 'severe' ? 0.75 : e.severity === 'moderate' ? 0.6 : 0.5);
  const patch = patchiness(f, rng, 10);
  const hila = [th.hilum(-1), th.hilum(1)];
  for (let iy = 0; iy < f.height; iy++) {
    const y = toMm(f, iy);
    const row = iy * f.width;
    for (let ix = 0; ix < f.width; ix++) {
      const i = row + ix;
      const air = f.lungAir[i]!;
      if (air <= 0) continue;
      const x = toMm(f, ix);
      const hl = x < th.midAt(y) ? hila[0]! : hila[1]!;
      // Elliptical falloff from the hilum, wider than tall: the bat wing.
      const dx = (x - hl.x) / reach;
      const dy = (y - hl.y - 10) / (reach * 1.25);
      const g = Math.exp(-(dx * dx + dy * dy) * 1.6);
      const haze = Math.max(0, g * (1 + patch[i]! * 0.8) - 0.08);
      if (haze <= 0) continue;
      f.displaced[i] = f.displaced[i]! + air * k * haze;
      if (haze > 0.3) f.mask[i] = f.mask[i]! | bit;
    }
  }
  if (!e.kerleyLines) return;
  const lines = new Float32Array(f.width * f.height);
  for (const side of [-1, 1] as const) {
    const count = rng.int(6, 12);
    for (let n = 0; n < count; n++) {
      const y = th.domePeak[side] - rng.uniform(5, 55);
      const wall = th.lateralX(side, y);
      const x0 = wall - side * rng.uniform(1, 4);
      const len = rng.uniform(10, 22);
      addCapsule(f, lines, x0, y, x0 - side * len, y + rng.uniform(-1.5, 1.5), 0.6, 0.5, 14);
    }
  }
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]! <= 0 || f.lungAir[i]! <= 0) continue;
    f.displaced[i] = f.displaced[i]! + lines[i]!;
    f.mask[i] = f.mask[i]! | bit;
  }
}
