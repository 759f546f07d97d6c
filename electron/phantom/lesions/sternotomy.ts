/**
 * Median sternotomy: twisted steel wire loops stacked down the sternum
 * (figure-of-eight or oval loops with a twisted knot, irregularly spaced and
 * tilted), sometimes with a prosthetic valve (a metal ring seen obliquely —
 * with leaflets if mechanical, struts if bioprosthetic) and surgical clips
 * along the bypass grafts and the internal mammary bed.
 */
import { addCapsule, type Fields } from '../fields.js';
import { maskBit, type SternotomyAttrs } from '../findings.js';
import type { Random } from '../random.js';

type Pt = [number, number];

export function renderSternotomy(f: Fields, s: SternotomyAttrs, rng: Random): void {
  const th = f.thorax;
  const n = f.width * f.height;
  const metal = new Float32Array(n);
  const region = new Float32Array(n);
  const seg = (a: Pt, b: Pt, r: number, w: number, caps = false) => {
    addCapsule(f, metal, a[0], a[1], b[0], b[1], r, r, w, undefined, caps);
    addCapsule(f, region, a[0], a[1], b[0], b[1], r + 2.5, r + 2.5, 1);
  };
  const loop = (pts: Pt[], r: number, w: number) => {
    for (let k = 0; k < pts.length; k++) seg(pts[k]!, pts[(k + 1) % pts.length]!, r, w);
  };
  // The sternum is anterior: rotation moves it opposite to the spine.
  const sternumX = th.cx - (th.spineX - th.cx) * 0.6 + rng.uniform(-3, 3);
  const top = th.apexY + th.hl * rng.uniform(0.06, 0.12);
  const bottom = th.apexY + th.hl * rng.uniform(0.6, 0.7);
  for (let k = 0; k < s.wires; k++) {
    const y = top + ((bottom - top) * (k + rng.uniform(-0.25, 0.25))) / (s.wires - 1);
    const x = sternumX + rng.uniform(-3, 3) + (k / s.wires) * rng.uniform(-4, 4);
    const w = rng.uniform(13, 22) / 2;
    const h = rng.uniform(2.5, 6) / 2;
    const tilt = rng.uniform(-0.25, 0.25);
    const eight = rng.chance(0.35);
    const pts: Pt[] = [];
    for (let j = 0; j < 16; j++) {
      const a = (2 * Math.PI * j) / 16;
      // A figure-of-eight pinches at the middle.
      const hy = h * (eight ? Math.abs(Math.cos(a)) * 1.6 : 1);
      const px = Math.cos(a) * w;
      const py = Math.sin(a) * hy;
      pts.push([x + px * Math.cos(tilt) - py * Math.sin(tilt), y + px * Math.sin(tilt) + py * Math.cos(tilt)]);
    }
    loop(pts, 0.6, 1.4);
    // The twisted knot: a short dense stub off one end.
    const side = rng.chance(0.5) ? 1 : -1;
    const kx = x + side * w * Math.cos(tilt);
    const ky = y + side * w * Math.sin(tilt);
    const len = rng.uniform(3, 7);
    const ang = tilt + (side > 0 ? 0 : Math.PI) + rng.uniform(-0.8, 0.8);
    seg([kx, ky], [kx + Math.cos(ang) * len, ky + Math.sin(ang) * len], 1, 1.4, true);
  }
  const valves: ('aortic' | 'mitral')[] =
    s.valve === 'both' ? ['aortic', 'mitral'] : s.valve === 'none' ? [] : [s.valve];
  const mechanical = rng.chance(0.5);
  const h = th.heart;
  for (const v of valves) {
    const cx = v === 'aortic' ? th.midAt(h.cy) + rng.uniform(0, 14) : h.cx + h.a * rng.uniform(0, 0.25);
    const cy = v === 'aortic' ? h.cy - h.b * rng.uniform(0.35, 0.55) : h.cy - h.b * rng.uniform(-0.1, 0.15);
    const rx = (v === 'aortic' ? rng.uniform(21, 27) : rng.uniform(27, 33)) / 2;
    const ry = rx * rng.uniform(0.35, 0.75);
    const tilt = -rng.uniform(0.3, 0.9);
    const at = (a: number, scale = 1): Pt => {
      const px = Math.cos(a) * rx * scale;
      const py = Math.sin(a) * ry * scale;
      return [cx + px * Math.cos(tilt) - py * Math.sin(tilt), cy + px * Math.sin(tilt) + py * Math.cos(tilt)];
    };
    loop(
      Array.from({ length: 20 }, (_, j) => at((2 * Math.PI * j) / 20)),
      rng.uniform(1, 1.5),
      1.2,
    );
    if (mechanical) {
      // Two leaflets across the ring.
      seg(at(Math.PI * 0.62, 0.92), at(-Math.PI * 0.62, 0.92), 0.45, 1.2, true);
      seg(at(Math.PI * 0.38, 0.92), at(-Math.PI * 0.38, 0.92), 0.45, 1.2, true);
    } else {
      // Three struts standing off the sewing ring.
      for (let j = 0; j < 3; j++) {
        const base = at((2 * Math.PI * j) / 3 + 0.3);
        seg(base, [base[0] + Math.sin(tilt) * 10, base[1] - Math.cos(tilt) * 10], 0.5, 0.8, true);
      }
    }
  }
  if (s.cabgClips) {
    // Clips in a chain along the left internal mammary bed and over the grafts.
    const count = rng.int(6, 14);
    const x0 = sternumX + rng.uniform(14, 30);
    for (let k = 0; k < count; k++) {
      const over = rng.chance(0.4);
      const x = over ? h.cx + rng.uniform(-0.5, 0.6) * h.a : x0 + rng.uniform(-4, 4);
      const y = over ? h.cy + rng.uniform(-0.6, 0.4) * h.b : th.apexY + th.hl * rng.uniform(0.12, 0.55);
      const a = rng.uniform(0, Math.PI);
      const l = rng.uniform(1.5, 2.5);
      seg([x - Math.cos(a) * l, y - Math.sin(a) * l], [x + Math.cos(a) * l, y + Math.sin(a) * l], 0.55, 1.3, true);
    }
  }
  const bit = maskBit('sternotomy_wires');
  for (let i = 0; i < n; i++) {
    if (!f.inBody[i]) continue;
    if (metal[i]! > 0) f.metal[i] = f.metal[i]! + metal[i]!;
    if (region[i]! > 0) f.mask[i] = (f.mask[i]! | bit) >>> 0;
  }
}
