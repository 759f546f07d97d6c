/**
 * The attributes that turn stored values into what a viewer shows: pixel
 * padding, modality transform, VOI windows and LUTs, palette. Enhanced
 * multi-frame objects keep them in per-frame or shared functional groups,
 * which are looked up first.
 */
import type { DatasetReader } from './dataset.js';
import { readLut, type Lut } from './lut.js';
import type { PixelModule } from './pixel-module.js';

export type VoiFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

export interface Window {
  center: number;
  width: number;
  explanation?: string;
}

export interface Presentation {
  rescaleSlope: number;
  rescaleIntercept: number;
  rescaleType?: string;
  modalityLut?: Lut;
  windows: Window[];
  voiFunction: VoiFunction;
  voiLuts: Lut[];
  /** Stored values in [low, high] are padding (not tissue): left out of auto-window and statistics. */
  padding?: { low: number; high: number };
  palette?: { red: Lut; green: Lut; blue: Lut };
  /** Presentation LUT Shape (2050,0020) is INVERSE: the grey scale is shown inverted, as for MONOCHROME1. */
  inverse: boolean;
}

export function readPresentation(reader: DatasetReader, module: PixelModule, frameIndex = 0): Presentation {
  const signed = module.pixelRepresentation === 1;
  const transform = functionalGroup(reader, frameIndex, 'x00289145') ?? reader;
  const voi = functionalGroup(reader, frameIndex, 'x00289132') ?? reader;
  const modalityItem = reader.sequence('x00283000')[0];
  const modalityLut = modalityItem && readLut(modalityItem, 'x00283002', 'x00283006', signed);
  const centers = voi.decimals('x00281050');
  const widths = voi.decimals('x00281051');
  const explanations = voi.strings('x00281055');
  const windows: Window[] = [];
  for (let i = 0; i < Math.min(centers.length, widths.length); i++) {
    if (widths[i]! > 0) windows.push({ center: centers[i]!, width: widths[i]!, explanation: explanations[i] });
  }
  const fn = voi.string('x00281056')?.toUpperCase();
  // A VOI LUT maps modality values, which can be negative when stored values or the intercept are.
  const modalitySigned = signed || (transform.decimal('x00281052') ?? 0) < 0;
  const voiLuts = reader
    .sequence('x00283010')
    .map((item) => readLut(item, 'x00283002', 'x00283006', modalitySigned))
    .filter((lut): lut is Lut => lut !== undefined);
  return {
    rescaleSlope: transform.decimal('x00281053') ?? 1,
    rescaleIntercept: transform.decimal('x00281052') ?? 0,
    rescaleType: transform.string('x00281054'),
    modalityLut,
    windows,
    voiFunction: fn === 'LINEAR_EXACT' || fn === 'SIGMOID' ? fn : 'LINEAR',
    voiLuts,
    padding: readPadding(reader, module),
    palette: module.photometric === 'PALETTE COLOR' ? readPalette(reader, signed) : undefined,
    inverse: reader.string('x20500020')?.toUpperCase() === 'INVERSE',
  };
}

/** The item of a functional group sequence for this frame (per-frame first, then shared). */
function functionalGroup(reader: DatasetReader, frameIndex: number, tag: string): DatasetReader | undefined {
  const perFrame = reader.sequence('x52009230')[frameIndex]?.sequence(tag)[0];
  return perFrame ?? reader.sequence('x52009229')[0]?.sequence(tag)[0];
}

function readPadding(reader: DatasetReader, module: PixelModule): Presentation['padding'] {
  const asStored = (raw: number | undefined) =>
    raw === undefined ? undefined : module.pixelRepresentation === 1 && raw > 0x7fff ? raw - 0x10000 : raw;
  const value = asStored(reader.uint16('x00280120'));
  if (value === undefined) return undefined;
  const limit = asStored(reader.uint16('x00280121')) ?? value;
  return { low: Math.min(value, limit), high: Math.max(value, limit) };
}

function readPalette(reader: DatasetReader, signed: boolean): Presentation['palette'] {
  const red = readLut(reader, 'x00281101', 'x00281201', signed, 'x00281221');
  const green = readLut(reader, 'x00281102', 'x00281202', signed, 'x00281222');
  const blue = readLut(reader, 'x00281103', 'x00281203', signed, 'x00281223');
  return red && green && blue ? { red, green, blue } : undefined;
}
