/**
 * Stored values → the 8-bit image a viewer shows. Monochrome: modality
 * transform, then VOI (explicit window, the file's window, its VOI LUT, or
 * the padding-free value range), then the inversion MONOCHROME1 or a
 * Presentation LUT Shape of INVERSE asks for. Colour stays colour (RGB).
 */
import { colorToRgb8, paletteToRgb8 } from './color.js';
import type { PixelArray } from '../util/typed-arrays.js';
import type { Scratch } from '../util/scratch.js';
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
  /** 'range' ignores the file's windows and VOI LUTs and maps the value range (a model's "minmax"). */
  voi?: 'file' | 'range';
  /**
   * Invert the grey scale where MONOCHROME1 or a Presentation LUT Shape of INVERSE asks for it, so that bone is
   * bright (default true). The two together invert once, as in dcmtk. MONOCHROME1 with IDENTITY stays inverted
   * (dcmtk would not invert it): DX requires INVERSE there, and files that say IDENTITY are known to be wrong.
   */
  invertMonochrome1?: boolean;
}

export interface DisplayImage {
  rows: number;
  columns: number;
  channels: 1 | 3;
  data: Uint8Array;
  /**
   * The window applied (monochrome only). With the file's VOI LUT applied instead, the value range's window:
   * where a window the user drags starts.
   */
  window?: Window;
  /** What set the grey levels (monochrome only): the caller's window, the file's, its VOI LUT, or the range. */
  voi?: VoiSource;
}

export type VoiSource = 'requested' | 'file' | 'voi-lut' | 'range';

export interface FrameForDisplay {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsStored: number;
  /** Photometric interpretation of `stored` (after any colour conversion by the codec). */
  photometric: string;
  stored: PixelArray;
}

/** into: reusable memory for the 8-bit image where the caller will not keep it (used by the table path). */
export function renderDisplay(
  frame: FrameForDisplay,
  presentation: Presentation,
  options: DisplayOptions = {},
  into?: Scratch,
): DisplayImage {
  const { rows, columns, stored, photometric } = frame;
  if (photometric === 'PALETTE COLOR') {
    // Indices are one sample per pixel: three would give an image of three times the pixels.
    if (frame.samplesPerPixel !== 1) {
      throw new DicomError(
        'INVALID_ATTRIBUTE',
        `PALETTE COLOR image with Samples per Pixel ${frame.samplesPerPixel}, not 1`,
      );
    }
    if (!presentation.palette)
      throw new DicomError('INVALID_ATTRIBUTE', 'PALETTE COLOR image without a usable palette');
    return { rows, columns, channels: 3, data: paletteToRgb8(stored, presentation.palette) };
  }
  if (frame.samplesPerPixel === 3) {
    return { rows, columns, channels: 3, data: colorToRgb8(stored, photometric, frame.bitsStored) };
  }
  const choice = voiChoice(photometric, presentation, options);
  const { fn, voiLut, invert, requested } = choice;
  const table = tableFor(stored, presentation, choice);
  if (table) {
    const data = into ? into.uint8(stored.length) : new Uint8Array(stored.length);
    const { lut, offset } = table;
    for (let i = 0; i < stored.length; i++) data[i] = lut[stored[i]! - offset]!;
    return { rows, columns, channels: 1, data, window: table.window, voi: choice.source };
  }
  const values = toModalityValues(stored, presentation);
  let window = requested;
  let data: Uint8Array;
  if (!window && voiLut) {
    data = lutToDisplay(values, voiLut);
    if (invert) for (let i = 0; i < data.length; i++) data[i] = 255 - data[i]!;
    const range = valueRange(values, stored, presentation.padding) ?? { min: 0, max: 0 };
    window = windowForRange(range.min, range.max);
  } else {
    const auto = !window;
    if (!window) {
      const range = valueRange(values, stored, presentation.padding) ?? { min: 0, max: 0 };
      window = windowForRange(range.min, range.max);
    }
    data = windowToDisplay(values, window, auto ? 'LINEAR_EXACT' : fn, invert);
  }
  return { rows, columns, channels: 1, data, ...(window ? { window } : {}), voi: choice.source };
}

/** Which VOI transform applies: a window (the caller's, else the file's), else the file's VOI LUT, else the range. */
function voiChoice(photometric: string, presentation: Presentation, options: DisplayOptions) {
  const fromFile = options.voi !== 'range';
  const fileWindow = fromFile ? (presentation.windows[options.windowIndex ?? 0] ?? presentation.windows[0]) : undefined;
  const voiLut = fromFile ? presentation.voiLuts[0] : undefined;
  const source: VoiSource = options.window ? 'requested' : fileWindow ? 'file' : voiLut ? 'voi-lut' : 'range';
  return {
    fn: options.voiFunction ?? presentation.voiFunction,
    voiLut,
    invert: (photometric === 'MONOCHROME1' || presentation.inverse) && options.invertMonochrome1 !== false,
    requested: (options.window ?? fileWindow) as Window | undefined,
    source,
  };
}

/** The display transform of a monochrome frame as a table over its integer stored values. */
export interface DisplayTable {
  /** The 8-bit display value of stored value v is lut[v - offset]. */
  lut: Uint8Array;
  offset: number;
  window: Window;
}

/**
 * renderDisplay's transform as a table, where the frame takes that path (monochrome integer samples
 * with an explicit or file window, or no VOI LUT; a range of at most 2^16); else undefined. Lets a
 * consumer that only needs a smaller image (a model's input) apply it while resampling.
 */
export function displayTable(
  frame: FrameForDisplay,
  presentation: Presentation,
  options: DisplayOptions = {},
): DisplayTable | undefined {
  if (frame.photometric === 'PALETTE COLOR' || frame.samplesPerPixel === 3) return undefined;
  return tableFor(frame.stored, presentation, voiChoice(frame.photometric, presentation, options));
}

type VoiChoice = ReturnType<typeof voiChoice>;

function tableFor(
  stored: PixelArray,
  presentation: Presentation,
  { fn, voiLut, invert, requested }: VoiChoice,
): DisplayTable | undefined {
  if (!requested && voiLut) return undefined;
  // With a window, values outside the image's range need no entries but do no harm: for 8- and 16-bit
  // containers the table spans the whole container (≤ 65,536 entries, well under a millisecond) and
  // the pass over the pixels for their range is skipped. The automatic window needs that pass anyway.
  const range = (requested && containerRange(stored)) || storedRange(stored, !requested);
  if (!range) return undefined;
  // Integer stored values in a range of at most 2^16: map each possible value once through the
  // same modality and VOI functions, then look pixels up. Identical output, no per-pixel float
  // image, several times faster on 10-megapixel radiographs.
  const candidates = new Float64Array(range.max - range.min + 1);
  for (let i = 0; i < candidates.length; i++) candidates[i] = range.min + i;
  const values = toModalityValues(candidates, presentation);
  let window = requested;
  if (!window) {
    const r = valueRange(values, candidates, presentation.padding, range.present) ?? { min: 0, max: 0 };
    window = windowForRange(r.min, r.max);
  }
  const lut = windowToDisplay(values, window, requested ? fn : 'LINEAR_EXACT', invert);
  return { lut, offset: range.min, window };
}

/** The value range of 8- and 16-bit integer containers. */
function containerRange(stored: PixelArray): { min: number; max: number; present?: Uint8Array } | undefined {
  if (stored instanceof Uint8Array) return { min: 0, max: 255 };
  if (stored instanceof Int8Array) return { min: -128, max: 127 };
  if (stored instanceof Uint16Array) return { min: 0, max: 65535 };
  if (stored instanceof Int16Array) return { min: -32768, max: 32767 };
  return undefined;
}

/**
 * For integer stored values: their min and max (and, if asked, which values occur), when the
 * range fits a 2^16-entry table; undefined for float data or wider ranges.
 */
function storedRange(
  stored: PixelArray,
  withPresence: boolean,
): { min: number; max: number; present?: Uint8Array } | undefined {
  if (stored instanceof Float32Array || stored instanceof Float64Array || stored.length === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < stored.length; i++) {
    const s = stored[i]!;
    if (s < min) min = s;
    if (s > max) max = s;
  }
  if (max - min >= 65536) return undefined;
  if (!withPresence) return { min, max };
  const present = new Uint8Array(max - min + 1);
  for (let i = 0; i < stored.length; i++) present[stored[i]! - min] = 1;
  return { min, max, present };
}
