/**
 * What the PACS parts of the renderer share: the shapes (from the contract), the study query as typed
 * into a form and as sent, the server's validation issues by field, and errors worded for a user.
 */
import { useCallback, useEffect, useState } from 'react';
import { getApi, type Request, type Response } from './api';

export type PacsListing = Response<'pacs.connections'>;
export type PacsConnection = PacsListing['connections'][number]['connection'];
/** A connection as the form sends it (defaults may be left out). */
export type PacsConnectionInput = Request<'pacs.saveConnection'>['connection'];
/** A CA certificate file as main describes it (name, subject, expiry), or why it cannot be used. */
export type CertificateView = PacsListing['connections'][number]['certificate'] & object;
/** What a saved connection trusts: the certificate it had, none, or one chosen in the dialog. */
export type CaChoice = NonNullable<Request<'pacs.saveConnection'>['ca']>;
export type StudyQuery = Request<'pacs.search'>['query'];
export type PacsStudy = Response<'pacs.search'>['studies'][number];
export type PacsCheck = Response<'pacs.test'>['checks'][number];

/** The query as typed: every field a string; dates as an `<input type="date">` gives them (YYYY-MM-DD). */
export interface QueryFields {
  patientId: string;
  patientName: string;
  accession: string;
  dateFrom: string;
  dateTo: string;
  /** Modality codes separated by commas or spaces. */
  modalities: string;
  description: string;
}
export type QueryErrors = Partial<Record<keyof QueryFields, string>>;

/** A chest-radiograph search: computed and digital radiography, nothing else filled in. */
export const DEFAULT_QUERY: QueryFields = {
  patientId: '',
  patientName: '',
  accession: '',
  dateFrom: '',
  dateTo: '',
  modalities: 'CR, DX',
  description: '',
};

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DA = /^\d{8}$/;
const MODALITY = /^[A-Z0-9]{1,16}$/;

/** "2024-03-02" (or "20240302") → "20240302"; null when neither. */
function toDa(value: string): string | null {
  const s = value.trim();
  const m = ISO_DATE.exec(s);
  if (m) return `${m[1]}${m[2]}${m[3]}`;
  return DA.test(s) ? s : null;
}

/** DICOM matching has no escape: a backslash splits values and control characters are never valid. */
function textError(value: string, max: number): string | null {
  if (value.length > max) return `at most ${max} characters`;
  if (value.includes('\\') || [...value].some((c) => c.charCodeAt(0) < 0x20)) return 'no backslashes';
  return null;
}

/** The query a form describes, or why it cannot be sent (by field). Empty fields are left out. */
export function toQuery(f: QueryFields): { query: StudyQuery; errors: QueryErrors } {
  const errors: QueryErrors = {};
  const query: StudyQuery = {};
  const text = (key: 'patientId' | 'patientName' | 'accession' | 'description', max: number) => {
    const v = f[key].trim();
    if (!v) return;
    const why = textError(v, max);
    if (why) errors[key] = why;
    else query[key] = v;
  };
  text('patientId', 64);
  text('patientName', 64);
  text('accession', 16);
  text('description', 64);
  for (const [key, target] of [
    ['dateFrom', 'studyDateFrom'],
    ['dateTo', 'studyDateTo'],
  ] as const) {
    if (!f[key].trim()) continue;
    const da = toDa(f[key]);
    if (da) query[target] = da;
    else errors[key] = 'a date (YYYY-MM-DD)';
  }
  if (query.studyDateFrom && query.studyDateTo && query.studyDateFrom > query.studyDateTo)
    errors.dateTo = 'before the start date';
  const codes = f.modalities
    .toUpperCase()
    .split(/[\s,;]+/)
    .filter(Boolean);
  const bad = codes.find((c) => !MODALITY.test(c));
  if (bad) errors.modalities = `"${bad}" is not a modality code such as CR`;
  else if (codes.length > 16) errors.modalities = 'at most 16 modalities';
  else if (codes.length) query.modalities = [...new Set(codes)];
  return { query, errors };
}

/** The validation issues of a BAD_REQUEST answer (dispatch.ts), each with its path in the request. */
export function requestIssues(error: unknown): { path: string[]; message: string }[] {
  const details = (error as { code?: string; details?: unknown }).details;
  const issues = (details as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) return [];
  return issues.flatMap((i) => {
    const issue = i as { path?: unknown; message?: unknown };
    return Array.isArray(issue.path) && typeof issue.message === 'string'
      ? [{ path: issue.path.map(String), message: issue.message }]
      : [];
  });
}

/** Maps a query's server-side issues (paths under `query`) to the form's fields. */
export function queryIssues(error: unknown): QueryErrors {
  const fields: Record<string, keyof QueryFields> = {
    patientId: 'patientId',
    patientName: 'patientName',
    accession: 'accession',
    studyDateFrom: 'dateFrom',
    studyDateTo: 'dateTo',
    modalities: 'modalities',
    description: 'description',
  };
  const out: QueryErrors = {};
  for (const issue of requestIssues(error)) {
    const at = issue.path.indexOf('query');
    const field = at >= 0 ? fields[issue.path[at + 1] ?? ''] : undefined;
    if (field) out[field] ??= issue.message;
  }
  return out;
}

/** The archive's own error code (PacsError), when the failure came from talking to it. */
export function pacsCode(error: unknown): string | null {
  const details = (error as { details?: unknown }).details as { pacsError?: unknown } | undefined;
  return typeof details?.pacsError === 'string' ? details.pacsError : null;
}

/** A failure as a user reads it: what probably went wrong first, then the server's own words. */
export function pacsErrorText(error: unknown): string {
  const message = (error as { message?: string }).message ?? String(error);
  switch (pacsCode(error)) {
    case 'AUTH_FAILED':
      return `Authentication failed: check the user name and password (or token). ${message}`;
    case 'FORBIDDEN':
      return `The server accepted the credentials but does not allow this. ${message}`;
    case 'UNREACHABLE':
      return `Cannot reach the server: is it running, and is the address right? ${message}`;
    case 'TIMEOUT':
      return `The server stopped answering (time-out). ${message}`;
    case 'TLS':
      return `Secure connection failed (certificate not trusted?). ${message}`;
    default:
      return message;
  }
}

/** Where a connection points: its URL, or AE title @ host:port. */
export function connectionAddress(c: PacsConnection): string {
  return c.kind === 'dicomweb' ? c.url : `${c.calledAet}@${c.host}:${c.port}`;
}

/** Whether a connection needs a password or token (contract: pacs/connection.ts needsSecret). */
export function needsSecret(c: PacsConnectionInput): boolean {
  return c.kind === 'dicomweb' && (c.auth ?? 'none') !== 'none';
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** The configured connections (no secrets), loaded when the view mounts; `reload` after a change. */
export function usePacsConnections(): {
  listing: PacsListing | null;
  error: string | null;
  reload: () => void;
  setListing: (l: PacsListing) => void;
} {
  const [listing, setListing] = useState<PacsListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    getApi()
      .call('pacs.connections', {})
      .then(
        (l) => {
          setListing(l);
          setError(null);
        },
        (e: Error) => setError(e.message),
      );
  }, []);
  useEffect(reload, [reload]);
  return { listing, error, reload, setListing };
}

const CHOSEN_KEY = 'radsift.pacsConnection';

/** The connection chosen last (remembered across views and restarts), or the first one. */
export function useChosenConnection(listing: PacsListing | null): [string, (name: string) => void] {
  const [chosen, setChosen] = useState<string>(() => {
    try {
      return localStorage.getItem(CHOSEN_KEY) ?? '';
    } catch {
      return '';
    }
  });
  const names = listing?.connections.map((c) => c.connection.name) ?? [];
  const name = names.includes(chosen) ? chosen : (names[0] ?? '');
  const choose = useCallback((n: string) => {
    setChosen(n);
    try {
      localStorage.setItem(CHOSEN_KEY, n);
    } catch {
      // No storage: the choice lasts while the window is open.
    }
  }, []);
  return [name, choose];
}
