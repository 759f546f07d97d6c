/**
 * The active model for the app and the CLI: which models exist, which one is
 * active, and the encoder running it. Loading happens in the encoder worker;
 * the provider that loaded (and any fallback) is kept for the UI.
 */
import type { SettingsStore } from '../app-settings.js';
import { Encoder } from './encoder.js';
import type { LoadedModel } from './encoder-protocol.js';
import { ModelError } from './errors.js';
import { listModels, type ModelEntry } from './model-registry.js';
import { describeReport, parsePreference } from './providers.js';

export type ModelState =
  | { state: 'none' }
  | { state: 'loading'; dir: string }
  | { state: 'ready'; dir: string; loaded: LoadedModel }
  | { state: 'failed'; dir: string; error: string };

export class ModelService {
  readonly encoder = new Encoder();
  #state: ModelState = { state: 'none' };
  #loading: Promise<LoadedModel> | null = null;
  #listeners = new Set<(state: ModelState) => void>();

  /** Called on every state change (loading, ready, failed). */
  onChange(listener: (state: ModelState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(state: ModelState): void {
    this.#state = state;
    for (const l of this.#listeners) l(state);
  }

  constructor(
    private readonly bundledRoots: string[],
    private readonly settings: SettingsStore,
    /** Model folders given for this run only (e.g. `radsift --model-dir`). */
    private readonly extraDirs: string[] = [],
  ) {}

  get state(): ModelState {
    return this.#state;
  }

  list(): Promise<ModelEntry[]> {
    return listModels(this.bundledRoots, [...this.extraDirs, ...this.settings.get().userModelDirs]);
  }

  /** The model to use: the one chosen in settings if it still loads, else the first bundled one. */
  async defaultDir(): Promise<string | null> {
    const models = (await this.list()).filter((m) => m.description);
    const chosen = this.settings.get().activeModel;
    return (models.find((m) => m.description!.id === chosen || m.dir === chosen) ?? models[0])?.dir ?? null;
  }

  /** Loads (or returns) the active model; one load at a time. */
  async ready(): Promise<LoadedModel> {
    if (this.#state.state === 'ready') return this.#state.loaded;
    if (this.#loading) return this.#loading;
    const dir = await this.defaultDir();
    if (!dir) throw new ModelError('NOT_A_MODEL', 'no model is installed: add a model folder in the Models view');
    return this.activate(dir);
  }

  async activate(dir: string): Promise<LoadedModel> {
    this.#set({ state: 'loading', dir });
    const providers = parsePreference(this.settings.get().executionProviders ?? process.env.RADSIFT_EP ?? undefined);
    this.#loading = this.encoder.load(dir, { providers });
    try {
      const loaded = await this.#loading;
      this.#set({ state: 'ready', dir, loaded });
      await this.settings.update((s) => ({ ...s, activeModel: loaded.model.id }));
      return loaded;
    } catch (error) {
      this.#set({ state: 'failed', dir, error: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      this.#loading = null;
    }
  }

  /** For app.info: the active model and the provider that actually runs it. */
  summary(): {
    model: { id: string; name: string; version: string; trainedOnSyntheticData: boolean; intendedUse: string } | null;
    provider: string | null;
  } {
    if (this.#state.state !== 'ready') return { model: null, provider: null };
    const { model, provider } = this.#state.loaded;
    return {
      model: {
        id: model.id,
        name: model.name,
        version: model.version,
        trainedOnSyntheticData: model.trainedOnSyntheticData,
        intendedUse: model.intendedUse,
      },
      provider: describeReport(provider),
    };
  }

  /** The About panel's view of this service (api/services.ts ModelStatus). */
  asStatus(): { active: () => ReturnType<ModelService['summary']>['model']; executionProvider: () => string | null } {
    return { active: () => this.summary().model, executionProvider: () => this.summary().provider };
  }

  close(): Promise<void> {
    return this.encoder.close();
  }
}
