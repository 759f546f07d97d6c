/**
 * Stored pixels to an 8-bit display image: the default VOI window, then
 * MONOCHROME1 inversion, so that air is dark and bone bright whatever the
 * detector wrote. The training export and the docs grid both use this.
 */
import type { StoredImage } from './acquisition.js';

export function toDisplay8(img: StoredImage, windowIndex = 0): Uint8Array {
  const win = img.windows[windowIndex] ?? img.windows[0]!;
  const out = new Uint8Array(img.width * img.height);
  // DICOM PS3.3 C.11.2.1.2 linear VOI function.
  const c = win.center - 0.5;
  const w = win.width - 1;
  const invert = img.photometric === 'MONOCHROME1';
  for (let i = 0; i < out.length; i++) {
    const x = img.pixels[i]!;
    let v: number;
    if (x <= c - w / 2) v = 0;
    else if (x > c + w / 2) v = 255;
    else v = ((x - c) / w + 0.5) * 255;
    v = Math.round(v);
    out[i] = invert ? 255 - v : v;
  }
  return out;
}
