/**
 * The loopback bridge: the real API handlers and protocols of the main process,
 * bound to HTTP + WebSocket on 127.0.0.1, serving the built renderer with a
 * `window.radsift` that talks to them. Playwright drives Debian's Chromium
 * against it; `npm run dev:browser` opens it for manual work.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { type EventName, type EventPayload } from '../../electron/api/contract.js';
import { checkEvent, dispatch, type HandlerContext } from '../../electron/api/dispatch.js';
import { createHandlers } from '../../electron/api/handlers.js';
import type { DialogService } from '../../electron/api/services.js';
import { SettingsStore } from '../../electron/app-settings.js';
import { ModelService } from '../../electron/inference/model-service.js';
import { bundledModelRoots } from '../../electron/paths.js';
import { PROJECT_ROOT, readIdentity } from '../../electron/app-identity.js';
import { AllowedRoots } from '../../electron/security/allowed-roots.js';
import { appFileResponse } from '../../electron/security/app-files.js';
import { cspHeader } from '../../electron/security/policy.js';
import { resolveScanPath, respond, passthroughRenderer } from '../../electron/security/scan-protocol.js';
import { DecodePool } from '../../electron/dicom/decode-pool.js';
import { dicomScanRenderer } from '../../electron/api/scan-images.js';
import { StudyService } from '../../electron/api/study-service.js';
import { CollectionService } from '../../electron/api/collection-service.js';
import { AppIndex } from '../../electron/api/app-index.js';
import { ScreeningService } from '../../electron/api/screening-service.js';

export const BRIDGE_PREFIX = '/__bridge';
const MAX_BODY = 1 << 20;

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
}

export interface Bridge {
  url: string;
  /** The per-user data folder the bridge uses (settings, demo study, index). */
  dataDir: string;
  dialog: ScriptedDialog;
  drop: ScriptedDrop;
  roots: AllowedRoots;
  models: ModelService;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  close(): Promise<void>;
}

export async function startBridge(options: BridgeOptions = {}): Promise<Bridge> {
  const rendererDir = options.rendererDir ?? path.join(PROJECT_ROOT, 'dist', 'renderer');
  const clientScript = options.clientScript ?? path.join(PROJECT_ROOT, 'dist', 'bridge', 'client.js');
  const dialog = new ScriptedDialog();
  const drop = new ScriptedDrop();
  const roots = new AllowedRoots();
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'radsift-bridge-')));
  const settings = new SettingsStore(dataDir);
  await settings.load();
  const models = new ModelService(options.modelRoots ?? bundledModelRoots(), settings, options.modelDirs ?? []);
  const decodePool = new DecodePool({ size: 1 });
  const renderers = [passthroughRenderer, dicomScanRenderer(decodePool)];
  const studies = new StudyService(dataDir, roots, settings);
  const appIndex = new AppIndex(path.join(dataDir, 'index'), models);
  const collection = new CollectionService(appIndex, models, decodePool);
  const screening = new ScreeningService(appIndex, models, decodePool, (job) => ctx.emit('screen.job', job));
  const handlers = createHandlers({
    identity: { ...readIdentity(), firstRun: options.firstRun ?? false },
    dialog,
    roots,
    models,
    studies,
    collection,
    screening,
  });
  const sockets = new Set<WebSocket>();
  const ctx: HandlerContext = {
    emit(event, payload) {
      const message = JSON.stringify({ event, payload: checkEvent(event, payload) });
      for (const s of sockets) s.send(message);
    },
  };
  models.onChange((state) =>
    ctx.emit(
      'model.status',
      state.state === 'failed' ? { state: state.state, error: state.error } : { state: state.state },
    ),
  );
  models.ready().catch(() => undefined); // as the app does: load in the background

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('[bridge]', error);
      if (!res.headersSent) res.writeHead(500).end('bridge error');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === `${BRIDGE_PREFIX}/invoke`) {
      const body = await readBody(req);
      let parsed: { method?: unknown; payload?: unknown } = {};
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        parsed = {};
      }
      const envelope = await dispatch(handlers, parsed.method, parsed.payload, ctx, {
        onInternalError: (name, error) => console.error(`[bridge] ${name}:`, error),
      });
      return send(res, new Response(JSON.stringify(envelope), { headers: { 'content-type': 'application/json' } }));
    }
    if (req.method === 'POST' && url.pathname === `${BRIDGE_PREFIX}/drop`) {
      await readBody(req);
      return send(res, Response.json(drop.take()));
    }
    if (req.method !== 'GET') return send(res, new Response('method not allowed', { status: 405 }));
    if (url.pathname === `${BRIDGE_PREFIX}/client.js`) {
      return send(res, await appFileResponse(path.dirname(clientScript), `/${path.basename(clientScript)}`));
    }
    if (url.pathname.startsWith('/scan/local/')) {
      const decision = await resolveScanPath(url.pathname.slice('/scan/local/'.length), url.searchParams, roots);
      return send(res, await respond(decision, renderers));
    }
    const response = await appFileResponse(rendererDir, url.pathname, cspHeader());
    if ((response.headers.get('content-type') ?? '').startsWith('text/html')) {
      // The bridge's stand-in for the preload: a same-origin classic script that runs before the app's module.
      const html = (await response.text()).replace(
        '<head>',
        `<head><script src="${BRIDGE_PREFIX}/client.js"></script>`,
      );
      return send(res, new Response(html, { status: response.status, headers: response.headers }));
    }
    return send(res, response);
  }

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (req.url !== `${BRIDGE_PREFIX}/events`) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
    });
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    dialog,
    drop,
    roots,
    models,
    emit: (event, payload) => ctx.emit(event, payload),
    async close() {
      await new Promise<void>((resolve) => {
        for (const s of sockets) s.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      });
      collection.close();
      await models.close();
      await decodePool.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  res.writeHead(response.status, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
}
