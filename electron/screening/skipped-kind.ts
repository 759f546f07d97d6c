/**
 * What a file skipped by screening is (dicom/errors.ts isNotDicomFile): not DICOM at all, a DICOMDIR, or a DICOM
 * object that holds no image by design (dicom/non-image.ts). The decode job's NOT_AN_IMAGE errors are made here
 * and read back here, so that a count can say what it skipped rather than calling everything "non-DICOM".
 */
import { DicomError } from '../dicom/errors.js';

const DICOMDIR_MESSAGE = 'a DICOMDIR: the directory of the files beside it, which are read themselves';
const NO_IMAGE = ': a DICOM object that holds no image';

/** A DICOMDIR met as a file to decode. */
export function dicomdirError(): DicomError {
  return new DicomError('NOT_AN_IMAGE', DICOMDIR_MESSAGE);
}

/** A DICOM object of a class that holds no image; `what` as nonImageObject names it ("a structured report"). */
export function nonImageError(what: string): DicomError {
  return new DicomError('NOT_AN_IMAGE', `${what}${NO_IMAGE}`);
}

export type SkippedKind =
  | { kind: 'not DICOM' }
  | { kind: 'DICOMDIR' }
  /** `what`: the object ("structured report"); null where the message does not say (an older index's row). */
  | { kind: 'not an image'; what: string | null };

/** What a skipped file is, from the error it was skipped with (its code and message, as an index keeps them). */
export function skippedKind(code: string | null | undefined, message: string | null | undefined): SkippedKind {
  if (code !== 'NOT_AN_IMAGE') return { kind: 'not DICOM' };
  const text = message ?? '';
  if (text.startsWith('a DICOMDIR')) return { kind: 'DICOMDIR' };
  const what = text.endsWith(NO_IMAGE) ? text.slice(0, -NO_IMAGE.length).replace(/^an? /, '') : '';
  return { kind: 'not an image', what: what || null };
}
