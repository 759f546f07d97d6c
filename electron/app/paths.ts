/** Where RadSift keeps things, shared by the app and the CLI so both see the same settings and models. */
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from './app-identity.js';

/** The per-user data folder (Electron's userData for "RadSift"), or RADSIFT_DATA_DIR. */
export function dataDir(): string {
  if (process.env.RADSIFT_DATA_DIR) return path.resolve(process.env.RADSIFT_DATA_DIR);
  if (process.platform === 'win32')
    return path.join(process.env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'RadSift');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'RadSift');
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'RadSift');
}

/** Folders whose subfolders are bundled models: models/ of the checkout or the packaged app. */
export function bundledModelRoots(resourcesPath?: string): string[] {
  return resourcesPath
    ? [path.join(resourcesPath, 'models'), path.join(PROJECT_ROOT, 'models')]
    : [path.join(PROJECT_ROOT, 'models')];
}
