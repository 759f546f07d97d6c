/**
 * RLE Lossless (PS3.5 Annex G): each frame is split into byte planes (most
 * significant first), each plane PackBits-encoded row by row — a run never
 * crosses a row — behind a 64-byte header of segment offsets.
 */

/** PackBits of one row of bytes into `out` at `pos`; returns the new position. */
function packRow(src: Uint8Array, start: number, end: number, out: Uint8Array, pos: number): number {
  let i = start;
  while (i < end) {
    // Length of the run of equal bytes at i (at most 128).
    let run = 1;
    while (i + run < end && run < 128 && src[i + run] === src[i]) run++;
    // Runs of 3+ replicate; shorter ones go into literals (a replicated pair
    // would cost as much as a literal and split literal runs).
    if (run >= 3) {
      out[pos++] = 257 - run; // −(run − 1) as a signed byte
      out[pos++] = src[i]!;
      i += run;
      continue;
    }
    // Literal run: until a run of 3+ begins, or 128 bytes.
    let lit = 1;
    while (i + lit < end && lit < 128) {
      const k = i + lit;
      if (k + 2 < end && src[k] === src[k + 1] && src[k] === src[k + 2]) break;
      lit++;
    }
    out[pos++] = lit - 1;
    for (let k = 0; k < lit; k++) out[pos++] = src[i + k]!;
    i += lit;
  }
  return pos;
}

/** Encodes one frame of 16-bit samples as an RLE fragment (even length). */
export function encodeRle16(pixels: Uint16Array, width: number, height: number): Buffer {
  const n = width * height;
  const planes = [new Uint8Array(n), new Uint8Array(n)];
  for (let i = 0; i < n; i++) {
    const v = pixels[i]!;
    planes[0]![i] = v >>> 8;
    planes[1]![i] = v & 0xff;
  }
  const segments = planes.map((plane) => {
    // Worst case: one header byte per 128 literals, plus one per row.
    const out = new Uint8Array(n + Math.ceil(n / 128) + 2 * height + 16);
    let pos = 0;
    for (let y = 0; y < height; y++) pos = packRow(plane, y * width, (y + 1) * width, out, pos);
    if (pos % 2) out[pos++] = 0;
    return out.subarray(0, pos);
  });
  const header = Buffer.alloc(64);
  header.writeUInt32LE(segments.length, 0);
  let offset = 64;
  segments.forEach((seg, k) => {
    header.writeUInt32LE(offset, 4 + 4 * k);
    offset += seg.length;
  });
  return Buffer.concat([header, ...segments.map((s) => Buffer.from(s.buffer, s.byteOffset, s.byteLength))]);
}

/** Decodes a fragment produced above (for tests and round trips). */
export function decodeRle16(fragment: Uint8Array, width: number, height: number): Uint16Array {
  const view = Buffer.from(fragment.buffer, fragment.byteOffset, fragment.byteLength);
  const count = view.readUInt32LE(0);
  const n = width * height;
  const planes: Uint8Array[] = [];
  for (let k = 0; k < count; k++) {
    const start = view.readUInt32LE(4 + 4 * k);
    const end = k + 1 < count ? view.readUInt32LE(8 + 4 * k) : view.length;
    const plane = new Uint8Array(n);
    let i = start;
    let o = 0;
    while (i < end && o < n) {
      const h = view[i++]!;
      if (h < 128) {
        for (let c = 0; c <= h; c++) plane[o++] = view[i++]!;
      } else if (h > 128) {
        const v = view[i++]!;
        for (let c = 0; c < 257 - h; c++) plane[o++] = v;
      }
    }
    planes.push(plane);
  }
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) out[i] = (planes[0]![i]! << 8) | planes[1]![i]!;
  return out;
}
