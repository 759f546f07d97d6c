/**
 * Finds a runnable Electron binary without triggering the electron package's
 * lazy download (requiring 'electron' would fetch from GitHub): the
 * ELECTRON_OVERRIDE_DIST_PATH it honours, or a binary it already downloaded.
 * Where there is none, the Electron tests are skipped with this reason — never
 * reported as passed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export function findElectron(): { path: string } | { reason: string } {
  const pkgDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = path.join(pkgDir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : defaultExecutable();
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const candidate = override ? path.join(override, executable) : path.join(pkgDir, 'dist', executable);
  if (existsSync(candidate)) return { path: candidate };
  return {
    reason: `no Electron binary at ${candidate} (this machine cannot download it); set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron 45 to run these tests`,
  };
}

function defaultExecutable(): string {
  if (process.platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  return process.platform === 'win32' ? 'electron.exe' : 'electron';
}
