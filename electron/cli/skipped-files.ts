/**
 * The files a command skipped (not DICOM at all, DICOMDIRs, DICOM objects that hold no image:
 * screening/skipped-kind.ts), kept by path for JSON outputs and counted by what they are for the count line on
 * stderr: "skipped 3 files: 1 not DICOM, 1 DICOMDIR, 1 not an image (structured report)".
 */
import { skippedKind } from '../screening/skipped-kind.js';

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

export class SkippedFiles {
  readonly paths: string[] = [];
  #notDicom = 0;
  #dicomdirs = 0;
  #notImages = 0;
  /** The objects that hold no image, by what they are (said in alphabetical order: the same whatever the walk's). */
  readonly #what = new Set<string>();

  /** A file skipped with `error` (its code and message, as the decoder or the index gives them). */
  add(path: string, error: { code?: string | null; message?: string | null } | null | undefined): void {
    this.paths.push(path);
    const kind = skippedKind(error?.code, error?.message);
    if (kind.kind === 'not DICOM') this.#notDicom++;
    else if (kind.kind === 'DICOMDIR') this.#dicomdirs++;
    else {
      this.#notImages++;
      if (kind.what) this.#what.add(kind.what);
    }
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
    if (this.#notDicom === n) return `skipped ${n} non-DICOM ${plural(n, 'file', 'files')}`;
    const parts: string[] = [];
    if (this.#notDicom) parts.push(`${this.#notDicom} not DICOM`);
    if (this.#dicomdirs) parts.push(`${this.#dicomdirs} ${plural(this.#dicomdirs, 'DICOMDIR', 'DICOMDIRs')}`);
    if (this.#notImages) {
      const what = this.#what.size ? ` (${[...this.#what].sort().join(', ')})` : '';
      parts.push(`${this.#notImages} ${plural(this.#notImages, 'not an image', 'not images')}${what}`);
    }
    return `skipped ${n} ${plural(n, 'file', 'files')}: ${parts.join(', ')}`;
  }
}
