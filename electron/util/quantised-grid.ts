/**
 * A patch grid as the index keeps it: each cell's components as int8 with one float32 scale per cell
 * (symmetric: scale = max |x| / 127, x ≈ q · scale). For the default model's 32×32 × 128 grid that is
 * 1,024 × (128 + 4) bytes ≈ 132 KB a scan instead of 512 KB of float32, so the index can keep grids for eight
 * times as many opened scans (docs/index.md). Shared by index/ (stores it) and scoring/ (margins from it).
 */
export interface QuantisedGrid {
  /** Components per cell (the model's embedding size). */
  dim: number;
  /** cells × dim, row-major. */
  values: Int8Array;
  /** One per cell. */
  scales: Float32Array;
}

/** Per cell, scale = max |x| / 127 and q = round(x / scale): the error of a component is at most scale / 2. */
export function quantiseGrid(patches: Float32Array, dim: number): QuantisedGrid {
  const cells = patches.length / dim;
  if (!Number.isInteger(cells)) throw new RangeError(`${patches.length} values are not cells × ${dim}`);
  const values = new Int8Array(patches.length);
  const scales = new Float32Array(cells);
  for (let c = 0; c < cells; c++) {
    const o = c * dim;
    let max = 0;
    for (let k = 0; k < dim; k++) max = Math.max(max, Math.abs(patches[o + k]!));
    // An all-zero cell keeps scale 0 and zeros: nothing to divide by.
    if (max === 0) continue;
    scales[c] = max / 127;
    const inv = 127 / max;
    for (let k = 0; k < dim; k++) values[o + k] = Math.round(patches[o + k]! * inv);
  }
  return { dim, values, scales };
}

/** The float32 grid the quantised one stands for (q · scale per component). */
export function dequantiseGrid(grid: QuantisedGrid): Float32Array {
  const { dim, values, scales } = grid;
  const out = new Float32Array(values.length);
  for (let c = 0; c < scales.length; c++) {
    const s = scales[c]!;
    for (let k = c * dim, end = k + dim; k < end; k++) out[k] = values[k]! * s;
  }
  return out;
}

/** Stored bytes: the scales (float32, platform order as every vector the index keeps), then the int8 values. */
export function gridBytes(grid: QuantisedGrid): Buffer {
  const out = Buffer.alloc(grid.scales.byteLength + grid.values.byteLength);
  out.set(new Uint8Array(grid.scales.buffer, grid.scales.byteOffset, grid.scales.byteLength), 0);
  out.set(new Uint8Array(grid.values.buffer, grid.values.byteOffset, grid.values.byteLength), grid.scales.byteLength);
  return out;
}

/** The grid gridBytes wrote; null where the length is no whole number of cells of `dim` (not such a grid). */
export function gridFromBytes(b: Uint8Array, dim: number): QuantisedGrid | null {
  const cells = b.byteLength / (dim + 4);
  if (!Number.isInteger(cells) || cells < 1) return null;
  // Copied: a Float32Array needs a 4-byte-aligned offset, which a Buffer from SQLite need not have.
  const copy = new Uint8Array(b);
  return {
    dim,
    scales: new Float32Array(copy.buffer, 0, cells),
    values: new Int8Array(copy.buffer, cells * 4, cells * dim),
  };
}
