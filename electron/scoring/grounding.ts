/**
 * Phrase grounding: a heatmap over the model's patch grid (cosine of each
 * patch embedding with the phrase) and how well it finds a ground-truth mask —
 * the pointing game (does the hottest cell touch the finding?) and the
 * contrast-to-noise ratio of the heat inside the finding against outside.
 * Masks reach the grid through the model's own geometry (letterbox or crop),
 * so a cell's coverage is the fraction of it the finding fills.
 */
import type { ImageInputSpec } from '../imaging/image-spec.js';
import { fitPlane } from '../imaging/preprocess.js';

/** Fraction of each grid cell (row-major) covered by the mask's pixels with `bit` set. */
export function maskCoverage(
  mask: { width: number; height: number; data: Uint8Array },
  bit: number,
  spec: Pick<ImageInputSpec, 'size' | 'resize' | 'resizeTo'>,
  grid: [number, number],
): Float32Array {
  const plane = new Uint8Array(mask.width * mask.height);
  for (let i = 0; i < plane.length; i++) plane[i] = (mask.data[i]! >> bit) & 1;
  const fitted = fitPlane({ width: mask.width, height: mask.height, data: plane }, { ...spec, interpolation: 'area' });
  const [rows, cols] = grid;
  const out = new Float32Array(rows * cols);
  for (let gy = 0; gy < rows; gy++) {
    const y0 = Math.floor((gy * fitted.height) / rows);
    const y1 = Math.floor(((gy + 1) * fitted.height) / rows);
    for (let gx = 0; gx < cols; gx++) {
      const x0 = Math.floor((gx * fitted.width) / cols);
      const x1 = Math.floor(((gx + 1) * fitted.width) / cols);
      let sum = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += fitted.data[y * fitted.width + x]!;
      out[gy * cols + gx] = sum / Math.max(1, (y1 - y0) * (x1 - x0));
    }
  }
  return out;
}

/** Cosine of each patch embedding ([cells × dim], unit length) with the phrase embedding. */
export function phraseHeatmap(patches: Float32Array, phrase: ArrayLike<number>): Float32Array {
  const dim = phrase.length;
  const cells = patches.length / dim;
  const out = new Float32Array(cells);
  for (let c = 0; c < cells; c++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += patches[c * dim + k]! * phrase[k]!;
    out[c] = s;
  }
  return out;
}

/** Pointing game: the hottest cell overlaps the finding. */
export function pointingHit(heat: ArrayLike<number>, coverage: ArrayLike<number>): boolean {
  let best = 0;
  for (let i = 1; i < heat.length; i++) if (heat[i]! > heat[best]!) best = i;
  return coverage[best]! > 0;
}

/**
 * Contrast-to-noise ratio: (mean heat inside − mean heat outside) / SD of the heat outside.
 * Inside: cells at least half covered (or, for a finding smaller than half a cell, the cells it
 * touches); outside: cells it does not touch. NaN when either side is empty.
 */
export function contrastToNoise(heat: ArrayLike<number>, coverage: ArrayLike<number>): number {
  const n = heat.length;
  let threshold = 0.5;
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, coverage[i]!);
  if (max < threshold) threshold = Number.MIN_VALUE;
  const inside: number[] = [];
  const outside: number[] = [];
  for (let i = 0; i < n; i++) {
    if (coverage[i]! >= threshold) inside.push(heat[i]!);
    else if (coverage[i] === 0) outside.push(heat[i]!);
  }
  if (!inside.length || outside.length < 2) return NaN;
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  const mo = mean(outside);
  const sd = Math.sqrt(outside.reduce((s, x) => s + (x - mo) ** 2, 0) / (outside.length - 1));
  return (mean(inside) - mo) / Math.max(sd, 1e-9);
}

/**
 * Where the model's input square lies over the image, as fractions of the image's width and
 * height (x and y may be negative and width/height above 1 with letterbox padding): a heatmap
 * on the patch grid is drawn into this box to sit on the anatomy it describes.
 */
export function gridBox(
  spec: Pick<ImageInputSpec, 'size' | 'resize' | 'resizeTo'>,
  width: number,
  height: number,
): { x: number; y: number; width: number; height: number } {
  const [H, W] = spec.size;
  if (spec.resize === 'stretch') return { x: 0, y: 0, width: 1, height: 1 };
  if (spec.resize === 'center-crop') {
    const S = spec.resizeTo ?? Math.min(H, W);
    const [nw, nh] = width <= height ? [S, Math.trunc((S * height) / width)] : [Math.trunc((S * width) / height), S];
    const top = Math.trunc((nh - H) / 2);
    const left = Math.trunc((nw - W) / 2);
    return { x: left / nw, y: top / nh, width: W / nw, height: H / nh };
  }
  if (spec.resizeTo !== null) {
    const R = spec.resizeTo;
    const ratio = R / Math.max(width, height);
    const nw = Math.max(1, Math.trunc(width * ratio));
    const nh = Math.max(1, Math.trunc(height * ratio));
    const ox = Math.trunc((R - nw) / 2);
    const oy = Math.trunc((R - nh) / 2);
    return { x: 0 - ox / nw, y: 0 - oy / nh, width: R / nw, height: R / nh };
  }
  const canvasW = Math.max(width, (height * W) / H);
  const canvasH = (canvasW * H) / W;
  const x = 0 - Math.floor((canvasW - width) / 2); // 0 − 0 is +0 (not −0)
  const y = 0 - Math.floor((canvasH - height) / 2);
  return { x: x / width, y: y / height, width: canvasW / width, height: canvasH / height };
}
