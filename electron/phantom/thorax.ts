/**
 * Geometry of the chest in detector millimetres (x to the image right =
 * patient's left, y down): lung borders, mediastinum, heart, diaphragm,
 * hila and body outline as closed-form functions of one case. Renderers
 * and findings query it; nothing here touches pixels.
 */
import type { PhantomCase } from './case.js';
import { smoothstep } from './raster.js';
import { Random } from './random.js';

/** Height (fraction of the lung) where a widened mediastinum is measured: the aortic knob. */
export const WIDEN_PEAK_T = 0.25;

/** Shape of mediastinal widening down the chest: full from the thoracic inlet to the knob, gone at the hila. */
export const wideningProfile = (t: number): number => smoothstep(-0.12, 0.08, t) * (1 - smoothstep(0.27, 0.4, t));

/** −1 = patient right (image left), +1 = patient left (image right). */
export type SideSign = -1 | 1;
export const sideSign = (side: 'left' | 'right'): SideSign => (side === 'left' ? 1 : -1);

/**
 * One shoulder's soft-tissue outline (generator 1.13): the side of the neck, a fillet into the
 * trapezius, which slopes down and out to the rounded cap over the humeral head; below the cap the
 * arm's edge runs down and turns into the chest wall at the axilla.
 */
export interface Shoulder {
  /** Half-width of the neck at its root, mm. */
  neck: number;
  /** Half-width of the shoulder at its widest (the deltoid's edge), mm from the rib-cage centre. */
  half: number;
  /** Height of the trapezius line where it meets the cap (over the acromion), mm. */
  topY: number;
  /** Trapezius slope: mm up per mm toward the neck. */
  slope: number;
  /** Radius of the rounded cap, mm. */
  cap: number;
  /** Radius of the fillet from the side of the neck into the trapezius, mm. */
  fillet: number;
  /** Where the arm's edge has turned into the chest wall, mm. */
  axillaY: number;
  /** Humeral head centre, mm from the rib-cage centre and down, and its radius. */
  headX: number;
  headY: number;
  headR: number;
}

export interface Heart {
  cx: number;
  cy: number;
  /** Horizontal and vertical semi-axes, mm. */
  a: number;
  b: number;
  /** Horizontal drift of the centre per mm down (the apex points to the patient's left). */
  shear: number;
  /** AP thickness at the centre, mm. */
  depth: number;
}

export class Thorax {
  readonly fovW: number;
  readonly fovH: number;
  /** Centre of the rib cage. */
  readonly cx: number;
  /** Spine (rotation moves it off the rib-cage centre). */
  readonly spineX: number;
  readonly apexY: number;
  /** Apex to costophrenic angle, mm. */
  readonly hl: number;
  /** Half of the widest internal thoracic width, mm. */
  readonly wt: number;
  readonly chestWall: number;
  readonly bodyDepth: number;
  /** Lung air depth (AP) at the bases, mm. */
  readonly lungDepth: number;
  readonly heart: Heart;
  readonly domePeak: Record<SideSign, number>;
  readonly cpY: Record<SideSign, number>;
  /** Costophrenic angles without an elevated hemidiaphragm. */
  readonly normalCpY: Record<SideSign, number>;
  readonly carinaY: number;
  /** Lateral mediastinal shift (mm, + = to the patient's left) from mass effect or volume loss. */
  readonly shift: number;
  readonly magnification: number;
  /** Extra width of the superior mediastinum per side (widened mediastinum), mm at the peak. */
  readonly widening: Record<SideSign, number> | null;
  private lobulation: ((t: number) => number) | null = null;
  /** Dome peaks as generator 1.0 drew them, before an elevated hemidiaphragm. */
  readonly normalDomePeak: Record<SideSign, number>;
  /** Shoulder outlines (generator 1.13; 1.0–1.12 drew one boxy outline for both). */
  readonly shoulders: Record<SideSign, Shoulder>;

  constructor(readonly c: PhantomCase) {
    const { anatomy: an, acquisition: acq, findings: f } = c;
    const rng = new Random('thorax', an.structureSeed);
    this.fovW = acq.width * acq.pixelMm;
    this.fovH = acq.height * acq.pixelMm;
    const s = an.size;
    this.wt = s * rng.uniform(133, 147) * (0.97 + 0.06 * an.inspiration);
    this.hl = s * (218 + 72 * an.inspiration);
    this.chestWall = an.chestWallMm * (an.sex === 'F' ? 1.1 : 1);
    this.bodyDepth = s * (190 + 1.3 * an.chestWallMm);
    this.lungDepth = s * rng.uniform(135, 160);
    this.magnification = acq.view === 'AP' ? 1.17 : 1;
    this.cx = this.fovW / 2 + rng.uniform(-8, 8);
    this.spineX = this.cx + an.rotation * 14;
    const top = rng.uniform(42, 72);
    this.apexY = Math.max(12, Math.min(top, this.fovH - 48 - this.hl));

    // Mass effect pushes the mediastinum away; collapse pulls it toward.
    let shift = 0;
    const eff = f.pleural_effusion;
    if (eff?.size === 'large' && eff.side !== 'bilateral') shift -= sideSign(eff.side) * 12;
    if (f.pneumothorax?.tension) shift -= sideSign(f.pneumothorax.side) * 18;
    if (f.atelectasis?.kind === 'lobar') shift += sideSign(f.atelectasis.side === 'left' ? 'left' : 'right') * 8;
    this.shift = shift;

    const domeH = this.hl * rng.uniform(0.15, 0.2);
    const rightPeak = this.apexY + this.hl - domeH;
    let leftPeak = rightPeak + an.domeDifferenceMm;
    let rightPeakAdj = rightPeak;
    // Lower-lobe collapse lifts its hemidiaphragm; tension flattens it.
    const at = f.atelectasis;
    if (at?.kind === 'lobar' && at.lobe === 'LLL') leftPeak -= 18;
    if (at?.kind === 'lobar' && at.lobe === 'RLL') rightPeakAdj -= 18;
    if (f.pneumothorax?.tension) {
      if (f.pneumothorax.side === 'left') leftPeak += 20;
      else rightPeakAdj += 20;
    }
    this.normalDomePeak = { [-1]: rightPeakAdj, [1]: leftPeak } as Record<SideSign, number>;
    const heartBottom = leftPeak + 22;
    // Phrenic palsy or eventration: the dome rides up; the heart stays where it was.
    const up = f.elevated_hemidiaphragm;
    if (up?.side === 'left') leftPeak -= up.elevationMm;
    if (up?.side === 'right') rightPeakAdj -= up.elevationMm;
    this.domePeak = { [-1]: rightPeakAdj, [1]: leftPeak } as Record<SideSign, number>;
    this.cpY = { [-1]: this.apexY + this.hl, [1]: this.apexY + this.hl + an.domeDifferenceMm * 0.5 } as Record<
      SideSign,
      number
    >;
    this.normalCpY = { ...this.cpY };
    if (up) this.cpY[sideSign(up.side)] -= up.elevationMm * 0.4;
    this.carinaY = this.apexY + this.hl * rng.uniform(0.33, 0.38);

    const widest = 2 * this.wt;
    const hw = an.ctr * widest * this.magnification;
    const right = this.midAt(this.apexY + 0.7 * this.hl) - 0.36 * hw;
    const top2 = this.apexY + this.hl * 0.43;
    const bottom = heartBottom;
    const globular = 1 + Math.max(0, an.ctr - 0.5) * 1.2;
    const b = ((bottom - top2) / 2) * globular;
    this.heart = {
      a: hw / 2,
      b,
      cx: right + hw / 2,
      cy: bottom - b,
      shear: 0.22 / globular,
      depth: s * rng.uniform(95, 115) * globular,
    };
    this.shoulders = shoulderShapes(this, an.structureSeed, acq.view === 'AP');
    this.widening = null;
    const wm = f.widened_mediastinum;
    if (wm) {
      // Widen to the sampled width at the aortic knob: an aorta mostly to the left, a mass to both sides.
      const y = this.apexY + this.hl * WIDEN_PEAK_T;
      const extra = Math.max(8, wm.widthMm - (this.medialX(1, y) - this.medialX(-1, y)));
      const left = wm.cause === 'vascular' ? 0.7 : 0.5;
      this.widening = { [-1]: extra * (1 - left), [1]: extra * left } as Record<SideSign, number>;
      // A nodal mass has a lobulated outline; an aorta a smooth one.
      const r = new Random('finding', 'widened_mediastinum', c.seed, c.index);
      const phase = r.uniform(0, 2 * Math.PI);
      const period = r.uniform(0.12, 0.2);
      const depth = r.uniform(0.08, 0.16);
      this.lobulation = wm.cause === 'mass' ? (t) => 1 + depth * Math.sin((2 * Math.PI * t) / period + phase) : null;
    }
  }

  /** Fraction down the lung: 0 at the apex, 1 at the right costophrenic angle. */
  t(y: number): number {
    return (y - this.apexY) / this.hl;
  }

  /** Mediastinal midline at height y (shift grows toward the heart). */
  midAt(y: number): number {
    return this.spineX + this.shift * smoothstep(-0.1, 0.6, this.t(y));
  }

  /** Distance from the midline of the ribcage to the inner lateral rib margin, mm. */
  lateralHalf(y: number): number {
    const t = Math.min(Math.max(this.t(y), 0), 1.3);
    const r = Math.min(t, 0.66) / 0.66;
    const round = Math.sqrt(Math.max(0, 1 - (1 - r) * (1 - r)));
    const narrow = t > 0.8 ? 1 - 0.04 * Math.min(1, (t - 0.8) / 0.2) : 1;
    return this.wt * (0.3 + 0.7 * round) * narrow;
  }

  /** Lateral lung border x on a side. */
  lateralX(side: SideSign, y: number): number {
    return this.cx + side * this.lateralHalf(y);
  }

  /** Mediastinal border x on a side (aortic knob and pulmonary trunk on the left). */
  medialX(side: SideSign, y: number): number {
    const t = this.t(y);
    let m: number;
    if (side < 0) m = this.wt * (0.12 + 0.085 * smoothstep(0.02, 0.35, t));
    else {
      m = this.wt * (0.12 + 0.05 * smoothstep(0.02, 0.3, t));
      m += this.wt * 0.13 * Math.exp(-(((t - 0.27) / 0.055) ** 2));
      m += this.wt * 0.07 * Math.exp(-(((t - 0.39) / 0.045) ** 2));
    }
    if (this.widening) m += this.widening[side] * wideningProfile(t) * (this.lobulation?.(t + side * 0.03) ?? 1);
    return this.midAt(y) + side * m;
  }

  /** Diaphragm dome height at x on a side: lowest at the costophrenic angle. */
  domeY(side: SideSign, x: number): number {
    return this.dome(side, x, this.domePeak[side], this.cpY[side]);
  }

  /** Where the dome would be without an elevated hemidiaphragm (for its mask). */
  normalDomeY(side: SideSign, x: number): number {
    return this.dome(side, x, this.normalDomePeak[side], this.normalCpY[side]);
  }

  private dome(side: SideSign, x: number, peak: number, cp: number): number {
    const mid = this.midAt(this.apexY + this.hl);
    const dx = Math.abs(x - mid);
    const xe = Math.abs(this.lateralX(side, cp) - mid);
    const xp = 0.42 * xe;
    if (dx >= xp) {
      const u = Math.min(1.15, (dx - xp) / (xe - xp));
      return peak + (cp - peak) * u ** 2.3;
    }
    return peak + 22 * ((xp - dx) / xp) ** 2;
  }

  /** Heart AP thickness at a point (0 outside the silhouette). */
  heartThickness(x: number, y: number): number {
    const h = this.heart;
    const v = (y - h.cy) / h.b;
    const u = (x - h.cx - h.shear * (y - h.cy)) / h.a;
    const r2 = u * u + v * v;
    return r2 < 1 ? h.depth * Math.sqrt(1 - r2) : 0;
  }

  /** Hilum (origin of the pulmonary arteries) on a side. */
  hilum(side: SideSign): { x: number; y: number } {
    const y = this.apexY + this.hl * (side < 0 ? 0.44 : 0.4);
    return { x: this.medialX(side, y) + side * 12, y };
  }

  /** Half-width of the body outline at height y on a side: neck, shoulder, arm, then chest wall. */
  bodyHalf(y: number, side: SideSign): number {
    const sh = this.shoulders[side];
    const chest = this.lateralHalf(Math.max(y, this.apexY + 0.3 * this.hl)) + 12 + this.chestWall;
    let upper: number;
    const capY = shoulderTopAt(sh, sh.half - sh.neck);
    if (y >= capY) {
      // The arm's edge, then the axillary fold into the chest wall.
      upper = sh.half + (chest - sh.half) * smoothstep(capY, sh.axillaY, y);
    } else upper = sh.neck + shoulderOffsetAt(sh, y);
    return y < this.apexY ? upper : Math.max(upper, chest);
  }

  /** AP thickness of the body at height y, at the midline. */
  bodyDepthAt(y: number): number {
    const neck = 115 * this.c.anatomy.size;
    return neck + (this.bodyDepth - neck) * smoothstep(this.apexY - 70, this.apexY + 30, y);
  }
}

/**
 * The top of a shoulder `d` mm out from the side of the neck: the trapezius line, a fillet into the
 * neck (vertical at d = 0) and a round cap (vertical at the shoulder's edge). Increases with d.
 */
export function shoulderTopAt(sh: Shoulder, d: number): number {
  const span = sh.half - sh.neck;
  const capStart = span - sh.cap;
  const dd = Math.min(Math.max(d, 0), span);
  let y = sh.topY - Math.max(0, capStart - dd) * sh.slope;
  if (dd > capStart) y += sh.cap - Math.sqrt(Math.max(0, sh.cap ** 2 - (dd - capStart) ** 2));
  if (dd < sh.fillet) y -= sh.fillet - Math.sqrt(Math.max(0, sh.fillet ** 2 - (sh.fillet - dd) ** 2));
  return y;
}

/** How far out from the side of the neck the shoulder reaches at height y (the inverse of shoulderTopAt). */
function shoulderOffsetAt(sh: Shoulder, y: number): number {
  let lo = 0;
  let hi = sh.half - sh.neck;
  if (y <= shoulderTopAt(sh, lo)) return 0;
  for (let k = 0; k < 30; k++) {
    const m = (lo + hi) / 2;
    if (shoulderTopAt(sh, m) <= y) lo = m;
    else hi = m;
  }
  return lo;
}

/**
 * Each case's shoulders from a stream of their own, so every other draw is generator 1.12's: the
 * height of the shoulders (a little lower on one side, as most people stand; higher on a supine AP
 * film), the trapezius slope, the width over the humeral heads.
 */
function shoulderShapes(th: Thorax, seed: number, ap: boolean): Record<SideSign, Shoulder> {
  const rng = new Random('shoulders', seed);
  const s = th.c.anatomy.size;
  const neck = s * rng.uniform(46, 58);
  const top = th.apexY - rng.uniform(20, 34) - (ap ? 10 : 0);
  const slope = rng.uniform(0.22, 0.42);
  const out = {} as Record<SideSign, Shoulder>;
  for (const side of [-1, 1] as const) {
    const headX = th.wt + s * rng.uniform(64, 80);
    const r = 25 * s;
    const topY = top + rng.uniform(-5, 5);
    out[side] = {
      neck,
      half: headX + r + rng.uniform(14, 26),
      topY,
      slope: slope * rng.uniform(0.85, 1.15),
      cap: rng.uniform(30, 48) * s,
      fillet: rng.uniform(10, 22),
      axillaY: th.apexY + th.hl * rng.uniform(0.3, 0.45),
      headX,
      headY: topY + 10 + r * rng.uniform(0.7, 1),
      headR: r,
    };
  }
  return out;
}
