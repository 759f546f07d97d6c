/**
 * Support devices: endotracheal tube (tip above the carina), enteric tube
 * (below the left hemidiaphragm), central venous catheter (tip at the
 * cavo-atrial junction) and pacemaker (generator in the upper chest, leads
 * to the right atrium and ventricle). Metal and radiopaque stripes are the
 * brightest things on the film.
 */
import { addCapsule, addPolyline, smoothPath, type Fields } from '../fields.js';
import { maskBit, type DevicesAttrs } from '../findings.js';
import type { Random } from '../random.js';
import { sideSign } from '../thorax.js';

type Pt = readonly [number, number];

export function renderDevices(f: Fields, d: DevicesAttrs, rng: Random): void {
  const th = f.thorax;
  const plastic = new Float32Array(f.width * f.height);
  const metal = new Float32Array(f.width * f.height);
  const top = -5;
  if (d.ettube) {
    const tip = th.carinaY - (d.ettTipMm ?? 50);
    const path = smoothPath([
      [th.spineX + rng.uniform(-4, 4), top],
      [th.midAt(th.apexY) + rng.uniform(-2, 2), th.apexY - 20],
      [th.midAt(tip), tip],
    ]);
    addPolyline(f, plastic, path, 4.2, 0.35);
    addPolyline(
      f,
      metal,
      path.map(([x, y]) => [x - 3, y] as const),
      0.5,
      0.5,
    );
  }
  if (d.ngTube) {
    const stomachX = th.midAt(th.apexY + th.hl) + th.wt * rng.uniform(0.35, 0.55);
    const below = th.domeY(1, stomachX) + rng.uniform(30, 60);
    const path = smoothPath([
      [th.spineX + 6, top],
      [th.spineX + 5, th.carinaY],
      [th.spineX + 14, th.domePeak[1] - 10],
      [stomachX - 25, below - 10],
      [stomachX, below],
    ]);
    addPolyline(f, plastic, path, 2.2, 0.35);
    addPolyline(f, metal, path, 0.45, 0.45);
  }
  if (d.centralLine) {
    const s = sideSign(d.lineSide ?? 'right');
    const svcX = th.midAt(th.carinaY) - th.wt * 0.16;
    const tipY = th.carinaY + rng.uniform(30, 50);
    const entry: Pt[] =
      d.lineVia === 'subclavian'
        ? [
            [th.cx + s * (th.wt + 30), th.apexY + 8],
            [th.cx + s * th.wt * 0.55, th.apexY + 14],
            [th.midAt(th.apexY) + s * 25, th.apexY + th.hl * 0.14],
          ]
        : [
            [th.spineX + s * 38, top],
            [th.spineX + s * 30, th.apexY - 10],
            [th.midAt(th.apexY) + s * 22, th.apexY + th.hl * 0.12],
          ];
    const path = smoothPath([...entry, [svcX, th.carinaY - 25], [svcX + 2, tipY]]);
    addPolyline(f, metal, path, 1.0, 0.3);
  }
  if (d.pacemaker) {
    const s = rng.chance(0.8) ? 1 : -1;
    const gx = th.cx + s * th.wt * rng.uniform(0.5, 0.7);
    const gy = th.apexY + th.hl * rng.uniform(0.02, 0.12);
    generator(f, metal, gx, gy, rng);
    const ra: Pt = [th.heart.cx - th.heart.a * 0.55, th.heart.cy - th.heart.b * 0.55];
    const rv: Pt = [th.heart.cx + th.heart.a * 0.25, th.heart.cy + th.heart.b * 0.45];
    const svc: Pt = [th.midAt(th.carinaY) - th.wt * 0.15, th.carinaY];
    const entry: Pt = [th.midAt(th.apexY) + s * 30, th.apexY + th.hl * 0.1];
    const lead1 = smoothPath([[gx - s * 18, gy], entry, svc, [svc[0], ra[1] + 10], ra, [ra[0] + 12, ra[1] - 12]]);
    const lead2 = smoothPath([[gx - s * 18, gy + 6], entry, svc, [svc[0] + 6, ra[1] + 25], rv]);
    addPolyline(f, metal, lead1, 0.9, 0.8);
    addPolyline(f, metal, lead2, 0.9, 0.8);
    addCapsule(f, metal, rv[0] - 3, rv[1] - 2, rv[0], rv[1], 1.6, 1.6, 1.2);
  }
  const bit = maskBit('support_devices');
  for (let i = 0; i < metal.length; i++) {
    const p = plastic[i]!;
    const m = metal[i]!;
    if (p <= 0 && m <= 0) continue;
    f.body[i] = f.body[i]! + p;
    f.metal[i] = f.metal[i]! + m;
    if (f.inBody[i]) f.mask[i] = f.mask[i]! | bit;
  }
}

/** Pacemaker can: a dense rounded rectangle with a less dense header. */
function generator(f: Fields, metal: Float32Array, cx: number, cy: number, rng: Random): void {
  const w = rng.uniform(40, 50) / 2;
  const h = rng.uniform(34, 44) / 2;
  for (let iy = Math.max(0, Math.floor((cy - h - 8) / f.mm)); iy < Math.min(f.height, (cy + h + 2) / f.mm); iy++) {
    const y = (iy + 0.5) * f.mm;
    for (let ix = Math.max(0, Math.floor((cx - w - 2) / f.mm)); ix < Math.min(f.width, (cx + w + 2) / f.mm); ix++) {
      const x = (ix + 0.5) * f.mm;
      const u = Math.abs(x - cx) / w;
      const v = (y - cy) / h;
      const i = iy * f.width + ix;
      if (u ** 4 + Math.abs(v) ** 4 < 1) metal[i] = metal[i]! + (Math.abs(v) < 0.5 && u < 0.6 ? 7 : 5);
      else if (v < -1 && v > -1 - 7 / h && u < 0.7) metal[i] = metal[i]! + 0.6;
    }
  }
}
