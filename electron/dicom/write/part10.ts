/**
 * DICOM Part 10 files (PS3.10 7.1): 128-byte preamble, "DICM", the File Meta
 * Information group in explicit VR little endian with its group length, then
 * the dataset in the chosen transfer syntax: explicit VR little endian,
 * deflated explicit VR little endian (raw deflate of the whole dataset), or
 * RLE Lossless (native header, encapsulated pixel data).
 */
import { deflateRawSync } from 'node:zlib';
import { elementHeader, encodeElement, encodeElements, tag, type DataElement } from './elements.js';
import { encodeRle16 } from './rle.js';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './uid.js';

export const TRANSFER_SYNTAX = {
  explicit: '1.2.840.10008.1.2.1',
  deflate: '1.2.840.10008.1.2.1.99',
  rle: '1.2.840.10008.1.2.5',
} as const;
export type TransferSyntaxName = keyof typeof TRANSFER_SYNTAX;

export interface Part10Input {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntax: TransferSyntaxName;
  /** Every element except Pixel Data. */
  elements: readonly DataElement[];
  /** One frame of 16-bit samples. */
  pixels: Uint16Array;
  width: number;
  height: number;
}

const PIXEL_DATA = tag(0x7fe0, 0x0010);

function fileMeta(input: Part10Input): Buffer {
  const body = encodeElements([
    { tag: tag(0x0002, 0x0001), vr: 'OB', value: new Uint8Array([0, 1]) },
    { tag: tag(0x0002, 0x0002), vr: 'UI', value: input.sopClassUid },
    { tag: tag(0x0002, 0x0003), vr: 'UI', value: input.sopInstanceUid },
    { tag: tag(0x0002, 0x0010), vr: 'UI', value: TRANSFER_SYNTAX[input.transferSyntax] },
    { tag: tag(0x0002, 0x0012), vr: 'UI', value: IMPLEMENTATION_CLASS_UID },
    { tag: tag(0x0002, 0x0013), vr: 'SH', value: IMPLEMENTATION_VERSION_NAME },
  ]);
  const length = encodeElement({ tag: tag(0x0002, 0x0000), vr: 'UL', value: body.length });
  return Buffer.concat([length, body]);
}

function nativePixelData(pixels: Uint16Array): Buffer {
  const bytes = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  // Little-endian hosts already hold the samples in file order.
  const body = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? bytes : Buffer.from(swap16(pixels));
  return Buffer.concat([elementHeader(PIXEL_DATA, 'OW', body.length), body]);
}

function swap16(pixels: Uint16Array): Uint8Array {
  const out = new Uint8Array(pixels.length * 2);
  for (let i = 0; i < pixels.length; i++) {
    out[2 * i] = pixels[i]! & 0xff;
    out[2 * i + 1] = pixels[i]! >>> 8;
  }
  return out;
}

/** Encapsulated pixel data: empty basic offset table, one fragment, delimiter. */
function encapsulated(fragment: Buffer): Buffer {
  const item = (length: number, element = 0xe000) => {
    const b = Buffer.alloc(8);
    b.writeUInt16LE(0xfffe, 0);
    b.writeUInt16LE(element, 2);
    b.writeUInt32LE(length, 4);
    return b;
  };
  const frag = fragment.length % 2 ? Buffer.concat([fragment, Buffer.from([0])]) : fragment;
  return Buffer.concat([
    elementHeader(PIXEL_DATA, 'OB', 0xffffffff),
    item(0),
    item(frag.length),
    frag,
    item(0, 0xe0dd),
  ]);
}

export function writePart10(input: Part10Input): Buffer {
  const header = encodeElements(input.elements);
  const pixelData =
    input.transferSyntax === 'rle'
      ? encapsulated(encodeRle16(input.pixels, input.width, input.height))
      : nativePixelData(input.pixels);
  let dataset = Buffer.concat([header, pixelData]);
  // Level 1: noisy 16-bit pixels barely compress better at higher levels, and cost much more time.
  if (input.transferSyntax === 'deflate') dataset = deflateRawSync(dataset, { level: 1 });
  const preamble = Buffer.alloc(132);
  preamble.write('DICM', 128, 'latin1');
  return Buffer.concat([preamble, fileMeta(input), dataset]);
}
