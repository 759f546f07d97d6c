/** Row-major embedding matrices and the few vector operations scoring needs. */

export interface Matrix {
  /** Row-major [rows, dim]. */
  data: Float32Array;
  rows: number;
  dim: number;
}

export function row(m: Matrix, i: number): Float32Array {
  return m.data.subarray(i * m.dim, (i + 1) * m.dim);
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function normalise(v: Float32Array): Float32Array {
  const n = Math.sqrt(dot(v, v));
  if (n > 0) for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

/** Σ wᵢ·vᵢ, L2-normalised: a weighted query ("effusion + these scans − that scan"). */
export function weightedSum(vectors: { vector: ArrayLike<number>; weight: number }[], dim: number): Float32Array {
  const out = new Float32Array(dim);
  for (const { vector, weight } of vectors) {
    if (vector.length !== dim) throw new RangeError(`vector of length ${vector.length} in a ${dim}-d query`);
    for (let i = 0; i < dim; i++) out[i]! += weight * vector[i]!;
  }
  return normalise(out);
}

/** Mean of the rows, L2-normalised (a prompt ensemble or a prototype of example scans). */
export function meanRow(
  m: Matrix,
  rows: readonly number[] = Array.from({ length: m.rows }, (_, i) => i),
): Float32Array {
  return weightedSum(
    rows.map((r) => ({ vector: row(m, r), weight: 1 / rows.length })),
    m.dim,
  );
}

/** Cosine similarities (inputs L2-normalised): [a.rows, b.rows], row-major. */
export function similarityMatrix(a: Matrix, b: Matrix): Float32Array {
  if (a.dim !== b.dim) throw new RangeError(`embedding sizes differ: ${a.dim} vs ${b.dim}`);
  const out = new Float32Array(a.rows * b.rows);
  for (let i = 0; i < a.rows; i++) {
    const ai = row(a, i);
    for (let j = 0; j < b.rows; j++) out[i * b.rows + j] = dot(ai, row(b, j));
  }
  return out;
}

/** Similarity of every row to one query vector. */
export function scoresAgainst(m: Matrix, query: ArrayLike<number>): Float32Array {
  const out = new Float32Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = dot(row(m, i), query);
  return out;
}
