/**
 * Consolidation: airspace filling confined to a lobe, patchy at its edges,
 * effacing the border it touches (heart or diaphragm) because fluid and
 * soft tissue have the same density; air bronchograms run through it. Since
 * generator 1.14 it may fill one segment or a few patches (consolidation-extent.ts).
 */
import { addCapsule, toMm, type Fields } from '../fields.js';
import { maskBit, type ConsolidationAttrs } from '../findings.js';
import { fillNormal, Random } from '../random.js';
import { createRaster, gaussianBlur, resample } from '../raster.js';
import { consolidationPlan, partialWeight } from './consolidation-extent.js';
import { lobeMembership, lobeSide } from './lobes.js';

export function renderConsolidation(f: Fields, c: ConsolidationAttrs, rng: Random): void {
  const th = f.thorax;
  const bit = maskBit('consolidation');
  const patch = patchiness(f, rng, 14);
  const fill = rng.uniform(0.6, 0.85);
  const bronchi = new Float32Array(f.width * f.height);
  if (c.airBronchograms) drawBronchi(f, c, rng, bronchi);
  const { extent, patches } = consolidationPlan(th, c);
  // Outside every patch nothing is filled. A patch is ill-defined: its edge wanders with the lobe's patchiness
  // and a finer texture of its own (acinar shadows), and fades gradually (partialWeight); bronchopneumonic
  // patches are less dense than a filled segment.
  const fine = patches.length ? patchiness(f, new Random('consolidation-texture', th.c.seed, th.c.index), 5) : null;
  const strength = extent === 'multifocal' ? 0.6 : 0.85;
  const within = (x: number, y: number, i: number): number =>
    fine ? partialWeight(patches, x, y, patch[i]! * 1.4 + fine[i]! * 0.8) * strength : 1;
  for (let iy = 0; iy < f.height; iy++) {
    const y = toMm(f, iy);
    const row = iy * f.width;
    for (let ix = 0; ix < f.width; ix++) {
      const i = row + ix;
      const air = f.lungAir[i]!;
      if (air <= 0) continue;
      const x = toMm(f, ix);
      const m = lobeMembership(th, c.lobe, x, y);
      if (m <= 0) continue;
      // Patchy edges, confluent centre; a patch's own edge fades after that, so it stays ill-defined.
      // (A partial one takes half the lobe's patchiness inside it: its own edge is ragged enough, and the full
      // patchiness left aerated pockets inside a segment that read as cavities.)
      const density = Math.min(1, Math.max(0, m * 1.6 - 0.35 + patch[i]! * (fine ? 0.45 : 0.9))) * within(x, y, i);
      if (density <= 0) continue;
      const filled = air * fill * density * 1.15 - bronchi[i]! * density;
      // Bronchograms show inside the opacity; at a patch's fading edge they must not darken the lung beyond
      // its own air (they looked like cavities). A lobar drawing is 1.0's.
      f.displaced[i] = f.displaced[i]! + (fine ? Math.max(0, filled) : filled);
      f.markings[i] = f.markings[i]! * (1 - density);
      if (density > 0.35) f.mask[i] = f.mask[i]! | bit;
    }
  }
}

/** Smooth random field in about [−0.5, 0.5] at a scale of `mm`. */
export function patchiness(f: Fields, rng: Random, mm: number): Float32Array {
  const factor = Math.max(1, Math.round(mm / 3 / f.mm));
  const coarse = createRaster(Math.ceil(f.width / factor), Math.ceil(f.height / factor), f.mm * factor);
  fillNormal(rng, coarse.data);
  gaussianBlur(coarse, mm / coarse.mm);
  let sd = 0;
  for (const v of coarse.data) sd += v * v;
  sd = Math.sqrt(sd / coarse.data.length) || 1;
  for (let i = 0; i < coarse.data.length; i++) coarse.data[i] = (coarse.data[i]! / sd) * 0.25;
  return resample(coarse, f.width, f.height, f.mm).data;
}

/** Bronchi (air) from the hilum into the lobe: dark branching tubes. */
function drawBronchi(f: Fields, c: ConsolidationAttrs, rng: Random, out: Float32Array): void {
  const th = f.thorax;
  const side = lobeSide(c.lobe);
  const h = th.hilum(side);
  const down = c.lobe === 'RUL' || c.lobe === 'LUL' ? -1 : 1;
  const grow = (x: number, y: number, phi: number, len: number, r: number, depth: number): void => {
    if (r < 0.6 || depth > 5) return;
    const x1 = x + side * Math.cos(phi) * len;
    const y1 = y + Math.sin(phi) * len;
    addCapsule(f, out, x, y, x1, y1, r, r * 0.85, 3);
    for (const s of [-1, 1])
      grow(x1, y1, phi + s * rng.uniform(0.25, 0.55), len * rng.uniform(0.75, 0.9), r * 0.78, depth + 1);
  };
  for (let k = 0; k < 3; k++) {
    const phi = down * rng.uniform(0.5, 1.2);
    grow(h.x, h.y, phi, rng.uniform(18, 26), rng.uniform(2.2, 3), 0);
  }
}
