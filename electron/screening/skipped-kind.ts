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

/** Of the files a run skipped (ScreenProgress.notDicom, all of them): the DICOMDIRs and the objects that hold no image. */
export interface SkippedTally {
  notDicom: number;
  dicomdirs: number;
  notImages: number;
  /** What the objects that hold no image are ("structured report"), sorted: the same whatever the walk's order. */
  notImageKinds: string[];
}

/** Counts one more skipped file into `tally`, by the error it was skipped with. */
export function tallySkipped(
  tally: SkippedTally,
  code: string | null | undefined,
  message: string | null | undefined,
): void {
  tally.notDicom++;
  const kind = skippedKind(code, message);
  if (kind.kind === 'DICOMDIR') tally.dicomdirs++;
  else if (kind.kind === 'not an image') {
    tally.notImages++;
    if (kind.what && !tally.notImageKinds.includes(kind.what))
      tally.notImageKinds = [...tally.notImageKinds, kind.what].sort();
  }
}
