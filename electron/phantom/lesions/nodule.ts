/**
 * Nodule (< 3 cm) or mass (≥ 3 cm): a soft-tissue sphere in the lung with a
 * smooth, lobulated or spiculated margin.
 */
import { addCapsule, toMm, toPx, type Fields } from '../fields.js';
import { maskBit, type NoduleAttrs } from '../findings.js';
import type { Random } from '../random.js';
import { sideSign } from '../thorax.js';

const ZONE_T = { upper: [0.18, 0.34], middle: [0.4, 0.56], lower: [0.6, 0.74] } as const;

export function renderNodule(f: Fields, n: NoduleAttrs, rng: Random): void {
  const th = f.thorax;
  const side = sideSign(n.side);
  const r0 = n.diameterMm / 2;
  // Find a centre well inside the lung field of the requested zone.
  let cx = 0;
  let cy = 0;
  for (let attempt = 0; attempt < 40; attempt++) {
    cy = th.apexY + th.hl * rng.uniform(ZONE_T[n.zone][0], ZONE_T[n.zone][1]);
    const lat = th.lateralX(side, cy);
    const med = th.medialX(side, cy);
    cx = med + (lat - med) * rng.uniform(0.3, 0.75);
    const i = Math.round(toPx(f, cy)) * f.width + Math.round(toPx(f, cx));
    if (f.lung[i] && Math.abs(lat - med) > 2.2 * r0 && th.heartThickness(cx, cy) <= 0) break;
  }
  const lobes =
    n.margin === 'smooth'
      ? []
      : [
          [rng.uniform(0.08, 0.14), 3, rng.uniform(0, 6.3)],
          [rng.uniform(0.04, 0.08), 5, rng.uniform(0, 6.3)],
        ];
  const radius = (a: number) => r0 * (1 + lobes.reduce((s, [amp, k, ph]) => s + amp! * Math.sin(k! * a + ph!), 0));
  const bit = maskBit('nodule');
  const reach = r0 * 1.25;
  const buf = new Float32Array(f.width * f.height);
  for (let iy = Math.max(0, Math.floor(toPx(f, cy - reach))); iy <= Math.min(f.height - 1, toPx(f, cy + reach)); iy++) {
    const dy = toMm(f, iy) - cy;
    for (
      let ix = Math.max(0, Math.floor(toPx(f, cx - reach)));
      ix <= Math.min(f.width - 1, toPx(f, cx + reach));
      ix++
    ) {
      const dx = toMm(f, ix) - cx;
      const r = radius(Math.atan2(dy, dx));
      const d2 = dx * dx + dy * dy;
      if (d2 >= r * r) continue;
      const i = iy * f.width + ix;
      buf[i] = 2 * Math.sqrt(r * r - d2) * 0.95;
      f.mask[i] = f.mask[i]! | bit;
    }
  }
  if (n.margin === 'spiculated') {
    const count = rng.int(8, 14);
    for (let k = 0; k < count; k++) {
      const a = rng.uniform(0, 2 * Math.PI);
      const r = radius(a) * 0.9;
      const len = r0 * rng.uniform(0.4, 0.9);
      addCapsule(
        f,
        buf,
        cx + Math.cos(a) * r,
        cy + Math.sin(a) * r,
        cx + Math.cos(a) * (r + len),
        cy + Math.sin(a) * (r + len),
        0.7,
        0.25,
        2.5,
      );
    }
  }
  for (let i = 0; i < buf.length; i++) if (buf[i]! > 0) f.displaced[i] = f.displaced[i]! + buf[i]!;
}
