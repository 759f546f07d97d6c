/**
 * Calcified granuloma: a small, sharply marginated nodule as dense as bone
 * (healed granulomatous infection), alone or a few in one zone, sometimes
 * with a calcified node at the hilum of the same side (a Ghon complex).
 * Denser and much smaller than the soft-tissue nodule.
 */
import { toMm, toPx, type Fields } from '../fields.js';
import { maskBit, type GranulomaAttrs } from '../findings.js';
import type { Random } from '../random.js';
import { sideSign } from '../thorax.js';
import { placeInLung, wobble } from './placement.js';

export function renderGranuloma(f: Fields, g: GranulomaAttrs, rng: Random): void {
  const th = f.thorax;
  const side = sideSign(g.side);
  const [cx, cy] = placeInLung(f, side, g.zone, g.diameterMm, rng);
  const spots: [number, number, number, number][] = [];
  for (let k = 0; k < g.count; k++) {
    const r = (g.diameterMm / 2) * (k === 0 ? 1 : rng.uniform(0.5, 0.9));
    const a = rng.uniform(0, 2 * Math.PI);
    const d = k === 0 ? 0 : rng.uniform(12, 35);
    // Calcium: denser than rib for its size (1.2: so a 4-mm spot survives a 384² matrix).
    spots.push([cx + Math.cos(a) * d, cy + Math.sin(a) * d, r, rng.uniform(1.5, 2.1)]);
  }
  if (g.hilarNode) {
    const h = th.hilum(side);
    spots.push([
      h.x + side * rng.uniform(2, 10),
      h.y + rng.uniform(-12, 16),
      rng.uniform(3, 5.5),
      rng.uniform(0.6, 0.9),
    ]);
  }
  const bit = maskBit('calcified_granuloma');
  for (const [x0, y0, r0, density] of spots) {
    const shape = wobble(rng, 0.15);
    // The mask is at least 3 mm across a side so that downscaled masks keep it.
    const reach = Math.max(r0 * 1.3, 3);
    for (
      let iy = Math.max(0, Math.floor(toPx(f, y0 - reach)));
      iy <= Math.min(f.height - 1, toPx(f, y0 + reach));
      iy++
    ) {
      const dy = toMm(f, iy) - y0;
      for (
        let ix = Math.max(0, Math.floor(toPx(f, x0 - reach)));
        ix <= Math.min(f.width - 1, toPx(f, x0 + reach));
        ix++
      ) {
        const dx = toMm(f, ix) - x0;
        const i = iy * f.width + ix;
        const d2 = dx * dx + dy * dy;
        if (d2 < Math.max(r0 + 1, 3) ** 2 && f.inBody[i]) f.mask[i] = (f.mask[i]! | bit) >>> 0;
        const r = r0 * shape(Math.atan2(dy, dx));
        if (d2 >= r * r) continue;
        f.bone[i] = f.bone[i]! + 2 * Math.sqrt(r * r - d2) * density;
      }
    }
  }
}
