/**
 * Errors that cross the API boundary. Handlers throw ApiError with a code the
 * renderer can act on; anything else is reported as INTERNAL without leaking
 * stack traces or file contents to the renderer.
 */
import { CodedError } from '../util/coded-error.js';

export const ERROR_CODES = [
  'BAD_REQUEST', // payload failed validation
  'UNKNOWN_METHOD', // no such API method
  'NOT_FOUND', // a file, scan, model or job that does not exist
  'FORBIDDEN', // outside the allowed roots, wrong sender
  'UNSUPPORTED', // valid input we cannot handle (e.g. a transfer syntax; an index that is damaged or from a newer RadSift)
  'CANCELLED', // the user cancelled (e.g. a file dialog)
  'BUSY', // resource in use (e.g. index opened by another instance), and only that
  'WRITE_FAILED', // the disk is full or read-only: nothing stored was lost
  'UNAVAILABLE', // a server (PACS) could not be reached or failed: worth another try later
  'INTERNAL', // a bug: the message says so, details go to the log
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiErrorPayload {
  code: ErrorCode;
  message: string;
  /** Machine-readable extras, e.g. validation issues; never patient data. */
  details?: unknown;
}

export class ApiError extends CodedError<ErrorCode> {
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(code, message);
    this.details = details;
  }
  toPayload(): ApiErrorPayload {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isApiErrorPayload(value: unknown): value is ApiErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.code === 'string' && (ERROR_CODES as readonly string[]).includes(v.code) && typeof v.message === 'string'
  );
}
