/**
 * How much of its lobe a consolidation fills (generator 1.14): the extent, and where a partial one lies.
 */
import type { PhantomCase } from '../case.js';
import type { ConsolidationAttrs } from '../findings.js';
import { Random } from '../random.js';
import { smoothstep } from '../raster.js';
import type { Thorax } from '../thorax.js';
import { lobeMembership, lobeSide } from './lobes.js';

/**
 * How much of its lobe a consolidation fills (generator 1.14; 1.0–1.13 filled the whole lobe every time):
 * the whole lobe, one segment, or several ill-defined patches (bronchopneumonia). A segment is a wedge
 * whose apex points at the hilum and whose base lies on the pleura; it, or the first patch, always reaches
 * the border the report says the consolidation obscures (heart border or hemidiaphragm).
 */
export type ConsolidationExtent = 'lobar' | 'segmental' | 'multifocal';
export type ConsolidationPatch =
  /** A segment: from `inner` mm out from the hilum (hx, hy), within `half` radians of the direction `angle`. */
  | { kind: 'segment'; hx: number; hy: number; angle: number; half: number; inner: number }
  /** A bronchopneumonic patch: a soft blob of radius r, mm. */
  | { kind: 'patch'; x: number; y: number; r: number };

/** The extent of a case's consolidation, from a stream of its own: every other draw stays generator 1.13's. */
export function consolidationExtent(c: PhantomCase): ConsolidationExtent {
  const rng = new Random('consolidation-extent', c.seed, c.index);
  return rng.weighted<ConsolidationExtent>([
    ['lobar', 0.5],
    ['segmental', 0.35],
    ['multifocal', 0.15],
  ]);
}

/** The segment or patches of a partial consolidation (none for a lobar one, or if no place is found). */
export function consolidationPatches(th: Thorax, con: ConsolidationAttrs): ConsolidationPatch[] {
  const c = th.c;
  const extent = consolidationExtent(c);
  if (extent === 'lobar') return [];
  const rng = new Random('consolidation-patches', c.seed, c.index);
  const count = extent === 'segmental' ? 1 : rng.int(2, 4);
  const out: ConsolidationPatch[] = [];
  for (let k = 0; k < count; k++) {
    const at = placeInLobe(th, con, rng, k === 0);
    if (!at) continue;
    if (extent === 'multifocal') {
      out.push({ kind: 'patch', x: at.x, y: at.y, r: rng.uniform(14, 26) });
      continue;
    }
    const h = th.hilum(lobeSide(con.lobe));
    const dist = Math.hypot(at.x - h.x, at.y - h.y);
    out.push({
      kind: 'segment',
      hx: h.x,
      hy: h.y,
      angle: Math.atan2(at.y - h.y, at.x - h.x),
      // The middle lobe and lingula are small: one of their two segments is a narrower wedge.
      half: con.lobe === 'RML' || con.lobe === 'lingula' ? rng.uniform(0.12, 0.22) : rng.uniform(0.2, 0.4),
      inner: dist * rng.uniform(0.3, 0.55),
    });
  }
  return out;
}

/**
 * A point deep in the lobe and in the lung, by bounded rejection sampling. `border`: the point the first
 * patch or the segment's base reaches — the dome under a lower lobe, the heart border beside the middle lobe
 * and lingula, anywhere in an upper lobe.
 */
function placeInLobe(
  th: Thorax,
  con: ConsolidationAttrs,
  rng: Random,
  border: boolean,
): { x: number; y: number } | null {
  const side = lobeSide(con.lobe);
  const lower = con.lobe === 'RLL' || con.lobe === 'LLL';
  const beside = con.lobe === 'RML' || con.lobe === 'lingula';
  // Three tries, each less strict: a lobe too small for the first (a lingula behind a large heart) still
  // gets a partial consolidation, as its extent and report say.
  for (const strict of [2, 1, 0])
    for (let tries = 0; tries < 300; tries++) {
      const y = th.apexY + th.hl * rng.uniform(0.02, 1);
      const med = th.medialX(side, y);
      const lat = th.lateralX(side, y);
      let x = med + (lat - med) * rng.uniform(0.1, 0.9);
      if (border && beside && strict > 0) {
        // Just outside the heart's edge at this height, so the wedge runs down the border it effaces.
        let edge = med;
        while (side * (lat - edge) > 0 && th.heartThickness(edge, y) > 0) edge += side;
        x = edge + side * rng.uniform(2, 12);
      }
      const dome = th.domeY(side, x);
      if (y > dome - 4 || lobeMembership(th, con.lobe, x, y) < (strict > 0 ? 0.7 : 0.3)) continue;
      if (border && lower && strict > 0 && y < dome - 14) continue;
      // Beside the heart: low in the lobe, so the wedge runs down the heart's border.
      if (border && beside && strict > 1 && th.t(y) < 0.55) continue;
      return { x, y };
    }
  return null;
}

/** How much of a partial consolidation's opacity a point (mm) takes: 0 outside, up to 1 inside. */
export function partialWeight(patches: readonly ConsolidationPatch[], x: number, y: number, ragged: number): number {
  let w = 0;
  for (const p of patches) {
    if (p.kind === 'patch') {
      const d = Math.hypot(x - p.x, y - p.y) / p.r + ragged;
      w = Math.max(w, 1 - smoothstep(0.15, 1.3, d));
    } else {
      let da = Math.abs(Math.atan2(y - p.hy, x - p.hx) - p.angle);
      if (da > Math.PI) da = 2 * Math.PI - da;
      const across = 1 - smoothstep(0.6, 1.25, da / p.half + ragged);
      const out = smoothstep(0.7, 1.15, Math.hypot(x - p.hx, y - p.hy) / p.inner + ragged);
      w = Math.max(w, across * out);
    }
  }
  return w;
}
