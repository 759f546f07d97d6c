/**
 * Preload (sandboxed, bundled to CommonJS): exposes `window.radsift` and
 * nothing else — never ipcRenderer itself.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { createClient, openDroppedPaths } from './api/client.js';
import { CHANNELS } from './api/contract.js';
import { scanUrlFor } from './security/scan-urls.js';

const invoke = (method: string, payload: unknown): Promise<unknown> =>
  ipcRenderer.invoke(CHANNELS.invoke, method, payload);

const api = createClient({
  invoke,
  subscribe(listener) {
    const wrapped = (_event: IpcRendererEvent, name: string, payload: unknown) => listener(name, payload);
    ipcRenderer.on(CHANNELS.event, wrapped);
    return () => {
      ipcRenderer.removeListener(CHANNELS.event, wrapped);
    };
  },
  scanUrl: scanUrlFor,
  // '' for a File the page constructed: only files the user really dropped have paths.
  openDropped: (files) =>
    openDroppedPaths(
      files.map((f) => webUtils.getPathForFile(f)),
      invoke,
    ),
});

contextBridge.exposeInMainWorld('radsift', api);
