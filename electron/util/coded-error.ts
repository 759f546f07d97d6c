/**
 * The one base of RadSift's typed errors (DicomError, ModelError, IndexError, ApiError, …): a `code`
 * a caller can branch on and a message a user can act on. The API maps codes to its own at one place
 * (api/dispatch.ts); anything that is not a CodedError is a bug there.
 */
export class CodedError<C extends string = string> extends Error {
  readonly code: C;
  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
