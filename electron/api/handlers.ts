/**
 * The API handlers: one function per contract method, over the services.
 * No Electron imports here (main.ts binds these to ipcMain; tests to a bridge).
 */
import { ApiError } from './errors.js';
import { RESEARCH_USE_NOTICE } from './contract.js';
import type { Handlers } from './dispatch.js';
import type { Services } from './services.js';

export function createHandlers(services: Services): Handlers {
  return {
    'app.info': () => ({
      name: services.identity.name,
      version: services.identity.version,
      platform: services.identity.platform,
      versions: services.identity.versions,
      model: services.models.active(),
      executionProvider: services.models.executionProvider(),
      researchUseNotice: RESEARCH_USE_NOTICE,
    }),

    'dialog.open': async (req) => {
      const paths = await services.dialog.open(req);
      if (paths.length === 0) throw new ApiError('CANCELLED', 'No file or folder was chosen');
      // Whatever the user picked through the dialog may be shown as images.
      for (const p of paths) await services.roots.add(p);
      return { paths };
    },
  };
}
