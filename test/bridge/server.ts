/**
 * The loopback bridge: the real API handlers and protocols of the main process,
 * bound to HTTP + WebSocket on 127.0.0.1, serving the built renderer with a
 * `window.radsift` that talks to them. Playwright drives Debian's Chromium
 * against it; `npm run dev:browser` opens it for manual work.
 *
 * Any web page in the same browser can send requests to a loopback port, so every
 * request must show it comes from the page the bridge served (docs/architecture.md,
 * "The loopback bridge"): a path under the per-launch session path, a Host on the
 * allow-list (defeats DNS rebinding), the per-launch session cookie (set once from the
 * token in the printed URL, and sent by the browser only under the session path: cookies
 * are not scoped by port), no Sec-Fetch-Site from another origin, and on POSTs and the
 * events WebSocket an Origin of the bridge itself; POSTs must be application/json.
 * Client-only methods (studies.openDropped) are refused on __bridge/invoke and run only
 * through the bridge's own drop path.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLIENT_ONLY_METHODS, openDroppedPaths } from '../../electron/api/client.js';
import { type EventName, type EventPayload } from '../../electron/api/contract.js';
import { createServices } from '../../electron/api/create-services.js';
import { checkEvent, dispatch, type HandlerContext } from '../../electron/api/dispatch.js';
import type { ModelService } from '../../electron/api/model-service.js';
import type { DecodePool } from '../../electron/screening/decode-pool.js';
import type { DialogService } from '../../electron/api/services.js';
import { bundledModelRoots } from '../../electron/app/paths.js';
import { PROJECT_ROOT } from '../../electron/app/app-identity.js';
import type { AllowedRoots } from '../../electron/security/allowed-roots.js';
import { appFileResponse } from '../../electron/security/app-files.js';
import { cspHeader } from '../../electron/security/policy.js';
import { resolveScanPath, respond } from '../../electron/security/scan-protocol.js';
import { loggableError } from '../../electron/util/error-text.js';

export const BRIDGE_PREFIX = '/__bridge';
/** The largest request body the bridge reads; a larger one gets 413. */
export const MAX_BODY = 1 << 20;
const OPEN_PRINTED_URL =
  'Open the URL that `npm run dev:browser` printed: it carries the per-launch token that lets this browser in.';
/** On every response: never framed, never read by another origin's page. */
const COMMON_HEADERS = { 'x-frame-options': 'DENY', 'cross-origin-resource-policy': 'same-origin' };

/** A dialog whose answers the test sets in advance, as a user's clicks would. */
export class ScriptedDialog implements DialogService {
  #answers: string[][] = [];
  /** How many dialogs the app has shown. */
  opened = 0;
  /** Queue the paths the next dialog will return ([] = the user cancels). */
  answer(paths: string[]): void {
    this.#answers.push(paths);
  }
  async open(): Promise<string[]> {
    this.opened++;
    return this.#answers.shift() ?? [];
  }
}

/** What the next drop resolves to: the paths the OS would give for the dropped files. */
export class ScriptedDrop {
  #answers: string[][] = [];
  answer(paths: string[]): void {
    this.#answers.push(paths);
  }
  take(): string[] {
    return this.#answers.shift() ?? [];
  }
}

export interface BridgeOptions {
  rendererDir?: string;
  clientScript?: string;
  port?: number;
  /** Folders whose subfolders are models (default: the checkout's models/). */
  modelRoots?: string[];
  /** Extra model folders (e.g. test fixtures). */
  modelDirs?: string[];
  /** Settings and other per-user data; default: a fresh temporary folder, removed on close. */
  dataDir?: string;
  /** Behave as on a user's first start (the renderer opens the demo study); default false. */
  firstRun?: boolean;
  /** Called with each refused request (dev.ts logs them). */
  onRefused?: (refused: Refused) => void;
}

export interface Bridge {
  /** Where to open the app: `base` with the per-launch token (`/?token=…`), which sets the session cookie. */
  url: string;
  /** `http://127.0.0.1:<port>`: what the page's Origin header says. */
  origin: string;
  /**
   * `origin` + the per-launch session path (`/s/<random>`), without a trailing slash: everything the
   * bridge serves lives under it, and its session cookie is sent only there.
   */
  base: string;
  /** The per-launch secret (for tests: whoever knows it can use the API). */
  token: string;
  /** The requests refused so far (the last 1000), for tests. */
  refused: readonly Refused[];
  /** The per-user data folder the bridge uses (settings, demo study, index). */
  dataDir: string;
  dialog: ScriptedDialog;
  drop: ScriptedDrop;
  roots: AllowedRoots;
  models: ModelService;
  /** The app's decode workers (a test may hold decodes back to act while a job runs). */
  decodePool: DecodePool;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  close(): Promise<void>;
}

export async function startBridge(options: BridgeOptions = {}): Promise<Bridge> {
  const rendererDir = options.rendererDir ?? path.join(PROJECT_ROOT, 'dist', 'renderer');
  const clientScript = options.clientScript ?? path.join(PROJECT_ROOT, 'dist', 'bridge', 'client.js');
  const dialog = new ScriptedDialog();
  const drop = new ScriptedDrop();
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'radsift-bridge-')));
  const sockets = new Set<WebSocket>();
  const ctx: HandlerContext = {
    emit(event, payload) {
      const message = JSON.stringify({ event, payload: checkEvent(event, payload) });
      for (const s of sockets) s.send(message);
    },
  };
  // The same services as the app; only the dialog (scripted) and where events go (the sockets) differ.
  const services = await createServices({
    dataDir,
    modelRoots: options.modelRoots ?? bundledModelRoots(),
    modelDirs: options.modelDirs ?? [],
    dialog,
    broadcast: (event, payload) => ctx.emit(event, payload),
    decodeWorkers: 1,
    identity: { firstRun: options.firstRun ?? false },
  });
  const { roots, models, handlers } = services;
  const renderers = services.scanRenderers;
  models.ready().catch(() => undefined); // as the app does: load in the background

  // The per-launch secret (as Jupyter's token): 256 random bits, base64url.
  const token = randomBytes(32).toString('base64url');
  // Browsers send a loopback cookie to every port, but only under its Path: serving the app under a
  // random path, with the cookie's Path set to it, keeps a server on another port from receiving it.
  const sessionPath = `/s/${randomBytes(16).toString('base64url')}`;
  /** The path under the session path ('/' for the session path itself), or null for any other path. */
  const withinSession = (pathname: string): string | null =>
    pathname === sessionPath || pathname.startsWith(`${sessionPath}/`)
      ? pathname.slice(sessionPath.length) || '/'
      : null;
  let port = 0; // known once listening; every request arrives after that
  let allowedHosts = new Set<string>();
  // Cookies are not scoped by port: the name carries it, so bridges on two ports keep their own.
  const cookieName = () => `radsift_bridge_${port}`;

  const refused: Refused[] = [];
  function refuse(req: IncomingMessage, reasons: RefusalReason[]): Refusal {
    const first = REFUSALS[reasons[0]!];
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname; // never the query: it may hold the token
    const record: Refused = {
      method: req.method ?? '',
      path: withinSession(pathname) ?? OUTSIDE_SESSION,
      status: first.status,
      reasons,
      withSession: hasCookie(req.headers.cookie, cookieName(), token),
    };
    if (refused.push(record) > 1000) refused.shift();
    options.onRefused?.(record);
    const message = reasons.includes('host')
      ? `${first.message} Open the bridge as http://127.0.0.1:${port}${sessionPath}/.`
      : first.message;
    return { status: first.status, message };
  }

  /**
   * Every check a request fails, in the order they are reported (none: it may go on). All of them
   * are evaluated, so the record of a refusal says which checks would each have refused it alone.
   */
  function failedChecks(req: IncomingMessage, needs: { session: boolean; origin: boolean; json: boolean }) {
    const failed: RefusalReason[] = [];
    if (withinSession(new URL(req.url ?? '/', 'http://127.0.0.1').pathname) === null) failed.push('path');
    if (!allowedHosts.has((req.headers.host ?? '').toLowerCase())) failed.push('host');
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') failed.push('fetch-site');
    if (needs.session && !hasCookie(req.headers.cookie, cookieName(), token)) failed.push('session');
    if (needs.origin) {
      const origin = req.headers.origin;
      if (!(origin?.startsWith('http://') && allowedHosts.has(origin.slice(7).toLowerCase()))) failed.push('origin');
    }
    // application/json cannot be sent cross-origin without a CORS preflight, which the bridge never grants.
    if (needs.json && mediaType(req.headers['content-type']) !== 'application/json') failed.push('content-type');
    return failed;
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error(`[bridge] ${loggableError(error)}`);
      if (!res.headersSent) res.writeHead(500, COMMON_HEADERS).end('bridge error');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const inner = withinSession(url.pathname);
    const offered = url.searchParams.get('token');
    if (req.method === 'GET' && offered !== null) {
      const failed = failedChecks(req, { session: false, origin: false, json: false });
      if (!sameSecret(offered, token)) failed.push('token');
      if (failed.length) return refuseWith(res, refuse(req, failed));
      // Take the token out of the address bar and history: the cookie carries the session from here.
      url.searchParams.delete('token');
      res.writeHead(303, {
        ...COMMON_HEADERS,
        location: `${sessionPath}${inner ?? '/'}${url.search}`,
        'set-cookie': `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=${sessionPath}`,
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
      });
      res.end();
      return;
    }
    const post = req.method === 'POST';
    const failed = failedChecks(req, { session: true, origin: post, json: post });
    if (failed.length || inner === null) return refuseWith(res, refuse(req, failed));
    // The session path without its slash: the page's relative URLs (assets/…) need the directory form.
    if (url.pathname === sessionPath && !post) {
      res.writeHead(308, { ...COMMON_HEADERS, location: `${sessionPath}/${url.search}`, 'cache-control': 'no-store' });
      res.end();
      return;
    }

    if (post) {
      const body = await readBody(req, MAX_BODY);
      if (body === null) return refuseWith(res, refuse(req, ['too-large']));
      if (inner === `${BRIDGE_PREFIX}/invoke`) {
        let parsed: { method?: unknown; payload?: unknown } = {};
        try {
          parsed = JSON.parse(body) as typeof parsed;
        } catch {
          parsed = {};
        }
        if (typeof parsed.method === 'string' && CLIENT_ONLY_METHODS.has(parsed.method)) {
          refuse(req, ['client-only']);
          const error = { code: 'FORBIDDEN', message: `${parsed.method} is not callable from the page` };
          return sendJson(res, { ok: false, error }, 403);
        }
        return sendJson(res, await invoke(parsed.method, parsed.payload));
      }
      if (inner === `${BRIDGE_PREFIX}/drop`) {
        // The paths come from the test's script (what the OS would report), never from the request.
        return sendJson(res, await openDroppedPaths(drop.take(), invoke));
      }
      return sendText(res, 404, 'not found');
    }
    if (req.method !== 'GET') return sendText(res, 405, 'method not allowed');
    if (inner === `${BRIDGE_PREFIX}/client.js`) {
      return send(res, await appFileResponse(path.dirname(clientScript), `/${path.basename(clientScript)}`));
    }
    if (inner.startsWith('/scan/local/')) {
      const decision = await resolveScanPath(inner.slice('/scan/local/'.length), url.searchParams, roots);
      return send(res, await respond(decision, renderers));
    }
    const response = await appFileResponse(rendererDir, inner, cspHeader());
    if ((response.headers.get('content-type') ?? '').startsWith('text/html')) {
      // The bridge's stand-in for the preload: a same-origin classic script that runs before the app's module.
      const html = (await response.text()).replace(
        '<head>',
        `<head><script src="${sessionPath}${BRIDGE_PREFIX}/client.js"></script>`,
      );
      return send(res, new Response(html, { status: response.status, headers: response.headers }));
    }
    return send(res, response);
  }

  function invoke(method: unknown, payload: unknown): Promise<unknown> {
    return dispatch(handlers, method, payload, ctx, {
      // As the app's main process logs them: the code and message, paths cut (no patient names in a log).
      onInternalError: (name, error) => console.error(`[bridge] ${name} failed: ${loggableError(error)}`),
    });
  }

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    const failed = failedChecks(req, { session: true, origin: true, json: false });
    const refusal =
      failed.length === 0 && req.url !== `${sessionPath}${BRIDGE_PREFIX}/events`
        ? { status: 404, message: 'not found' }
        : failed.length
          ? refuse(req, failed)
          : null;
    if (refusal) {
      const body = Buffer.from(refusal.message, 'utf8');
      socket.end(
        `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}\r\n` +
          `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n` +
          body.toString('utf8'),
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
    });
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const origin = `http://127.0.0.1:${port}`;
  const base = `${origin}${sessionPath}`;
  return {
    url: `${base}/?token=${token}`,
    origin,
    base,
    token,
    refused,
    dataDir,
    dialog,
    drop,
    roots,
    models,
    decodePool: services.decodePool,
    emit: (event, payload) => ctx.emit(event, payload),
    async close() {
      await new Promise<void>((resolve) => {
        for (const s of sockets) s.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await services.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

interface Refusal {
  status: number;
  message: string;
}

/** Why the bridge refused a request; one request may fail several checks. */
export type RefusalReason =
  'path' | 'host' | 'fetch-site' | 'token' | 'session' | 'origin' | 'content-type' | 'too-large' | 'client-only';

/** What a refusal record names as the path of a request outside the session path (it may be a guess at it). */
export const OUTSIDE_SESSION = '<outside the session path>';

const REFUSALS: Record<RefusalReason, Refusal> = {
  path: { status: 403, message: `Not a RadSift bridge session path. ${OPEN_PRINTED_URL}` },
  host: { status: 403, message: `Host not allowed (this defeats DNS rebinding). ${OPEN_PRINTED_URL}` },
  'fetch-site': { status: 403, message: 'Requests made by other web pages are refused.' },
  token: { status: 403, message: `Wrong token. ${OPEN_PRINTED_URL}` },
  session: { status: 403, message: `No RadSift bridge session in this browser. ${OPEN_PRINTED_URL}` },
  origin: { status: 403, message: 'Only the page the bridge served may call its API (missing or foreign Origin).' },
  'content-type': { status: 415, message: 'The bridge accepts only application/json bodies.' },
  'too-large': { status: 413, message: `Request body larger than ${MAX_BODY} bytes.` },
  'client-only': { status: 403, message: 'Only the bridge itself may call this method.' },
};

/** A refused request's path as a log may show it: a scan's path (a patient's folder, perhaps) cut. */
export function loggableRequestPath(pathname: string): string {
  return pathname.startsWith('/scan/local/') ? '/scan/local/<path>' : pathname;
}

/** A request the bridge refused (Bridge.refused, BridgeOptions.onRefused). */
export interface Refused {
  method: string;
  /** The path under the session path, without its query (which may hold the token); OUTSIDE_SESSION for any other. */
  path: string;
  status: number;
  /** Every check it failed, the one answered first. */
  reasons: RefusalReason[];
  /** Whether it carried this bridge's session cookie (a browser sends it from the same site). */
  withSession: boolean;
}

function refuseWith(res: ServerResponse, refusal: Refusal): void {
  sendText(res, refusal.status, refusal.message);
}

/** Constant-time comparison of a presented secret with the real one (hashes first: equal lengths). */
function sameSecret(presented: string, secret: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(secret, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** True when the Cookie header holds `name` with the secret as its value. */
function hasCookie(header: string | undefined, name: string, secret: string): boolean {
  let found = false;
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    if (sameSecret(part.slice(eq + 1).trim(), secret)) found = true;
  }
  return found;
}

/** `application/json; charset=utf-8` → `application/json`. */
function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * The request body as text, or null when it is larger than `limit` bytes. A body over the limit
 * is not buffered: the rest of it is read and discarded (the stream is never destroyed), so the
 * 413 answer reaches the client and the connection stays usable.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > limit) return;
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        resolve(null);
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (size <= limit) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function sendText(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(`${message}\n`);
}

function sendJson(res: ServerResponse, value: unknown, status = 200): void {
  res.writeHead(status, { ...COMMON_HEADERS, 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = { ...COMMON_HEADERS };
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  res.writeHead(response.status, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
}
