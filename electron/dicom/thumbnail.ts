/** Thumbnails: area-average downscale of a display image so its longer side fits `maxSize`. */
import type { DisplayImage } from './display.js';

export function thumbnail(image: DisplayImage, maxSize: number): DisplayImage {
  const scale = Math.min(1, maxSize / Math.max(image.rows, image.columns));
  const rows = Math.max(1, Math.round(image.rows * scale));
  const columns = Math.max(1, Math.round(image.columns * scale));
  if (rows === image.rows && columns === image.columns) return image;
  const { channels } = image;
  const data = new Uint8Array(rows * columns * channels);
  // Each output pixel averages the source pixels whose area it covers (integer boxes, every source pixel used once).
  for (let oy = 0; oy < rows; oy++) {
    const y0 = Math.floor((oy * image.rows) / rows);
    const y1 = Math.max(y0 + 1, Math.floor(((oy + 1) * image.rows) / rows));
    for (let ox = 0; ox < columns; ox++) {
      const x0 = Math.floor((ox * image.columns) / columns);
      const x1 = Math.max(x0 + 1, Math.floor(((ox + 1) * image.columns) / columns));
      const count = (y1 - y0) * (x1 - x0);
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let y = y0; y < y1; y++) {
          let at = (y * image.columns + x0) * channels + c;
          for (let x = x0; x < x1; x++, at += channels) sum += image.data[at]!;
        }
        data[(oy * columns + ox) * channels + c] = Math.round(sum / count);
      }
    }
  }
  return { rows, columns, channels, data };
}
