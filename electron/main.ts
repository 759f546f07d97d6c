/**
 * Electron main process: window, menu, protocols, and the API bound to IPC.
 * A thin shell: every decision lives in plain-Node modules (security/policy,
 * api/handlers) that are tested without Electron.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, safeStorage, session, type WebContents } from 'electron';
import path from 'node:path';
import { CHANNELS, type EventName, type EventPayload } from './api/contract.js';
import { createServices, type AppServices } from './api/create-services.js';
import { checkEvent, dispatch, type HandlerContext } from './api/dispatch.js';
import type { DialogService } from './api/services.js';
import { menuTemplate, type AppCommand } from './app-menu.js';
import { bundledModelRoots, dataDir } from './app/paths.js';
import { PROJECT_ROOT } from './app/app-identity.js';
import { appFileResponse } from './security/app-files.js';
import {
  APP_ORIGIN,
  APP_SCHEME,
  cspHeader,
  decidePermission,
  decideWindowOpen,
  isNavigationAllowed,
  isRequestAllowed,
  isTrustedSenderUrl,
  WEB_PREFERENCES,
} from './security/policy.js';
import { createScanHandler, SCAN_SCHEME } from './security/scan-protocol.js';
import { loggableError } from './util/error-text.js';

const RENDERER_DIR = path.join(PROJECT_ROOT, 'dist', 'renderer');
const PRELOAD = path.join(PROJECT_ROOT, 'dist', 'electron', 'preload.cjs');

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  { scheme: SCAN_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

let mainWindow: BrowserWindow | null = null;

const electronDialog: DialogService = {
  async open(options) {
    const props: ('openFile' | 'openDirectory' | 'multiSelections')[] =
      options.kind === 'folder'
        ? ['openDirectory']
        : options.kind === 'file'
          ? ['openFile']
          : ['openFile', 'multiSelections'];
    const result = mainWindow
      ? await dialog.showOpenDialog(mainWindow, { properties: props, title: options.title, filters: options.filters })
      : await dialog.showOpenDialog({ properties: props, title: options.title, filters: options.filters });
    return result.canceled ? [] : result.filePaths;
  },
};

/** Built once the app is ready (createServices loads the settings); IPC before that is refused. */
let services: AppServices | null = null;

/** Every window's renderer hears the event. */
function broadcast<E extends EventName>(event: E, payload: EventPayload<E>): void {
  for (const win of BrowserWindow.getAllWindows()) contextFor(win.webContents).emit(event, payload);
}

function contextFor(contents: WebContents): HandlerContext {
  return {
    emit<E extends EventName>(event: E, payload: EventPayload<E>) {
      if (!contents.isDestroyed()) contents.send(CHANNELS.event, event, checkEvent(event, payload));
    },
  };
}

function hardenSession(ready: AppServices): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, callback) => callback(decidePermission(permission)));
  ses.setPermissionCheckHandler((_wc, permission) => decidePermission(permission));
  // No network: anything that is not the app's own scheme is cancelled.
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isRequestAllowed(details.url) }));
  protocol.handle(APP_SCHEME, (request) => appFileResponse(RENDERER_DIR, new URL(request.url).pathname, cspHeader()));
  protocol.handle(SCAN_SCHEME, createScanHandler(ready.roots, ready.scanRenderers));
}

function createWindow(): void {
  mainWindow = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1280,
    minHeight: 800,
    backgroundColor: '#111418',
    title: 'RadSift',
    show: false,
    webPreferences: { ...WEB_PREFERENCES, preload: PRELOAD },
  });
  const contents = mainWindow.webContents;
  contents.on('will-navigate', (event, url) => {
    if (!isNavigationAllowed(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isNavigationAllowed(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => decideWindowOpen(url));
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  void mainWindow.loadURL(`${APP_ORIGIN}/index.html`);
}

ipcMain.handle(CHANNELS.invoke, async (event, method: unknown, payload: unknown) => {
  if (!isTrustedSenderUrl(event.senderFrame?.url) || event.senderFrame?.parent) {
    return { ok: false, error: { code: 'FORBIDDEN', message: 'IPC from an untrusted frame' } };
  }
  if (!services) return { ok: false, error: { code: 'BUSY', message: 'RadSift is still starting' } };
  // The log keeps the method and the error's code; paths (folders named after patients) become <path>.
  return dispatch(services.handlers, method, payload, contextFor(event.sender), {
    onInternalError: (name, error) => console.error(`[api] ${name} failed: ${loggableError(error)}`),
  });
});

app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(({ url }) => decideWindowOpen(url));
});

/**
 * PACS passwords sealed by the OS for this user (Keychain, DPAPI, the Secret Service), or null where it
 * cannot: Linux without a keyring falls back to a fixed key ("basic_text"), which is no protection, so
 * secrets then last for the session only and the PACS settings say so.
 */
function osSecretCipher() {
  if (!safeStorage.isEncryptionAvailable()) return null;
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return null;
  return {
    encrypt: (text: string) => safeStorage.encryptString(text),
    decrypt: (data: Buffer) => safeStorage.decryptString(data),
  };
}

// One app process per user: a second would open the same index, example sets and settings beside the first.
// Starting it again brings the first window forward instead. (The lock is on Electron's userData, which is left
// where it is: the renderer's localStorage, "Hide identifiers" among it, lives there.)
const primary = app.requestSingleInstanceLock();
if (!primary) app.quit();
app.on('second-instance', () => {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
});

void app.whenReady().then(async () => {
  if (!primary) return;
  const ready = await createServices({
    dataDir: dataDir(),
    modelRoots: bundledModelRoots(app.isPackaged ? process.resourcesPath : undefined),
    dialog: electronDialog,
    broadcast,
    secretCipher: osSecretCipher(),
  });
  services = ready;
  if (ready.settingsWarning) console.warn(`[settings] ${ready.settingsWarning}`);
  // Write the settings file now, so the next start is not a first start.
  if (ready.settings.firstRun) await ready.settings.update((current) => current);
  // Load the active model in the background; About and the status bar show it once ready.
  ready.models
    .ready()
    .catch((error: unknown) => console.warn(`[models] ${error instanceof Error ? error.message : error}`));
  hardenSession(ready);
  const sendCommand = (command: AppCommand) => {
    const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
    if (win) contextFor(win.webContents).emit('app.command', { command });
  };
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(menuTemplate(sendCommand, process.platform) as Electron.MenuItemConstructorOptions[]),
  );
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

// Quit waits for the services to stop: running screening jobs commit their last batch before the index closes.
let stopped = false;
app.on('will-quit', (event) => {
  if (stopped || !services) return;
  event.preventDefault();
  void services.close().finally(() => {
    stopped = true;
    app.quit();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
