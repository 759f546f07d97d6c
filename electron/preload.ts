/**
 * Preload (sandboxed, bundled to CommonJS): exposes `window.radsift` and
 * nothing else — never ipcRenderer itself.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { createClient } from './api/client.js';
import { CHANNELS } from './api/contract.js';
import { scanUrlFor } from './security/scan-urls.js';

const api = createClient({
  invoke: (method, payload) => ipcRenderer.invoke(CHANNELS.invoke, method, payload),
  subscribe(listener) {
    const wrapped = (_event: IpcRendererEvent, name: string, payload: unknown) => listener(name, payload);
    ipcRenderer.on(CHANNELS.event, wrapped);
    return () => {
      ipcRenderer.removeListener(CHANNELS.event, wrapped);
    };
  },
  scanUrl: scanUrlFor,
  // '' for a File the page constructed: only files the user really dropped have paths.
  pathsForFiles: async (files) => files.map((f) => webUtils.getPathForFile(f)),
});

contextBridge.exposeInMainWorld('radsift', api);
