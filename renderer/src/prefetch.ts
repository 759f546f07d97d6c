/**
 * The next scan of a list, asked for ahead of a step: the main process renders it meanwhile and keeps the
 * render (electron/api/render-cache.ts), so the step shows it without waiting for a decode. Off with
 * localStorage "radsift.prefetch" = "off" (a slow disk, little memory; the benchmark's reference).
 */
import { getApi } from './api';

/** Images asked for and not yet loaded: held so that they are not collected (and cancelled) meanwhile. */
const inFlight = new Set<HTMLImageElement>();
/** At most this many ahead at once: a fast reader's steps must not queue renders of scans already passed. */
const MAX_IN_FLIGHT = 2;

export function prefetchOn(): boolean {
  try {
    return localStorage.getItem('radsift.prefetch') !== 'off';
  } catch {
    return true;
  }
}

/** Asks for an image URL now, to be shown later. */
function prefetchImage(url: string): void {
  if (!prefetchOn() || inFlight.size >= MAX_IN_FLIGHT) return;
  const img = new Image();
  inFlight.add(img);
  img.onload = img.onerror = () => inFlight.delete(img);
  img.src = url;
}

/** A scan's first frame as the viewer first asks for it (its own grey levels). */
export function prefetchScan(path: string): void {
  prefetchImage(getApi().scanUrl(path, { kind: 'display', frame: 0 }));
}
