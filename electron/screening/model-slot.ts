/** A loaded model's slot in an index: embeddings are kept apart per model id and version. */
import type { IndexStore, ModelSlot } from '../index/index-store.js';
import type { LoadedModel } from '../inference/encoder-protocol.js';

export function modelSlot(store: IndexStore, loaded: LoadedModel): ModelSlot {
  return store.model(`${loaded.model.id}@${loaded.model.version}`, loaded.dim, loaded.model.image.patchGrid);
}
