/**
 * Lung markings: pulmonary vessel trees branching from each hilum and
 * tapering to the periphery, plus a faint interstitial texture. Both are
 * "displaced air", so they disappear where the lung is airless.
 */
import { addCapsule, toPx, type Fields } from './fields.js';
import { Random, fillNormal } from './random.js';
import { createRaster, gaussianBlur, resample } from './raster.js';
import type { SideSign } from './thorax.js';

export interface MarkingOptions {
  /** Upper-lobe vessels as wide as lower-lobe ones (venous hypertension). */
  cephalization: number;
  /** Blur of the vessel outlines, mm (interstitial edema makes them indistinct). */
  indistinct: number;
}

export function renderMarkings(f: Fields, opts: MarkingOptions = { cephalization: 0, indistinct: 0 }): void {
  const th = f.thorax;
  const rng = new Random('vessels', th.c.anatomy.structureSeed);
  const vessels = new Float32Array(f.width * f.height);
  for (const side of [-1, 1] as const) {
    const h = th.hilum(side);
    // Trunks fan out from the hilum: up, lateral and down, as on a real film.
    const trunks = [-85, -62, -40, -18, 0, 18, 38, 58, 80];
    for (const deg of trunks) {
      const phi = ((deg + rng.uniform(-8, 8)) * Math.PI) / 180;
      const upper = deg < -15;
      const scale = th.c.anatomy.size;
      const r0 = scale * (upper ? 3.1 + 1.5 * opts.cephalization : 4.0) * rng.uniform(0.85, 1.1);
      // The hilum is tall: trunks leave it along ±2.5 cm, not from one point.
      const hy = h.y + Math.sin(phi) * 22 + rng.uniform(-4, 4);
      const hx = h.x - side * 6 + rng.uniform(-3, 3);
      branch(f, vessels, rng, side, hx, hy, phi, scale * rng.uniform(18, 26), r0, 0);
    }
  }
  if (opts.indistinct > 0) {
    const r = { width: f.width, height: f.height, mm: f.mm, data: vessels };
    gaussianBlur(r, opts.indistinct / f.mm);
  }
  addTexture(f, rng, vessels);
  for (let i = 0; i < vessels.length; i++) {
    f.displaced[i] = f.displaced[i]! + vessels[i]! * f.markings[i]!;
  }
}

function branch(
  f: Fields,
  out: Float32Array,
  rng: Random,
  side: SideSign,
  x: number,
  y: number,
  phi: number,
  len: number,
  r: number,
  depth: number,
): void {
  if (r < 0.35 || depth > 9) return;
  const dx = side * Math.cos(phi);
  const dy = Math.sin(phi);
  const x1 = x + dx * len;
  const y1 = y + dy * len;
  const ix = Math.round(toPx(f, x1));
  const iy = Math.round(toPx(f, y1));
  if (ix < 0 || iy < 0 || ix >= f.width || iy >= f.height) return;
  // Stop at the pleura: markings fade out within 1–2 cm of the chest wall.
  const air = f.lungAir[iy * f.width + ix]!;
  if (air < f.thorax.lungDepth * 0.25 && depth > 2) return;
  const r1 = r * rng.uniform(0.84, 0.92);
  // Vessels curve: two half-segments with a kink in the middle.
  const bend = rng.uniform(-0.18, 0.18) * len;
  const mx = (x + x1) / 2 - dy * bend * side;
  const my = (y + y1) / 2 + dx * bend * side * 0;
  addCapsule(f, out, x, y, mx, my, r, (r + r1) / 2, 1.5, undefined, depth === 0);
  addCapsule(f, out, mx, my, x1, y1, (r + r1) / 2, r1, 1.5, undefined, false);
  const n = depth < 2 ? 2 : rng.chance(0.8) ? 2 : 1;
  for (let k = 0; k < n; k++) {
    const spread =
      ((rng.uniform(14, 34) * Math.PI) / 180) * (k === 0 ? -1 : 1) * (n === 1 ? rng.uniform(-0.3, 0.3) : 1);
    // Gravity-free drift keeps branches heading away from the hilum.
    const childR = r1 * (n === 1 ? 0.92 : rng.uniform(0.72, 0.86));
    branch(f, out, rng, side, x1, y1, phi + spread, len * rng.uniform(0.72, 0.92), childR, depth + 1);
  }
}

/** Band-limited noise proportional to lung depth: the interstitium. */
function addTexture(f: Fields, rng: Random, out: Float32Array): void {
  const factor = 3;
  const cw = Math.ceil(f.width / factor);
  const ch = Math.ceil(f.height / factor);
  const coarse = createRaster(cw, ch, f.mm * factor);
  fillNormal(rng, coarse.data);
  gaussianBlur(coarse, 0.9);
  const fine = resample(coarse, f.width, f.height, f.mm);
  const k = 0.05;
  for (let i = 0; i < out.length; i++) {
    const a = f.lungAir[i]!;
    if (a > 0) out[i] = out[i]! + Math.max(0, fine.data[i]! * a * k);
  }
}
