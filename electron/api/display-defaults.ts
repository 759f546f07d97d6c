/**
 * The grey levels a scan is shown with when no window is asked for: the file's window, its VOI LUT or its
 * value range, as the scan:// renderer found them while rendering. The viewer reads them to show the window
 * and to start a drag from it, instead of asking for a window of its own and so rendering the image twice
 * (and, for a file without a window, at its full bit depth: a grey wash).
 */
import type { DisplayImage, VoiSource } from '../dicom/display.js';
import type { Window } from '../dicom/presentation.js';
import type { DecodePool } from '../screening/decode-pool.js';
import type { ScanFile } from '../security/scan-protocol.js';
import type { FileVersion } from './render-cache.js';

export interface DisplayDefault {
  /** What set the grey levels; "colour": none (colour images are shown as they are). */
  voi: Exclude<VoiSource, 'requested'> | 'colour';
  /** The window applied; with a VOI LUT, the value range's window (where a dragged window starts). */
  window: Window | null;
}

/** Renders remembered (a viewer session's worth); the oldest goes first. */
const KEPT = 512;

export class DisplayDefaults {
  readonly #kept = new Map<string, DisplayDefault>();

  constructor(private readonly pool: DecodePool) {}

  /** Records what a render without a window asked for showed, under the version of the file it rendered. */
  remember(file: FileVersion, frame: number, display: DisplayImage): void {
    const key = keyOf(file, frame);
    this.#kept.delete(key);
    this.#kept.set(key, defaultOf(display));
    if (this.#kept.size > KEPT) this.#kept.delete(this.#kept.keys().next().value!);
  }

  /**
   * What the file's frame shows with no window asked for: as rendered, else decoded now. `file`: opened and checked
   * (api/opened-file.ts), kept open until this settles; decoded through its descriptor, never by its path, which may
   * lead elsewhere by now.
   */
  async get(file: ScanFile, frame: number): Promise<DisplayDefault> {
    const kept = this.#kept.get(keyOf(file, frame));
    if (kept) return kept;
    const { display } = await this.pool.decode({ fd: file.fd, frame, outputs: ['display'] });
    if (!display) throw new Error('the frame has no display image');
    this.remember(file, frame, display);
    return defaultOf(display);
  }
}

function defaultOf(display: DisplayImage): DisplayDefault {
  if (display.channels === 3 || !display.voi || display.voi === 'requested') return { voi: 'colour', window: null };
  return { voi: display.voi, window: display.window ?? null };
}

/** By path, frame and the file's version: a file written again (a PACS cache refilled) is looked at anew. */
function keyOf(file: FileVersion, frame: number): string {
  return `${file.mtimeMs}:${file.size}:${frame}:${file.path}`;
}
