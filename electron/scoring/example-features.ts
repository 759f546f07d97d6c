/**
 * Other image descriptors for few-shot work than the global embedding: the patch embeddings max-pooled
 * over the image (a finding small or outside the lungs that the text-aligned global embedding averages
 * away still lights some patch), and rows centred on the set's mean embedding (every scan of one model
 * shares a large common direction, which dominates a cosine to the mean of a few examples).
 * `npm run bench:examples` measures what each does to few-shot AUC.
 */
import { centred, meanVector } from './example-profile.js';
import { normalise, row, type Matrix } from './vectors.js';

/** Per dimension, the largest value over the patches ([cells × dim] row-major), L2-normalised. */
export function maxPoolPatches(patches: Float32Array, dim: number): Float32Array {
  const cells = patches.length / dim;
  if (!Number.isInteger(cells) || cells < 1) throw new RangeError(`${patches.length} values are not cells × ${dim}`);
  const out = new Float32Array(dim).fill(-Infinity);
  for (let c = 0; c < cells; c++)
    for (let k = 0; k < dim; k++) {
      const v = patches[c * dim + k]!;
      if (v > out[k]!) out[k] = v;
    }
  return normalise(out);
}

/** The rows minus their mean row, each L2-normalised again (as the app centres, whatever the row count). */
export function centreRows(m: Matrix): Matrix {
  const rows = Array.from({ length: m.rows }, (_, r) => row(m, r));
  const { mean } = meanVector(rows, m.dim);
  const data = new Float32Array(m.data.length);
  rows.forEach((v, r) => data.set(centred(v, mean), r * m.dim));
  return { data, rows: m.rows, dim: m.dim };
}
