/**
 * Subcutaneous emphysema: gas dissecting through the soft tissues of the chest
 * wall — irregular lucent streaks along the lateral wall, striations fanning
 * along the pectoral muscle fibres over the upper chest (the "ginkgo leaf"
 * pattern) and, when it spreads, vertical streaks in the neck. Streak count,
 * length and placement vary.
 */
import { addCapsule, smoothPath, type Fields } from '../fields.js';
import { maskBit, type SubcutaneousEmphysemaAttrs } from '../findings.js';
import type { Random } from '../random.js';
import type { SideSign } from '../thorax.js';

type Pt = [number, number];

export function renderSubcutaneousEmphysema(f: Fields, e: SubcutaneousEmphysemaAttrs, rng: Random): void {
  const th = f.thorax;
  const n = f.width * f.height;
  const gas = new Float32Array(n);
  const region = new Float32Array(n);
  const extensive = e.extent === 'extensive';
  const streak = (ctrl: Pt[], r: number, depth: number) => {
    const pts = smoothPath(ctrl, 4);
    for (let k = 0; k + 1 < pts.length; k++) {
      const [ax, ay] = pts[k]!;
      const [bx, by] = pts[k + 1]!;
      addCapsule(f, gas, ax, ay, bx, by, r, r * rng.uniform(0.6, 1.1), depth / (2 * r), undefined, k === 0);
      addCapsule(f, region, ax, ay, bx, by, r + 3, r + 3, 1, undefined, k === 0);
    }
  };
  /** A wavy streak from (x, y) heading along angle `phi`. */
  const wavy = (x: number, y: number, phi: number, len: number): Pt[] => {
    const out: Pt[] = [];
    for (let j = 0; j <= 3; j++) {
      const s = (len * j) / 3;
      out.push([x + Math.cos(phi) * s + rng.uniform(-1.5, 1.5), y + Math.sin(phi) * s + rng.uniform(-1.5, 1.5)]);
    }
    return out;
  };
  const sides: SideSign[] = e.side === 'bilateral' ? [-1, 1] : [e.side === 'left' ? 1 : -1];
  for (const side of sides) {
    const scale = sides.length === 2 && side === 1 ? 0.6 : 1;
    // Lateral chest wall: the layer outside the ribs, seen edge-on (long path, dark streaks; 1.2: wider
    // and deeper, as conspicuous as on a real film at 384²).
    const lateral = Math.round((extensive ? rng.int(18, 30) : rng.int(7, 12)) * scale);
    const yTop = th.apexY + th.hl * rng.uniform(0.05, 0.2);
    const yBottom = th.apexY + th.hl * (extensive ? rng.uniform(0.75, 0.95) : rng.uniform(0.45, 0.7));
    for (let k = 0; k < lateral; k++) {
      const y = rng.uniform(yTop, yBottom);
      const inner = th.lateralX(side, y) + side * rng.uniform(8, 14);
      const outer = th.cx + side * (th.bodyHalf(y, side) - 4);
      if (side * (outer - inner) < 4) continue;
      const x = inner + (outer - inner) * rng.uniform(0.1, 0.9);
      const phi = Math.PI / 2 + side * rng.uniform(-0.5, 0.2);
      streak(wavy(x, y, phi, rng.uniform(14, 38)), rng.uniform(1.3, 2.8), rng.uniform(24, 44));
      // Gas also collects in small pockets beside the streaks: a mottled look.
      for (let j = rng.int(0, 3); j > 0; j--) {
        const bx = x + rng.uniform(-6, 6);
        const by = y + rng.uniform(-8, 30);
        const br = rng.uniform(1.2, 3);
        addCapsule(f, gas, bx, by, bx + rng.uniform(-1, 1), by + rng.uniform(1, 4), br, br * 0.8, 5);
        addCapsule(f, region, bx, by, bx, by + 2, br + 3, br + 3, 1);
      }
    }
    // Pectoral striations: fibres fan from the axilla toward the sternum.
    const pectoral = Math.round((extensive ? rng.int(10, 18) : rng.int(2, 5)) * scale);
    const ax = th.cx + side * (th.wt + rng.uniform(5, 25));
    const ay = th.apexY + th.hl * rng.uniform(0, 0.08);
    for (let k = 0; k < pectoral; k++) {
      const fan = rng.uniform(0, 1);
      const tx = th.midAt(ay) + side * rng.uniform(8, 30);
      const ty = th.apexY - 10 + fan * th.hl * 0.5;
      const a = rng.uniform(0.15, 0.7);
      const b = Math.min(1, a + rng.uniform(0.12, 0.3));
      const p0: Pt = [ax + (tx - ax) * a, ay + (ty - ay) * a];
      const p1: Pt = [ax + (tx - ax) * b, ay + (ty - ay) * b];
      const mid: Pt = [(p0[0] + p1[0]) / 2 + rng.uniform(-2, 2), (p0[1] + p1[1]) / 2 + rng.uniform(-2, 2)];
      streak([p0, mid, p1], rng.uniform(0.9, 1.6), rng.uniform(12, 22));
    }
    if (e.neck) {
      for (let k = 0; k < Math.round(rng.int(3, 7) * scale); k++) {
        const x = th.spineX + side * rng.uniform(18, 48);
        const y = th.apexY - rng.uniform(10, 80);
        streak(
          wavy(x, y, -Math.PI / 2 + rng.uniform(-0.3, 0.3), rng.uniform(15, 35)),
          rng.uniform(0.6, 1.3),
          rng.uniform(8, 18),
        );
      }
    }
  }
  const bit = maskBit('subcutaneous_emphysema');
  for (let i = 0; i < n; i++) {
    if (!f.inBody[i]) continue;
    if (gas[i]! > 0) f.gas[i] = f.gas[i]! + gas[i]!;
    if (region[i]! > 0) f.mask[i] = (f.mask[i]! | bit) >>> 0;
  }
}
