/**
 * A screening job of `scope` scans for the review benches: an app data folder whose index holds one folder of
 * scans with random unit embeddings and pooled patch embeddings under the shipped model's slot (the ranking does
 * not care what they hold; no file is read), and a phrase-only job over it whose first four rows are marked
 * "finding", so it ranks by four examples.
 */
import path from 'node:path';
import type { LoadedModel } from '../../electron/inference/encoder-protocol.js';
import { IndexStore } from '../../electron/index/index-store.js';
import { seededRandom } from '../../electron/scoring/metrics.js';
import { normalise } from '../../electron/scoring/vectors.js';
import { modelSlot } from '../../electron/screening/model-slot.js';
import { startServices } from '../support/app-services.js';
import { scanRecord } from '../support/scan-record.js';

export const REVIEW_JOB = 'bench-review-job';

export interface ReviewJob {
  /** The job's rows, in path order. */
  files: string[];
  /** The model the app will load, as `id@version`. */
  model: string;
}

export async function prepareReviewJob(dataDir: string, folder: string, scope: number): Promise<ReviewJob> {
  // The shipped model's slot, as the app names it: loaded once to learn its key, size and patch grid.
  const services = await startServices(dataDir);
  const loaded: LoadedModel = await services.models.ready();
  await services.close();

  const rnd = seededRandom(7);
  const unit = (dim: number) => normalise(Float32Array.from({ length: dim }, () => rnd() - 0.5));
  const store = IndexStore.open(path.join(dataDir, 'index'));
  try {
    const slot = modelSlot(store, loaded);
    const files: string[] = [];
    for (let start = 0; start < scope; start += 5000)
      store.transaction(() => {
        for (let i = start; i < Math.min(scope, start + 5000); i++) {
          const file = path.join(folder, `${String(i).padStart(6, '0')}.dcm`);
          files.push(file);
          store.putEmbedding(store.putScan(scanRecord(file)), slot, unit(slot.dim), null, unit(slot.dim));
        }
      });
    const review = Object.fromEntries(files.slice(0, 4).map((f) => [f, 'finding']));
    store.putJob({
      id: REVIEW_JOB,
      kind: 'screen',
      params: { folder, phrases: ['pleural effusion'], threshold: 0.5, review },
      state: 'done',
      createdAt: Date.now(),
      message: null,
    });
    return { files, model: `${loaded.model.id}@${loaded.model.version}` };
  } finally {
    store.close();
  }
}
