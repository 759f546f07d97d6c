/**
 * Builds small DICOM files in memory for tests: explicit VR little endian
 * (optionally implicit, big endian, without preamble or meta header), with
 * sequences and encapsulated pixel data. Enough to make every pixel-module
 * variant without committing binary fixtures.
 */
import { deflateRawSync } from 'node:zlib';

export type Value = string | number[] | Uint8Array | Item[] | Fragments;
export interface Item {
  [tag: string]: [vr: string, value: Value];
}
export interface Fragments {
  offsets: number[];
  fragments: Uint8Array[];
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

export interface BuildOptions {
  transferSyntax?: string;
  preamble?: boolean;
  meta?: boolean;
  /** Dataset encoding override (for bare datasets): 'implicit' writes implicit VR. */
  implicit?: boolean;
  bigEndian?: boolean;
}

export function buildDicom(dataset: Item, options: BuildOptions = {}): Buffer {
  const ts = options.transferSyntax ?? '1.2.840.10008.1.2.1';
  const implicit = options.implicit ?? ts === '1.2.840.10008.1.2';
  const bigEndian = options.bigEndian ?? ts === '1.2.840.10008.1.2.2';
  let body = encodeDataset(dataset, implicit, bigEndian);
  if (ts === '1.2.840.10008.1.2.1.99') body = deflateRawSync(body);
  if (options.meta === false) return body;
  // The meta header names the dataset's SOP class and instance when it has them, as a real file's does.
  const uidOf = (tag: string, fallback: string) => {
    const v = dataset[tag]?.[1];
    return typeof v === 'string' ? v : fallback;
  };
  const meta = encodeDataset(
    {
      x00020001: ['OB', Uint8Array.from([0, 1])],
      x00020002: ['UI', uidOf('x00080016', '1.2.840.10008.5.1.4.1.1.7')],
      x00020003: ['UI', uidOf('x00080018', '1.2.3.4.5')],
      x00020010: ['UI', ts],
    },
    false,
    false,
  );
  const group = encodeElement('x00020000', 'UL', [meta.length], false, false);
  const head = options.preamble === false ? Buffer.alloc(0) : Buffer.concat([Buffer.alloc(128), Buffer.from('DICM')]);
  return Buffer.concat([head, group, meta, body]);
}

export function encodeDataset(dataset: Item, implicit: boolean, bigEndian: boolean): Buffer {
  const tags = Object.keys(dataset).sort();
  return Buffer.concat(tags.map((tag) => encodeElement(tag, dataset[tag]![0], dataset[tag]![1], implicit, bigEndian)));
}

function encodeElement(tag: string, vr: string, value: Value, implicit: boolean, bigEndian: boolean): Buffer {
  const group = parseInt(tag.slice(1, 5), 16);
  const element = parseInt(tag.slice(5, 9), 16);
  const be = bigEndian && group !== 0x0002;
  if (vr === 'SQ') {
    const items = (value as Item[]).map((item) => {
      const content = encodeDataset(item, implicit, bigEndian);
      return Buffer.concat([itemHeader(0xe000, content.length, be), content]);
    });
    return Buffer.concat([header(group, element, vr, 0xffffffff, implicit, be), ...items, itemHeader(0xe0dd, 0, be)]);
  }
  if (isFragments(value)) {
    const bot = Buffer.alloc(value.offsets.length * 4);
    value.offsets.forEach((o, i) => bot.writeUInt32LE(o, i * 4));
    const parts = [
      bot,
      ...value.fragments.map((f) => (f.length % 2 ? Buffer.concat([f, Buffer.alloc(1)]) : Buffer.from(f))),
    ];
    return Buffer.concat([
      header(group, element, vr, 0xffffffff, implicit, be),
      ...parts.flatMap((p) => [itemHeader(0xe000, p.length, be), p]),
      itemHeader(0xe0dd, 0, be),
    ]);
  }
  let bytes = valueBytes(vr, value as string | number[] | Uint8Array, be);
  if (bytes.length % 2) bytes = Buffer.concat([bytes, Buffer.from(vr === 'UI' || vr === 'OB' ? [0] : [0x20])]);
  return Buffer.concat([header(group, element, vr, bytes.length, implicit, be), bytes]);
}

function isFragments(value: Value): value is Fragments {
  return typeof value === 'object' && value !== null && 'fragments' in value;
}

function header(group: number, element: number, vr: string, length: number, implicit: boolean, be: boolean): Buffer {
  const w16 = (b: Buffer, v: number, at: number) => (be ? b.writeUInt16BE(v, at) : b.writeUInt16LE(v, at));
  const w32 = (b: Buffer, v: number, at: number) => (be ? b.writeUInt32BE(v, at) : b.writeUInt32LE(v, at));
  if (implicit) {
    const b = Buffer.alloc(8);
    w16(b, group, 0);
    w16(b, element, 2);
    w32(b, length, 4);
    return b;
  }
  const long = LONG_VRS.has(vr);
  const b = Buffer.alloc(long ? 12 : 8);
  w16(b, group, 0);
  w16(b, element, 2);
  b.write(vr, 4, 'latin1');
  if (long) w32(b, length, 8);
  else w16(b, length, 6);
  return b;
}

function itemHeader(element: number, length: number, be: boolean): Buffer {
  const b = Buffer.alloc(8);
  if (be) {
    b.writeUInt16BE(0xfffe, 0);
    b.writeUInt16BE(element, 2);
    b.writeUInt32BE(length, 4);
  } else {
    b.writeUInt16LE(0xfffe, 0);
    b.writeUInt16LE(element, 2);
    b.writeUInt32LE(length, 4);
  }
  return b;
}

function valueBytes(vr: string, value: string | number[] | Uint8Array, be: boolean): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (typeof value === 'string')
    return Buffer.from(value, vr === 'UT' || vr === 'PN' || vr === 'LO' ? 'utf8' : 'latin1');
  const size = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, OW: 2, OF: 4, OD: 8 }[vr] ?? 2;
  const b = Buffer.alloc(value.length * size);
  const writers: Record<string, (v: number, at: number) => number> = {
    SS: be ? b.writeInt16BE.bind(b) : b.writeInt16LE.bind(b),
    SL: be ? b.writeInt32BE.bind(b) : b.writeInt32LE.bind(b),
    UL: be ? b.writeUInt32BE.bind(b) : b.writeUInt32LE.bind(b),
    FL: be ? b.writeFloatBE.bind(b) : b.writeFloatLE.bind(b),
    OF: be ? b.writeFloatBE.bind(b) : b.writeFloatLE.bind(b),
    FD: be ? b.writeDoubleBE.bind(b) : b.writeDoubleLE.bind(b),
    OD: be ? b.writeDoubleBE.bind(b) : b.writeDoubleLE.bind(b),
  };
  const write = writers[vr] ?? (be ? b.writeUInt16BE.bind(b) : b.writeUInt16LE.bind(b));
  value.forEach((v, i) => write(v, i * size));
  return b;
}

/** The Image Pixel attributes of a rows×columns monochrome or colour image. */
export function imagePixel(m: {
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored?: number;
  signed?: boolean;
  samples?: number;
  photometric?: string;
  planar?: number;
  frames?: number;
}): Item {
  const item: Item = {
    x00280002: ['US', [m.samples ?? 1]],
    x00280004: ['CS', m.photometric ?? 'MONOCHROME2'],
    x00280010: ['US', [m.rows]],
    x00280011: ['US', [m.columns]],
    x00280100: ['US', [m.bitsAllocated]],
    x00280101: ['US', [m.bitsStored ?? m.bitsAllocated]],
    x00280102: ['US', [(m.bitsStored ?? m.bitsAllocated) - 1]],
    x00280103: ['US', [m.signed ? 1 : 0]],
  };
  if ((m.samples ?? 1) > 1) item.x00280006 = ['US', [m.planar ?? 0]];
  if (m.frames !== undefined) item.x00280008 = ['IS', String(m.frames)];
  return item;
}
