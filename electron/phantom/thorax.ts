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

  /** Half-width of the body outline at height y: neck, shoulders, then chest wall. */
  bodyHalf(y: number): number {
    const neck = 52 * this.c.anatomy.size;
    const shoulders = this.wt + 60;
    const rise = Math.sqrt(smoothstep(this.apexY - 90, this.apexY + 5, y));
    const fade = 1 - smoothstep(this.apexY - 20, this.apexY + 0.3 * this.hl, y);
    const upper = neck + (shoulders - neck) * rise * fade;
    if (y < this.apexY) return upper;
    return Math.max(upper, this.lateralHalf(Math.max(y, this.apexY + 0.3 * this.hl)) + 12 + this.chestWall);
  }

  /** AP thickness of the body at height y, at the midline. */
  bodyDepthAt(y: number): number {
    const neck = 115 * this.c.anatomy.size;
    return neck + (this.bodyDepth - neck) * smoothstep(this.apexY - 70, this.apexY + 30, y);
  }
}
