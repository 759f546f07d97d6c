/**
 * The capabilities handlers use, as interfaces. The Electron shell and the test
 * bridge each supply an implementation (e.g. a native dialog vs. a scripted one),
 * so the handlers themselves are the same code in the app and in tests.
 */
import type { FolderIdentity } from '../security/folder-identity.js';
import type { AppIdentity } from '../app/app-identity.js';
import type { PhraseFamiliarity } from '../scoring/phrase-familiarity.js';
import type { AllowedRoots } from '../security/allowed-roots.js';
import type { ScanFile } from '../security/scan-protocol.js';
import type { ScreenRow } from '../screening/results.js';
import type { ExampleCoherence } from '../scoring/example-coherence.js';
import type { ScreenProgress } from '../screening/screen-job.js';
import type { Page, StudyQuery } from '../pacs/query.js';
import type { AppInfo, Catalog, ExecutionProvider, ModelListing, Request, Response, ScreenJob } from './contract.js';

export interface DialogService {
  /** Resolves with chosen absolute paths, or an empty list when the user cancels. */
  open(options: {
    /** files: one or more; file: exactly one (a certificate); folder: one folder. */
    kind: 'files' | 'file' | 'folder';
    title?: string;
    filters?: { name: string; extensions: string[] }[];
  }): Promise<string[]>;
}

/** The model side of the About panel, filled by the model service. */
export interface ModelStatus {
  active(): AppInfo['model'];
  executionProvider(): ExecutionProvider | null;
}

/** The Models view's needs: what is installed, which is active, switching and adding. */
export interface ModelCatalog extends ModelStatus {
  list(): Promise<ModelListing[]>;
  state(): { state: 'none' | 'loading' | 'ready' | 'failed'; error?: string };
  card(dir: string): Promise<string | null>;
  /** Loads a listed model; rejects with a ModelError when it cannot. */
  activate(dir: string): Promise<{ id: string; provider: ExecutionProvider }>;
  /** Validates a folder as a model and remembers it; rejects when it is not one. */
  addFolder(dir: string): Promise<ModelListing>;
  /** Whether the active model knows each phrase well. */
  checkPhrases(phrases: string[]): Promise<PhraseFamiliarity[]>;
}

/** Opening studies: catalog folders/files, the demo study, per-file headers. */
export interface StudyCatalog {
  /** `onProgress(done, message)` while walking. */
  /** `remember` false: not added to the recent list (e.g. a PACS study in the cache). */
  open(paths: string[], onProgress: (done: number, message: string) => void, remember?: boolean): Promise<Catalog>;
  openDemo(onProgress: (done: number, total: number | null, message: string) => void): Promise<Catalog>;
  /** Folders and files opened before, newest first. */
  recent(): string[];
  openRecent(path: string, onProgress: (done: number, message: string) => void): Promise<Catalog>;
  fileInfo(path: string): Promise<Record<string, unknown>>;
}

/** How a frame is shown with no window asked for (DisplayDefaults). */
export interface DisplayWindows {
  /** `file`: opened and checked inside the opened folders (opened-file.ts), read through its descriptor. */
  get(file: ScanFile, frame: number): Promise<Response<'studies.displayWindow'>>;
}

/**
 * Queries over the opened scans (indexed with the active model on first use). The signal stops the encoding
 * (index.cancel): the call then fails with CANCELLED, and what was encoded stays in the index.
 */
export interface QueryEngine {
  setFiles(files: string[]): void;
  query(
    req: Request<'query.run'>,
    onProgress: (p: ScreenProgress) => void,
    signal?: AbortSignal,
  ): Promise<Response<'query.run'>>;
}

export interface MatrixEngine {
  matrix(
    phrases: string[],
    onProgress: (p: ScreenProgress) => void,
    signal?: AbortSignal,
  ): Promise<Response<'matrix.run'>>;
}

export interface Screening {
  start(
    folder: string,
    phrases: string[],
    threshold?: number,
    pacs?: { name: string; query: StudyQuery },
    examples?: string[],
    /** The folder as chosen, so that a later run may trust it again (trustedFolder). */
    folderIdentity?: FolderIdentity,
  ): ScreenJob;
  control(id: string, action: 'pause' | 'resume' | 'cancel'): ScreenJob;
  list(): ScreenJob[];
  /**
   * A job's folder while it is still the one chosen when the job started, by the name it was chosen by (its rows'
   * paths) and its real path; null otherwise or for a PACS job.
   */
  trustedFolder(id: string): Promise<{ chosen: string; real: string } | null>;
  /**
   * The job's rows, the example similarity that flags one, how many scans it is centred on and whether the
   * pooled patch embeddings count beside the global ones (all null without examples; the centre also below
   * MIN_CENTRING_SCANS): one profile for all of them.
   */
  results(id: string, flaggedOnly: boolean, since?: string): Promise<ScreenResults>;
  /** Marks a row of the job (null clears it); the counts of marks after. */
  review(id: string, file: string, mark: 'finding' | 'not' | null): { finding: number; not: number };
}

/** What a review changes in each row, in the order of the rows read before (columns: one value per row). */
export interface RankingUpdate {
  exampleSimilarity: (number | null)[];
  exampleFlagged: (boolean | null)[];
  /** A job of one phrase beside examples: each row's phraseAndExamples; null for other jobs. */
  phraseAndExamples: (number | null)[] | null;
  flagged: boolean[];
  example: boolean[];
  review: ('finding' | 'not' | null)[];
}

export interface ScreenResults {
  /** Every row; null when `since` named these same rows: `ranking` then carries what changed. */
  rows: ScreenRow[] | null;
  ranking: RankingUpdate | null;
  /** Names these rows as read (the index's data, the row set, their order): a later read can ask `since` it. */
  rowsToken: string;
  /** Examples the ranking rests on (the job's and the rows reviewed as the finding); null: none. */
  exampleCount: number | null;
  /** Rows reviewed as not the finding that the ranking is pushed away from (0 without examples). */
  counterExamples: number;
  exampleThreshold: number | null;
  /** A job of one phrase beside examples: what its phraseAndExamples weighed each part by, and whether those are the
   * parts' skills on the examples (all among the rows); null for other jobs. */
  phraseAndExamplesWeights: { phrase: number; examples: number; bySkill: boolean } | null;
  exampleCentredOn: number | null;
  examplePatches: boolean | null;
  /** How alike the examples are against random pairs of the scans screened (null: no examples, or it cannot say). */
  exampleCoherence: ExampleCoherence | null;
}

export interface ProbeEngine {
  probe(
    positives: string[],
    negatives: string[],
    onProgress: (p: ScreenProgress) => void,
    signal?: AbortSignal,
  ): Promise<Response<'probe.train'>>;
}

export interface HeatmapEngine {
  /** `file`: opened and checked inside the opened folders (opened-file.ts), decoded through its descriptor. */
  heatmap(
    file: ScanFile,
    phrase: string,
    frame: number,
  ): Promise<{
    phrase: string;
    grid: [number, number];
    values: number[];
    box: { x: number; y: number; width: number; height: number };
  }>;
}

/** PACS connections, search and retrieval (api/pacs-service.ts). */
export interface PacsAccess {
  list(): Promise<Response<'pacs.connections'>>;
  /** `ca`: keep the connection's CA certificate, trust none, or one chosen with chooseCertificate. */
  save(
    connection: Request<'pacs.saveConnection'>['connection'],
    secret: string | null | undefined,
    replaces?: string,
    ca?: Request<'pacs.saveConnection'>['ca'],
  ): Promise<void>;
  /** A certificate file chosen in a dialog, checked, under a ref that save() takes. */
  chooseCertificate(file: string): Promise<Response<'pacs.chooseCertificate'>>;
  remove(name: string): Promise<void>;
  setCache(change: { dir?: string | null; maxGB?: number }): Promise<void>;
  test(name: string): Promise<Response<'pacs.test'>>;
  search(name: string, query: StudyQuery, page: Page): Promise<Response<'pacs.search'>>;
  retrieve(name: string, studyUid: string): string;
  cancel(jobId: string): boolean;
  /** A screened instance (its index key) as a viewable file, retrieved into the cache when needed. */
  viewInstance(key: string): Promise<string>;
  /** The folder that holds a study's cached instances. */
  studyFolder(name: string, studyUid: string): Promise<string>;
}

/** Example scans kept per study or folder (api/example-sets.ts). */
export interface ExampleStore {
  get(scope: string): Promise<string[]>;
  add(scope: string, path: string): Promise<string[]>;
  remove(scope: string, path: string): Promise<string[]>;
  /** Why the sets start empty this run (a damaged file set aside), or null. */
  readonly warning: string | null;
}

export interface Services {
  identity: AppIdentity;
  dialog: DialogService;
  roots: AllowedRoots;
  models: ModelCatalog;
  studies: StudyCatalog;
  displays: DisplayWindows;
  collection: QueryEngine & MatrixEngine & ProbeEngine & HeatmapEngine;
  screening: Screening;
  pacs: PacsAccess;
  examples: ExampleStore;
}
