/**
 * The training recipe's view of a phantom (a contract with models/train/):
 * default VOI window → MONOCHROME1 inversion → letterbox to a square (zero
 * padding) → area-average downscale; masks (32-bit, one bit per finding) by
 * per-bit majority over the same cells, so a finding's mask survives
 * downscaling iff it is present.
 */
import type { StoredImage } from './acquisition.js';
import { toDisplay8 } from './display.js';

/** Output cell of each square coordinate, and how many square pixels each cell holds. */
function binning(square: number, size: number): { cell: Int32Array; count: Int32Array } {
  const cell = new Int32Array(square);
  const count = new Int32Array(size);
  for (let i = 0; i < square; i++) {
    const c = Math.min(size - 1, Math.floor((i * size) / square));
    cell[i] = c;
    count[c] = count[c]! + 1;
  }
  return { cell, count };
}

interface Letterbox {
  square: number;
  padX: number;
  padY: number;
  cols: { cell: Int32Array; count: Int32Array };
  rows: { cell: Int32Array; count: Int32Array };
}

function letterbox(width: number, height: number, size: number): Letterbox {
  const square = Math.max(width, height);
  const b = binning(square, size);
  return { square, padX: Math.floor((square - width) / 2), padY: Math.floor((square - height) / 2), cols: b, rows: b };
}

export function trainingImage(img: StoredImage, size: number): Uint8Array {
  const display = toDisplay8(img);
  const lb = letterbox(img.width, img.height, size);
  const sums = new Float64Array(size * size);
  for (let y = 0; y < img.height; y++) {
    const oy = lb.rows.cell[y + lb.padY]! * size;
    const row = y * img.width;
    for (let x = 0; x < img.width; x++) {
      const o = oy + lb.cols.cell[x + lb.padX]!;
      sums[o] = sums[o]! + display[row + x]!;
    }
  }
  const out = new Uint8Array(size * size);
  for (let cy = 0; cy < size; cy++) {
    for (let cx = 0; cx < size; cx++) {
      const area = lb.rows.count[cy]! * lb.cols.count[cx]!;
      out[cy * size + cx] = Math.round(sums[cy * size + cx]! / area);
    }
  }
  return out;
}

export function trainingMask(mask: Uint32Array, width: number, height: number, size: number): Uint32Array {
  const lb = letterbox(width, height, size);
  // Count only the bits that occur (a handful per case), each in its own slot.
  let any = 0;
  for (let i = 0; i < mask.length; i++) any |= mask[i]!;
  const bits: number[] = [];
  for (let b = 0; b < 32; b++) if (any & (1 << b)) bits.push(b);
  const slot = new Int8Array(32).fill(-1);
  bits.forEach((b, k) => (slot[b] = k));
  const n = bits.length;
  const out = new Uint32Array(size * size);
  if (n === 0) return out;
  const counts = new Uint32Array(size * size * n);
  for (let y = 0; y < height; y++) {
    const oy = lb.rows.cell[y + lb.padY]! * size;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let m = mask[row + x]!;
      if (m === 0) continue;
      const o = (oy + lb.cols.cell[x + lb.padX]!) * n;
      while (m !== 0) {
        const low = m & -m;
        const k = o + slot[31 - Math.clz32(low)]!;
        counts[k] = counts[k]! + 1;
        m = (m ^ low) >>> 0;
      }
    }
  }
  for (let k = 0; k < n; k++) {
    const bit = (1 << bits[k]!) >>> 0;
    let best = 0;
    let found = false;
    for (let cy = 0; cy < size; cy++) {
      for (let cx = 0; cx < size; cx++) {
        const o = cy * size + cx;
        const frac = counts[o * n + k]! / (lb.rows.count[cy]! * lb.cols.count[cx]!);
        best = Math.max(best, frac);
        if (frac >= 0.5) {
          out[o] = (out[o]! | bit) >>> 0;
          found = true;
        }
      }
    }
    // A thin structure (a wire, a pleural line) covers no cell by half: keep
    // its best-covered cells rather than lose the finding.
    if (!found) {
      for (let o = 0; o < size * size; o++) {
        const cy = Math.floor(o / size);
        const cx = o % size;
        const frac = counts[o * n + k]! / (lb.rows.count[cy]! * lb.cols.count[cx]!);
        if (frac > 0 && frac >= best * 0.5) out[o] = (out[o]! | bit) >>> 0;
      }
    }
  }
  return out;
}
