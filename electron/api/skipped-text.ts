/**
 * What a screening run skipped, in the words a job's summary and the Screening view both use (the renderer imports
 * this module, so it stays free of Node): "2 not DICOM (skipped)" when that is all they are, else each kind counted,
 * "3 skipped: 1 not DICOM, 1 DICOMDIR, 1 not an image (structured report)"; '' when none was.
 */

/** Of the files a run skipped (`notDicom`, all of them): the DICOMDIRs and the objects that hold no image. */
export interface SkippedCounts {
  notDicom: number;
  dicomdirs: number;
  notImages: number;
  /** What the objects that hold no image are ("structured report"), sorted. */
  notImageKinds: readonly string[];
}

/** A count as the rest of the line writes it: "4,502" (English text, so en-US whatever the system's locale). */
const n = (v: number) => v.toLocaleString('en-US');

export function skippedText(t: SkippedCounts): string {
  if (!t.notDicom) return '';
  if (onlyNotDicom(t)) return `${n(t.notDicom)} not DICOM (skipped)`;
  return `${n(t.notDicom)} skipped: ${skippedKinds(t)}`;
}

/** Whether every file skipped is one that is not DICOM at all (no DICOMDIR, no object without an image). */
export const onlyNotDicom = (t: SkippedCounts): boolean => t.dicomdirs + t.notImages === 0;

/** Each kind counted, as every count line lists them: "1 not DICOM, 1 DICOMDIR, 1 not an image (structured report)". */
export function skippedKinds(t: SkippedCounts): string {
  const notDicom = t.notDicom - t.dicomdirs - t.notImages;
  const parts: string[] = [];
  if (notDicom) parts.push(`${n(notDicom)} not DICOM`);
  if (t.dicomdirs) parts.push(`${n(t.dicomdirs)} ${t.dicomdirs === 1 ? 'DICOMDIR' : 'DICOMDIRs'}`);
  if (t.notImages)
    parts.push(
      `${n(t.notImages)} ${t.notImages === 1 ? 'not an image' : 'not images'}${t.notImageKinds.length ? ` (${t.notImageKinds.join(', ')})` : ''}`,
    );
  return parts.join(', ');
}
