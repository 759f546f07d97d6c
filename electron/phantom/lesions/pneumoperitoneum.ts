/**
 * Pneumoperitoneum: free intraperitoneal air rises under the diaphragm, a
 * lucent crescent between the thin diaphragm (now outlined on both sides)
 * and the smooth upper surface of the liver or spleen. Its profile and
 * extent vary from a thin sliver to a broad cap.
 */
import { toMm, toPx, type Fields } from '../fields.js';
import { maskBit, type PneumoperitoneumAttrs } from '../findings.js';
import type { Random } from '../random.js';
import { smoothstep } from '../raster.js';
import type { SideSign } from '../thorax.js';

export function renderPneumoperitoneum(f: Fields, p: PneumoperitoneumAttrs, rng: Random): void {
  const sides: SideSign[] = p.side === 'bilateral' ? [-1, 1] : [p.side === 'left' ? 1 : -1];
  for (const side of sides) crescent(f, side, p.depthMm * (side === 1 && p.side === 'bilateral' ? 0.6 : 1), rng);
}

function crescent(f: Fields, side: SideSign, depthMm: number, rng: Random): void {
  const th = f.thorax;
  const bit = maskBit('pneumoperitoneum');
  const mid = th.midAt(th.apexY + th.hl);
  // The air spans the dome's upper part: from beside the spine to short of the costophrenic angle.
  const xm = mid + side * th.wt * rng.uniform(0.12, 0.3);
  const xl = th.lateralX(side, th.cpY[side]) - side * rng.uniform(6, 16);
  const wall = rng.uniform(2.5, 4.5); // diaphragm muscle between lung and air
  const skew = rng.uniform(0.35, 0.65); // where the crescent is deepest, 0 medial … 1 lateral
  const shape = rng.uniform(0.6, 1.1);
  const path = rng.uniform(55, 95); // mm of gas along the beam at the deepest point
  for (let ix = 0; ix < f.width; ix++) {
    const x = toMm(f, ix);
    const u = (x - xm) / (xl - xm);
    if (u <= 0 || u >= 1) continue;
    // Asymmetric bump: deepest at `skew`, tapering to a point at both ends.
    const v = u < skew ? u / skew : (1 - u) / (1 - skew);
    const thick = depthMm * Math.sin((Math.PI / 2) * v) ** shape;
    if (thick < 0.4) continue;
    const top = th.domeY(side, x) + wall;
    const y0 = Math.max(0, Math.floor(toPx(f, top - 1)));
    const y1 = Math.min(f.height - 1, Math.ceil(toPx(f, top + thick + 1)));
    for (let iy = y0; iy <= y1; iy++) {
      const y = toMm(f, iy);
      // Sharp under the diaphragm, a little softer against the liver.
      const a = smoothstep(top - 0.6, top + 0.6, y) * (1 - smoothstep(top + thick - 1.2, top + thick + 0.8, y));
      const i = iy * f.width + ix;
      if (a <= 0 || !f.inBody[i]) continue;
      f.gas[i] = f.gas[i]! + path * a * (0.55 + 0.45 * (thick / depthMm));
      if (a > 0.4) f.mask[i] = (f.mask[i]! | bit) >>> 0;
    }
  }
}
