/**
 * dicom-parser 1.8 predates the 64-bit VRs (OV, SV, UV) and reads their 4-byte length as 2 bytes, which
 * derails the parse of every file with an Extended Offset Table. Their header layout is the same as OB's, so
 * their headers are relabelled OB (in a copy) before parsing; values are read as bytes anyway.
 *
 * Only element headers are relabelled: the explicit VR little endian dataset is walked element by element
 * (into sequences), up to Pixel Data, so that bytes inside values that merely look like such a header ("OV"
 * and two zero bytes in a private blob or a LUT) are never rewritten. Implicit VR and big endian datasets
 * cannot hold these VRs' labels; a deflated one is compressed here. Where the walk cannot follow the bytes
 * (a malformed length, a UN of undefined length), it stops and leaves the rest as it is: dicom-parser then
 * reports what it finds.
 */
import { TS } from './transfer-syntax.js';

const VERY_LONG = new Set(['OV', 'SV', 'UV']);
/** VRs with a 2-byte reserved field and a 4-byte length (PS3.5 7.1.2). */
const LONG = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const SHORT = new Set('AE AS AT CS DA DS DT FD FL IS LO LT PN SH SL SS ST TM UI UL US'.split(' '));
const UNDEFINED = 0xffffffff;
const ITEM = 0xe000;
const ITEM_END = 0xe00d;
const SEQUENCE_END = 0xe0dd;
/** Deeper nesting than any real dataset: a crafted file cannot make the walk recurse without end. */
const MAX_DEPTH = 64;

/**
 * The bytes with every OV, SV or UV element header relabelled OB (a copy, made only when there is one), for
 * a dataset that starts at `datasetStart` and is explicit VR little endian (`explicit`).
 */
export function relabelVeryLongVrs(view: Buffer, datasetStart: number, explicit: boolean): Buffer {
  if (!explicit) return view;
  const headers: number[] = [];
  walk(view, datasetStart, view.length, 0, true, headers);
  if (headers.length === 0) return view;
  const copy = Buffer.from(view);
  for (const at of headers) copy.write('OB', at + 4, 'latin1');
  return copy;
}

/**
 * Where a Part 10 file's dataset starts, its Transfer Syntax UID (undefined when the meta information has
 * none) and whether it is explicit VR little endian, read from its meta information (explicit VR little
 * endian itself); null when the meta information cannot be followed.
 */
export function datasetAfterMeta(
  view: Buffer,
  metaStart: number,
): { start: number; syntax: string | undefined; explicit: boolean } | null {
  let at = metaStart;
  let syntax: string | null = null;
  while (at + 8 <= view.length && view.readUInt16LE(at) === 0x0002) {
    const vr = view.toString('latin1', at + 4, at + 6);
    const long = LONG.has(vr);
    if (!long && !SHORT.has(vr)) return null;
    const length = long ? (at + 12 <= view.length ? view.readUInt32LE(at + 8) : UNDEFINED) : view.readUInt16LE(at + 6);
    const valueAt = at + (long ? 12 : 8);
    if (length === UNDEFINED || valueAt + length > view.length) return null;
    if (view.readUInt16LE(at + 2) === 0x0010) {
      syntax = view.toString('latin1', valueAt, valueAt + length).replace(/[\0 ]+$/, '');
    }
    at = valueAt + length;
  }
  if (syntax === null) return { start: at, syntax: undefined, explicit: false };
  // Explicit VR little endian: every syntax but implicit VR, big endian and deflated (whose bytes are compressed).
  const explicit = syntax !== TS.implicitLittle && syntax !== TS.explicitBig && syntax !== TS.deflatedExplicitLittle;
  return { start: at, syntax, explicit };
}

/**
 * Walks elements from `at` up to `end` (or, for `untilDelimiter`, up to the item delimiter that ends an
 * item of undefined length) and records the offsets of 64-bit VR headers. Returns where it stopped, or -1
 * where it could not follow the bytes (the caller stops too).
 */
function walk(view: Buffer, at: number, end: number, depth: number, topLevel: boolean, headers: number[]): number {
  end = Math.min(end, view.length); // a length may point past the end of a cut file
  while (at + 8 <= end) {
    const group = view.readUInt16LE(at);
    const element = view.readUInt16LE(at + 2);
    if (group === 0xfffe) return element === ITEM_END ? at + 8 : -1;
    if (topLevel && group === 0x7fe0 && element === 0x0010) return at; // Pixel Data: nothing after it matters here
    const vr = view.toString('latin1', at + 4, at + 6);
    if (SHORT.has(vr)) {
      at += 8 + view.readUInt16LE(at + 6);
      continue;
    }
    if (!LONG.has(vr) || at + 12 > end) return -1;
    if (VERY_LONG.has(vr)) headers.push(at);
    const length = view.readUInt32LE(at + 8);
    const valueAt = at + 12;
    if (length !== UNDEFINED) {
      if (vr === 'SQ' && walkItems(view, valueAt, valueAt + length, depth, headers) < 0) return -1;
      at = valueAt + length;
      continue;
    }
    // Undefined length: a sequence's items (explicit VR, walked), or encapsulated fragments (skipped).
    // A UN of undefined length holds implicit VR items, which this walk does not follow.
    if (vr === 'SQ') at = walkItems(view, valueAt, end, depth, headers);
    else if (vr === 'OB' || vr === 'OW') at = skipFragments(view, valueAt, end);
    else return -1;
    if (at < 0) return -1;
  }
  return at;
}

/** Walks a sequence's items from `at`; returns the end (`end` for a defined length, past the delimiter otherwise). */
function walkItems(view: Buffer, at: number, end: number, depth: number, headers: number[]): number {
  if (depth >= MAX_DEPTH) return -1;
  end = Math.min(end, view.length);
  while (at + 8 <= end) {
    if (view.readUInt16LE(at) !== 0xfffe) return -1;
    const tag = view.readUInt16LE(at + 2);
    const length = view.readUInt32LE(at + 4);
    if (tag === SEQUENCE_END) return at + 8;
    if (tag !== ITEM) return -1;
    if (length === UNDEFINED) {
      at = walk(view, at + 8, end, depth + 1, false, headers);
      if (at < 0) return -1;
    } else {
      if (walk(view, at + 8, at + 8 + length, depth + 1, false, headers) < 0) return -1;
      at += 8 + length;
    }
  }
  return at === end ? at : -1;
}

/** Skips encapsulated fragments (items of defined length) up to the sequence delimiter. */
function skipFragments(view: Buffer, at: number, end: number): number {
  end = Math.min(end, view.length);
  while (at + 8 <= end) {
    if (view.readUInt16LE(at) !== 0xfffe) return -1;
    const tag = view.readUInt16LE(at + 2);
    if (tag === SEQUENCE_END) return at + 8;
    if (tag !== ITEM) return -1;
    at += 8 + view.readUInt32LE(at + 4);
  }
  return -1;
}
