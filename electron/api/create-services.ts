/**
 * The one place that builds the main process's services: the Electron shell, the loopback bridge
 * (tests and `npm run dev:browser`) and the CLI differ only by the options they pass (the dialog, where
 * events go, which model folders), so the app and its tests run the same wiring. close() stops them in
 * the order that keeps the index consistent: running screening jobs first (their last batch commits),
 * then the index, the model worker and the decode workers.
 */
import path from 'node:path';
import { readIdentity, type AppIdentity } from '../app/app-identity.js';
import { SettingsStore } from '../app/app-settings.js';
import { SecretStore, type SecretCipher } from '../app/secret-store.js';
import { DecodePool } from '../screening/decode-pool.js';
import { AllowedRoots } from '../security/allowed-roots.js';
import { passthroughRenderer, type ScanRenderer } from '../security/scan-protocol.js';
import { AppIndex } from './app-index.js';
import { CollectionService } from './collection-service.js';
import type { EventName, EventPayload } from './contract.js';
import type { Handlers } from './dispatch.js';
import { createHandlers } from './handlers.js';
import { ExampleSets } from './example-sets.js';
import { ModelService } from './model-service.js';
import { PacsService } from './pacs-service.js';
import { DisplayDefaults } from './display-defaults.js';
import { RenderCache } from './render-cache.js';
import { dicomScanRenderer } from './scan-images.js';
import { ScreeningService } from './screening-service.js';
import type { DialogService, Services } from './services.js';
import { StudyService } from './study-service.js';

export interface ServiceOptions {
  /** Settings, the demo study and the app's index live here. */
  dataDir: string;
  /** Folders whose subfolders are models (the bundled ones). */
  modelRoots: string[];
  /** Model folders for this run only (`--model-dir`, test fixtures). */
  modelDirs?: string[];
  /** How the user picks files (a native dialog; a scripted one in tests; none in the CLI). */
  dialog?: DialogService;
  /** Where events for the renderer go (every window; every bridge socket). */
  broadcast?: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
  /** Decode workers (default: one per core, at most 4). */
  decodeWorkers?: number;
  /** Overrides for the About panel (e.g. firstRun in tests). */
  identity?: Partial<AppIdentity>;
  /**
   * How PACS passwords are sealed on disk (Electron's safeStorage in the app). Absent or null: they last for
   * the session only (the bridge, the CLI, a Linux desktop without a keyring).
   */
  secretCipher?: SecretCipher | null;
}

export interface AppServices extends Services {
  models: ModelService;
  studies: StudyService;
  collection: CollectionService;
  screening: ScreeningService;
  pacs: PacsService;
  settings: SettingsStore;
  decodePool: DecodePool;
  handlers: Handlers;
  /** What the scan protocol serves: files as they are, DICOM frames as images. */
  scanRenderers: ScanRenderer[];
  /** A warning about the settings file (unreadable, replaced by defaults), if any. */
  settingsWarning: string | null;
  /** Stops everything, running jobs first; safe to call twice. */
  close(): Promise<void>;
}

const NO_DIALOG: DialogService = { open: async () => [] };

/** Builds the services and loads the settings; the active model starts loading only when asked (models.ready()). */
export async function createServices(options: ServiceOptions): Promise<AppServices> {
  const broadcast = options.broadcast ?? (() => undefined);
  const settings = new SettingsStore(options.dataDir);
  const { warning } = await settings.load();
  const roots = new AllowedRoots();
  const models = new ModelService(
    options.modelRoots,
    settings,
    options.modelDirs ?? [],
    path.join(options.dataDir, 'model-digests.json'),
  );
  const decodePool = new DecodePool(options.decodeWorkers ? { size: options.decodeWorkers } : {});
  const displays = new DisplayDefaults(decodePool);
  const studies = new StudyService(options.dataDir, roots, settings);
  const appIndex = new AppIndex(path.join(options.dataDir, 'index'), models);
  const collection = new CollectionService(appIndex, models, decodePool);
  const pacs = new PacsService(
    options.dataDir,
    settings,
    new SecretStore(options.dataDir, options.secretCipher ?? null),
    broadcast,
  );
  const screening = new ScreeningService(
    appIndex,
    models,
    decodePool,
    (job) => broadcast('screen.job', job),
    (name, query, signal) => pacs.screeningSource(name, query, signal),
  );
  const identity: AppIdentity = { ...readIdentity(), firstRun: settings.firstRun, ...options.identity };
  const services = {
    identity,
    dialog: options.dialog ?? NO_DIALOG,
    roots,
    models,
    studies,
    displays,
    collection,
    screening,
    pacs,
    examples: new ExampleSets(options.dataDir),
  } satisfies Services;
  models.onChange(() => broadcast('model.status', models.state()));
  let closing: Promise<void> | null = null;
  return {
    ...services,
    settings,
    decodePool,
    handlers: createHandlers(services),
    scanRenderers: [passthroughRenderer, dicomScanRenderer(decodePool, displays, new RenderCache())],
    settingsWarning: warning ?? null,
    close() {
      closing ??= (async () => {
        pacs.close();
        await screening.close();
        collection.close();
        await models.close();
        await decodePool.close();
      })();
      return closing;
    },
  };
}
