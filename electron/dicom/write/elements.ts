/**
 * Data elements and their explicit-VR little-endian encoding (PS3.5 7.1.2):
 * values padded to even length (UI with NUL, other text with a space, OB
 * with a zero byte), sequences with explicit lengths.
 */
export type VR =
  | 'AE'
  | 'AS'
  | 'CS'
  | 'DA'
  | 'DS'
  | 'DT'
  | 'IS'
  | 'LO'
  | 'LT'
  | 'PN'
  | 'SH'
  | 'ST'
  | 'TM'
  | 'UI'
  | 'UT'
  | 'UC'
  | 'UR'
  | 'US'
  | 'UL'
  | 'SS'
  | 'SL'
  | 'FL'
  | 'FD'
  | 'OB'
  | 'OW'
  | 'SQ';

export interface DataElement {
  /** (group << 16) | element. */
  tag: number;
  vr: VR;
  value: string | readonly string[] | number | readonly number[] | Uint8Array | readonly DataElement[][];
}

/** VRs with a 2-byte reserved field and a 4-byte length. */
const LONG_VRS = new Set<VR>(['OB', 'OW', 'SQ', 'UT', 'UC', 'UR']);
const TEXT_VRS = new Set<VR>([
  'AE',
  'AS',
  'CS',
  'DA',
  'DS',
  'DT',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'ST',
  'TM',
  'UI',
  'UT',
  'UC',
  'UR',
]);

export const tag = (group: number, element: number): number => ((group << 16) | element) >>> 0;

function valueBytes(el: DataElement): Buffer {
  const { vr, value } = el;
  if (TEXT_VRS.has(vr)) {
    const text = Array.isArray(value) ? (value as string[]).join('\\') : String(value);
    const bytes = Buffer.from(text, 'latin1');
    return bytes.length % 2 ? Buffer.concat([bytes, Buffer.from([vr === 'UI' ? 0 : 0x20])]) : bytes;
  }
  if (vr === 'OB' || vr === 'OW') {
    const u8 = value as Uint8Array;
    const bytes = Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
    return bytes.length % 2 ? Buffer.concat([bytes, Buffer.from([0])]) : bytes;
  }
  if (vr === 'SQ') {
    const items = value as readonly DataElement[][];
    return Buffer.concat(
      items.map((item) => {
        const body = encodeElements(item);
        const head = Buffer.alloc(8);
        head.writeUInt16LE(0xfffe, 0);
        head.writeUInt16LE(0xe000, 2);
        head.writeUInt32LE(body.length, 4);
        return Buffer.concat([head, body]);
      }),
    );
  }
  const nums = typeof value === 'number' ? [value] : (value as readonly number[]);
  const size = vr === 'US' || vr === 'SS' ? 2 : vr === 'FD' ? 8 : 4;
  const out = Buffer.alloc(nums.length * size);
  nums.forEach((n, i) => {
    const o = i * size;
    if (vr === 'US') out.writeUInt16LE(n, o);
    else if (vr === 'SS') out.writeInt16LE(n, o);
    else if (vr === 'UL') out.writeUInt32LE(n, o);
    else if (vr === 'SL') out.writeInt32LE(n, o);
    else if (vr === 'FL') out.writeFloatLE(n, o);
    else out.writeDoubleLE(n, o);
  });
  return out;
}

/** Header of one element with the given value length. */
export function elementHeader(t: number, vr: VR, length: number): Buffer {
  const long = LONG_VRS.has(vr);
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(t >>> 16, 0);
  head.writeUInt16LE(t & 0xffff, 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(length >>> 0, 8);
  else {
    if (length > 0xffff)
      throw new RangeError(`value of (${(t >>> 16).toString(16)},${(t & 0xffff).toString(16)}) too long for ${vr}`);
    head.writeUInt16LE(length, 6);
  }
  return head;
}

export function encodeElement(el: DataElement): Buffer {
  const body = valueBytes(el);
  return Buffer.concat([elementHeader(el.tag, el.vr, body.length), body]);
}

/** Encodes elements in ascending tag order, as the standard requires. */
export function encodeElements(elements: readonly DataElement[]): Buffer {
  const sorted = [...elements].sort((a, b) => a.tag - b.tag);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.tag === sorted[i - 1]!.tag) throw new Error(`duplicate tag ${sorted[i]!.tag.toString(16)}`);
  }
  return Buffer.concat(sorted.map(encodeElement));
}
