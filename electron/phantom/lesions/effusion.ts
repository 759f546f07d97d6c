/**
 * Pleural effusion: fluid in the dependent pleural space. Upright (PA) it is a
 * homogeneous basal opacity with a meniscus rising laterally and a blunted
 * costophrenic angle; supine (AP) it layers behind the lung as a veil over
 * the hemithorax that thickens toward the base.
 */
import { toMm, type Fields } from '../fields.js';
import type { EffusionAttrs } from '../findings.js';
import { maskBit } from '../findings.js';
import type { Random } from '../random.js';
import { smoothstep } from '../raster.js';
import type { SideSign } from '../thorax.js';

export function renderEffusion(f: Fields, e: EffusionAttrs, rng: Random): void {
  const sides: SideSign[] = e.side === 'bilateral' ? [-1, 1] : [e.side === 'left' ? 1 : -1];
  for (const side of sides) {
    // Bilateral effusions are rarely the same size.
    const size =
      e.side === 'bilateral' && side === 1 && e.size !== 'small' && rng.chance(0.5) ? smaller(e.size) : e.size;
    if (f.thorax.c.acquisition.view === 'AP') layered(f, side, size, rng);
    else meniscus(f, side, size, rng, 1);
  }
}

const smaller = (s: EffusionAttrs['size']): EffusionAttrs['size'] => (s === 'large' ? 'moderate' : 'small');

/** Height of the fluid at the lateral chest wall above the costophrenic angle, as a fraction of lung height. */
function level(size: EffusionAttrs['size'], rng: Random): number {
  if (size === 'small') return rng.uniform(0.08, 0.14);
  if (size === 'moderate') return rng.uniform(0.28, 0.42);
  return rng.uniform(0.55, 0.72);
}

function meniscus(f: Fields, side: SideSign, size: EffusionAttrs['size'], rng: Random, strength: number): void {
  const th = f.thorax;
  const bit = maskBit('pleural_effusion');
  const top = th.cpY[side] - level(size, rng) * th.hl;
  const rise = th.hl * rng.uniform(0.12, 0.18);
  const ramp = rng.uniform(10, 18);
  const fluid = th.lungDepth * 1.3 * strength;
  for (let iy = 0; iy < f.height; iy++) {
    const y = toMm(f, iy);
    if (y < top - 5) continue;
    const mid = th.midAt(y);
    const lat = th.lateralX(side, y);
    const row = iy * f.width;
    for (let ix = 0; ix < f.width; ix++) {
      const x = toMm(f, ix);
      const q = (x - mid) / (lat - mid);
      if (q < 0 || q > 1.05) continue;
      // Meniscus: the upper border climbs steeply along the chest wall and is
      // nearly flat medially (concave upward).
      const ym = top + rise * (1 - Math.min(q, 1)) ** 0.4;
      const depth = smoothstep(ym - 2, ym + ramp, y);
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
  if (size !== 'small') meniscus(f, side, 'small', rng, 0.7);
}
