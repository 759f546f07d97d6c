/** Name and version from package.json, read once; shared by the app, the CLI and the bridge. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export interface AppIdentity {
  name: string;
  version: string;
  /** First start for this user (no settings yet). */
  firstRun?: boolean;
  platform: string;
  versions: Record<string, string>;
}

/** The project root (or the packaged app's): this file is dist/electron/app/app-identity.js. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function readIdentity(root: string = PROJECT_ROOT): AppIdentity {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    productName?: string;
    name: string;
    version: string;
  };
  const versions: Record<string, string> = {};
  for (const key of ['node', 'electron', 'chrome', 'v8'] as const) {
    const v = process.versions[key];
    if (typeof v === 'string') versions[key] = v;
  }
  return {
    name: pkg.productName ?? pkg.name,
    version: pkg.version,
    platform: `${process.platform}-${process.arch}`,
    versions,
  };
}
