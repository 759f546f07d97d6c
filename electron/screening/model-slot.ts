/** A loaded model's slot in an index: embeddings are kept apart per model, by what its weights are (modelKey). */
import type { IndexStore, ModelSlot } from '../index/index-store.js';
import type { LoadedModel } from '../inference/encoder-protocol.js';
import { modelKey } from '../inference/model-key.js';

export function modelSlot(store: IndexStore, loaded: LoadedModel): ModelSlot {
  return store.model(modelKey(loaded), loaded.dim, loaded.model.image.patchGrid);
}
