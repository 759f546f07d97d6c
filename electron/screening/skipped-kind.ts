/**
 * What a file skipped by screening is (dicom/errors.ts isNotDicomFile): not DICOM at all, a DICOMDIR, or a DICOM
 * object that holds no image by design, from the code it was skipped with and that code's `detail` (the NonImageKind
 * dicom/non-image.ts gives a NOT_AN_IMAGE error, which an index keeps in its own column), so that a count can say
 * what it skipped rather than calling everything "non-DICOM". The message is never read: it is for people.
 */
import { isNonImageKind, nonImageWords } from '../dicom/non-image.js';

export type SkippedKind =
  | { kind: 'not DICOM' }
  | { kind: 'DICOMDIR' }
  /** `what`: the object ("structured report"); null where no known kind was stored (a later RadSift's, say). */
  | { kind: 'not an image'; what: string | null };

/** What a skipped file is, from the error it was skipped with: its code and detail, as an index keeps them. */
export function skippedKind(code: string | null | undefined, detail: string | null | undefined): SkippedKind {
  if (code !== 'NOT_AN_IMAGE') return { kind: 'not DICOM' };
  if (detail === 'dicomdir') return { kind: 'DICOMDIR' };
  return { kind: 'not an image', what: isNonImageKind(detail) ? nonImageWords(detail) : null };
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
  detail: string | null | undefined,
): void {
  tally.notDicom++;
  const kind = skippedKind(code, detail);
  if (kind.kind === 'DICOMDIR') tally.dicomdirs++;
  else if (kind.kind === 'not an image') {
    tally.notImages++;
    if (kind.what && !tally.notImageKinds.includes(kind.what))
      tally.notImageKinds = [...tally.notImageKinds, kind.what].sort();
  }
}
