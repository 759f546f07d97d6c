/**
 * The files a command skipped (not DICOM at all, DICOMDIRs, DICOM objects that hold no image:
 * screening/skipped-kind.ts), kept by path for JSON outputs and counted by what they are for the count line on
 * stderr: "skipped 3 files: 1 not DICOM, 1 DICOMDIR, 1 not an image (structured report)". Counted and listed as a
 * screening job's summary and the Screening view count them (tallySkipped, api/skipped-text.ts).
 */
import { onlyNotDicom, skippedKinds } from '../api/skipped-text.js';
import { tallySkipped, type SkippedTally } from '../screening/skipped-kind.js';

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

export class SkippedFiles {
  readonly paths: string[] = [];
  readonly #tally: SkippedTally = { notDicom: 0, dicomdirs: 0, notImages: 0, notImageKinds: [] };

  /** A file skipped with `error` (its code and detail, as the decoder or the index gives them). */
  add(path: string, error: { code?: string | null; detail?: string | null } | null | undefined): void {
    this.paths.push(path);
    tallySkipped(this.#tally, error?.code, error?.detail);
  }

  get count(): number {
    return this.paths.length;
  }

  /**
   * The count line's words: "skipped 202 non-DICOM files" when that is all they are, else each kind counted,
   * "skipped 3 files: 1 not DICOM, 1 DICOMDIR, 1 not an image (structured report)"; '' when none was skipped.
   */
  line(): string {
    const n = this.count;
    if (!n) return '';
    if (onlyNotDicom(this.#tally)) return `skipped ${n} non-DICOM ${plural(n, 'file', 'files')}`;
    return `skipped ${n} ${plural(n, 'file', 'files')}: ${skippedKinds(this.#tally)}`;
  }
}
