/**
 * DICOM images for the scan:// protocol: a frame rendered through the pixel
 * pipeline (window from the file or the query) as PNG, or a thumbnail.
 * Decoding runs in the decode pool's workers, never on the main thread.
 *
 * Query: kind=display|thumb, frame=N (from 0), wc=C&ww=W (window override),
 * size=S (thumbnail's longest side, 32–512).
 */
import type { DecodePool } from '../screening/decode-pool.js';
import type { DisplayDefaults } from './display-defaults.js';
import type { RenderCache } from './render-cache.js';
import type { ScanRenderer } from '../security/scan-protocol.js';
import { encodePng } from '../util/png.js';

function intParam(q: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const v = Number(q.get(name));
  return q.has(name) && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.round(v))) : fallback;
}

/**
 * `defaults`: where a display render without a window records what it showed (the viewer asks); `cache`: renders
 * kept, so a scan asked for ahead of a step (or again) is not decoded again.
 */
export function dicomScanRenderer(pool: DecodePool, defaults?: DisplayDefaults, cache?: RenderCache): ScanRenderer {
  const render: ScanRenderer = async (file, query) => {
    const kind = query.get('kind') === 'thumb' ? 'thumbnail' : 'display';
    const wc = Number(query.get('wc'));
    const ww = Number(query.get('ww'));
    const window =
      query.has('wc') && query.has('ww') && Number.isFinite(wc) && Number.isFinite(ww) && ww > 0
        ? { center: wc, width: ww }
        : undefined;
    const frame = intParam(query, 'frame', 0, 0, 1_000_000);
    // The file the guard opened and checked, read by the worker through its descriptor: a worker given the path
    // would open it again, and by then the path may lead elsewhere (security/allowed-roots.ts, openInside). Not
    // its bytes read here: a request waiting in the pool's queue (a page of thumbnails) would hold them meanwhile.
    const result = await pool.decode({
      fd: file.fd,
      frame,
      outputs: [kind],
      thumbnailSize: intParam(query, 'size', 160, 32, 512),
      ...(window ? { display: { window } } : {}),
    });
    const image = kind === 'thumbnail' ? result.thumbnail : result.display;
    if (!image) return null;
    if (kind === 'display' && !window && result.display) defaults?.remember(file, frame, result.display);
    const png = encodePng(
      {
        width: image.columns,
        height: image.rows,
        color: image.channels === 3 ? 'rgb' : 'gray',
        bitDepth: 8,
        data: image.data,
      },
      // Speed over size: these PNGs never leave the machine.
      1,
    );
    return { body: png, contentType: 'image/png' };
  };
  // Display renders only: thumbnails are asked for once each (the page keeps them), and thousands of them
  // would push out the renders a step is waiting for.
  return cache
    ? (file, query) =>
        query.get('kind') === 'thumb' ? render(file, query) : cache.get(file, query, () => render(file, query))
    : render;
}
