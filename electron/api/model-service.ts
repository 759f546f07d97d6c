/**
 * The active model for the app and the CLI: which models exist, which one is
 * active, and the encoder running it. Loading happens in the encoder worker;
 * the provider that loaded (and any fallback) is kept for the UI.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModelListing } from './contract.js';
import type { ModelCatalog } from './services.js';
import type { SettingsStore } from '../app/app-settings.js';
import { Encoder } from '../inference/encoder.js';
import type { LoadedModel } from '../inference/encoder-protocol.js';
import { ModelError } from '../inference/errors.js';
import { describeModel } from '../inference/layouts/index.js';
import { listModels, type ModelEntry } from '../inference/model-registry.js';
import { parsePreference, providerStatus, type ProviderStatus } from '../inference/providers.js';
import { PhraseCheck } from './phrase-check.js';
import { readBundleTraining } from '../inference/bundle-training.js';
import type { PhraseFamiliarity } from '../scoring/phrase-familiarity.js';

/**
 * The bundled model used until the user picks another: the rare-findings model keeps the eight common
 * findings' figures of 0.6.0 (its card: mean AUC 0.983 against 0.980 on the same phantoms), knows twelve more
 * and reads report language better; 0.6.0 ships beside it (each bundle's card.md).
 */
export const DEFAULT_MODEL_ID = 'radsift-phantom-convirt-rare';

export type ModelState =
  | { state: 'none' }
  | { state: 'loading'; dir: string }
  /** `findings`: what the bundle's manifest says it was taught, as phrases (none for other layouts). */
  /** `warning`: the model chosen could not be loaded, and this (the default) is used meanwhile. */
  | { state: 'ready'; dir: string; loaded: LoadedModel; findings: string[]; warning?: string }
  | { state: 'failed'; dir: string; error: string };

export class ModelService implements ModelCatalog {
  readonly encoder = new Encoder();
  readonly #phrases = new PhraseCheck(this.encoder);
  #state: ModelState = { state: 'none' };
  #loading: Promise<LoadedModel> | null = null;
  /** The active model being found and loaded by ready(), which callers meanwhile join. */
  #readying: Promise<LoadedModel> | null = null;
  #listeners = new Set<(state: ModelState) => void>();

  constructor(
    private readonly bundledRoots: string[],
    private readonly settings: SettingsStore,
    /** Model folders given for this run only (e.g. `radsift --model-dir`). */
    private readonly extraDirs: string[] = [],
    /** Where model files' digests are remembered across runs (inference/file-digests.ts); null: not kept. */
    private readonly digestCache: string | null = null,
  ) {}

  get current(): ModelState {
    return this.#state;
  }

  /** Called on every state change (loading, ready, failed). */
  onChange(listener: (state: ModelState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(state: ModelState): void {
    this.#state = state;
    for (const l of this.#listeners) l(state);
  }

  /** Whether the active model knows each phrase well (loading the model if needed). */
  async checkPhrases(phrases: string[]): Promise<PhraseFamiliarity[]> {
    await this.ready();
    return this.#phrases.check(phrases);
  }

  entries(): Promise<ModelEntry[]> {
    return listModels(this.bundledRoots, [...this.extraDirs, ...this.settings.get().userModelDirs]);
  }

  async list(): Promise<ModelListing[]> {
    const activeDir = this.#state.state === 'ready' ? this.#state.dir : null;
    return (await this.entries()).map((m) => {
      const base = { dir: m.dir, source: m.source, active: m.dir === activeDir };
      if (!m.description) return { ...base, error: m.error ?? 'unusable' };
      const d = m.description;
      return {
        ...base,
        id: d.id,
        name: d.name,
        version: d.version,
        layout: d.layout,
        licence: d.licence,
        intendedUse: d.intendedUse,
        scoresRegions: d.regionOffset !== null,
        regionWeight: d.regionWeight,
        trainedOnSyntheticData: d.trainedOnSyntheticData,
        provenance: d.provenance,
      };
    });
  }

  state(): { state: ModelState['state']; error?: string; warning?: string } {
    const s = this.#state;
    if (s.state === 'failed') return { state: 'failed', error: s.error };
    return s.state === 'ready' && s.warning ? { state: 'ready', warning: s.warning } : { state: s.state };
  }

  /** The model to use: the one chosen in settings if it still loads, else DEFAULT_MODEL_ID, else the first. */
  async defaultDir(): Promise<string | null> {
    const models = (await this.entries()).filter((m) => m.description);
    const chosen = this.settings.get().activeModel;
    return (
      (
        models.find((m) => m.dir === chosen) ??
        models.find((m) => m.description!.id === chosen) ??
        models.find((m) => m.description!.id === DEFAULT_MODEL_ID) ??
        models[0]
      )?.dir ?? null
    );
  }

  /** Loads (or returns) the active model; one load at a time. */
  async ready(): Promise<LoadedModel> {
    if (this.#state.state === 'ready') return this.#state.loaded;
    if (this.#loading) return this.#loading;
    // Set before anything is awaited: callers arriving while the model list is read join this load, not start
    // one each (three at start-up loaded the model three times).
    return (this.#readying ??= this.#loadActive().finally(() => (this.#readying = null)));
  }

  async #loadActive(): Promise<LoadedModel> {
    const dir = await this.defaultDir();
    if (!dir) throw new ModelError('NOT_A_MODEL', 'no model is installed: add a model folder in the Models view');
    try {
      return await this.load(dir);
    } catch (error) {
      // The model chosen no longer loads (a file changed since, a folder half-copied): the default meanwhile,
      // saying why, rather than no model at all until one is picked by hand. The choice itself is kept.
      const fallback = (await this.entries()).find((m) => m.description?.id === DEFAULT_MODEL_ID)?.dir;
      if (!fallback || fallback === dir) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      return this.load(
        fallback,
        `The model chosen could not be loaded (${reason}); the default model is used meanwhile`,
      );
    }
  }

  /** Loads the model in dir for this session; the remembered choice changes only through activate(), so a
   * one-off `radsift … --model-dir` run does not become every later run's (and the app's) model. */
  async load(dir: string, warning?: string): Promise<LoadedModel> {
    this.#set({ state: 'loading', dir });
    try {
      // In the try: an override that names no known provider fails this load, not leaves it 'loading' for good.
      const providers = preferredProviders(this.settings.get().executionProviders ?? process.env.RADSIFT_EP);
      this.#loading = this.encoder.load(dir, {
        providers,
        ...(this.digestCache ? { digestCache: this.digestCache } : {}),
      });
      const loaded = await this.#loading;
      const taught = (await readBundleTraining(dir)).findings ?? [];
      const findings = taught.map((f) => f.replace(/_/g, ' '));
      this.#set({ state: 'ready', dir, loaded, findings, ...(warning ? { warning } : {}) });
      return loaded;
    } catch (error) {
      this.#set({ state: 'failed', dir, error: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      this.#loading = null;
    }
  }

  /** Only listed models can be activated: the renderer cannot make the app load an arbitrary folder. */
  async activate(dir: string): Promise<{ id: string; provider: ProviderStatus }> {
    const entry = (await this.entries()).find((m) => m.dir === path.resolve(dir));
    if (!entry) throw new ModelError('NOT_A_MODEL', 'that folder is not one of the installed models');
    if (!entry.description) throw new ModelError('BAD_MANIFEST', entry.error ?? 'that model cannot be used');
    const loaded = await this.load(entry.dir);
    // A bundled model by its id (its folder moves with the app); a user's folder by its path: a copy of a bundle
    // keeps the bundle's id, and by id the bundled one would be loaded at the next start instead.
    const remembered = entry.source === 'bundled' ? loaded.model.id : entry.dir;
    await this.settings.update((s) => ({ ...s, activeModel: remembered }));
    return { id: loaded.model.id, provider: providerStatus(loaded.provider) };
  }

  async addFolder(dir: string): Promise<ModelListing> {
    const resolved = path.resolve(dir);
    await describeModel(resolved); // throws a ModelError saying why it is not a model
    await this.settings.update((s) => ({ ...s, userModelDirs: [...new Set([...s.userModelDirs, resolved])] }));
    const added = (await this.list()).find((m) => m.dir === resolved);
    if (!added) throw new ModelError('NOT_A_MODEL', 'the folder could not be added');
    return added;
  }

  async card(dir: string): Promise<string | null> {
    const entry = (await this.entries()).find((m) => m.dir === path.resolve(dir));
    if (!entry) throw new ModelError('NOT_A_MODEL', 'that folder is not one of the installed models');
    return readFile(path.join(entry.dir, 'card.md'), 'utf8').catch(() =>
      readFile(path.join(entry.dir, 'README.md'), 'utf8').catch(() => null),
    );
  }

  /** For app.info: the active model and the provider that actually runs it. */
  active(): {
    id: string;
    name: string;
    version: string;
    trainedOnSyntheticData: boolean;
    intendedUse: string;
    findings: string[];
  } | null {
    if (this.#state.state !== 'ready') return null;
    const { model } = this.#state.loaded;
    return {
      id: model.id,
      name: model.name,
      version: model.version,
      trainedOnSyntheticData: model.trainedOnSyntheticData,
      intendedUse: model.intendedUse,
      findings: this.#state.findings,
    };
  }

  executionProvider(): ProviderStatus | null {
    return this.#state.state === 'ready' ? providerStatus(this.#state.loaded.provider) : null;
  }

  close(): Promise<void> {
    return this.encoder.close();
  }
}

/** The execution providers an override asks for (the setting, else RADSIFT_EP); a bad one is a ModelError saying which. */
function preferredProviders(override: string | null | undefined): ReturnType<typeof parsePreference> {
  try {
    return parsePreference(override ?? undefined);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ModelError('SESSION_FAILED', `the execution provider setting (or RADSIFT_EP) cannot be used: ${why}`);
  }
}
