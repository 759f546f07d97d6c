/**
 * Hilar lymphadenopathy: enlarged nodes make the hilum bulky and lobulated —
 * overlapping rounded soft-tissue masses at one or both hila (symmetric in
 * sarcoidosis), sometimes with a right paratracheal node bulging the right
 * mediastinal contour. Node count, size and arrangement vary.
 */
import { toMm, toPx, type Fields } from '../fields.js';
import { maskBit, type HilarAdenopathyAttrs } from '../findings.js';
import type { Random } from '../random.js';
import type { SideSign } from '../thorax.js';
import { wobble } from './placement.js';

interface Node {
  x: number;
  y: number;
  r: number;
  shape: (a: number) => number;
}

export function renderHilarAdenopathy(f: Fields, a: HilarAdenopathyAttrs, rng: Random): void {
  const th = f.thorax;
  const nodes: Node[] = [];
  const sides: SideSign[] = a.side === 'bilateral' ? [-1, 1] : [a.side === 'left' ? 1 : -1];
  for (const side of sides) {
    const h = th.hilum(side);
    const count = rng.int(3, 5);
    // Bilateral disease is near-symmetric; one side is a little smaller.
    const scale = sides.length === 2 && side === 1 ? rng.uniform(0.8, 1) : 1;
    // A lobulated cluster against the mediastinum, taller than wide, centred on the hilum.
    for (let k = 0; k < count; k++) {
      const r = (a.nodeMm / 2) * scale * (k === 0 ? 1 : rng.uniform(0.6, 0.95));
      const y = h.y + (k === 0 ? rng.uniform(-6, 6) : rng.uniform(-1, 1) * (a.nodeMm * 0.9 + 6));
      nodes.push({
        x: th.medialX(side, y) + side * (r * rng.uniform(0.35, 0.75) + rng.uniform(0, 8)),
        y,
        r,
        shape: wobble(rng, 0.12),
      });
    }
  }
  if (a.paratracheal) {
    // Right paratracheal: against the trachea above the azygos, half inside the mediastinum.
    for (let k = 0; k < rng.int(1, 2); k++) {
      const y = th.apexY + th.hl * rng.uniform(0.16, 0.3);
      const r = rng.uniform(8, 14);
      nodes.push({ x: th.medialX(-1, y) - r * rng.uniform(0.5, 0.8), y, r, shape: wobble(rng, 0.1) });
    }
  }
  const bit = maskBit('hilar_adenopathy');
  for (const n of nodes) {
    const reach = n.r * 1.3;
    for (
      let iy = Math.max(0, Math.floor(toPx(f, n.y - reach)));
      iy <= Math.min(f.height - 1, toPx(f, n.y + reach));
      iy++
    ) {
      const dy = toMm(f, iy) - n.y;
      for (
        let ix = Math.max(0, Math.floor(toPx(f, n.x - reach)));
        ix <= Math.min(f.width - 1, toPx(f, n.x + reach));
        ix++
      ) {
        const dx = toMm(f, ix) - n.x;
        const r = n.r * n.shape(Math.atan2(dy, dx));
        const d2 = dx * dx + dy * dy;
        if (d2 >= r * r) continue;
        const i = iy * f.width + ix;
        f.displaced[i] = f.displaced[i]! + 2 * Math.sqrt(r * r - d2);
        if (f.inBody[i]) f.mask[i] = (f.mask[i]! | bit) >>> 0;
      }
    }
  }
}
