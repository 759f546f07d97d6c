/**
 * Cavitary lesion: a thick, irregular soft-tissue wall around an air-filled
 * lumen with no lung markings inside (cleared before the markings are drawn);
 * upright, fluid in the lumen makes a flat air-fluid level. Outline, wall
 * thickness, lumen position and level height vary.
 */
import { toMm, toPx, type Fields } from '../fields.js';
import { maskBit, type CavityAttrs } from '../findings.js';
import type { Random } from '../random.js';
import { sideSign } from '../thorax.js';
import { placeInLung, wobble } from './placement.js';

interface Geometry {
  x: number;
  y: number;
  outer: number;
  inner: number;
  /** Lumen centre offset (eccentric lumen: the wall is thicker on one side). */
  lx: number;
  ly: number;
  outerShape: (a: number) => number;
  innerShape: (a: number) => number;
  level: number;
}

/** Same stream, same geometry: called before the markings and again to draw. */
function geometry(f: Fields, k: CavityAttrs, rng: Random): Geometry {
  const outer = k.diameterMm / 2;
  const [x, y] = placeInLung(f, sideSign(k.side), k.zone, outer, rng);
  const inner = Math.max(3, outer - k.wallMm);
  const ecc = Math.min(k.wallMm * 0.45, outer - inner - 1);
  const a = rng.uniform(0, 2 * Math.PI);
  return {
    x,
    y,
    outer,
    inner,
    lx: x + Math.cos(a) * ecc,
    ly: y + Math.sin(a) * ecc,
    outerShape: wobble(rng, 0.1),
    innerShape: wobble(rng, 0.22),
    level: y + inner * rng.uniform(-0.1, 0.5),
  };
}

function lumenRadius(g: Geometry, x: number, y: number): number {
  return g.inner * g.innerShape(Math.atan2(y - g.ly, x - g.lx));
}

export function prepareCavity(f: Fields, k: CavityAttrs, rng: Random): void {
  const g = geometry(f, k, rng);
  forEach(f, g, (i, x, y) => {
    const dx = x - g.lx;
    const dy = y - g.ly;
    const r = lumenRadius(g, x, y);
    if (dx * dx + dy * dy < r * r) f.markings[i] = 0;
  });
}

export function renderCavity(f: Fields, k: CavityAttrs, rng: Random): void {
  const g = geometry(f, k, rng);
  const bit = maskBit('cavitary_lesion');
  forEach(f, g, (i, x, y) => {
    const dx = x - g.x;
    const dy = y - g.y;
    const ro = g.outer * g.outerShape(Math.atan2(dy, dx));
    const d2 = dx * dx + dy * dy;
    if (d2 >= ro * ro) return;
    const lx = x - g.lx;
    const ly = y - g.ly;
    const ri = lumenRadius(g, x, y);
    const l2 = lx * lx + ly * ly;
    const lumen = l2 < ri * ri ? 2 * Math.sqrt(ri * ri - l2) : 0;
    // Shell path: the outer chord less the air-filled part of the lumen.
    let tissue = 2 * Math.sqrt(ro * ro - d2) - lumen;
    if (k.airFluidLevel && lumen > 0 && y > g.level) tissue += lumen;
    f.displaced[i] = f.displaced[i]! + Math.max(0, tissue) * 0.95;
    if (f.inBody[i]) f.mask[i] = (f.mask[i]! | bit) >>> 0;
  });
}

function forEach(f: Fields, g: Geometry, fn: (i: number, x: number, y: number) => void): void {
  const reach = g.outer * 1.4;
  for (
    let iy = Math.max(0, Math.floor(toPx(f, g.y - reach)));
    iy <= Math.min(f.height - 1, toPx(f, g.y + reach));
    iy++
  ) {
    const y = toMm(f, iy);
    for (
      let ix = Math.max(0, Math.floor(toPx(f, g.x - reach)));
      ix <= Math.min(f.width - 1, toPx(f, g.x + reach));
      ix++
    )
      fn(iy * f.width + ix, toMm(f, ix), y);
  }
}
