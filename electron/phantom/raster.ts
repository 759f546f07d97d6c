/**
 * Float rasters and the few filters the renderer needs, on typed arrays.
 * A raster covers the detector in millimetres; pixel (i, j) is centred at
 * ((i + 0.5) · mm, (j + 0.5) · mm), so rasters of different resolution share
 * one physical frame and can be resampled onto each other.
 */
export interface Raster {
  width: number;
  height: number;
  /** Millimetres per pixel. */
  mm: number;
  data: Float32Array;
}

export function createRaster(width: number, height: number, mm: number, fill = 0): Raster {
  const data = new Float32Array(width * height);
  if (fill !== 0) data.fill(fill);
  return { width, height, mm, data };
}

/** Box blur of radius r along rows then columns (running sums: O(n) per pass). */
export function boxBlur(src: Raster, radius: number): void {
  const r = Math.max(0, Math.round(radius));
  if (r === 0) return;
  const { width: w, height: h, data } = src;
  const line = new Float32Array(Math.max(w, h));
  const out = new Float32Array(Math.max(w, h));
  const norm = 1 / (2 * r + 1);
  // Edges replicate the border sample so flat fields stay flat.
  const blurLine = (n: number) => {
    let acc = line[0]! * (r + 1);
    for (let k = 1; k <= r; k++) acc += line[k < n ? k : n - 1]!;
    for (let k = 0; k < n; k++) {
      out[k] = acc * norm;
      const add = k + r + 1;
      const sub = k - r;
      acc += line[add < n ? add : n - 1]! - line[sub > 0 ? sub : 0]!;
    }
  };
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let k = 0; k < w; k++) line[k] = data[o + k]!;
    blurLine(w);
    for (let k = 0; k < w; k++) data[o + k] = out[k]!;
  }
  // Columns: running sums for all columns at once, row by row (cache friendly).
  const acc = new Float64Array(w);
  const src0 = data.slice();
  for (let x = 0; x < w; x++) acc[x] = src0[x]! * (r + 1);
  for (let k = 1; k <= r; k++) {
    const o = Math.min(k, h - 1) * w;
    for (let x = 0; x < w; x++) acc[x] = acc[x]! + src0[o + x]!;
  }
  for (let k = 0; k < h; k++) {
    const o = k * w;
    const add = Math.min(k + r + 1, h - 1) * w;
    const sub = Math.max(k - r, 0) * w;
    for (let x = 0; x < w; x++) {
      const a = acc[x]!;
      data[o + x] = a * norm;
      acc[x] = a + src0[add + x]! - src0[sub + x]!;
    }
  }
}

/** [1 2 1]/4 in both directions: a detector blur of about half a pixel. */
export function binomialBlur(src: Raster): void {
  const { width: w, height: h, data } = src;
  const tmp = data.slice();
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 1; x < w - 1; x++) data[o + x] = 0.25 * (tmp[o + x - 1]! + tmp[o + x + 1]!) + 0.5 * tmp[o + x]!;
  }
  tmp.set(data);
  for (let y = 1; y < h - 1; y++) {
    const o = y * w;
    for (let x = 0; x < w; x++) data[o + x] = 0.25 * (tmp[o - w + x]! + tmp[o + w + x]!) + 0.5 * tmp[o + x]!;
  }
}

/** Three box passes approximate a Gaussian of the given sigma (in pixels). */
export function gaussianBlur(src: Raster, sigmaPx: number): void {
  if (sigmaPx < 0.3) return;
  // Box radius for three passes: variance of a box of width 2r+1 is ((2r+1)^2-1)/12.
  const r = Math.sqrt((4 * sigmaPx * sigmaPx) / 3 + 0.25) - 0.5;
  const r0 = Math.floor(r);
  boxBlur(src, r0);
  boxBlur(src, Math.round(r));
  boxBlur(src, Math.ceil(r));
}

/** Area-average downsample by an integer factor. */
export function downsample(src: Raster, factor: number): Raster {
  const w = Math.floor(src.width / factor);
  const h = Math.floor(src.height / factor);
  const out = createRaster(w, h, src.mm * factor);
  const inv = 1 / (factor * factor);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let dy = 0; dy < factor; dy++) {
        const row = (y * factor + dy) * src.width + x * factor;
        for (let dx = 0; dx < factor; dx++) s += src.data[row + dx]!;
      }
      out.data[y * w + x] = s * inv;
    }
  }
  return out;
}

/**
 * Bilinear resampling of `src` onto a raster of the given size and spacing
 * in the same physical frame. Used to lift smooth fields computed coarsely.
 */
export function resample(src: Raster, width: number, height: number, mm: number): Raster {
  const out = createRaster(width, height, mm);
  const scale = mm / src.mm;
  const xi0 = new Int32Array(width);
  const xi1 = new Int32Array(width);
  const fx = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const sx = Math.min(Math.max((x + 0.5) * scale - 0.5, 0), src.width - 1);
    const i0 = Math.floor(sx);
    xi0[x] = i0;
    xi1[x] = Math.min(i0 + 1, src.width - 1);
    fx[x] = sx - i0;
  }
  const s = src.data;
  const od = out.data;
  const sw = src.width;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.max((y + 0.5) * scale - 0.5, 0), src.height - 1);
    const j0 = Math.floor(sy);
    const j1 = Math.min(j0 + 1, src.height - 1);
    const fy = sy - j0;
    const r0 = j0 * sw;
    const r1 = j1 * sw;
    const o = y * width;
    for (let x = 0; x < width; x++) {
      const a = xi0[x]!;
      const b = xi1[x]!;
      const f = fx[x]!;
      const top = s[r0 + a]! + (s[r0 + b]! - s[r0 + a]!) * f;
      const bot = s[r1 + a]! + (s[r1 + b]! - s[r1 + a]!) * f;
      od[o + x] = top + (bot - top) * fy;
    }
  }
  return out;
}

/** Nearest-neighbour resampling of a label image (masks keep exact bit values). */
export function resampleNearest(src: Uint32Array, sw: number, sh: number, width: number, height: number): Uint32Array {
  const out = new Uint32Array(width * height);
  if (width >= sw * 2 - 1 && width <= sw * 2 && height >= sh * 2 - 1 && height <= sh * 2) {
    // Exact 2× (the work raster): each label becomes a 2×2 block.
    for (let y = 0; y < height; y++) {
      const ro = (y >> 1) * sw;
      const o = y * width;
      for (let x = 0; x < width; x++) out[o + x] = src[ro + (x >> 1)]!;
    }
    return out;
  }
  const xs = new Int32Array(width);
  for (let x = 0; x < width; x++) xs[x] = Math.min(sw - 1, Math.floor(((x + 0.5) * sw) / width));
  for (let y = 0; y < height; y++) {
    const sy = Math.min(sh - 1, Math.floor(((y + 0.5) * sh) / height));
    const ro = sy * sw;
    const o = y * width;
    for (let x = 0; x < width; x++) out[o + x] = src[ro + xs[x]!]!;
  }
  return out;
}

/**
 * Euclidean distance (in pixels) from every pixel inside `mask` to the
 * nearest pixel outside it (Felzenszwalb–Huttenlocher, exact, linear time).
 */
export function distanceInside(mask: Uint8Array, width: number, height: number): Float32Array {
  const INF = 1e20;
  const f = new Float64Array(Math.max(width, height));
  const d = new Float64Array(Math.max(width, height));
  const v = new Int32Array(Math.max(width, height));
  const z = new Float64Array(Math.max(width, height) + 1);
  const grid = new Float64Array(width * height);
  for (let i = 0; i < grid.length; i++) grid[i] = mask[i] ? INF : 0;
  const pass = (n: number) => {
    let k = 0;
    v[0] = 0;
    z[0] = -INF;
    z[1] = INF;
    for (let q = 1; q < n; q++) {
      let s = (f[q]! + q * q - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
      while (s <= z[k]!) {
        k--;
        s = (f[q]! + q * q - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
      }
      k++;
      v[k] = q;
      z[k] = s;
      z[k + 1] = INF;
    }
    k = 0;
    for (let q = 0; q < n; q++) {
      while (z[k + 1]! < q) k++;
      d[q] = (q - v[k]!) * (q - v[k]!) + f[v[k]!]!;
    }
  };
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) f[y] = grid[y * width + x]!;
    pass(height);
    for (let y = 0; y < height; y++) grid[y * width + x] = d[y]!;
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) f[x] = grid[y * width + x]!;
    pass(width);
    for (let x = 0; x < width; x++) out[y * width + x] = Math.sqrt(Math.min(d[x]!, 1e12));
  }
  return out;
}

export const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);
export const smoothstep = (e0: number, e1: number, x: number): number => {
  const t = clamp((x - e0) / (e1 - e0), 0, 1);
  return t * t * (3 - 2 * t);
};
