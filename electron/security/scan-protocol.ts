/**
 * The scan:// protocol: how the renderer loads local images without file://.
 * URL form: scan://local/<encodeURIComponent(absolute path)>?frame=0&…
 * The whole path is one encoded segment, so the URL parser never normalises it;
 * the guard decides on the real path (after realpath), so `..`, encoded
 * separators and symlinks cannot reach outside the allowed roots.
 */
import { readRegularFile } from '../util/regular-file.js';
import path from 'node:path';
import type { AllowedRoots } from './allowed-roots.js';
import { SCAN_HOST, SCAN_SCHEME } from './scan-urls.js';
import { decodeUrlPath } from './url-path.js';

export { SCAN_HOST, SCAN_SCHEME, scanUrlFor } from './scan-urls.js';

export type ScanDecision =
  { ok: true; path: string; query: URLSearchParams } | { ok: false; status: 400 | 403 | 404; reason: string };

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
  const real = await roots.resolveInside(candidate);
  if (real === null) return { ok: false, status: 403, reason: 'outside the allowed folders or missing' };
  return { ok: true, path: real, query };
}

/** Turns an allowed file into image bytes. Later issues register DICOM rendering here. */
export type ScanRenderer = (
  filePath: string,
  query: URLSearchParams,
) => Promise<{ body: Uint8Array; contentType: string } | null>;

const PASSTHROUGH_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
};

/** Serves plain image files as they are; DICOM files need a registered renderer. */
export const passthroughRenderer: ScanRenderer = async (filePath) => {
  const type = PASSTHROUGH_TYPES[path.extname(filePath).toLowerCase()];
  if (!type) return null;
  return { body: await readRegularFile(filePath), contentType: type };
};

/** Builds the fetch-style handler that main.ts gives to protocol.handle. */
export function createScanHandler(roots: AllowedRoots, renderers: ScanRenderer[] = [passthroughRenderer]) {
  return async (request: Request): Promise<Response> => {
    const decision = await resolveScanRequest(request.url, roots);
    return respond(decision, renderers);
  };
}

export async function respond(decision: ScanDecision, renderers: ScanRenderer[]): Promise<Response> {
  if (!decision.ok) return new Response(decision.reason, { status: decision.status });
  for (const render of renderers) {
    let out: Awaited<ReturnType<ScanRenderer>>;
    try {
      out = await render(decision.path, decision.query);
    } catch (error) {
      // A file the renderer recognised but could not render (e.g. a corrupt DICOM frame): say why.
      const e = error as { code?: unknown; message?: unknown };
      const body = JSON.stringify({
        code: typeof e.code === 'string' ? e.code : 'RENDER_FAILED',
        message: String(e.message ?? error),
      });
      return new Response(body, { status: 422, headers: { 'content-type': 'application/json' } });
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
