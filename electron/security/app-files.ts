/**
 * Serves the built renderer (dist/renderer) for the app:// scheme and for the
 * test bridge. Requests are confined to that folder; every HTML response carries
 * the CSP header.
 */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from './allowed-roots.js';
import { cspHeader } from './policy.js';
import { decodeUrlPath } from './url-path.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

/** Maps a URL pathname to a file inside `root`, or null when it would leave it. */
export async function resolveAppFile(root: string, pathname: string): Promise<string | null> {
  const decoded = decodeUrlPath(pathname);
  if (decoded === null) return null;
  const rel = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const realRoot = await realpath(root);
  const candidate = path.resolve(realRoot, rel);
  // Outside by name: refused before realpath would follow it (a network share named on Windows).
  if (!isInside(realRoot, candidate)) return null;
  try {
    const real = await realpath(candidate);
    return isInside(realRoot, real) ? real : null;
  } catch {
    return null;
  }
}

export async function appFileResponse(root: string, pathname: string, csp: string = cspHeader()): Promise<Response> {
  const file = await resolveAppFile(root, pathname);
  if (!file) return new Response('not found', { status: 404 });
  const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const headers: Record<string, string> = { 'content-type': type, 'x-content-type-options': 'nosniff' };
  if (type.startsWith('text/html')) headers['content-security-policy'] = csp;
  return new Response(await readFile(file), { status: 200, headers });
}
