/**
 * File meta information without a Transfer Syntax UID (0002,0010), as some old writers and anonymizers
 * leave it: dicom-parser refuses such a file, while dcmtk and pydicom read the dataset by what its first
 * element looks like. The syntax is guessed the same way and written into the meta information (in a
 * copy), so the parse goes on; the parse result carries a warning that says so.
 */
import { TS } from './transfer-syntax.js';

const VRS = new Set(
  'AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '),
);

/** The syntax of a dataset starting at `start`: explicit VR (little or big endian) when a VR follows the tag. */
export function guessDatasetSyntax(view: Buffer, start: number): string {
  if (view.length < start + 8 || !VRS.has(view.toString('latin1', start + 4, start + 6))) return TS.implicitLittle;
  // A big endian group below 0x0100 (0008, 0010…) has a zero first byte; a little endian one does not.
  return view[start] === 0 && view[start + 1] !== 0 ? TS.explicitBig : TS.explicitLittle;
}

/** The bytes with a (0002,0010) element holding `uid` inserted at `at` (the end of the meta information). */
export function withTransferSyntax(view: Buffer, at: number, uid: string): Buffer {
  const value = Buffer.from(uid.length % 2 ? `${uid}\0` : uid, 'latin1');
  const header = Buffer.alloc(8);
  header.writeUInt16LE(0x0002, 0);
  header.writeUInt16LE(0x0010, 2);
  header.write('UI', 4, 'latin1');
  header.writeUInt16LE(value.length, 6);
  return Buffer.concat([view.subarray(0, at), header, value, view.subarray(at)]);
}
