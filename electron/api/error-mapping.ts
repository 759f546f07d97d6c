/**
 * The one place where the engines' typed errors become API errors: each CodedError class with its codes
 * mapped to an API code, the message kept (they are written for users), the engine's own code in
 * `details` for a renderer that wants it. Anything else is a bug and stays INTERNAL (dispatch.ts).
 */
import { IndexError, type IndexErrorCode } from '../index/index-store.js';
import { DicomError, type DicomErrorCode } from '../dicom/errors.js';
import { ModelError, type ModelErrorCode } from '../inference/errors.js';
import { PacsError, type PacsErrorCode } from '../pacs/errors.js';
import { ApiError, type ErrorCode } from './errors.js';

const MODEL: Partial<Record<ModelErrorCode, ErrorCode>> = {
  NOT_A_MODEL: 'NOT_FOUND',
  MISSING_FILE: 'NOT_FOUND',
  BAD_INPUT: 'BAD_REQUEST',
  SESSION_FAILED: 'INTERNAL',
  CHANGED_WHILE_LOADING: 'BUSY',
  MODEL_CHANGED: 'BUSY',
};
const DICOM: Partial<Record<DicomErrorCode, ErrorCode>> = { IO: 'NOT_FOUND', TIMEOUT: 'BUSY' };
// Every index code is mapped (a new one must be): BUSY is for an index another RadSift holds, and for nothing else.
const INDEX: Record<IndexErrorCode, ErrorCode> = {
  IN_USE: 'BUSY',
  WRITE_FAILED: 'WRITE_FAILED',
  CORRUPT: 'UNSUPPORTED', // not an index, or a damaged one: the message names the file
  TOO_NEW: 'UNSUPPORTED', // written by a newer RadSift: the message says to update
};
const PACS: Record<PacsErrorCode, ErrorCode> = {
  CONFIG: 'BAD_REQUEST',
  AUTH_FAILED: 'FORBIDDEN',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  UNREACHABLE: 'UNAVAILABLE',
  TIMEOUT: 'UNAVAILABLE',
  INTERRUPTED: 'UNAVAILABLE',
  SERVER_ERROR: 'UNAVAILABLE',
  TLS: 'UNAVAILABLE',
  UNSUPPORTED: 'UNSUPPORTED',
  PROTOCOL: 'UNSUPPORTED',
  INCOMPLETE: 'UNSUPPORTED',
  CANCELLED: 'CANCELLED',
};

/** The API error for a thrown value, or null when it is not one of the engines' typed errors. */
export function toApiError(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof ModelError)
    return new ApiError(MODEL[error.code] ?? 'UNSUPPORTED', error.message, { modelError: error.code });
  if (error instanceof DicomError)
    return new ApiError(DICOM[error.code] ?? 'UNSUPPORTED', error.message, { dicomError: error.code });
  if (error instanceof IndexError) return new ApiError(INDEX[error.code], error.message, { indexError: error.code });
  if (error instanceof PacsError) return new ApiError(PACS[error.code], error.message, { pacsError: error.code });
  return null;
}
