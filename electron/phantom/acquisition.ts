/**
 * From physical layers to a stored detector image: attenuation, anode heel,
 * scatter, the vendor's log transform and dynamic-range compression, blur,
 * quantum noise (Poisson-like: larger where fewer photons arrive), then
 * quantisation to the detector's bit depth and photometric convention.
 */
import type { Acquisition } from './case.js';
import type { Fields } from './fields.js';
import { fillNormal, type Random } from './random.js';
import { binomialBlur, createRaster, downsample, gaussianBlur, resample, type Raster } from './raster.js';

const MU_SOFT = 0.021; // per mm, water near 60 keV effective
const MU_METAL = 0.45;

export interface Window {
  center: number;
  width: number;
}

export interface StoredImage {
  width: number;
  height: number;
  pixels: Uint16Array;
  bitsStored: number;
  photometric: Acquisition['photometric'];
  /** VOI windows, the first being the default. */
  windows: Window[];
}

/** Attenuation line integral on the work raster. */
export function attenuation(f: Fields, acq: Acquisition): Raster {
  // Bone contrast falls with tube voltage (less photoelectric absorption).
  const muBone = MU_SOFT * (2.3 + (120 - acq.kvp) * 0.03);
  const a = createRaster(f.width, f.height, f.mm);
  const { lungAir, displaced, body, gas, bone, metal } = f;
  const out = a.data;
  for (let i = 0; i < out.length; i++) {
    const air = lungAir[i]!;
    const d = displaced[i]!;
    const soft = body[i]! - air + (d < air ? d : air) - gas[i]!;
    out[i] = MU_SOFT * (soft > 0 ? soft : 0) + muBone * bone[i]! + MU_METAL * metal[i]!;
  }
  return a;
}

export interface ProcessedImage {
  /** Processed log image on the work raster (brighter = more attenuation). */
  image: Raster;
  /** Relative quantum-noise sigma per work pixel (same units as image). */
  noise: Raster;
}

export function expose(a: Raster, acq: Acquisition): ProcessedImage {
  const { width: w, height: h, mm } = a;
  const intensity = createRaster(w, h, mm);
  for (let y = 0; y < h; y++) {
    // Anode heel: the beam is weaker toward the anode side (top or bottom).
    const heel = 1 + acq.heel * ((y + 0.5) / h - 0.5) * 2;
    const row = y * w;
    for (let x = 0; x < w; x++) intensity.data[row + x] = Math.exp(-a.data[row + x]!) * heel;
  }
  // Scatter: a broad blur of the primary, computed coarsely.
  const factor = Math.max(1, Math.round(4 / mm));
  const coarse = downsample(intensity, factor);
  gaussianBlur(coarse, 45 / coarse.mm);
  const scatter = resample(coarse, w, h, mm);
  const log = createRaster(w, h, mm);
  const noise = createRaster(w, h, mm);
  const sigma0 = 0.0042 / Math.sqrt(acq.exposure);
  for (let i = 0; i < log.data.length; i++) {
    const total = intensity.data[i]! + acq.scatter * scatter.data[i]!;
    log.data[i] = -Math.log(Math.max(total, 1e-6));
    noise.data[i] = sigma0 / Math.sqrt(Math.max(total, 1e-4));
  }
  // Dynamic range compression: subtract part of a large-scale average, so
  // lungs and mediastinum both sit in the display range (all vendors do this).
  const lowC = downsample(log, factor);
  gaussianBlur(lowC, 22 / lowC.mm);
  const low = resample(lowC, w, h, mm);
  for (let i = 0; i < log.data.length; i++) log.data[i] = log.data[i]! - acq.equalization * low.data[i]!;
  // Unsharp masking at a few millimetres: crisper vessels and rib margins.
  // The blurred copy is smooth, so it is made on a 2× coarser grid.
  const detailC = downsample(log, 2);
  gaussianBlur(detailC, 2.5 / detailC.mm);
  const detail = resample(detailC, w, h, mm);
  const gain = 0.7;
  for (let i = 0; i < log.data.length; i++) log.data[i] = log.data[i]! + gain * (log.data[i]! - detail.data[i]!);
  if (acq.blurMm > mm * 0.6) binomialBlur(log);
  return { image: log, noise };
}

function widenRow(
  sd: Float32Array,
  o: number,
  xi0: Int32Array,
  xi1: Int32Array,
  fxs: Float32Array,
  scale: number,
  offset: number,
  into: Float32Array,
): void {
  for (let x = 0; x < into.length; x++) {
    const a = sd[o + xi0[x]!]!;
    into[x] = (a + (sd[o + xi1[x]!]! - a) * fxs[x]!) * scale + offset;
  }
}

function emitRow(
  top: Float32Array,
  bottom: Float32Array,
  fy: number,
  normals: Float32Array,
  sigma: Float32Array,
  max: number,
  invert: boolean,
  out: Uint16Array,
  o: number,
): void {
  for (let x = 0; x < top.length; x++) {
    const t = top[x]!;
    // Integer rounding by truncation of v + ½ (v ≥ 0): much faster than Math.round here.
    const v = t + (bottom[x]! - t) * fy + normals[x]! * sigma[x]! + 0.5;
    const q = v < 0 ? 0 : v > max ? max : v | 0;
    out[o + x] = invert ? max - q : q;
  }
}

/** Percentile of a sample of values (sorted copy of a strided subset). */
function percentiles(values: Float32Array, mask: Uint8Array | null, ps: number[]): number[] {
  const stride = Math.max(1, Math.floor(values.length / 40000));
  const sample: number[] = [];
  for (let i = 0; i < values.length; i += stride) if (!mask || mask[i]) sample.push(values[i]!);
  if (sample.length === 0) return ps.map(() => 0);
  sample.sort((x, y) => x - y);
  return ps.map((p) => sample[Math.min(sample.length - 1, Math.max(0, Math.round(p * (sample.length - 1))))]!);
}

/**
 * Upsamples the processed image to the detector matrix, adds per-pixel
 * noise and quantises; windows come from the body's value distribution.
 */
export function quantize(p: ProcessedImage, f: Fields, acq: Acquisition, rng: Random): StoredImage {
  const { width, height, bitsStored, photometric } = acq;
  const max = 2 ** bitsStored - 1;
  const [lo, hi] = percentiles(p.image.data, null, [0.001, 0.9995]) as [number, number];
  const [bLo, bHi, lungMid] = percentiles(p.image.data, f.inBody, [0.01, 0.995, 0.35]) as [number, number, number];
  const span = hi - lo || 1;
  // Stored range: most of the bit depth, with head-room at both ends.
  const scale = (0.9 * max) / span;
  const offset = 0.04 * max - lo * scale;
  const src = p.image;
  const sw = src.width;
  const sh = src.height;
  const sd = src.data;
  const nd = p.noise.data;
  const ratio = acq.pixelMm / src.mm;
  // Per column: the two source columns and the weight (bilinear, fused with
  // noise and quantisation so the full matrix is touched once).
  const xi0 = new Int32Array(width);
  const xi1 = new Int32Array(width);
  const fxs = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const sx = Math.min(Math.max((x + 0.5) * ratio - 0.5, 0), sw - 1);
    xi0[x] = Math.floor(sx);
    xi1[x] = Math.min(xi0[x]! + 1, sw - 1);
    fxs[x] = sx - xi0[x]!;
  }
  const normals = new Float32Array(width);
  const pixels = new Uint16Array(width * height);
  const invert = photometric === 'MONOCHROME1';
  // Noise per detector pixel: finer pixels collect fewer photons each.
  const pixelNoise = (0.15 / acq.pixelMm) * scale;
  const noiseRng = rng.fork('noise');
  // Source rows widened to the detector width, two at a time (each is used
  // by about two output rows).
  const rows = [new Float32Array(width), new Float32Array(width)];
  const have = [-1, -1];
  const sigma = new Float32Array(width);
  for (let y = 0; y < height; y++) {
    fillNormal(noiseRng, normals);
    const sy = Math.min(Math.max((y + 0.5) * ratio - 0.5, 0), sh - 1);
    const j0 = Math.floor(sy);
    const j1 = Math.min(j0 + 1, sh - 1);
    // Widened source rows are cached by parity: j0 and j1 never share it.
    if (have[j0 & 1] !== j0) {
      widenRow(sd, j0 * sw, xi0, xi1, fxs, scale, offset, rows[j0 & 1]!);
      have[j0 & 1] = j0;
    }
    if (have[j1 & 1] !== j1) {
      widenRow(sd, j1 * sw, xi0, xi1, fxs, scale, offset, rows[j1 & 1]!);
      have[j1 & 1] = j1;
    }
    const nrow = j0 * sw;
    for (let x = 0; x < width; x++) sigma[x] = nd[nrow + xi0[x]!]! * pixelNoise;
    emitRow(rows[j0 & 1]!, rows[j1 & 1]!, sy - j0, normals, sigma, max, invert, pixels, y * width);
  }
  const toStored = (v: number) => v * scale + offset;
  const c = toStored((bLo + bHi) / 2);
  const wdt = (bHi - bLo) * scale;
  const windows: Window[] = [
    { center: c, width: wdt },
    { center: toStored(lungMid), width: wdt * 0.7 },
    { center: c, width: Math.min(max, wdt * 1.4) },
  ].map((win) => ({
    center: Math.round(invert ? max - win.center : win.center),
    width: Math.max(2, Math.round(win.width)),
  }));
  return { width, height, pixels, bitsStored, photometric, windows };
}
