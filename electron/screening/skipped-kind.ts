/**
 * What a file skipped by screening is (dicom/errors.ts isNotDicomFile): not DICOM at all, a DICOMDIR, or a DICOM
 * object that holds no image by design, from the NOT_AN_IMAGE error it was skipped with (made by
 * dicom/non-image.ts), so that a count can say what it skipped rather than calling everything "non-DICOM".
 */
import { NO_IMAGE } from '../dicom/non-image.js';

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
