/**
 * Bones: spine, posterior and anterior ribs, clavicles, scapulae and humeral
 * heads. Long bones are hollow tubes, so their projected thickness peaks at
 * the cortex — the bright rim that makes a rib look like a rib.
 */
import { toMm, toPx, type Fields } from './fields.js';
import { maskBit } from './findings.js';
import { breakRib, drawBreakSite, ribBreaks, type BrokenRib, type RibBreak } from './lesions/rib-fracture.js';
import { spineCurve, type SpineCurve } from './lesions/scoliosis.js';
import { Random } from './random.js';
import { smoothstep } from './raster.js';
import type { SideSign, Thorax } from './thorax.js';

/**
 * Scoliosis bends the spine and turns the ribs with it; rib fractures
 * break their ribs. Both come from their findings' own streams, so the
 * bones' draws (and a case without them) are those of generator 1.0.
 */
export function renderBones(f: Fields): void {
  const th = f.thorax;
  const rng = new Random('bones', th.c.anatomy.structureSeed);
  const pitch = th.hl / (8.2 + 2.6 * th.c.anatomy.inspiration);
  const t1 = th.apexY - pitch * 0.55;
  const curve = spineCurve(th);
  const breaks = ribBreaks(th);
  const shapes = ribShapes(th, pitch);
  renderSpine(f, th, t1, pitch, rng, curve);
  for (const side of [-1, 1] as const) {
    for (let k = 1; k <= 12; k++) {
      const shape = shapes.get(`${side}:${k}`)!;
      renderRib(
        f,
        th,
        side,
        k,
        t1 + (k - 1) * pitch + shape.head,
        pitch,
        rng,
        curve,
        breaks?.get(`${side}:${k}`),
        shape,
      );
    }
    renderClavicle(f, th, side, rng);
    renderScapula(f, th, side);
  }
}

/**
 * How one rib departs from the drawing every rib shared in generators 1.0–1.12: no two ribs of a
 * chest are alike, nor the two sides. From a stream of their own, so the bones' other draws stay.
 */
export interface RibShape {
  /** Head height offset, mm (spacing is uneven by a few mm). */
  head: number;
  /** Scales of the posterior rib's height, of its arch and of the anterior rib's drop and height. */
  thickness: number;
  arch: number;
  antDrop: number;
  antThickness: number;
  /** Where the anterior rib ends, as a fraction of the half-width (its cartilage is invisible). */
  antEnd: number;
  /** A gentle bend along the rib: amplitude (mm), wavelength (fraction of the span), phase. */
  bend: number;
  bendWave: number;
  bendPhase: number;
  /** Mineral density, relative. */
  density: number;
}

export function ribShapes(th: Thorax, pitch: number): Map<string, RibShape> {
  const rng = new Random('ribs', th.c.anatomy.structureSeed);
  const shapes = new Map<string, RibShape>();
  // How irregular this chest's ribs are: some people's are near-regular, others' markedly not.
  const irregular = rng.uniform(0.4, 1);
  for (const side of [-1, 1] as const)
    for (let k = 1; k <= 12; k++) {
      const j = (lo: number, hi: number) => 1 + irregular * rng.uniform(lo, hi);
      shapes.set(`${side}:${k}`, {
        head: irregular * pitch * Math.max(-0.12, Math.min(0.12, rng.normal() * 0.05)),
        thickness: j(-0.14, 0.14),
        arch: j(-0.25, 0.25),
        antDrop: j(-0.18, 0.18),
        antThickness: j(-0.18, 0.12),
        antEnd: (k === 1 ? 0.25 : 0.38) * j(-0.12, 0.12),
        bend: irregular * rng.uniform(0, 1.6),
        bendWave: rng.uniform(0.45, 1.1),
        bendPhase: rng.uniform(0, 2 * Math.PI),
        density: j(-0.1, 0.1),
      });
    }
  return shapes;
}

/**
 * A band along a curve y = yc(x) for x in [xa, xb], as a hollow elliptical
 * tube of half-height half(x); `weight` scales its depth (flat bones are thin).
 */
function addBand(
  f: Fields,
  xa: number,
  xb: number,
  yc: (x: number) => number,
  half: (x: number) => number,
  weight: number,
  cortex = 0.3,
  taper = 6,
  broken?: BrokenRib,
): void {
  const lo = Math.max(0, Math.floor(toPx(f, Math.min(xa, xb))));
  const hi = Math.min(f.width - 1, Math.ceil(toPx(f, Math.max(xa, xb))));
  const x0 = Math.min(xa, xb);
  const x1 = Math.max(xa, xb);
  for (let ix = lo; ix <= hi; ix++) {
    const x = toMm(f, ix);
    // A fractured rib's fragment is offset after the slope is taken from the intact course.
    const y = yc(x) + (broken ? broken.shift(x) : 0);
    const slope = (yc(x + 0.5) - yc(x - 0.5)) / 1;
    const cosA = 1 / Math.sqrt(1 + slope * slope);
    const ends = Math.min(smoothstep(0, taper, x - x0), smoothstep(0, taper, x1 - x));
    const h = half(x) * (0.6 + 0.4 * ends);
    const hv = h / cosA;
    const inner = h * (1 - cortex);
    const ya = Math.max(0, Math.floor(toPx(f, y - hv)));
    const yb = Math.min(f.height - 1, Math.ceil(toPx(f, y + hv)));
    for (let iy = ya; iy <= yb; iy++) {
      const d = (toMm(f, iy) - y) * cosA;
      if (d * d >= h * h) continue;
      const shell = Math.sqrt(h * h - d * d) - 0.6 * Math.sqrt(Math.max(0, inner * inner - d * d));
      const i = iy * f.width + ix;
      f.bone[i] = f.bone[i]! + 2 * weight * shell * ends * (broken ? broken.gate(x, toMm(f, iy)) : 1);
    }
  }
}

/** How much of its vertebra's tilt a rib takes on (the costovertebral joints give a little). */
const RIB_TURN = 0.8;

/**
 * How far a rib whose head is at height y falls per mm outward from its head on a curved spine: its
 * vertebra's end plate falls by the column's slope per mm toward +x, and the rib turns with it.
 */
export const ribTurn = (curve: SpineCurve, y: number): number => -Math.tan(curve.angle(y)) * RIB_TURN;

function renderRib(
  f: Fields,
  th: Thorax,
  side: SideSign,
  k: number,
  yHead: number,
  pitch: number,
  rng: Random,
  curve: SpineCurve | null,
  fracture: RibBreak | undefined,
  shape: RibShape,
): void {
  const s = th.c.anatomy.size;
  const xs = th.spineX + side * 16 * s + (curve ? curve.dx(yHead) : 0);
  const drop = pitch * (0.9 + 0.08 * k) + rng.uniform(-3, 3);
  const arch = ((k === 1 ? 16 : 9) + rng.uniform(-2, 2)) * shape.arch;
  // On a curved spine the rib turns with its vertebra; without scoliosis: the 1.0 drawing.
  const turn = curve ? ribTurn(curve, yHead) : 0;
  const xeAt = (y: number) => th.cx + side * (th.lateralHalf(y) + 7);
  const yEnd = yHead + drop + (curve ? (xeAt(yHead + drop) - xs) * turn : 0);
  const xe = xeAt(yEnd);
  const span = xe - xs;
  // A gentle bend along the rib (1.13), zero at its head so that it stays on its vertebra.
  const bend = (u: number) =>
    shape.bend * Math.sin(Math.PI * Math.min(u, 1)) * Math.sin((2 * Math.PI * u) / shape.bendWave + shape.bendPhase);
  const post = (x: number) => {
    const u = (x - xs) / span;
    return yHead - arch * Math.sin(Math.PI * Math.min(u, 1) * 0.85) + drop * u * u * u + (x - xs) * turn + bend(u);
  };
  const hPost = ((k <= 2 ? 4.5 : 5.8) * s + rng.uniform(-0.5, 0.5)) * shape.thickness;
  const half = (x: number) => hPost * (0.75 + 0.25 * Math.abs((x - xs) / span));
  const weight = 0.55 * shape.density;
  if (!fracture) addBand(f, xs, xe, post, half, weight, 0.32, 10);
  else {
    const xf = xs + span * fracture.u;
    const slope = post(xf + 0.5) - post(xf - 0.5);
    addBand(f, xs, xe, post, half, weight, 0.32, 10, breakRib(fracture, side, xf, post(xf), slope));
    drawBreakSite(f, fracture, xf, post(xf), half(xf), slope);
  }
  // The anterior rib runs from the lateral wall down toward the sternum and
  // stops at the (invisible) costal cartilage.
  const antDrop = pitch * (k === 1 ? 1.2 : 3.2) * shape.antDrop;
  const xEndAnt = th.cx + side * th.lateralHalf(yEnd) * shape.antEnd;
  const spanA = xe - xEndAnt;
  const ant = (x: number) => yEnd + antDrop * Math.max(0, 1 - (x - xEndAnt) / spanA) ** 1.15;
  const hAnt = (k === 1 ? 7 : 7.5) * s * shape.antThickness;
  addBand(f, xEndAnt, xe, ant, () => hAnt, 0.2 * shape.density, 0.25, 30);
}

function renderClavicle(f: Fields, th: Thorax, side: SideSign, rng: Random): void {
  const s = th.c.anatomy.size;
  const ap = th.c.acquisition.view === 'AP';
  const xm = th.spineX + side * 22 * s;
  const ym = th.apexY + th.hl * 0.1 + rng.uniform(-6, 6) - (ap ? 22 : 0);
  const xl = th.cx + side * (th.wt + 45 * s);
  // The lateral end meets the acromion under the shoulder's top (generator 1.13); the draw is kept so
  // the stream's later draws are 1.12's.
  rng.uniform(-6, 6);
  const yl = th.shoulders[side].topY + 12;
  const span = xl - xm;
  const yc = (x: number) => {
    const u = (x - xm) / span;
    return ym + (yl - ym) * u ** 1.3 + 6 * Math.sin(2 * Math.PI * u);
  };
  const half = (x: number) => {
    const u = Math.abs((x - xm) / span);
    return s * (8 - 3.5 * Math.sin(Math.PI * u) + 2 * u);
  };
  addBand(f, xm, xl, yc, half, 0.75, 0.3, 5);
}

function renderScapula(f: Fields, th: Thorax, side: SideSign): void {
  const s = th.c.anatomy.size;
  const ap = th.c.acquisition.view === 'AP';
  // PA positioning rotates the scapulae off the lungs; supine AP cannot.
  const medialTop = th.wt * (ap ? 0.62 : 0.82);
  const medialBottom = th.wt * (ap ? 0.72 : 0.95);
  const top = th.apexY - 8;
  const bottom = th.apexY + th.hl * 0.55;
  const lateral = th.wt + 48 * s;
  for (let iy = Math.max(0, Math.floor(toPx(f, top))); iy <= Math.min(f.height - 1, toPx(f, bottom)); iy++) {
    const y = toMm(f, iy);
    const v = Math.min(1, Math.max(0, (y - top) / (bottom - top)));
    const xm = medialTop + (medialBottom - medialTop) * v;
    const xlat = lateral - (lateral - medialBottom) * v ** 1.6;
    if (xlat <= xm) continue;
    for (let ix = 0; ix < f.width; ix++) {
      const dx = side * (toMm(f, ix) - th.cx);
      if (dx < xm || dx > xlat) continue;
      const edgeM = dx - xm;
      const edgeL = xlat - dx;
      const thick = 2.5 + 4 * Math.exp(-edgeL / 4) + 2.5 * Math.exp(-edgeM / 2);
      const i = iy * f.width + ix;
      f.bone[i] = f.bone[i]! + thick * Math.min(1, edgeM / 1.5, edgeL / 1.5) * 0.8;
    }
  }
  // Humeral head beside the glenoid, under the shoulder's cap (1.13: placed per case and side).
  const { headX, headY: hy, headR: r } = th.shoulders[side];
  const hx = th.cx + side * headX;
  for (let iy = Math.max(0, Math.floor(toPx(f, hy - r))); iy <= Math.min(f.height - 1, toPx(f, hy + r)); iy++) {
    const dy = toMm(f, iy) - hy;
    for (let ix = Math.max(0, Math.floor(toPx(f, hx - r))); ix <= Math.min(f.width - 1, toPx(f, hx + r)); ix++) {
      const dx = toMm(f, ix) - hx;
      const d2 = dx * dx + dy * dy;
      if (d2 >= r * r) continue;
      const i = iy * f.width + ix;
      const ri = r - 2.5;
      const shell = Math.sqrt(r * r - d2) - 0.75 * Math.sqrt(Math.max(0, ri * ri - d2));
      f.bone[i] = f.bone[i]! + 2 * shell * 0.5;
    }
  }
}

function renderSpine(f: Fields, th: Thorax, t1: number, pitch: number, rng: Random, curve: SpineCurve | null): void {
  const s = th.c.anatomy.size;
  const disc = pitch * 0.18;
  const maxY = f.height * f.mm;
  const bit = maskBit('scoliosis');
  for (let k = -2; t1 + k * pitch < maxY; k++) {
    const yc = t1 + k * pitch;
    const hb = (pitch - disc) / 2;
    const wb = s * (16 + Math.max(0, k) * 0.9);
    const x0 = th.spineX + rng.uniform(-1, 1) + (curve ? curve.dx(yc) : 0);
    // A curved spine tilts each body with the column, its end plates square to the curve (generator 1.12; 1.1–1.11
    // tilted them the other way); 0 without scoliosis: the 1.0 drawing.
    const tilt = curve ? -curve.angle(yc) : 0;
    const cos = Math.cos(tilt);
    const sin = Math.sin(tilt);
    // The posterior elements of a rotated vertebra sit toward the concavity.
    const turned = curve ? curve.rotation(yc) * wb : 0;
    const marked = curve !== null && yc >= curve.top && yc <= curve.bottom;
    const ex = Math.abs(cos) * wb + Math.abs(sin) * hb;
    const ey = Math.abs(sin) * wb + Math.abs(cos) * hb;
    for (let iy = Math.max(0, Math.floor(toPx(f, yc - ey))); iy <= Math.min(f.height - 1, toPx(f, yc + ey)); iy++) {
      const dy = toMm(f, iy) - yc;
      for (let ix = Math.max(0, Math.floor(toPx(f, x0 - ex))); ix <= Math.min(f.width - 1, toPx(f, x0 + ex)); ix++) {
        const dx = toMm(f, ix) - x0;
        const u = (cos * dx + sin * dy) / wb;
        const v = (cos * dy - sin * dx) / hb;
        const r = u ** 4 + v ** 4;
        if (r >= 1) continue;
        // Cancellous body with denser cortical margins (end plates, sides); dense enough (1.2) that the
        // column shows through the heart shadow at 384², as on a well-penetrated PA film.
        const rim = Math.exp((-(1 - Math.abs(u)) * wb) / 1.8) + Math.exp((-(1 - Math.abs(v)) * hb) / 1.5);
        const i = iy * f.width + ix;
        f.bone[i] = f.bone[i]! + 1.3 * Math.sqrt(1 - u * u) + 1.6 * rim;
        if (marked && f.inBody[i]) f.mask[i] = (f.mask[i]! | bit) >>> 0;
      }
    }
    // Pedicles: cortical rings near the top of each body, the landmarks read through the heart.
    for (const side of [-1, 1] as const) {
      const ax = side * wb * 0.72 + turned;
      const ay = -hb * 0.35;
      ring(f, x0 + (cos * ax - sin * ay), yc + (sin * ax + cos * ay), 4.5 * s, 7 * s, 1.2, 3);
    }
    // Spinous process: a teardrop in the midline, lower half.
    ring(
      f,
      x0 + cos * 1.3 * turned - sin * hb * 0.6,
      yc + sin * 1.3 * turned + cos * hb * 0.6,
      3.5 * s,
      6 * s,
      1.2,
      1.4,
    );
  }
}

function ring(f: Fields, cx: number, cy: number, rx: number, ry: number, wall: number, weight: number): void {
  for (let iy = Math.max(0, Math.floor(toPx(f, cy - ry))); iy <= Math.min(f.height - 1, toPx(f, cy + ry)); iy++) {
    const v = (toMm(f, iy) - cy) / ry;
    for (let ix = Math.max(0, Math.floor(toPx(f, cx - rx))); ix <= Math.min(f.width - 1, toPx(f, cx + rx)); ix++) {
      const u = (toMm(f, ix) - cx) / rx;
      const r = Math.sqrt(u * u + v * v);
      if (r >= 1) continue;
      const d = (1 - r) * Math.min(rx, ry);
      const i = iy * f.width + ix;
      f.bone[i] = f.bone[i]! + weight * (Math.exp(-d / wall) + 0.3);
    }
  }
}
