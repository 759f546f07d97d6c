/**
 * The one base of RadSift's typed errors (DicomError, ModelError, IndexError, ApiError, …): a `code`
 * a caller can branch on and a message a user can act on. The API maps codes to its own at one place
 * (api/dispatch.ts); anything that is not a CodedError is a bug there.
 */
export class CodedError<C extends string = string> extends Error {
  readonly code: C;
  /** A finer code within `code`, for a caller that stores or counts by it rather than read it out of the message
   * (NOT_AN_IMAGE: which object, dicom/non-image.ts). */
  readonly detail?: string;
  constructor(code: C, message: string, options?: { cause?: unknown; detail?: string }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    if (options?.detail !== undefined) this.detail = options.detail;
  }
}
