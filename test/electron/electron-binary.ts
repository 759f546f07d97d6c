/**
 * Finds a runnable Electron binary: ELECTRON_OVERRIDE_DIST_PATH (honoured by the
 * electron package) or the one the package downloaded. Where there is none
 * (this project's CI cannot download it), the Electron tests are skipped with
 * this reason — never reported as passed.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export function findElectron(): { path: string } | { reason: string } {
  const require = createRequire(import.meta.url);
  try {
    const binary = require('electron') as unknown as string;
    if (typeof binary === 'string' && existsSync(binary)) return { path: binary };
    return { reason: `Electron binary not found at ${String(binary)}` };
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return {
      reason: `no Electron binary on this machine (${why}); set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron 45 to run these tests`,
    };
  }
}
