/**
 * How much of its lobe a consolidation fills (generator 1.14): the extent, and where a partial one lies.
 */
import type { PhantomCase } from '../case.js';
import type { ConsolidationAttrs } from '../findings.js';
import { Random } from '../random.js';
import { smoothstep } from '../raster.js';
import { Thorax } from '../thorax.js';
import { lobeMembership, lobeSide } from './lobes.js';

/**
 * How much of its lobe a consolidation fills (generator 1.14; 1.0–1.13 filled the whole lobe every time):
 * the whole lobe, one segment, or several ill-defined patches (bronchopneumonia). A segment is a wedge
 * whose apex points at the hilum and whose base lies on the pleura; it, or the first patch, reaches the
 * border the report says the consolidation obscures (heart border or hemidiaphragm), or it is drawn lobar.
 */
export type ConsolidationExtent = 'lobar' | 'segmental' | 'multifocal';
export type ConsolidationPatch =
  /** A segment: from `inner` mm out from the hilum (hx, hy), within `half` radians of the direction `angle`. */
  | { kind: 'segment'; hx: number; hy: number; angle: number; half: number; inner: number }
  /** A bronchopneumonic patch: a soft blob of radius r, mm. */
  | { kind: 'patch'; x: number; y: number; r: number };

/** A consolidation's drawing: its extent and, for a partial one, where its segment or patches lie. */
export interface ConsolidationPlan {
  extent: ConsolidationExtent;
  patches: ConsolidationPatch[];
}

/**
 * The drawing of a case's consolidation, from streams of its own (every other draw stays generator 1.13's).
 * A partial one that cannot reach its border in this chest (a lingula hidden by a large heart), or a
 * multifocal one whose lobe holds no second patch apart from the first, is drawn — and reported — lobar.
 */
export function consolidationPlan(th: Thorax, con: ConsolidationAttrs): ConsolidationPlan {
  const c = th.c;
  const drawn = new Random('consolidation-extent', c.seed, c.index).weighted<ConsolidationExtent>([
    ['lobar', 0.5],
    ['segmental', 0.35],
    ['multifocal', 0.15],
  ]);
  const lobar: ConsolidationPlan = { extent: 'lobar', patches: [] };
  if (drawn === 'lobar') return lobar;
  const rng = new Random('consolidation-patches', c.seed, c.index);
  if (drawn === 'segmental') {
    const at = placeInLobe(th, con, rng, true, []);
    if (!at) return lobar;
    const h = th.hilum(lobeSide(con.lobe));
    const dist = Math.hypot(at.x - h.x, at.y - h.y);
    const segment: ConsolidationPatch = {
      kind: 'segment',
      hx: h.x,
      hy: h.y,
      angle: Math.atan2(at.y - h.y, at.x - h.x),
      // The middle lobe and lingula are small: one of their two segments is a narrower wedge.
      half: con.lobe === 'RML' || con.lobe === 'lingula' ? rng.uniform(0.12, 0.22) : rng.uniform(0.2, 0.4),
      inner: Math.max(5, dist * rng.uniform(0.2, 0.4)),
    };
    return { extent: 'segmental', patches: [segment] };
  }
  const count = rng.int(2, 4);
  const patches: Extract<ConsolidationPatch, { kind: 'patch' }>[] = [];
  for (let k = 0; k < count; k++) {
    const r = rng.uniform(16, 28);
    // Apart from the others (merged patches read as one, their gaps as cavities); smaller where the lobe is small.
    const at = placeInLobe(th, con, rng, k === 0, patches, r) ?? placeInLobe(th, con, rng, k === 0, patches, r * 0.7);
    if (at) patches.push({ kind: 'patch', x: at.x, y: at.y, r: at.r });
    else if (k === 0) return lobar;
  }
  return patches.length >= 2 ? { extent: 'multifocal', patches } : lobar;
}

/** The extent a case's consolidation is drawn with (the report says the same). */
export function consolidationExtent(c: PhantomCase): ConsolidationExtent {
  const con = c.findings.consolidation;
  return con ? consolidationPlan(new Thorax(c), con).extent : 'lobar';
}

/**
 * A point deep in the lobe and in the lung, by bounded rejection sampling, or null. `border`: the point the
 * first patch or the segment's base reaches — the dome under a lower lobe (well out from the heart, so the
 * wedge meets the dome), just outside the heart's edge beside the middle lobe and lingula, anywhere in an upper
 * lobe. `r`: a patch's radius, kept `r + r' + 8` mm from the patches already placed.
 */
function placeInLobe(
  th: Thorax,
  con: ConsolidationAttrs,
  rng: Random,
  border: boolean,
  others: readonly { x: number; y: number; r: number }[],
  r = 0,
): { x: number; y: number; r: number } | null {
  const side = lobeSide(con.lobe);
  const lower = con.lobe === 'RLL' || con.lobe === 'LLL';
  const beside = con.lobe === 'RML' || con.lobe === 'lingula';
  // Two tries, the second without the height rule; the border itself is never given up.
  for (const lowOnly of [true, false])
    for (let tries = 0; tries < 300; tries++) {
      const y = th.apexY + th.hl * rng.uniform(0.02, 1);
      const med = th.medialX(side, y);
      const lat = th.lateralX(side, y);
      let x = med + (lat - med) * rng.uniform(border && lower ? 0.35 : 0.1, 0.9);
      if (border && beside) {
        // Just outside the heart's edge at this height, so the wedge runs down the border it effaces.
        let edge = med;
        while (side * (lat - edge) > 0 && th.heartThickness(edge, y) > 0) edge += side;
        x = edge + side * rng.uniform(2, 12);
      }
      const dome = th.domeY(side, x);
      if (y > dome - 4 || lobeMembership(th, con.lobe, x, y) < 0.7) continue;
      // A segment's wedge runs on past its point to the pleura; a patch must sit on the dome itself.
      if (border && lower && y < dome - (r > 0 ? 0.4 * r : 14)) continue;
      // Beside the heart: low in the lobe, so the wedge runs down the heart's border.
      if (border && beside && lowOnly && th.t(y) < 0.55) continue;
      if (others.some((o) => Math.hypot(x - o.x, y - o.y) < o.r + r + 8)) continue;
      return { x, y, r };
    }
  return null;
}

/** How much of a partial consolidation's opacity a point (mm) takes: 0 outside, up to 1 inside. */
export function partialWeight(patches: readonly ConsolidationPatch[], x: number, y: number, ragged: number): number {
  let w = 0;
  for (const p of patches) {
    if (p.kind === 'patch') {
      // Ragged at the edge, confluent at the centre (a raggedness there could hollow a patch out).
      const u = Math.hypot(x - p.x, y - p.y) / p.r;
      const d = u + ragged * Math.min(1, u / 0.6);
      // A soft, fluffy edge: acinar shadows fading out over most of the radius.
      w = Math.max(w, 1 - smoothstep(0.1, 1.5, d));
    } else {
      let da = Math.abs(Math.atan2(y - p.hy, x - p.hx) - p.angle);
      if (da > Math.PI) da = 2 * Math.PI - da;
      // Soft margins (the raggedness at 0.6 strength): sharp ones curled into hooks round aerated pockets.
      const across = 1 - smoothstep(0.5, 1.4, da / p.half + 0.6 * ragged);
      const out = smoothstep(0.5, 1.2, Math.hypot(x - p.hx, y - p.hy) / p.inner + 0.6 * ragged);
      w = Math.max(w, across * out);
    }
  }
  return w;
}
