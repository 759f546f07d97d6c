/**
 * `window.radsift` for the loopback bridge: the same createClient() the preload
 * uses, over fetch and a WebSocket instead of IPC. Bundled as a classic script.
 */
import { createClient } from '../../electron/api/client.js';
import { encodeScanPath } from '../../electron/security/scan-urls.js';

const listeners = new Set<(event: string, payload: unknown) => void>();
const socket = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/__bridge/events`);
socket.addEventListener('message', (message) => {
  const { event, payload } = JSON.parse(String(message.data)) as { event: string; payload: unknown };
  for (const l of listeners) l(event, payload);
});

const api = createClient({
  async invoke(method, payload) {
    const res = await fetch('/__bridge/invoke', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method, payload }),
    });
    return res.json();
  },
  subscribe(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  scanUrl: (filePath, query) => `${location.origin}/scan/local/${encodeScanPath(filePath, query)}`,
  // No OS drag source in a test browser: the test scripts the dropped paths (bridge.drop), as it does dialogs.
  async pathsForFiles(files) {
    const res = await fetch('/__bridge/drop', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ names: files.map((f) => f.name) }),
    });
    return (await res.json()) as string[];
  },
});

Object.defineProperty(window, 'radsift', { value: api, writable: false, configurable: false });
