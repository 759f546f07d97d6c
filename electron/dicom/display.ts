/**
 * Stored values → the 8-bit image a viewer shows. Monochrome: modality
 * transform, then VOI (explicit window, the file's window, its VOI LUT, or
 * the padding-free value range), then MONOCHROME1 inversion. Colour stays
 * colour (RGB, 3 channels).
 */
import { colorToRgb8, paletteToRgb8 } from './color.js';
import type { PixelArray } from './codecs/types.js';
import { DicomError } from './errors.js';
import { toModalityValues, valueRange } from './modality.js';
import type { Presentation, VoiFunction, Window } from './presentation.js';
import { lutToDisplay, windowForRange, windowToDisplay } from './voi.js';

export interface DisplayOptions {
  /** Overrides the file's window. */
  window?: Window;
  /** Which of the file's windows (Window Center/Width are multi-valued); default 0. */
  windowIndex?: number;
  voiFunction?: VoiFunction;
}

export interface DisplayImage {
  rows: number;
  columns: number;
  channels: 1 | 3;
  data: Uint8Array;
  /** The window applied (monochrome only). */
  window?: Window;
}

export interface FrameForDisplay {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsStored: number;
  /** Photometric interpretation of `stored` (after any colour conversion by the codec). */
  photometric: string;
  stored: PixelArray;
}

export function renderDisplay(
  frame: FrameForDisplay,
  presentation: Presentation,
  options: DisplayOptions = {},
): DisplayImage {
  const { rows, columns, stored, photometric } = frame;
  if (photometric === 'PALETTE COLOR') {
    if (!presentation.palette)
      throw new DicomError('INVALID_ATTRIBUTE', 'PALETTE COLOR image without a usable palette');
    return { rows, columns, channels: 3, data: paletteToRgb8(stored, presentation.palette) };
  }
  if (frame.samplesPerPixel === 3) {
    return { rows, columns, channels: 3, data: colorToRgb8(stored, photometric, frame.bitsStored) };
  }
  const values = toModalityValues(stored, presentation);
  const fn = options.voiFunction ?? presentation.voiFunction;
  const fileWindow = presentation.windows[options.windowIndex ?? 0] ?? presentation.windows[0];
  const invert = photometric === 'MONOCHROME1';
  let window: Window | undefined = options.window ?? fileWindow;
  let data: Uint8Array;
  if (!window && presentation.voiLuts[0]) {
    data = lutToDisplay(values, presentation.voiLuts[0]);
    if (invert) for (let i = 0; i < data.length; i++) data[i] = 255 - data[i]!;
  } else {
    const auto = !window;
    if (!window) {
      const range = valueRange(values, stored, presentation.padding) ?? { min: 0, max: 0 };
      window = windowForRange(range.min, range.max);
    }
    data = windowToDisplay(values, window, auto ? 'LINEAR_EXACT' : fn, invert);
  }
  return { rows, columns, channels: 1, data, ...(window ? { window } : {}) };
}
