/**
 * The app's own index (SQLite in the data folder), opened once and shared by
 * queries, the matrix and screening jobs; one model slot per active model.
 */
import { IndexStore, type ModelSlot } from '../index/index-store.js';
import type { ModelService } from './model-service.js';
import { modelSlot } from '../screening/model-slot.js';
import { ApiError } from './errors.js';

export class AppIndex {
  #store: IndexStore | null = null;

  constructor(
    private readonly dir: string,
    private readonly models: ModelService,
  ) {}

  store(): IndexStore {
    // An IndexError goes as it is: error-mapping.ts gives each reason its API code (BUSY only for IN_USE: a
    // damaged, too new or unwritable index is not "in use"); anything else is a bug (INTERNAL).
    this.#store ??= IndexStore.open(this.dir);
    return this.#store;
  }

  /** The active model's slot (loading the model if needed). */
  async slot(): Promise<ModelSlot> {
    const loaded = await this.models.ready().catch((e: Error) => {
      throw new ApiError('NOT_FOUND', e.message);
    });
    return modelSlot(this.store(), loaded);
  }

  close(): void {
    this.#store?.close();
    this.#store = null;
  }
}
