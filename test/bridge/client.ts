/**
 * `window.radsift` for the loopback bridge: the same createClient() the preload
 * uses, over fetch and a WebSocket instead of IPC. Bundled as a classic script.
 * Every request is same-origin, so the bridge's HttpOnly session cookie goes with it
 * (and the browser adds the Origin header the bridge checks on POSTs and the WebSocket).
 */
import { createClient } from '../../electron/api/client.js';
import { encodeScanPath } from '../../electron/security/scan-urls.js';

// Everything the bridge serves lives under its per-launch session path, the folder above this script's.
const base = new URL('../', (document.currentScript as HTMLScriptElement).src);
const at = (endpoint: string): string => new URL(endpoint, base).href;

const listeners = new Set<(event: string, payload: unknown) => void>();
const socket = new WebSocket(at('__bridge/events').replace(/^http/, 'ws'));
socket.addEventListener('message', (message) => {
  const { event, payload } = JSON.parse(String(message.data)) as { event: string; payload: unknown };
  for (const l of listeners) l(event, payload);
});

/** POSTs JSON to the bridge and returns its envelope; a refusal (403, 413…) becomes an error envelope. */
async function post(endpoint: string, body: unknown): Promise<unknown> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if ((res.headers.get('content-type') ?? '').startsWith('application/json')) return res.json();
  const message = (await res.text()).slice(0, 300) || `HTTP ${res.status}`;
  return { ok: false, error: { code: res.status === 403 ? 'FORBIDDEN' : 'BAD_REQUEST', message } };
}

const api = createClient({
  invoke: (method, payload) => post(at('__bridge/invoke'), { method, payload }),
  subscribe(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  // Concatenated, not resolved: the encoded path stays byte for byte what the bridge decodes.
  scanUrl: (filePath, query) => `${base.href}scan/local/${encodeScanPath(filePath, query)}`,
  // No OS drag source in a test browser: the test scripts the dropped paths (bridge.drop), as it
  // does dialogs, and the bridge opens them itself; the page sends only the names, for the log.
  openDropped: (files) => post(at('__bridge/drop'), { names: files.map((f) => f.name) }),
});

Object.defineProperty(window, 'radsift', { value: api, writable: false, configurable: false });
