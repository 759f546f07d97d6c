/**
 * The one error type the DICOM engine throws. dicom-parser and the WASM codecs
 * throw strings, plain objects and heap pointers; everything is converted here
 * so callers can branch on `code` and show `message` to a user.
 */
import { CodedError } from '../util/coded-error.js';
import { systemErrorReason } from '../util/error-text.js';

export type DicomErrorCode =
  | 'NOT_DICOM'
  /** DICOM, but no image by design (a DICOMDIR, a structured report, a presentation state: non-image.ts). */
  | 'NOT_AN_IMAGE'
  | 'TRUNCATED'
  | 'MALFORMED'
  | 'UNSUPPORTED_TRANSFER_SYNTAX'
  | 'UNSUPPORTED_IMAGE'
  | 'CORRUPT_PIXEL_DATA'
  | 'TOO_LARGE'
  | 'SIZE_MISMATCH'
  | 'NO_PIXEL_DATA'
  | 'INVALID_ATTRIBUTE'
  | 'FRAME_OUT_OF_RANGE'
  /** A frame the header declares whose data is not in the file (the frames before it are readable). */
  | 'FRAME_MISSING'
  | 'TIMEOUT'
  | 'DECODER_CRASHED'
  | 'IO';

export class DicomError extends CodedError<DicomErrorCode> {}

/** Text of whatever was thrown: Error, string, `{exception}` object from dicom-parser, number from WASM. */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'string') return thrown;
  if (typeof thrown === 'number') return `native codec error (code ${thrown})`;
  if (thrown && typeof thrown === 'object' && 'exception' in thrown) {
    return describeThrown((thrown as { exception: unknown }).exception);
  }
  return String(thrown);
}

/** Wraps anything thrown into a DicomError, keeping DicomErrors as they are. */
export function toDicomError(thrown: unknown, code: DicomErrorCode, context: string): DicomError {
  if (thrown instanceof DicomError) return thrown;
  if (thrown instanceof RangeError && /allocation|Array buffer|Invalid typed array length/i.test(thrown.message)) {
    return new DicomError('TOO_LARGE', `${context}: ${thrown.message}`, { cause: thrown });
  }
  return new DicomError(code, `${context}: ${describeThrown(thrown)}`, { cause: thrown });
}

/** Why a file whose name is not valid UTF-8 cannot be read (no path in it: rows and lines name their file). */
export const UNREADABLE_NAME =
  'Its name is not valid UTF-8 (written in another encoding), so it cannot be opened by the name read: rename it';

/**
 * A name kept on disk in another encoding (Latin-1 on a Linux disk) is listed with U+FFFD in place of each byte
 * that is no UTF-8, and no file has the name so read. Such a file is "not found" only because of its name.
 */
export function isUnreadableName(file: string): boolean {
  return file.includes('\uFFFD');
}

/**
 * Why `file` could not be opened or read, as a DicomError whose message names no path (libuv's does, and every
 * row and line already names its file): a name that is not valid UTF-8 says so and that renaming it helps.
 */
export function fileReadError(thrown: unknown, file: string, context: string): DicomError {
  if (thrown instanceof DicomError) return thrown;
  const code = (thrown as { code?: unknown } | null)?.code;
  if (code === 'ENOENT' && isUnreadableName(file)) return new DicomError('IO', UNREADABLE_NAME, { cause: thrown });
  const reason = systemErrorReason(thrown);
  return reason
    ? new DicomError('IO', `${context}: ${reason}`, { cause: thrown })
    : toDicomError(thrown, 'IO', context);
}

/** Names that claim DICOM: such a file that cannot be read is a failure even when nothing in it looks like DICOM. */
const DICOM_NAME = /\.(dcm|dicom|dic)$/i;

/**
 * Whether a file that could not be read as an image is to be skipped and counted apart rather than reported as a
 * failure: one that is simply not DICOM (a PNG mask, a CSV, a PDF, a note: no DICM prefix, no file meta
 * information, no plausible dataset: NOT_DICOM) whose name does not claim it is, or a DICOM object that holds no
 * image by design (NOT_AN_IMAGE: a DICOMDIR, a structured report, a presentation state), whatever its name.
 * A file that claims to be DICOM and cannot be read stays a failure with its reason.
 */
export function isNotDicomFile(file: string, code: string | undefined): boolean {
  return code === 'NOT_AN_IMAGE' || (code === 'NOT_DICOM' && !DICOM_NAME.test(file));
}
