/**
 * Pleural effusion: fluid in the dependent pleural space. Upright (PA) it is a
 * homogeneous basal opacity with a meniscus rising laterally and a blunted
 * costophrenic angle; supine (AP) it layers behind the lung as a veil over
 * the hemithorax that thickens toward the base. Since generator 1.14 an upright
 * one may also lie under the lung (subpulmonic) or be loculated against the wall.
 */
import { toMm, type Fields } from '../fields.js';
import type { EffusionAttrs } from '../findings.js';
import { maskBit } from '../findings.js';
import type { PhantomCase } from '../case.js';
import { Random } from '../random.js';
import { smoothstep } from '../raster.js';
import type { SideSign, Thorax } from '../thorax.js';

export function renderEffusion(f: Fields, e: EffusionAttrs, rng: Random): void {
  const sides: SideSign[] = e.side === 'bilateral' ? [-1, 1] : [e.side === 'left' ? 1 : -1];
  for (const side of sides) {
    // Bilateral effusions are rarely the same size.
    const size =
      e.side === 'bilateral' && side === 1 && e.size !== 'small' && rng.chance(0.5) ? smaller(e.size) : e.size;
    if (f.thorax.c.acquisition.view === 'AP') {
      layered(f, side, size, rng);
      continue;
    }
    // The form follows the attributes (not the drawn size of a bilateral one's second side), as the report does.
    const form = effusionForm(f.thorax.c, side, e.size);
    // The meniscus is drawn from the stream whatever the form, so the other side of a bilateral effusion is as before.
    const shape = meniscusShape(f.thorax, side, size, rng);
    if (form === 'free') meniscus(f, side, shape, 1);
    else {
      const own = new Random('effusion-shape', f.thorax.c.seed, f.thorax.c.index, side);
      const thick = form === 'subpulmonic' ? subpulmonic(f, side, size, own) : loculated(f, side, size, own);
      // A little free fluid beside it blunts the angle, as the reports may say ("Blunting of the … angle").
      bluntAngle(f, side, thick * own.uniform(0.4, 0.7));
    }
  }
}

/**
 * How the fluid lies on an upright film (generator 1.14; 1.0–1.13 drew every one free-flowing, with a
 * meniscus): free; subpulmonic, under the lung, where it mimics a raised hemidiaphragm whose peak lies too far
 * out; or loculated, a lens against the lateral chest wall held there by adhesions. A large effusion is free.
 * From a stream of its own, so every other draw stays generator 1.13's.
 */
export type EffusionForm = 'free' | 'subpulmonic' | 'loculated';
export function effusionForm(c: PhantomCase, side: SideSign, size: EffusionAttrs['size']): EffusionForm {
  if (c.acquisition.view === 'AP' || size === 'large') return 'free';
  return new Random('effusion-form', c.seed, c.index, side).weighted<EffusionForm>([
    ['free', 0.8],
    ['subpulmonic', 0.1],
    ['loculated', 0.1],
  ]);
}

/**
 * Fluid between the lung base and the diaphragm: the apparent dome rises by the fluid's thickness, most a
 * little lateral of the dome's middle, so its peak moves out, and falls steeply to the costophrenic angle.
 * Returns the fluid's greatest depth, mm.
 */
function subpulmonic(f: Fields, side: SideSign, size: EffusionAttrs['size'], rng: Random): number {
  const th = f.thorax;
  const thick = size === 'small' ? rng.uniform(10, 16) : rng.uniform(18, 32);
  const peakQ = rng.uniform(0.6, 0.75);
  const spread = rng.uniform(0.28, 0.4);
  const fluid = th.lungDepth * 1.3;
  addFluid(f, side, th.domePeak[side] - thick - 10, fluid, (x, y, q) => {
    const dome = th.domeY(side, x);
    if (y > dome + 2) return 0;
    // The fluid's upper surface: the dome raised by a bell across the hemithorax, with a smooth edge.
    // Some fluid reaches the lateral angle and blunts it a little, as the reports may say.
    const h = thick * Math.max(Math.exp(-(((Math.min(q, 1) - peakQ) / spread) ** 2)), 0.3 * smoothstep(0.8, 1, q));
    return smoothstep(dome - h - 2, dome - h + 3, y);
  });
  return thick;
}

/** Fluid filling only the lateral costophrenic recess, `mm` up the wall: a blunted angle, no meniscus. */
function bluntAngle(f: Fields, side: SideSign, mm: number): void {
  const th = f.thorax;
  const cp = th.cpY[side];
  addFluid(f, side, cp - mm - 5, th.lungDepth * 0.9, (_x, y, q) => {
    const top = cp - mm * Math.max(0, (Math.min(q, 1) - 0.7) / 0.3) ** 1.5;
    return smoothstep(top - 1.5, top + 4, y);
  });
}

/**
 * A lens of fluid against the lateral chest wall, above the angle: convex toward the lung, obtuse angles at its
 * ends. Returns its greatest depth, mm.
 */
function loculated(f: Fields, side: SideSign, size: EffusionAttrs['size'], rng: Random): number {
  const th = f.thorax;
  const bit = maskBit('pleural_effusion');
  const yc = th.apexY + th.hl * rng.uniform(0.4, 0.65);
  const half = size === 'small' ? rng.uniform(25, 40) : rng.uniform(40, 65);
  const thick = size === 'small' ? rng.uniform(8, 15) : rng.uniform(15, 28);
  const fluid = th.lungDepth * 1.1;
  for (let iy = 0; iy < f.height; iy++) {
    const y = toMm(f, iy);
    const v = (y - yc) / half;
    if (v <= -1 || v >= 1) continue;
    // Thickness along the wall: a lens tapering to its ends, which meet the wall at an obtuse angle.
    const w = thick * (1 - v * v);
    const lat = th.lateralX(side, y);
    const row = iy * f.width;
    for (let ix = 0; ix < f.width; ix++) {
      const x = toMm(f, ix);
      const fromWall = side * (lat - x);
      if (fromWall < -2 || fromWall > w + 4) continue;
      const depth = 1 - smoothstep(w - 2, w + 2, fromWall);
      if (depth <= 0) continue;
      const i = row + ix;
      f.displaced[i] = f.displaced[i]! + fluid * depth * Math.sqrt(1 - v * v);
      if (depth > 0.3 && f.lungAir[i]! > 0) f.mask[i] = f.mask[i]! | bit;
    }
  }
  return thick;
}

const smaller = (s: EffusionAttrs['size']): EffusionAttrs['size'] => (s === 'large' ? 'moderate' : 'small');

/** Height of the fluid at the lateral chest wall above the costophrenic angle, as a fraction of lung height. */
function level(size: EffusionAttrs['size'], rng: Random): number {
  if (size === 'small') return rng.uniform(0.08, 0.14);
  if (size === 'moderate') return rng.uniform(0.28, 0.42);
  return rng.uniform(0.55, 0.72);
}

/** A meniscus: its height at the lateral wall, how far the wall is above its medial level, and its softness, mm. */
interface Meniscus {
  top: number;
  rise: number;
  ramp: number;
}

function meniscusShape(th: Thorax, side: SideSign, size: EffusionAttrs['size'], rng: Random): Meniscus {
  const top = th.cpY[side] - level(size, rng) * th.hl;
  return { top, rise: th.hl * rng.uniform(0.12, 0.18), ramp: rng.uniform(10, 18) };
}

function meniscus(f: Fields, side: SideSign, { top, rise, ramp }: Meniscus, strength: number): void {
  const th = f.thorax;
  const fluid = th.lungDepth * 1.3 * strength;
  // Meniscus: the upper border climbs steeply along the chest wall and is nearly flat medially (concave upward).
  addFluid(f, side, top - 5, fluid, (_x, y, q) => {
    const ym = top + rise * (1 - Math.min(q, 1)) ** 0.4;
    return smoothstep(ym - 2, ym + ramp, y);
  });
}

/**
 * Adds fluid of thickness `fluid` × depthAt(x, y, q) over one hemithorax below `from` (q: 0 at the midline, 1 at
 * the lateral wall), and marks it where it is substantial and over lung.
 */
function addFluid(
  f: Fields,
  side: SideSign,
  from: number,
  fluid: number,
  depthAt: (x: number, y: number, q: number) => number,
): void {
  const th = f.thorax;
  const bit = maskBit('pleural_effusion');
  for (let iy = 0; iy < f.height; iy++) {
    const y = toMm(f, iy);
    if (y < from) continue;
    const mid = th.midAt(y);
    const lat = th.lateralX(side, y);
    const row = iy * f.width;
    for (let ix = 0; ix < f.width; ix++) {
      const x = toMm(f, ix);
      const q = (x - mid) / (lat - mid);
      if (q < 0 || q > 1.05) continue;
      const depth = depthAt(x, y, q);
      if (depth <= 0) continue;
      const i = row + ix;
      f.displaced[i] = f.displaced[i]! + fluid * depth;
      if (depth > 0.3 && f.lungAir[i]! > 0) f.mask[i] = f.mask[i]! | bit;
    }
  }
}

function layered(f: Fields, side: SideSign, size: EffusionAttrs['size'], rng: Random): void {
  const th = f.thorax;
  const bit = maskBit('pleural_effusion');
  const amount = th.lungDepth * (size === 'small' ? 0.22 : size === 'moderate' ? 0.4 : 0.6) * rng.uniform(0.9, 1.1);
  const start = size === 'small' ? 0.45 : size === 'moderate' ? 0.2 : 0;
  for (let iy = 0; iy < f.height; iy++) {
    const y = toMm(f, iy);
    const t = th.t(y);
    // A veil thickening toward the dependent base.
    const veil = smoothstep(start - 0.1, 1, t);
    if (veil <= 0) continue;
    const mid = th.midAt(y);
    const lat = th.lateralX(side, y);
    const row = iy * f.width;
    for (let ix = 0; ix < f.width; ix++) {
      const x = toMm(f, ix);
      const q = (x - mid) / (lat - mid);
      if (q < 0 || q > 1.05) continue;
      const i = row + ix;
      f.displaced[i] = f.displaced[i]! + amount * veil * (0.7 + 0.3 * q);
      if (veil > 0.25 && f.lungAir[i]! > 0) f.mask[i] = f.mask[i]! | bit;
    }
  }
  // Fluid also fills the lateral costophrenic recess.
  if (size !== 'small') meniscus(f, side, meniscusShape(th, side, 'small', rng), 0.7);
}
