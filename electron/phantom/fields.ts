/**
 * The physical layers a phantom is built from, on the work raster, in
 * millimetres of path length along the beam. Anatomy and findings add to
 * them; acquisition turns them into attenuation:
 *   A = μ_soft·(body − lungAir + min(lungAir, displaced) − gas) + μ_bone·bone + μ_metal·metal
 * Keeping "displaced" separate from the lung air means fluid, tissue and
 * vessels can never remove more air than the lung holds, and a vessel inside
 * a consolidation vanishes into it (the silhouette sign) by construction.
 */
import type { Thorax } from './thorax.js';

export interface Fields {
  width: number;
  height: number;
  /** mm per work pixel. */
  mm: number;
  body: Float32Array;
  lungAir: Float32Array;
  displaced: Float32Array;
  /** Air outside the lungs (trachea, bronchi, stomach). */
  gas: Float32Array;
  bone: Float32Array;
  metal: Float32Array;
  /** 1 where lung markings may be drawn (0 in a pneumothorax). */
  markings: Float32Array;
  /** Visible lung field above the diaphragm (for masks and statistics). */
  lung: Uint8Array;
  /** Body outline. */
  inBody: Uint8Array;
  /** Finding bits (labels.csv order; see maskBit). */
  mask: Uint32Array;
  thorax: Thorax;
}

export function createFields(width: number, height: number, mm: number, thorax: Thorax): Fields {
  const n = width * height;
  const markings = new Float32Array(n);
  markings.fill(1);
  return {
    width,
    height,
    mm,
    body: new Float32Array(n),
    lungAir: new Float32Array(n),
    displaced: new Float32Array(n),
    gas: new Float32Array(n),
    bone: new Float32Array(n),
    metal: new Float32Array(n),
    markings,
    lung: new Uint8Array(n),
    inBody: new Uint8Array(n),
    mask: new Uint32Array(n),
    thorax,
  };
}

/** Pixel row/column of a millimetre coordinate. */
export const toPx = (f: Fields, mmValue: number): number => mmValue / f.mm - 0.5;
export const toMm = (f: Fields, px: number): number => (px + 0.5) * f.mm;

/**
 * Adds a capsule (a cylinder seen side-on, rounded ends) between two points:
 * path length through a cylinder of radius r at distance d is 2·√(r² − d²).
 * Vessels, bronchi, tubes and wires are all drawn with it.
 */
export function addCapsule(
  f: Fields,
  target: Float32Array,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  r0: number,
  r1: number,
  weight: number,
  gate?: Float32Array,
  caps = true,
): void {
  const rMax = Math.max(r0, r1);
  const pad = rMax + f.mm;
  const ix0 = Math.max(0, Math.floor(toPx(f, Math.min(x0, x1) - pad)));
  const ix1 = Math.min(f.width - 1, Math.ceil(toPx(f, Math.max(x0, x1) + pad)));
  const iy0 = Math.max(0, Math.floor(toPx(f, Math.min(y0, y1) - pad)));
  const iy1 = Math.min(f.height - 1, Math.ceil(toPx(f, Math.max(y0, y1) + pad)));
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy || 1e-9;
  for (let iy = iy0; iy <= iy1; iy++) {
    const py = toMm(f, iy);
    const row = iy * f.width;
    for (let ix = ix0; ix <= ix1; ix++) {
      const px = toMm(f, ix);
      let t = ((px - x0) * dx + (py - y0) * dy) / len2;
      // Without caps, chained segments do not double up at their joints.
      if (!caps && (t < 0 || t > 1)) continue;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = x0 + t * dx - px;
      const ey = y0 + t * dy - py;
      const d2 = ex * ex + ey * ey;
      const r = r0 + (r1 - r0) * t;
      if (d2 >= r * r) continue;
      const i = row + ix;
      const g = gate ? gate[i]! : 1;
      if (g <= 0) continue;
      target[i] = target[i]! + weight * g * 2 * Math.sqrt(r * r - d2);
    }
  }
}

/** Adds a polyline of capsules (tubes, leads, lines). */
export function addPolyline(
  f: Fields,
  target: Float32Array,
  pts: readonly (readonly [number, number])[],
  r: number,
  weight: number,
): void {
  for (let k = 0; k + 1 < pts.length; k++) {
    const [ax, ay] = pts[k]!;
    const [bx, by] = pts[k + 1]!;
    addCapsule(f, target, ax, ay, bx, by, r, r, weight);
  }
}

/** Catmull–Rom points through control points: smooth tubes from a few anchors. */
export function smoothPath(ctrl: readonly (readonly [number, number])[], stepsPerSpan = 12): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < ctrl.length; i++) {
    const p0 = ctrl[Math.max(0, i - 1)]!;
    const p1 = ctrl[i]!;
    const p2 = ctrl[i + 1]!;
    const p3 = ctrl[Math.min(ctrl.length - 1, i + 2)]!;
    for (let s = 0; s < stepsPerSpan; s++) {
      const t = s / stepsPerSpan;
      const t2 = t * t;
      const t3 = t2 * t;
      const c = (a: number, b: number, cc: number, d: number) =>
        0.5 * (2 * b + (-a + cc) * t + (2 * a - 5 * b + 4 * cc - d) * t2 + (-a + 3 * b - 3 * cc + d) * t3);
      out.push([c(p0[0], p1[0], p2[0], p3[0]), c(p0[1], p1[1], p2[1], p3[1])]);
    }
  }
  out.push([ctrl[ctrl.length - 1]![0], ctrl[ctrl.length - 1]![1]]);
  return out;
}

/** Marks pixels where `field` exceeds `threshold` with a mask bit. */
export function maskWhere(f: Fields, field: Float32Array, threshold: number, bit: number): void {
  for (let i = 0; i < field.length; i++) if (field[i]! > threshold) f.mask[i] = f.mask[i]! | bit;
}
