/** Where a lung lesion can go: a centre well inside the lung field of a zone, clear of the heart. */
import { toPx, type Fields } from '../fields.js';
import type { LungZone } from '../findings.js';
import type { Random } from '../random.js';
import type { SideSign } from '../thorax.js';

const ZONE_T: Record<LungZone, [number, number]> = { upper: [0.12, 0.34], middle: [0.38, 0.56], lower: [0.58, 0.74] };

export function placeInLung(f: Fields, side: SideSign, zone: LungZone, radius: number, rng: Random): [number, number] {
  const th = f.thorax;
  const inLung = (x: number, y: number) => {
    const ix = Math.round(toPx(f, x));
    const iy = Math.round(toPx(f, y));
    return ix >= 0 && iy >= 0 && ix < f.width && iy < f.height && f.lung[iy * f.width + ix] === 1;
  };
  let best: [number, number] = [th.cx + side * th.wt * 0.5, th.apexY + th.hl * 0.45];
  for (let attempt = 0; attempt < 40; attempt++) {
    const [t0, t1] = ZONE_T[zone];
    const y = th.apexY + th.hl * rng.uniform(t0, t1);
    const med = th.medialX(side, y);
    const lat = th.lateralX(side, y);
    const x = med + (lat - med) * rng.uniform(0.25, 0.8);
    if (!inLung(x, y)) continue;
    best = [x, y];
    const fits = Array.from({ length: 8 }, (_, k) => (k * Math.PI) / 4).every((a) =>
      inLung(x + Math.cos(a) * radius, y + Math.sin(a) * radius),
    );
    if (fits && th.heartThickness(x, y) <= 0) return best;
  }
  return best;
}

/** A closed outline r(θ) = r0·(1 + Σ aₖ sin(kθ + φₖ)): lobulated, irregular, never round twice. */
export function wobble(rng: Random, amount: number): (a: number) => number {
  const terms = [2, 3, 5, 7].map((k) => [k, rng.uniform(0, amount / Math.sqrt(k)), rng.uniform(0, 2 * Math.PI)]);
  return (a) => 1 + terms.reduce((s, [k, amp, ph]) => s + amp! * Math.sin(k! * a + ph!), 0);
}
