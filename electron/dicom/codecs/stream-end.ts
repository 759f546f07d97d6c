/**
 * Whether an encoded frame was cut short: the end markers and length fields that say where a
 * JPEG-family stream or a JPEG 2000 codestream ends. A truncated frame is refused with TRUNCATED,
 * never shown with its missing part grey (docs/dicom.md, Truncated frames): a partial image read
 * as whole could hide a finding, and the model input would be made from it without a word.
 */
import { DicomError } from '../errors.js';

/** The frame is cut short: `detail` says how it shows. */
export function truncatedFrame(codec: string, detail: string): DicomError {
  return new DicomError('TRUNCATED', `${codec}: the frame is truncated (${detail}); it cannot be shown whole`);
}

/** Index after the last byte that is not trailing padding (0x00 pads an odd stream to even length; some writers use 0xFF). */
function significantEnd(frame: Uint8Array): number {
  let end = frame.length;
  while (end > 0 && (frame[end - 1] === 0x00 || frame[end - 1] === 0xff)) end--;
  return end;
}

/**
 * Whether a JPEG or JPEG-LS stream ends with its EOI marker (FF D9), padding aside. Neither entropy
 * coding lets FF D9 occur inside the coded data (JPEG stuffs FF 00, JPEG-LS a 0 bit after FF).
 */
export function endsWithEoi(frame: Uint8Array): boolean {
  const end = significantEnd(frame);
  return end >= 2 && frame[end - 2] === 0xff && frame[end - 1] === 0xd9;
}

/**
 * Why a JPEG 2000 / HTJ2K codestream is truncated, or undefined when its tile-parts are all there.
 * Each tile-part's SOT gives its length (Psot): one that runs past the end of the frame is cut; a
 * last tile-part of length 0 runs to the EOC marker, which must then be there. A codestream whose
 * tile-parts are whole but that lacks only its EOC is read (the data is all there; GDCM appends the
 * EOC such files lack). A JP2 file, or a codestream this walk does not understand, is left to the decoder.
 */
export function j2kTruncation(cs: Uint8Array): string | undefined {
  if (cs[0] !== 0xff || cs[1] !== 0x4f) return undefined;
  const u16 = (p: number) => (cs[p]! << 8) | cs[p + 1]!;
  let at = 2;
  while (!(cs[at] === 0xff && cs[at + 1] === 0x90)) {
    if (at + 4 > cs.length) return 'the codestream ends inside its main header';
    if (cs[at] !== 0xff) return undefined;
    at += 2 + u16(at + 2);
  }
  let end = cs.length;
  while (end > at && cs[end - 1] === 0x00) end--;
  for (let part = 1; ; part++) {
    if (at >= end) return undefined; // whole, without an EOC
    if (cs[at] === 0xff && cs[at + 1] === 0xd9) return undefined;
    if (cs[at] !== 0xff || cs[at + 1] !== 0x90) return undefined;
    if (at + 12 > cs.length) return `the codestream ends inside tile-part ${part}'s header`;
    const length = ((u16(at + 6) << 16) >>> 0) + u16(at + 8);
    if (length === 0) {
      return endsWithEoi(cs) ? undefined : `tile-part ${part} runs to the end marker (EOC), which is missing`;
    }
    if (at + length > cs.length) {
      return `tile-part ${part} declares ${length} bytes, ${cs.length - at} are left`;
    }
    at += length;
  }
}

/**
 * Where a JPEG 2000 codestream's tile data ends when every tile's tile-parts are there and whole but what follows
 * them is not the EOC marker: nothing (the EOC missing, maybe with padding) or a stray byte or two. undefined where the
 * codestream ends in its EOC, where a tile-part is cut (j2kTruncation), or where whether every tile-part is there
 * cannot be told (a tile whose last tile-part does not say how many it has: TNsot 0). OpenJPEG 2.5 (as
 * opj_decompress) fails such a codestream ("Stream too short": it reads a marker after the last tile-part) and
 * hands back an empty image; the data being whole, it is decoded up to here with an EOC, as GDCM appends the EOC
 * such streams lack.
 */
export function j2kTileDataEnd(cs: Uint8Array): number | undefined {
  if (cs[0] !== 0xff || cs[1] !== 0x4f || cs[2] !== 0xff || cs[3] !== 0x51 || cs.length < 42) return undefined;
  const u16 = (p: number) => (cs[p]! << 8) | cs[p + 1]!;
  const u32 = (p: number) => ((u16(p) << 16) >>> 0) + u16(p + 2);
  // SIZ: Xsiz, Ysiz, XOsiz, YOsiz, XTsiz, YTsiz, XTOsiz, YTOsiz from byte 8.
  const [x, y, , , tileWidth, tileHeight, tileX, tileY] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => u32(8 + 4 * i)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!tileWidth || !tileHeight || x <= tileX || y <= tileY) return undefined;
  const tiles = Math.ceil((x - tileX) / tileWidth) * Math.ceil((y - tileY) / tileHeight);
  let at = 2;
  while (!(cs[at] === 0xff && cs[at + 1] === 0x90)) {
    if (at + 4 > cs.length || cs[at] !== 0xff) return undefined;
    at += 2 + u16(at + 2);
  }
  const complete = new Set<number>();
  while (at + 12 <= cs.length && cs[at] === 0xff && cs[at + 1] === 0x90) {
    const length = u32(at + 6);
    if (length === 0 || at + length > cs.length) return undefined;
    const tile = u16(at + 4);
    const [part, parts] = [cs[at + 10]!, cs[at + 11]!];
    if (parts !== 0 && part === parts - 1) complete.add(tile);
    at += length;
  }
  if (cs[at] === 0xff && cs[at + 1] === 0xd9) return undefined;
  // A stray byte or two (zero padding aside), not more: where more follows, a tile-part length (Psot) may be wrong
  // and the rest of its tile be what follows; decoding up to it would drop that data without a word.
  let end = cs.length;
  while (end > at && cs[end - 1] === 0x00) end--;
  return complete.size === tiles && end - at <= 2 ? at : undefined;
}
