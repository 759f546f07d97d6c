/**
 * Elevated hemidiaphragm: the dome is raised by the thorax geometry (the lung
 * above it is shorter, the gastric bubble rides up with a left dome). This
 * module marks the band between the raised dome and where it would be.
 */
import { toMm, type Fields } from '../fields.js';
import { maskBit, type ElevatedHemidiaphragmAttrs } from '../findings.js';
import { sideSign } from '../thorax.js';

export function markElevatedHemidiaphragm(f: Fields, e: ElevatedHemidiaphragmAttrs): void {
  const th = f.thorax;
  const side = sideSign(e.side);
  const bit = maskBit('elevated_hemidiaphragm');
  for (let ix = 0; ix < f.width; ix++) {
    const x = toMm(f, ix);
    if (side * (x - th.midAt(th.apexY + th.hl)) < 0) continue;
    const top = th.domeY(side, x);
    const bottom = th.normalDomeY(side, x);
    if (bottom - top < 2) continue;
    for (let iy = Math.max(0, Math.floor(top / f.mm)); iy < Math.min(f.height, bottom / f.mm); iy++) {
      const y = toMm(f, iy);
      const i = iy * f.width + ix;
      // Inside the ribcage: between the mediastinum and the lateral wall.
      if (side * (x - th.medialX(side, y)) < 0 || side * (th.lateralX(side, y) - x) < 0 || !f.inBody[i]) continue;
      f.mask[i] = (f.mask[i]! | bit) >>> 0;
    }
  }
}
