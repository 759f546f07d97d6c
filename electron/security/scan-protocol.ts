/**
 * The scan:// protocol: how the renderer loads local images without file://.
 * URL form: scan://local/<encodeURIComponent(absolute path)>?frame=0&…
 * The whole path is one encoded segment, so the URL parser never normalises it;
 * the guard decides on the real path (after realpath), so `..`, encoded
 * separators and symlinks cannot reach outside the allowed roots. The guard opens
 * the file and the renderers read that handle, never the path: a link swapped in
 * after the check is not followed (AllowedRoots.openInside).
 */
import { readHandle } from '../util/regular-file.js';
import path from 'node:path';
import type { AllowedRoots, InsideFile } from './allowed-roots.js';
import { SCAN_HOST, SCAN_SCHEME } from './scan-urls.js';
import { decodeUrlPath } from './url-path.js';

export { SCAN_HOST, SCAN_SCHEME, scanUrlFor } from './scan-urls.js';

/** The file a request may be served from, as the renderers get it: opened and checked already. */
export interface ScanFile {
  /** Its real path: names the file (its extension, a cache's key), never to be opened again. */
  readonly path: string;
  /** Of the open file (fstat), not of whatever the path names now. */
  readonly size: number;
  readonly mtimeMs: number;
  /** The whole content, from the open file; new memory each call (a renderer may transfer it to a worker). */
  read(): Promise<Uint8Array>;
  /** Its descriptor, open until the response is made: a worker thread may read it (threads share descriptors). */
  readonly fd: number;
}

/** An allowed request's file holds an open handle: whoever gets the decision closes it (respond does). */
export interface OpenScanFile extends ScanFile {
  close(): Promise<void>;
}

export type ScanDecision =
  | { ok: true; file: OpenScanFile; query: URLSearchParams }
  | { ok: false; status: 400 | 403 | 404; reason: string }
  // The file is inside but cannot be read: not a regular file (EFTYPE), no permission. Said as render failures are.
  | { ok: false; status: 422; reason: string; code: string };

/** Decodes the single path segment of a scan URL into an absolute path, or null. */
export function decodeScanSegment(segment: string): string | null {
  const decoded = decodeUrlPath(segment);
  // Windows paths arrive as "C:\…" or "C:/…"; POSIX as "/…". Anything relative is refused.
  if (decoded === null || !path.isAbsolute(decoded)) return null;
  return path.resolve(decoded);
}

/** Decides whether a scan:// request may be served, and which file it names. */
export async function resolveScanRequest(url: string, roots: AllowedRoots): Promise<ScanDecision> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, status: 400, reason: 'malformed URL' };
  }
  if (parsed.protocol !== `${SCAN_SCHEME}:` || parsed.host !== SCAN_HOST) {
    return { ok: false, status: 400, reason: 'not a scan://local URL' };
  }
  return resolveScanPath(parsed.pathname.slice(1), parsed.searchParams, roots);
}

/** The transport-independent part: an encoded path segment and a query. */
export async function resolveScanPath(
  segment: string,
  query: URLSearchParams,
  roots: AllowedRoots,
): Promise<ScanDecision> {
  // A second "/" means the path was not sent as one encoded segment.
  if (segment.includes('/')) return { ok: false, status: 400, reason: 'path must be one encoded segment' };
  const candidate = decodeScanSegment(segment);
  if (candidate === null) return { ok: false, status: 400, reason: 'path is not absolute or not decodable' };
  let inside: InsideFile | null;
  try {
    inside = await roots.openInside(candidate);
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? e.code : 'RENDER_FAILED';
    return { ok: false, status: 422, reason: String(e.message ?? error), code };
  }
  if (inside === null) return { ok: false, status: 403, reason: 'outside the allowed folders or missing' };
  return { ok: true, file: scanFile(inside), query };
}

/** The renderers' view of a file openInside opened (API methods that read a named file take it too: opened-file.ts). */
export function scanFile({ path: real, handle, stats }: InsideFile): OpenScanFile {
  const size = Number(stats.size);
  return {
    path: real,
    size,
    // As a number stat says it (sec·1e3 + nsec/1e6, fractional), so a key made from either matches.
    mtimeMs: Number(stats.mtimeNs / 1_000_000_000n) * 1e3 + Number(stats.mtimeNs % 1_000_000_000n) / 1e6,
    read: () => readHandle(handle, size),
    fd: handle.fd,
    close: () => handle.close(),
  };
}

/** Turns an allowed file into image bytes; null when it is not a kind it renders. */
export type ScanRenderer = (
  file: ScanFile,
  query: URLSearchParams,
) => Promise<{ body: Uint8Array; contentType: string } | null>;

const PASSTHROUGH_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
};

/** Serves plain image files as they are; DICOM files need a registered renderer. */
export const passthroughRenderer: ScanRenderer = async (file) => {
  const type = PASSTHROUGH_TYPES[path.extname(file.path).toLowerCase()];
  if (!type) return null;
  return { body: await file.read(), contentType: type };
};

/** Builds the fetch-style handler that main.ts gives to protocol.handle. */
export function createScanHandler(roots: AllowedRoots, renderers: ScanRenderer[] = [passthroughRenderer]) {
  return async (request: Request): Promise<Response> => {
    const decision = await resolveScanRequest(request.url, roots);
    return respond(decision, renderers);
  };
}

/** The answer to a decision; closes an allowed decision's file. */
export async function respond(decision: ScanDecision, renderers: ScanRenderer[]): Promise<Response> {
  if (!decision.ok) {
    return decision.status === 422
      ? unrenderable(decision.code, decision.reason)
      : new Response(decision.reason, { status: decision.status });
  }
  try {
    return await renderWith(renderers, decision.file, decision.query);
  } finally {
    await decision.file.close();
  }
}

async function renderWith(renderers: ScanRenderer[], file: ScanFile, query: URLSearchParams): Promise<Response> {
  for (const render of renderers) {
    let out: Awaited<ReturnType<ScanRenderer>>;
    try {
      out = await render(file, query);
    } catch (error) {
      // A file the renderer recognised but could not render (e.g. a corrupt DICOM frame): say why.
      const e = error as { code?: unknown; message?: unknown };
      return unrenderable(typeof e.code === 'string' ? e.code : 'RENDER_FAILED', String(e.message ?? error));
    }
    if (out) {
      // Node accepts any Uint8Array as a body; the cast only bridges the DOM and Node typings.
      return new Response(out.body as unknown as ArrayBuffer, {
        status: 200,
        headers: { 'content-type': out.contentType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
      });
    }
  }
  return new Response('unsupported file type', { status: 415 });
}

function unrenderable(code: string, message: string): Response {
  return new Response(JSON.stringify({ code, message }), {
    status: 422,
    headers: { 'content-type': 'application/json' },
  });
}
