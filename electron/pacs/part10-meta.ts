/**
 * The File Meta Information of a Part 10 file (group 0002, always Explicit VR Little Endian): its transfer
 * syntax and SOP Instance UID, read without touching the dataset — a deflated dataset need not be inflated
 * to learn what a retrieved part is.
 */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/**
 * The most a retrieved deflated dataset may inflate to while its UIDs are read (the main process, synchronously):
 * a server's deflate bomb (1 MB inflating to 1 GB) would block it for seconds and take gigabytes. A deflated
 * radiograph is far smaller.
 */
export const MAX_INSPECTED_INFLATE = 128 * 1024 * 1024;

export interface Part10Meta {
  transferSyntaxUID: string;
  sopInstanceUID: string;
}

/** The meta header's facts, or null when the bytes are not a Part 10 file with both of them. */
export function readPart10Meta(bytes: Uint8Array): Part10Meta | null {
  if (bytes.length < 132 || Buffer.from(bytes.buffer, bytes.byteOffset + 128, 4).toString('latin1') !== 'DICM')
    return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (at: number, length: number) =>
    Buffer.from(bytes.buffer, bytes.byteOffset + at, length)
      .toString('latin1')
      .replace(/[\0 ]+$/, '')
      .trim();
  let at = 132;
  let ts: string | null = null;
  let sop: string | null = null;
  while (at + 8 <= bytes.length && view.getUint16(at, true) === 0x0002) {
    const element = view.getUint16(at + 2, true);
    const vr = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!);
    let length: number;
    let value: number;
    if (LONG_VRS.has(vr)) {
      if (at + 12 > bytes.length) return null;
      length = view.getUint32(at + 8, true);
      value = at + 12;
    } else {
      length = view.getUint16(at + 6, true);
      value = at + 8;
    }
    if (length === 0xffffffff || value + length > bytes.length) return null;
    // A UID is at most 64 characters: a longer value is no meta header of ours to read.
    if ((element === 0x0010 || element === 0x0003) && length > 64) return null;
    if (element === 0x0010) ts = text(value, length);
    if (element === 0x0003) sop = text(value, length);
    at = value + length;
  }
  return ts && sop ? { transferSyntaxUID: ts, sopInstanceUID: sop } : null;
}

/** One meta element, Explicit VR Little Endian; a UID is padded with NUL to an even length. */
function metaElement(element: number, vr: 'OB' | 'UI' | 'UL' | 'SH', value: Buffer): Buffer {
  const padded = value.length % 2 ? Buffer.concat([value, Buffer.from([vr === 'UI' ? 0 : 0x20])]) : value;
  const long = vr === 'OB';
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(0x0002, 0);
  head.writeUInt16LE(element, 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(padded.length, 8);
  else head.writeUInt16LE(padded.length, 6);
  return Buffer.concat([head, padded]);
}

/**
 * The preamble and File Meta Information that make a received dataset (a C-STORE's, which comes without them) a
 * Part 10 file: the dataset's bytes follow as they came, in `transferSyntaxUID`.
 */
export function part10Header(meta: {
  sopClassUID: string;
  sopInstanceUID: string;
  transferSyntaxUID: string;
  implementationClassUID: string;
  implementationVersion?: string;
}): Buffer {
  const uid = (s: string) => Buffer.from(s, 'latin1');
  const body = Buffer.concat([
    metaElement(0x0001, 'OB', Buffer.from([0, 1])),
    metaElement(0x0002, 'UI', uid(meta.sopClassUID)),
    metaElement(0x0003, 'UI', uid(meta.sopInstanceUID)),
    metaElement(0x0010, 'UI', uid(meta.transferSyntaxUID)),
    metaElement(0x0012, 'UI', uid(meta.implementationClassUID)),
    ...(meta.implementationVersion
      ? [metaElement(0x0013, 'SH', Buffer.from(meta.implementationVersion.slice(0, 16), 'latin1'))]
      : []),
  ]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), metaElement(0x0000, 'UL', length), body]);
}
