/**
 * Atelectasis: plate-like (linear, discoid) bands at the bases, or lobar
 * collapse — a wedge of airless lung with volume loss (the elevated
 * hemidiaphragm and mediastinal shift are set in the thorax geometry).
 */
import { addCapsule, toMm, type Fields } from '../fields.js';
import { maskBit, type AtelectasisAttrs } from '../findings.js';
import type { Random } from '../random.js';
import { smoothstep } from '../raster.js';
import type { SideSign } from '../thorax.js';

export function renderAtelectasis(f: Fields, a: AtelectasisAttrs, rng: Random): void {
  if (a.kind === 'linear') linear(f, a, rng);
  else lobar(f, a, rng);
}

function linear(f: Fields, a: AtelectasisAttrs, rng: Random): void {
  const th = f.thorax;
  const bit = maskBit('atelectasis');
  const sides: SideSign[] = a.side === 'bilateral' ? [-1, 1] : [a.side === 'left' ? 1 : -1];
  const band = new Float32Array(f.width * f.height);
  for (const side of sides) {
    const count = rng.int(1, 3);
    for (let k = 0; k < count; k++) {
      const y = th.domePeak[side] - rng.uniform(12, 45);
      const med = th.medialX(side, y);
      const lat = th.lateralX(side, y);
      const x0 = med + (lat - med) * rng.uniform(0.2, 0.45);
      const len = rng.uniform(35, 70);
      const tilt = rng.uniform(-0.12, 0.2);
      const x1 = x0 + side * len;
      // A disc seen edge-on: thin but with a long path along the beam.
      addCapsule(f, band, x0, y, x1, y + tilt * len, rng.uniform(1.8, 3.2), rng.uniform(1.5, 2.5), 11);
    }
  }
  for (let i = 0; i < band.length; i++) {
    if (band[i]! <= 0 || f.lungAir[i]! <= 0) continue;
    f.displaced[i] = f.displaced[i]! + band[i]!;
    if (band[i]! > 8) f.mask[i] = f.mask[i]! | bit;
  }
}

function lobar(f: Fields, a: AtelectasisAttrs, rng: Random): void {
  const th = f.thorax;
  const bit = maskBit('atelectasis');
  const side: SideSign = a.lobe === 'LLL' ? 1 : -1;
  const h = th.hilum(side);
  const fill = rng.uniform(0.8, 0.95);
  const spread = rng.uniform(0.5, 0.8);
  for (let iy = 0; iy < f.height; iy++) {
    const y = toMm(f, iy);
    const row = iy * f.width;
    const med = th.medialX(side, y);
    for (let ix = 0; ix < f.width; ix++) {
      const i = row + ix;
      const air = f.lungAir[i]!;
      if (air <= 0) continue;
      const x = toMm(f, ix);
      const out = side * (x - med); // distance lateral of the mediastinum
      if (out < -5) continue;
      let m: number;
      if (a.lobe === 'RUL') {
        // Collapsed upper lobe: a wedge above a minor fissure lifted toward the apex.
        const fissureY = h.y - 25 - out * 0.35;
        m = 1 - smoothstep(fissureY - 1.5, fissureY + 1.5, y);
        m *= 1 - smoothstep(th.wt * 0.55, th.wt * 0.75, out);
      } else {
        // Lower-lobe collapse: a triangle against the spine, sharp lateral edge (the sail).
        const edge = (y - h.y) * spread;
        m = smoothstep(h.y, h.y + 20, y) * (1 - smoothstep(edge - 1.5, edge + 1.5, out));
      }
      if (m <= 0) continue;
      f.displaced[i] = f.displaced[i]! + air * fill * m * 1.1;
      f.markings[i] = f.markings[i]! * (1 - m);
      if (m > 0.4) f.mask[i] = f.mask[i]! | bit;
    }
  }
}
