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

export function skippedText(t: SkippedCounts): string {
  if (!t.notDicom) return '';
  const notDicom = t.notDicom - t.dicomdirs - t.notImages;
  if (notDicom === t.notDicom) return `${notDicom} not DICOM (skipped)`;
  const parts: string[] = [];
  if (notDicom) parts.push(`${notDicom} not DICOM`);
  if (t.dicomdirs) parts.push(`${t.dicomdirs} ${t.dicomdirs === 1 ? 'DICOMDIR' : 'DICOMDIRs'}`);
  if (t.notImages)
    parts.push(
      `${t.notImages} ${t.notImages === 1 ? 'not an image' : 'not images'}${t.notImageKinds.length ? ` (${t.notImageKinds.join(', ')})` : ''}`,
    );
  return `${t.notDicom} skipped: ${parts.join(', ')}`;
}
