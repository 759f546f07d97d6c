/**
 * Exact top-k by inner product over a row-major matrix (embeddings are
 * L2-normalised, so this is cosine similarity). A bounded min-heap keeps memory
 * at O(k); the scan is one pass, cache-friendly. Exact search is the reference
 * the approximate index is measured against, and is used outright for small
 * collections where it is fast enough.
 */

export interface Hit {
  row: number;
  score: number;
}

export function topK(
  data: Float32Array,
  dim: number,
  query: ArrayLike<number>,
  k: number,
  filter?: (row: number) => boolean,
): Hit[] {
  const rows = Math.floor(data.length / dim);
  const n = Math.min(k, rows);
  if (n <= 0) return [];
  const heapRow = new Int32Array(n);
  const heapScore = new Float64Array(n);
  let size = 0;
  const q = Float32Array.from(query as ArrayLike<number>);
  for (let r = 0; r < rows; r++) {
    if (filter && !filter(r)) continue;
    let s = 0;
    const base = r * dim;
    for (let i = 0; i < dim; i++) s += data[base + i]! * q[i]!;
    if (size < n) {
      // sift up
      let i = size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (heapScore[p]! <= s) break;
        heapScore[i] = heapScore[p]!;
        heapRow[i] = heapRow[p]!;
        i = p;
      }
      heapScore[i] = s;
      heapRow[i] = r;
    } else if (s > heapScore[0]!) {
      // replace the minimum and sift down
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const c = l + 1 < n && heapScore[l + 1]! < heapScore[l]! ? l + 1 : l;
        if (heapScore[c]! >= s) break;
        heapScore[i] = heapScore[c]!;
        heapRow[i] = heapRow[c]!;
        i = c;
      }
      heapScore[i] = s;
      heapRow[i] = r;
    }
  }
  const hits: Hit[] = [];
  for (let i = 0; i < size; i++) hits.push({ row: heapRow[i]!, score: heapScore[i]! });
  return hits.sort((a, b) => b.score - a.score || a.row - b.row);
}
