/**
 * Pneumothorax: air between the chest wall and the visceral pleura, which
 * shows as a thin white line with no lung markings beyond it. Upright it
 * collects at the apex and tapers down the lateral wall; supine it collects
 * anteriorly and basally (a deep lateral sulcus).
 */
import { toMm, type Fields } from '../fields.js';
import { maskBit, type PneumothoraxAttrs } from '../findings.js';
import { sideSign } from '../thorax.js';

export function renderPneumothorax(f: Fields, p: PneumothoraxAttrs): void {
  const th = f.thorax;
  const side = sideSign(p.side);
  const supine = th.c.acquisition.view === 'AP';
  const bit = maskBit('pneumothorax');
  const line = 0.45; // half-width of the pleural line, mm
  for (let iy = 0; iy < f.height; iy++) {
    const y = toMm(f, iy);
    const t = th.t(y);
    if (t < 0 || t > 1.05) continue;
    // Rim width along the wall: widest where the air rises to.
    const taper = supine ? 0.45 + 0.55 * Math.min(1, t / 0.8) : Math.max(0.25, 1 - 0.8 * t);
    const rim = p.rimMm * taper;
    const lat = th.lateralX(side, y);
    const med = th.medialX(side, y);
    const row = iy * f.width;
    for (let ix = 0; ix < f.width; ix++) {
      const i = row + ix;
      if (f.lungAir[i]! <= 0) continue;
      const x = toMm(f, ix);
      const fromWall = side * (lat - x);
      const fromMed = side * (x - med);
      if (fromWall < 0 || fromMed < 0) continue;
      if (y > th.domeY(side, x)) continue;
      // Distance to the pleura: lateral wall, or the apex above.
      const d = Math.min(fromWall, (y - th.apexY) * 1.1 + (supine ? 999 : 0));
      const lungWidth = fromWall + fromMed;
      const r = Math.min(rim, lungWidth * 0.7);
      if (d < r) {
        f.markings[i] = 0;
        f.lungAir[i] = f.lungAir[i]! * 1.12;
        f.mask[i] = f.mask[i]! | bit;
      } else if (d < r + 2 * line + f.mm) {
        const u = Math.abs(d - r - line) / (line + f.mm / 2);
        if (u < 1) f.displaced[i] = f.displaced[i]! + 22 * (1 - u * u);
      }
    }
  }
}
