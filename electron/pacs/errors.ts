/**
 * Why talking to a PACS failed, as a code a caller can branch on (retry, ask for a password, give up)
 * and a message a user can act on. Messages never carry a password, a token or a URL's userinfo.
 */
import { CodedError } from '../util/coded-error.js';

export type PacsErrorCode =
  /** Bad configuration: a URL that is not http(s), a missing or unsafe credential file. */
  | 'CONFIG'
  /** 401: no or wrong credentials. */
  | 'AUTH_FAILED'
  /** 403: the credentials are right but not allowed this. */
  | 'FORBIDDEN'
  /** 404 or an empty answer where something was expected: e.g. a study deleted since the search. */
  | 'NOT_FOUND'
  /** Nothing listens, the name does not resolve, the route is down. */
  | 'UNREACHABLE'
  /** No byte for longer than the connection's time-out. */
  | 'TIMEOUT'
  /** The connection closed in the middle of an answer. */
  | 'INTERRUPTED'
  /** Certificate not trusted, wrong host name, TLS handshake failed. */
  | 'TLS'
  /** 5xx, or a DIMSE failure status. */
  | 'SERVER_ERROR'
  /** The server does not offer this service (e.g. QIDO on a WADO-only server, C-GET not accepted). */
  | 'UNSUPPORTED'
  /** An answer that does not follow the standard (malformed multipart, bad DICOM JSON). */
  | 'PROTOCOL'
  /**
   * The archive sent part of what matches and no more (its own result limit, e.g. Orthanc's LimitFindInstances,
   * or RadSift's bound on a C-FIND): what came is right but not all. Asking again does not help; a narrower
   * query or a higher limit on the archive does.
   */
  | 'INCOMPLETE'
  | 'CANCELLED';

export class PacsError extends CodedError<PacsErrorCode> {}

/** Codes worth another try later (the server or the network may come back); the others need a change. */
export const RETRYABLE: ReadonlySet<PacsErrorCode> = new Set(['UNREACHABLE', 'TIMEOUT', 'INTERRUPTED', 'SERVER_ERROR']);

/** A URL as it may appear in a message or a log: no userinfo, no query (which may carry a token). */
export function safeUrl(url: string | URL): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
