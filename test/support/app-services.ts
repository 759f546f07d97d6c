/**
 * The app's services as the main process builds them (shipped models, one decode worker) over a test's data
 * folder, called through the real dispatcher, and a wait for a screening job to end.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { ScreenJob } from '../../electron/api/contract.js';
import { createServices, type AppServices } from '../../electron/api/create-services.js';
import { dispatch, type HandlerContext } from '../../electron/api/dispatch.js';
import { PROJECT_ROOT } from './paths.js';

const ctx: HandlerContext = { emit: () => undefined };

export const startServices = (dataDir: string): Promise<AppServices> =>
  createServices({ dataDir, modelRoots: [path.join(PROJECT_ROOT, 'models')], decodeWorkers: 1 });

/** A method called as the renderer calls it; a refusal throws "method: CODE: message". */
export async function callApi<T>(
  services: AppServices,
  method: Parameters<typeof dispatch>[1],
  req: unknown,
): Promise<T> {
  const out = await dispatch(services.handlers, method, req, ctx);
  if (!out.ok) throw new Error(`${method}: ${out.error.code}: ${out.error.message}`);
  return out.value as T;
}

/** Waits (up to 3 minutes) for a screening job to leave "running", and asserts it ended done. */
export async function untilDone(services: AppServices, job: ScreenJob): Promise<void> {
  const deadline = Date.now() + 180_000;
  let state = job.state;
  while (state === 'running' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    state = (await callApi<{ jobs: ScreenJob[] }>(services, 'screen.list', {})).jobs.find(
      (j) => j.id === job.id,
    )!.state;
  }
  assert.equal(state, 'done');
}
