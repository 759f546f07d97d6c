/**
 * Minimal PNG encoder (grayscale 8/16-bit, RGB 8-bit, RGBA 8-bit) over zlib, and a decoder
 * for 8-bit grayscale (masks).
 * Enough for thumbnails, decoded frames, masks and training images; no
 * dependency, deterministic output (same pixels → same bytes).
 */
import { deflateSync, inflateSync } from 'node:zlib';

export type PngColor = 'gray' | 'rgb' | 'rgba';

export interface PngImage {
  width: number;
  height: number;
  color: PngColor;
  /** 8 or 16 (16 only for gray). */
  bitDepth: 8 | 16;
  /** Row-major samples; 16-bit samples as a Uint16Array (written big-endian). */
  data: Uint8Array | Uint8ClampedArray | Uint16Array;
}

const COLOR_TYPE: Record<PngColor, number> = { gray: 0, rgb: 2, rgba: 6 };
const CHANNELS: Record<PngColor, number> = { gray: 1, rgb: 3, rgba: 4 };

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export function encodePng(image: PngImage, level = 6): Buffer {
  const { width, height, color, bitDepth, data } = image;
  const channels = CHANNELS[color];
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`PNG size must be positive integers, got ${width}×${height}`);
  }
  if (bitDepth === 16 && color !== 'gray') throw new RangeError('16-bit PNG is supported for gray only');
  if (data.length !== width * height * channels) {
    throw new RangeError(`PNG data has ${data.length} samples, expected ${width * height * channels}`);
  }
  const bytesPerSample = bitDepth / 8;
  const stride = width * channels * bytesPerSample;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const rowStart = y * (stride + 1);
    raw[rowStart] = 0; // filter: none
    const src = y * width * channels;
    if (bitDepth === 8) {
      for (let i = 0; i < width * channels; i++) raw[rowStart + 1 + i] = data[src + i]!;
    } else {
      for (let i = 0; i < width; i++) raw.writeUInt16BE(data[src + i]! & 0xffff, rowStart + 1 + 2 * i);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = COLOR_TYPE[color];
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * Decodes an 8-bit grayscale, non-interlaced PNG (what masks are): every filter type, chunks
 * checked for length only. Anything else is refused with a clear error.
 */
export function decodeGrayPng(bytes: Uint8Array): { width: number; height: number; data: Uint8Array } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8 || buf.readUInt32BE(0) !== 0x89504e47) throw new RangeError('not a PNG file');
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset + 12 <= buf.length) {
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('ascii', offset + 4, offset + 8);
    const body = buf.subarray(offset + 8, offset + 8 + length);
    if (body.length !== length) throw new RangeError('truncated PNG chunk');
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      if (body[8] !== 8 || body[9] !== 0 || body[12] !== 0)
        throw new RangeError('only 8-bit grayscale, non-interlaced PNGs are supported');
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  if (!width || !height) throw new RangeError('PNG without IHDR');
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length < (width + 1) * height) throw new RangeError('PNG pixel data is truncated');
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (width + 1)]!;
    const src = y * (width + 1) + 1;
    const out = y * width;
    for (let x = 0; x < width; x++) {
      const a = x > 0 ? data[out + x - 1]! : 0;
      const b = y > 0 ? data[out - width + x]! : 0;
      const c = x > 0 && y > 0 ? data[out - width + x - 1]! : 0;
      let predicted = 0;
      if (filter === 1) predicted = a;
      else if (filter === 2) predicted = b;
      else if (filter === 3) predicted = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new RangeError(`PNG filter ${filter} is invalid`);
      data[out + x] = (raw[src + x]! + predicted) & 0xff;
    }
  }
  return { width, height, data };
}
