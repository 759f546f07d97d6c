/**
 * Cardiomegaly is drawn by the heart itself (the case's cardiothoracic ratio
 * sizes it); this module only marks the enlarged silhouette above the domes.
 */
import { toMm, type Fields } from '../fields.js';
import { maskBit } from '../findings.js';

export function markCardiomegaly(f: Fields): void {
  const th = f.thorax;
  const bit = maskBit('cardiomegaly');
  for (let iy = 0; iy < f.height; iy++) {
    const y = toMm(f, iy);
    const row = iy * f.width;
    for (let ix = 0; ix < f.width; ix++) {
      const x = toMm(f, ix);
      if (th.heartThickness(x, y) <= 0) continue;
      const side = x < th.midAt(y) ? -1 : 1;
      if (y > th.domeY(side, x) + 4) continue;
      f.mask[row + ix] = f.mask[row + ix]! | bit;
    }
  }
}
