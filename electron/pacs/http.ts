/**
 * HTTP(S) for DICOMweb, on node:http/https rather than fetch: answers arrive as a stream (a study can be
 * gigabytes; nothing is held whole), a custom CA certificate is a plain option, and one idle time-out
 * covers connecting, a slow server and a connection that stalls mid-body.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { PacsError, safeUrl } from './errors.js';
import { httpAgent, httpsAgent, noteKeepAlive } from './keep-alive.js';

export interface HttpTarget {
  /** e.g. https://pacs.example.org/dicom-web (no trailing slash needed). */
  baseUrl: string;
  /** The Authorization header's value, when the server needs one. Never logged. */
  authorization?: string;
  /** PEM certificate(s) to trust besides the system's. */
  ca?: string;
  /** No byte for this long → TIMEOUT (default 30 s). */
  timeoutMs?: number;
}

export interface HttpRequest {
  /** Path and query after the base URL, starting with '/'. */
  path: string;
  accept: string;
  signal?: AbortSignal;
}

const MAX_ERROR_BODY = 4096;

/** The URL of a request: the base's path joined with the request's. */
export function requestUrl(target: HttpTarget, pathAndQuery: string): URL {
  const base = new URL(target.baseUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new PacsError('CONFIG', `${safeUrl(base)}: a DICOMweb URL starts with http:// or https://`);
  return new URL(base.pathname.replace(/\/+$/, '') + pathAndQuery, base);
}

/** Reads at most a few KB of an error answer: the server's reason, for the message. */
async function errorReason(res: IncomingMessage): Promise<string> {
  let text = '';
  try {
    for await (const chunk of res) {
      text += (chunk as Buffer).toString('utf8');
      if (text.length > MAX_ERROR_BODY) break;
    }
  } catch {
    // the reason is a courtesy; the status says enough
  }
  res.destroy();
  // Orthanc answers JSON with a "Message"/"Details"; others plain text or HTML.
  try {
    const j = JSON.parse(text) as { Message?: string; Details?: string };
    return [j.Message, j.Details].filter(Boolean).join(': ');
  } catch {
    return text
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 300);
  }
}

function statusError(status: number, url: string, reason: string): PacsError {
  const why = reason ? ` (${reason})` : '';
  if (status === 401)
    return new PacsError('AUTH_FAILED', `${url}: the server refused the credentials (HTTP 401)${why}`);
  if (status === 403) return new PacsError('FORBIDDEN', `${url}: not allowed for this account (HTTP 403)${why}`);
  if (status === 404) return new PacsError('NOT_FOUND', `${url}: not found on the server (HTTP 404)${why}`);
  if (status === 406 || status === 415)
    return new PacsError('UNSUPPORTED', `${url}: the server cannot answer in this format (HTTP ${status})${why}`);
  if (status >= 500) return new PacsError('SERVER_ERROR', `${url}: server error (HTTP ${status})${why}`);
  return new PacsError('PROTOCOL', `${url}: unexpected answer HTTP ${status}${why}`);
}

function networkError(error: NodeJS.ErrnoException, url: string): PacsError {
  if (error instanceof PacsError) return error;
  const code = error.code ?? '';
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'].includes(code))
    return new PacsError('UNREACHABLE', `${url}: cannot reach the server (${code})`);
  if (code === 'ECONNRESET' || code === 'EPIPE' || error.message === 'aborted')
    return new PacsError('INTERRUPTED', `${url}: the connection was cut (${code || 'aborted'})`);
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code) || /certificate|SSL|TLS/i.test(error.message))
    return new PacsError('TLS', `${url}: secure connection failed (${code || error.message})`);
  return new PacsError('UNREACHABLE', `${url}: ${error.message}`);
}

/** How a connection the server already closed fails a request sent on it. */
const RESET = new Set(['ECONNRESET', 'EPIPE']);

/**
 * GET → the response stream with a 2xx status, or a PacsError. The caller must consume or destroy the
 * stream; reading it can still fail with INTERRUPTED or TIMEOUT (see `readFailure`).
 */
export function get(target: HttpTarget, req: HttpRequest): Promise<IncomingMessage> {
  const url = requestUrl(target, req.path);
  const shown = safeUrl(url);
  const timeoutMs = target.timeoutMs ?? 30_000;
  const secure = url.protocol === 'https:';
  const headers: Record<string, string> = { accept: req.accept, 'user-agent': 'RadSift' };
  if (target.authorization) headers.authorization = target.authorization;
  const options = {
    method: 'GET',
    headers,
    signal: req.signal,
    agent: secure ? httpsAgent : httpAgent,
    ...(target.ca ? { ca: target.ca } : {}),
  };
  const attempt = (): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      if (req.signal?.aborted) return reject(stopped(req.signal, shown));
      let response: IncomingMessage | null = null;
      const r = (secure ? https : http).request(url, options, (res) => {
        response = res;
        noteKeepAlive(res);
        const status = res.statusCode ?? 0;
        // The request's idle time-out stays armed while the body streams: a stall mid-body is a TIMEOUT.
        if (status >= 200 && status < 300) return resolve(res);
        void errorReason(res).then((reason) => reject(statusError(status, shown, reason)));
      });
      r.setTimeout(timeoutMs, () => {
        const error = new PacsError('TIMEOUT', `${shown}: nothing received for ${Math.round(timeoutMs / 1000)} s`);
        // Mid-body, the reader of the response must see the time-out, not a bare "aborted".
        if (response) response.destroy(error);
        r.destroy(error);
      });
      r.on('error', (error: NodeJS.ErrnoException) => {
        if (error.name === 'AbortError') reject(stopped(req.signal, shown));
        // A kept-alive connection the server closed while it was idle, before any answer: asked again on a
        // new one (a GET may be repeated; each retry takes another pooled connection, the last a new one).
        else if (r.reusedSocket && !response && RESET.has(error.code ?? '')) attempt().then(resolve, reject);
        else reject(networkError(error, shown));
      });
      r.end();
    });
  return attempt();
}

/** A request stopped by its signal: cancelled, or past a deadline (AbortSignal.timeout). */
function stopped(signal: AbortSignal | undefined, url: string): PacsError {
  return (signal?.reason as Error | undefined)?.name === 'TimeoutError'
    ? new PacsError('TIMEOUT', `${url}: the answer took too long`)
    : new PacsError('CANCELLED', 'cancelled');
}

/** What a failure while reading a response body means, as a PacsError. */
export function readFailure(error: unknown, url: string, signal?: AbortSignal): PacsError {
  if (error instanceof PacsError) return error;
  if (signal?.aborted || (error as Error).name === 'AbortError') return stopped(signal, url);
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ERR_STREAM_PREMATURE_CLOSE' || e.message === 'aborted' || e.code === 'ECONNRESET')
    return new PacsError('INTERRUPTED', `${url}: the connection was cut in the middle of the answer`);
  return networkError(e, url);
}

/**
 * Reads a whole (small) JSON answer, e.g. a QIDO page (200 rows: well under 1 MB), with the answer's headers (a
 * QIDO page's Warning says whether the server holds more). Bounded in size, and in time as a whole: the idle
 * time-out alone lets a server that sends a byte now and then hold a search for ever.
 */
export async function getJson(
  target: HttpTarget,
  req: HttpRequest,
  maxBytes = 16 * 1024 * 1024,
): Promise<{ json: unknown; headers: IncomingHttpHeaders }> {
  const shown = safeUrl(requestUrl(target, req.path));
  const res = await get(target, req);
  const chunks: Buffer[] = [];
  let size = 0;
  const deadlineMs = 4 * (target.timeoutMs ?? 30_000);
  const deadline = setTimeout(
    () =>
      res.destroy(new PacsError('TIMEOUT', `${shown}: the answer took longer than ${Math.round(deadlineMs / 1000)} s`)),
    deadlineMs,
  );
  try {
    for await (const chunk of res) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        res.destroy();
        throw new PacsError('PROTOCOL', `${shown}: answer larger than ${maxBytes >> 20} MB`);
      }
      chunks.push(chunk as Buffer);
    }
    if (!res.complete)
      throw new PacsError('INTERRUPTED', `${shown}: the connection was cut in the middle of the answer`);
  } catch (error) {
    throw readFailure(error, shown, req.signal);
  } finally {
    clearTimeout(deadline);
  }
  // 204 No Content: QIDO's "no matches".
  if (size === 0) return { json: [], headers: res.headers };
  try {
    return { json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown, headers: res.headers };
  } catch {
    throw new PacsError('PROTOCOL', `${shown}: the answer is not valid JSON`);
  }
}
