/**
 * Pneumomediastinum: gas in the mediastinum. It outlines the left heart
 * border and the aortic knob as a lucent stripe with the lifted mediastinal
 * pleura a thin white line lateral to it, streaks up along the trachea and
 * great vessels (into the neck when it spreads), and with more gas runs over
 * the central diaphragm under the heart, joining both hemidiaphragms (the
 * continuous diaphragm sign). Which streaks appear, and where, varies.
 */
import { addCapsule, smoothPath, type Fields } from '../fields.js';
import { maskBit, type PneumomediastinumAttrs } from '../findings.js';
import type { Random } from '../random.js';
import type { SideSign } from '../thorax.js';

type Pt = [number, number];

/** A tube along a path without doubling at the joints. */
function tube(f: Fields, out: Float32Array, pts: readonly Pt[], r: number, weight: number): void {
  for (let k = 0; k + 1 < pts.length; k++)
    addCapsule(f, out, pts[k]![0], pts[k]![1], pts[k + 1]![0], pts[k + 1]![1], r, r, weight, undefined, false);
}

export function renderPneumomediastinum(f: Fields, p: PneumomediastinumAttrs, rng: Random): void {
  const th = f.thorax;
  const h = th.heart;
  const n = f.width * f.height;
  const gas = new Float32Array(n);
  const pleura = new Float32Array(n);
  const region = new Float32Array(n);
  const extensive = p.extent === 'extensive';
  const streak = (pts: Pt[], r: number, depth: number) => {
    tube(f, gas, pts, r, depth / (2 * r));
    tube(f, region, pts, r + 2.5, 1);
  };
  // The left mediastinal border, from the aortic knob down the heart to the diaphragm.
  const sides: SideSign[] = extensive && rng.chance(0.5) ? [1, -1] : [1];
  for (const side of sides) {
    const gap = rng.uniform(1.6, 3);
    const startT = side > 0 ? rng.uniform(0.18, 0.3) : rng.uniform(0.38, 0.5);
    const inner: Pt[] = [];
    const outer: Pt[] = [];
    for (let y = th.apexY + th.hl * startT; ; y += 2) {
      // Lung border = mediastinum above the heart, heart silhouette below.
      let x = th.medialX(side, y);
      const v = (y - h.cy) / h.b;
      if (Math.abs(v) < 1) {
        const hx = h.cx + h.shear * (y - h.cy) + side * h.a * Math.sqrt(1 - v * v);
        if (side * (hx - x) > 0) x = hx;
      }
      if (y > th.domeY(side, x) - 3) break;
      inner.push([x + side * (gap / 2), y]);
      outer.push([x + side * (gap + 0.5), y]);
    }
    const keep = Math.max(3, Math.round(inner.length * rng.uniform(0.7, 1)));
    if (inner.length > 3) {
      streak(inner.slice(0, keep), gap / 2, rng.uniform(18, 28));
      tube(f, pleura, outer.slice(0, keep), 0.45, 20);
    }
  }
  // Streaks along the trachea and great vessels, into the neck if it spreads.
  const top = p.neck ? th.apexY - rng.uniform(50, 85) : th.apexY + th.hl * 0.04;
  const count = extensive ? rng.int(5, 9) : rng.int(2, 4);
  for (let k = 0; k < count; k++) {
    const side = rng.chance(0.5) ? 1 : -1;
    const len = rng.uniform(20, 55);
    const yStart = rng.uniform(top, th.carinaY - 10);
    const off = side * rng.uniform(8, 22);
    const drift = side * rng.uniform(-0.15, 0.25);
    const ctrl: Pt[] = [];
    for (let j = 0; j <= 3; j++) {
      const y = yStart + (len * j) / 3;
      ctrl.push([th.midAt(y) + off + drift * (y - yStart) + rng.uniform(-2, 2), y]);
    }
    streak(smoothPath(ctrl, 5), rng.uniform(0.6, 1.1), rng.uniform(8, 16));
  }
  if (p.continuousDiaphragm) {
    // Over the central diaphragm, which the heart normally hides: a line from
    // one cardiophrenic angle to the other, bowing up a little.
    const xa = h.cx - h.a * rng.uniform(0.6, 0.8);
    const xb = h.cx + h.a * rng.uniform(0.6, 0.8);
    const ya = th.domeY(-1, xa) - 1.5;
    const yb = th.domeY(1, xb) - 1.5;
    const bow = rng.uniform(2, 6);
    const ctrl: Pt[] = [];
    for (let j = 0; j <= 8; j++) {
      const u = j / 8;
      ctrl.push([xa + (xb - xa) * u, ya + (yb - ya) * u - bow * Math.sin(Math.PI * u)]);
    }
    streak(ctrl, rng.uniform(1, 1.6), rng.uniform(20, 30));
  }
  const bit = maskBit('pneumomediastinum');
  for (let i = 0; i < n; i++) {
    if (gas[i]! > 0) f.gas[i] = f.gas[i]! + gas[i]! * f.inBody[i]!;
    if (pleura[i]! > 0 && f.lungAir[i]! > 0) f.displaced[i] = f.displaced[i]! + pleura[i]!;
    if (region[i]! > 0 && f.inBody[i]) f.mask[i] = (f.mask[i]! | bit) >>> 0;
  }
}
