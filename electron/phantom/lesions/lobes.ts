/**
 * Where the lobes project on a frontal film, as soft membership functions
 * (0…1) of a point. Fissures give sharp borders where they run tangential to
 * the beam (the minor fissure under the right upper lobe); elsewhere lobes
 * fade into each other because they overlap in depth.
 */
import type { Lobe } from '../findings.js';
import { smoothstep } from '../raster.js';
import type { SideSign, Thorax } from '../thorax.js';

export const lobeSide = (lobe: Lobe): SideSign => (lobe.startsWith('R') ? -1 : 1);

export function lobeMembership(th: Thorax, lobe: Lobe, x: number, y: number): number {
  const side = lobeSide(lobe);
  const t = th.t(y);
  const med = th.medialX(side, y);
  const lat = th.lateralX(side, y);
  const q = (x - med) / (lat - med); // 0 at the mediastinum, 1 at the chest wall
  if (q < -0.05 || q > 1.05) return 0;
  const minor = th.hilum(-1).y - th.apexY;
  const tMinor = minor / th.hl;
  switch (lobe) {
    case 'RUL':
      return 1 - smoothstep(tMinor - 0.01, tMinor + 0.01, t);
    case 'RML':
      return (
        smoothstep(tMinor - 0.01, tMinor + 0.01, t) * (1 - smoothstep(0.78, 0.9, t)) * (1 - smoothstep(0.45, 0.7, q))
      );
    case 'RLL':
      return smoothstep(0.5, 0.68, t) * smoothstep(0.05, 0.25, q + 0.2 * (t - 0.5));
    case 'LUL':
      return 1 - smoothstep(0.38, 0.5, t);
    case 'lingula':
      return smoothstep(0.42, 0.52, t) * (1 - smoothstep(0.76, 0.88, t)) * (1 - smoothstep(0.45, 0.7, q));
    case 'LLL':
      return smoothstep(0.52, 0.7, t);
  }
}
