/** A loaded model's slot in an index: embeddings are kept apart per model id and version. */
import type { IndexStore, ModelSlot } from '../index/index-store.js';
import type { LoadedModel } from '../inference/encoder-protocol.js';

/** The name a model's slot (and what is stored under it, a job's examples' embeddings) goes by: id@version. */
export const modelKey = (loaded: LoadedModel): string => `${loaded.model.id}@${loaded.model.version}`;

export function modelSlot(store: IndexStore, loaded: LoadedModel): ModelSlot {
  return store.model(modelKey(loaded), loaded.dim, loaded.model.image.patchGrid);
}
