/**
 * Soft-tissue anatomy: body outline, lungs (air depth with rounded edges),
 * heart, mediastinum, trachea and main bronchi, gastric bubble, breasts.
 */
import { addCapsule, toMm, type Fields } from './fields.js';
import { Random } from './random.js';
import { distanceInside, smoothstep } from './raster.js';
import type { Thorax } from './thorax.js';

export function renderAnatomy(f: Fields): void {
  const th = f.thorax;
  const rng = new Random('anatomy', th.c.anatomy.structureSeed);
  renderBody(f, th);
  renderLungs(f, th);
  renderAirways(f, th, rng);
  renderGastricBubble(f, th, rng);
  if (th.c.anatomy.sex === 'F') renderBreasts(f, th, rng);
}

function renderBody(f: Fields, th: Thorax): void {
  const body = f.body;
  const inBody = f.inBody;
  const mid = th.cx + (th.spineX - th.cx) * 0.5;
  for (let iy = 0; iy < f.height; iy++) {
    const y = toMm(f, iy);
    // Each side has its own outline (generator 1.13): shoulders differ in height and width.
    const invRight = 1 / th.bodyHalf(y, -1);
    const invLeft = 1 / th.bodyHalf(y, 1);
    const depth = th.bodyDepthAt(y);
    const row = iy * f.width;
    for (let ix = 0; ix < f.width; ix++) {
      const dx = toMm(f, ix) - mid;
      const u = dx * (dx < 0 ? invRight : invLeft);
      const q = 1 - u * u;
      if (q <= 0) continue;
      // Elliptical cross-section, a little flatter than a true ellipse.
      body[row + ix] = depth * Math.sqrt(q) * (1.15 - 0.15 * q);
      inBody[row + ix] = 1;
    }
  }
}

/** Is (x, y) inside the lungs continued below the domes? */
function lungBounds(th: Thorax, y: number): [number, number, number, number] {
  return [th.lateralX(-1, y), th.medialX(-1, y), th.medialX(1, y), th.lateralX(1, y)];
}

function insideExtended(th: Thorax, b: readonly number[], x: number, y: number): boolean {
  const inRight = x > b[0]! && x < b[1]!;
  const inLeft = x > b[2]! && x < b[3]!;
  if (!inRight && !inLeft) return false;
  const rise = y - th.apexY;
  if (rise > 44) return true;
  // Round the apices: the lung top is a dome over the first centimetres.
  const xm = inRight ? b[1]! : b[2]!;
  const xl = inRight ? b[0]! : b[3]!;
  const half = Math.abs(xl - xm) / 2;
  const u = (x - (xm + xl) / 2) / half;
  return rise >= 38 * (1 - Math.sqrt(Math.max(0, 1 - u * u))) + 6 * Math.abs(u);
}

function renderLungs(f: Fields, th: Thorax): void {
  const { width: w, height: h } = f;
  const bottom = Math.max(th.cpY[-1], th.cpY[1]) + 40;
  // The distance profile (lungs continued below the domes, so only the
  // apices, rib margins and mediastinum are rounded; the domes cut sharply)
  // is smooth, so it is computed on a coarser grid.
  const cf = f.mm < 0.5 ? 2 : 1;
  const cw = Math.ceil(w / cf);
  const ch = Math.ceil(h / cf);
  const cmm = f.mm * cf;
  const coarse = new Uint8Array(cw * ch);
  for (let iy = 0; iy < ch; iy++) {
    const y = (iy + 0.5) * cmm;
    if (y < th.apexY || y > bottom) continue;
    const b = lungBounds(th, y);
    for (let ix = 0; ix < cw; ix++) if (insideExtended(th, b, (ix + 0.5) * cmm, y)) coarse[iy * cw + ix] = 1;
  }
  const dist = distanceInside(coarse, cw, ch);
  const distAt = (x: number, y: number): number => {
    const sx = Math.min(Math.max(x / cmm - 0.5, 0), cw - 1);
    const sy = Math.min(Math.max(y / cmm - 0.5, 0), ch - 1);
    const x0 = Math.floor(sx);
    const y0 = Math.floor(sy);
    const x1 = Math.min(x0 + 1, cw - 1);
    const y1 = Math.min(y0 + 1, ch - 1);
    const fx = sx - x0;
    const fy = sy - y0;
    const top = dist[y0 * cw + x0]! * (1 - fx) + dist[y0 * cw + x1]! * fx;
    const bot = dist[y1 * cw + x0]! * (1 - fx) + dist[y1 * cw + x1]! * fx;
    return (top * (1 - fy) + bot * fy) * cmm;
  };
  const domes = [new Float32Array(w), new Float32Array(w)] as const;
  for (let ix = 0; ix < w; ix++) {
    domes[0][ix] = th.domeY(-1, toMm(f, ix));
    domes[1][ix] = th.domeY(1, toMm(f, ix));
  }
  const edgeMm = 32;
  const lungAir = f.lungAir;
  const lung = f.lung;
  for (let iy = 0; iy < h; iy++) {
    const y = toMm(f, iy);
    if (y < th.apexY || y > bottom) continue;
    const b = lungBounds(th, y);
    const mid = th.midAt(y);
    // Lungs are shallow at the apices and deepest above the domes.
    const depth = th.lungDepth * (0.5 + 0.5 * smoothstep(-0.05, 0.65, th.t(y)));
    const row = iy * w;
    for (let ix = 0; ix < w; ix++) {
      const x = toMm(f, ix);
      if (!insideExtended(th, b, x, y)) continue;
      const i = row + ix;
      const u = Math.min(1, distAt(x, y) / edgeMm);
      let air = depth * Math.sqrt(1 - (1 - u) * (1 - u));
      const dome = (x < mid ? domes[0] : domes[1])[ix]!;
      if (y > dome) {
        // Posterior costophrenic recess: a little lung still projects below the dome.
        air *= 0.16 * Math.exp(-(y - dome) / 22);
      } else {
        lung[i] = 1;
      }
      const heart = th.heartThickness(x, y);
      if (heart > 0) air = Math.max(air * 0.2, air - heart);
      lungAir[i] = air;
    }
  }
}

function renderAirways(f: Fields, th: Thorax, rng: Random): void {
  const top = th.apexY - 90;
  const carX = th.midAt(th.carinaY) + 2;
  const topX = th.spineX + rng.uniform(-3, 3);
  const r = th.c.anatomy.size * rng.uniform(8, 9.5);
  addCapsule(f, f.gas, topX, top, carX, th.carinaY, r, r * 0.95, 0.9);
  // Right main bronchus is steeper and shorter than the left.
  const rb = [carX - 20, th.carinaY + 24] as const;
  const lb = [carX + 40, th.carinaY + 36] as const;
  addCapsule(f, f.gas, carX, th.carinaY, rb[0], rb[1], r * 0.8, r * 0.65, 0.7, f.markings);
  addCapsule(f, f.gas, carX, th.carinaY, lb[0], lb[1], r * 0.75, r * 0.6, 0.7, f.markings);
  addCapsule(f, f.gas, rb[0], rb[1], rb[0] - 6, rb[1] + 28, r * 0.6, r * 0.45, 0.5);
  addCapsule(f, f.gas, lb[0], lb[1], lb[0] + 10, lb[1] + 26, r * 0.55, r * 0.42, 0.5);
}

function renderGastricBubble(f: Fields, th: Thorax, rng: Random): void {
  if (rng.chance(0.15)) return;
  const x0 = th.midAt(th.apexY + th.hl) + th.wt * rng.uniform(0.35, 0.6);
  const top = th.domeY(1, x0) + rng.uniform(8, 16);
  const rx = rng.uniform(22, 42);
  const ry = rng.uniform(12, 24);
  const level = top + ry * rng.uniform(0.8, 1.4);
  const cy = top + ry;
  for (let iy = 0; iy < f.height; iy++) {
    const y = toMm(f, iy);
    if (y < top || y > level) continue;
    const v = (y - cy) / ry;
    const row = iy * f.width;
    for (let ix = 0; ix < f.width; ix++) {
      const u = (toMm(f, ix) - x0) / rx;
      const r2 = u * u + Math.min(v, 0) ** 2;
      // Flat air-fluid level below, rounded fundus above.
      if (r2 < 1) f.gas[row + ix] = f.gas[row + ix]! + 70 * Math.sqrt(1 - r2);
    }
  }
}

function renderBreasts(f: Fields, th: Thorax, rng: Random): void {
  const radius = th.c.anatomy.size * rng.uniform(65, 95);
  const depth = rng.uniform(25, 55);
  for (const side of [-1, 1] as const) {
    const cx = th.cx + side * th.wt * rng.uniform(0.45, 0.6);
    const cy = th.apexY + th.hl * rng.uniform(0.68, 0.8);
    for (let iy = 0; iy < f.height; iy++) {
      const v = (toMm(f, iy) - cy) / radius;
      if (v < -1 || v > 1) continue;
      const row = iy * f.width;
      for (let ix = 0; ix < f.width; ix++) {
        const u = (toMm(f, ix) - cx) / (radius * 1.15);
        // Soft upper edge, sharp inferior edge (the inframammary fold).
        const r2 = u * u + v * v;
        if (r2 >= 1) continue;
        const fade = v < 0 ? smoothstep(-1, 0.1, v) : 1;
        f.body[row + ix] = f.body[row + ix]! + depth * Math.sqrt(1 - r2) * fade * f.inBody[row + ix]!;
      }
    }
  }
}
