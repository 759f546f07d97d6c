/**
 * Scoliosis: a lateral curve of the spine, drawn by bones.ts. The curve is a
 * sine arc between its end vertebrae whose end-plate tangents meet at the
 * sampled Cobb angle, with a smaller compensatory curve beyond; its apex
 * height and extent vary. Since generator 1.12 the rest of what a radiologist
 * reads on a frontal film follows it: the end plates stay square to the
 * column, the ribs turn with their vertebrae (crowded on the concave side,
 * splayed on the convex one), and the rotated vertebrae carry their pedicles
 * and spinous processes toward the concavity.
 */
import { Random } from '../random.js';
import { sideSign, type Thorax } from '../thorax.js';

export interface SpineCurve {
  /** Lateral offset of the spine at height y, mm. */
  dx: (y: number) => number;
  /** Tilt of a vertebra at height y, radians: the column's slope dx/dy as an angle (end plates square to it). */
  angle: (y: number) => number;
  /**
   * Axial rotation at height y, as the shift of the posterior elements (pedicles, spinous process) in
   * half-widths of the body, signed along x: toward the concavity, most at the apex.
   */
  rotation: (y: number) => number;
  /** End vertebrae of the main curve (its mask). */
  top: number;
  bottom: number;
}

export function spineCurve(th: Thorax): SpineCurve | null {
  const s = th.c.findings.scoliosis;
  if (!s) return null;
  const rng = new Random('finding', 'scoliosis', th.c.seed, th.c.index);
  const top = th.apexY + th.hl * (s.region === 'thoracic' ? rng.uniform(-0.05, 0.12) : rng.uniform(0.3, 0.45));
  const bottom = top + th.hl * (s.region === 'thoracic' ? rng.uniform(0.7, 0.9) : rng.uniform(0.75, 0.95));
  const len = bottom - top;
  // Tangents at both ends tilt by half the Cobb angle: A·π/L = tan(Cobb/2).
  const amp = (sideSign(s.convexity) * len * Math.tan(((s.cobbDeg / 2) * Math.PI) / 180)) / Math.PI;
  const comp = rng.uniform(0.25, 0.45);
  const tail = len * rng.uniform(0.4, 0.6);
  const dx = (y: number): number => {
    if (y >= top && y <= bottom) return amp * Math.sin((Math.PI * (y - top)) / len);
    // Compensatory curves above and below, opposite and smaller.
    const d = y < top ? top - y : y - bottom;
    return d < tail ? -amp * comp * Math.sin((Math.PI * d) / tail) : 0;
  };
  // About a Nash-Moe grade per 20° of Cobb angle at the apex: a third of a half-width by 40°.
  const turn = Math.min(0.35, s.cobbDeg / 120);
  return {
    dx,
    angle: (y) => Math.atan((dx(y + 1) - dx(y - 1)) / 2),
    rotation: (y) => (-dx(y) / Math.abs(amp)) * turn,
    top,
    bottom,
  };
}
