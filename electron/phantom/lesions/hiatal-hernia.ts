/**
 * Hiatal hernia: stomach above the diaphragm, behind the heart — a rounded
 * retrocardiac soft-tissue mass that displaces lung, with a gas pocket; on an
 * upright film the gas sits on a flat air-fluid level, supine it is a
 * rounded lucency. Size, outline, position and gas fraction vary.
 */
import { toMm, toPx, type Fields } from '../fields.js';
import { maskBit, type HiatalHerniaAttrs } from '../findings.js';
import type { Random } from '../random.js';
import { smoothstep } from '../raster.js';

export function renderHiatalHernia(f: Fields, h: HiatalHerniaAttrs, rng: Random): void {
  const th = f.thorax;
  const bit = maskBit('hiatal_hernia');
  const rx = h.diameterMm / 2;
  const ry = rx * rng.uniform(0.7, 0.95);
  // Through the hiatus: just left of the midline, its lower part below the dome peaks.
  const bottom = Math.min(th.domePeak[-1], th.domePeak[1]) + rng.uniform(4, 16);
  const cy = bottom - ry;
  const cx = th.midAt(cy) + rng.uniform(-4, 22);
  // Gas: a third to two thirds of the height; the level is flat only upright.
  const level = cy - ry + 2 * ry * rng.uniform(0.4, 0.7);
  const gasDepth = rx * rng.uniform(1.1, 1.6);
  const tilt = rng.uniform(-0.12, 0.12);
  const y0 = Math.max(0, Math.floor(toPx(f, cy - ry - 2)));
  const y1 = Math.min(f.height - 1, Math.ceil(toPx(f, cy + ry + 2)));
  const x0 = Math.max(0, Math.floor(toPx(f, cx - rx - 2)));
  const x1 = Math.min(f.width - 1, Math.ceil(toPx(f, cx + rx + 2)));
  for (let iy = y0; iy <= y1; iy++) {
    const y = toMm(f, iy);
    for (let ix = x0; ix <= x1; ix++) {
      const x = toMm(f, ix);
      const u = (x - cx) / rx;
      const v = (y - cy - tilt * (x - cx)) / ry;
      const r2 = u * u + v * v;
      if (r2 >= 1) continue;
      const i = iy * f.width + ix;
      const chord = Math.sqrt(1 - r2);
      // Soft tissue replaces the lung in front of and behind it.
      f.displaced[i] = f.displaced[i]! + 2 * rx * chord;
      const gas = h.airFluidLevel
        ? 1 - smoothstep(level - 0.5, level + 0.5, y)
        : Math.max(0, 1 - ((x - cx) / (rx * 0.8)) ** 2 - ((y - (cy - ry * 0.35)) / (ry * 0.55)) ** 2) ** 0.3;
      if (gas > 0) f.gas[i] = f.gas[i]! + gasDepth * chord * gas;
      if (f.inBody[i]) f.mask[i] = (f.mask[i]! | bit) >>> 0;
    }
  }
}
