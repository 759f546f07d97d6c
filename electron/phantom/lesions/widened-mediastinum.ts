/**
 * Widened mediastinum: the superior mediastinum is drawn wider by the thorax
 * geometry (Thorax.widening: lungs give way, so the soft-tissue band between
 * them widens). This module marks the superior mediastinum between the
 * widened borders, where the width is measured.
 */
import { toMm, type Fields } from '../fields.js';
import { maskBit } from '../findings.js';
import { wideningProfile } from '../thorax.js';

export function markWidenedMediastinum(f: Fields): void {
  const th = f.thorax;
  if (!th.widening) return;
  const bit = maskBit('widened_mediastinum');
  for (let iy = 0; iy < f.height; iy++) {
    const y = toMm(f, iy);
    if (wideningProfile(th.t(y)) < 0.3) continue;
    const x0 = th.medialX(-1, y);
    const x1 = th.medialX(1, y);
    const row = iy * f.width;
    for (let ix = 0; ix < f.width; ix++) {
      const x = toMm(f, ix);
      if (x > x0 && x < x1 && f.inBody[row + ix]) f.mask[row + ix] = (f.mask[row + ix]! | bit) >>> 0;
    }
  }
}
