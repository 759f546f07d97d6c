/**
 * Rib fractures, drawn into the ribs by bones.ts: an acute fracture is a
 * lucent break across the rib — a hairline when nondisplaced, a gap with the
 * lateral fragment stepped off when displaced; a healed one is a fusiform
 * callus with a slight angulation. Site along the rib, gap, step and callus
 * size vary per rib.
 */
import { toMm, toPx, type Fields } from '../fields.js';
import { maskBit, type RibFractureAttrs } from '../findings.js';
import { Random } from '../random.js';
import { sideSign, type SideSign, type Thorax } from '../thorax.js';

export interface RibBreak {
  /** Along the posterior rib: 0 at the spine, 1 at the lateral wall. */
  u: number;
  gapMm: number;
  /** Vertical offset of the lateral fragment, mm. */
  stepMm: number;
  /** Angulation of the lateral fragment, radians. */
  angle: number;
  /** Callus length along the rib, mm (0: acute). */
  callusMm: number;
}

/** Breaks by `${side}:${rib}` for a case with rib fractures (null without). */
export function ribBreaks(th: Thorax): Map<string, RibBreak> | null {
  const r: RibFractureAttrs | undefined = th.c.findings.rib_fracture;
  if (!r) return null;
  const rng = new Random('finding', 'rib_fracture', th.c.seed, th.c.index);
  const out = new Map<string, RibBreak>();
  const base = r.site === 'lateral' ? rng.uniform(0.72, 0.92) : rng.uniform(0.25, 0.45);
  for (const rib of r.ribs) {
    const healed = r.age === 'healed';
    out.set(`${sideSign(r.side)}:${rib}`, {
      // Fractures of neighbouring ribs line up roughly (one impact).
      u: Math.min(0.96, Math.max(0.15, base + rng.uniform(-0.05, 0.05))),
      // 1.2: gaps and steps at least a pixel of a 384² matrix (a sub-millimetre hairline is not read there).
      gapMm: healed ? 0 : r.displaced ? rng.uniform(1.8, 3.2) : rng.uniform(1.0, 1.6),
      stepMm: healed ? rng.uniform(0, 1.5) : r.displaced ? rng.uniform(4, 8) * (rng.chance(0.5) ? 1 : -1) : 0,
      angle: healed ? rng.uniform(-0.12, 0.12) : r.displaced ? rng.uniform(-0.15, 0.15) : 0,
      callusMm: healed ? rng.uniform(18, 30) : 0,
    });
  }
  return out;
}

/** How a band is broken: the lateral fragment's offset, and a gap across the rib axis. */
export interface BrokenRib {
  shift: (x: number) => number;
  /** 0 inside the fracture gap, 1 elsewhere. */
  gate: (x: number, y: number) => number;
}

/** The break at (xf, yf) of a rib running with `slope` there; x beyond xf (laterally) is the loose fragment. */
export function breakRib(b: RibBreak, side: SideSign, xf: number, yf: number, slope: number): BrokenRib {
  const cosA = 1 / Math.sqrt(1 + slope * slope);
  const sinA = slope * cosA;
  return {
    shift: (x) => {
      const beyond = side * (x - xf);
      return beyond > 0 ? b.stepMm + Math.tan(b.angle) * beyond : 0;
    },
    gate: (x, y) => {
      if (b.gapMm <= 0) return 1;
      // Distance along the rib axis from the fracture line (perpendicular to the rib).
      const along = Math.abs((x - xf) * cosA + (y - yf) * sinA);
      return Math.min(1, Math.max(0, (along - b.gapMm / 2) / 0.3));
    },
  };
}

/** Callus around a healed fracture, and the mask over the fracture site. */
export function drawBreakSite(f: Fields, b: RibBreak, x: number, y: number, halfHeight: number, slope: number): void {
  const bit = maskBit('rib_fracture');
  const reach = Math.max(9, b.callusMm * 0.7);
  const cosA = 1 / Math.sqrt(1 + slope * slope);
  const sinA = slope * cosA;
  for (let iy = Math.max(0, Math.floor(toPx(f, y - reach))); iy <= Math.min(f.height - 1, toPx(f, y + reach)); iy++) {
    const dy = toMm(f, iy) - y;
    for (let ix = Math.max(0, Math.floor(toPx(f, x - reach))); ix <= Math.min(f.width - 1, toPx(f, x + reach)); ix++) {
      const dx = toMm(f, ix) - x;
      const i = iy * f.width + ix;
      if (dx * dx + dy * dy < 8 * 8 && f.inBody[i]) f.mask[i] = (f.mask[i]! | bit) >>> 0;
      if (b.callusMm <= 0) continue;
      // Fusiform callus along the rib: a spindle a little taller than the rib.
      const along = (dx * cosA + dy * sinA) / (b.callusMm / 2);
      const across = (-dx * sinA + dy * cosA) / (halfHeight * 1.3);
      const q = 1 - along * along - across * across;
      if (q > 0) f.bone[i] = f.bone[i]! + 2 * halfHeight * 1.1 * Math.sqrt(q);
    }
  }
}
