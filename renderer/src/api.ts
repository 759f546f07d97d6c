/** The renderer's only way to the main process: `window.radsift`, from the preload or the test bridge. */
import type { RadsiftApi } from '../../electron/api/client';
import type { Response as ApiResponse } from '../../electron/api/contract';

declare global {
  interface Window {
    radsift?: RadsiftApi;
  }
}

export function getApi(): RadsiftApi {
  const api = window.radsift;
  if (!api) throw new Error('window.radsift is missing: the renderer must run inside RadSift (or the test bridge).');
  return api;
}

export type { RadsiftApi };
// The contract is the one source of every shape the renderer receives: no view re-declares one.
export type {
  AppInfo,
  Catalog,
  EventPayload,
  ModelListing,
  Request,
  Response,
  ScreenJob,
  ScreenRow,
} from '../../electron/api/contract';

/** Whether the active model knows a phrase well (one per phrase of query.run, matrix.run, phrases.check). */
export type Familiarity = ApiResponse<'phrases.check'>['familiarity'][number];

/** How alike a screening job's examples are against random scans of those screened (screen.results). */
export type Coherence = NonNullable<ApiResponse<'screen.results'>['exampleCoherence']>;
