/**
 * The one contract between the renderer and the main process: every method's
 * name, request and response schema, and every event. Types are inferred from
 * the schemas, so the runtime validation and the compile-time types cannot
 * drift apart. This module imports nothing from Electron or Node.
 */
import { z } from 'zod';
import { PROVIDERS } from '../inference/provider-names.js';
import { connectionSchema, dicomWebConnectionSchema, dimseConnectionSchema } from '../pacs/connection.js';
import { pageSchema, studyQuerySchema } from '../pacs/query.js';
import { CACHE_GB_MAX, CACHE_GB_MIN, CONNECTION_NAME_MAX_LENGTH, PHRASE_MAX_LENGTH, PHRASE_PATTERN } from './limits.js';

/** A report phrase as typed, trimmed: a letter or digit at least, no longer than a text encoder reads. */
const Phrase = z
  .string()
  .trim()
  .min(1)
  .max(PHRASE_MAX_LENGTH)
  .regex(PHRASE_PATTERN, 'a phrase needs a letter or digit');

/** Whether the active model knows a phrase well (scoring/phrase-familiarity.ts). */
export const PhraseFamiliarity = z.object({
  phrase: z.string(),
  known: z.boolean(),
  unknownWords: z.array(z.string()),
  unknownWordShare: z.number(),
  nearest: z.object({ text: z.string(), finding: z.string(), similarity: z.number() }).nullable(),
  reason: z.string().nullable(),
});

/** A filesystem path from the renderer: non-empty, bounded, no NUL bytes. */
export const PathString = z
  .string()
  .min(1)
  .max(4096)
  .refine((s) => !s.includes('\0'), 'path contains a NUL byte');

const ModelSummary = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  /** True when the model was trained on RadSift's synthetic phantoms only. */
  trainedOnSyntheticData: z.boolean(),
  intendedUse: z.string(),
  /** The findings the model was taught, as phrases (its bundle's manifest; empty when it does not say). */
  findings: z.array(z.string()),
});

export const ModelState = z.object({
  state: z.enum(['none', 'loading', 'ready', 'failed']),
  error: z.string().optional(),
  /** Ready with the default model because the one chosen could not be loaded: why. */
  warning: z.string().optional(),
});

/** The execution provider a model runs on, and each one tried before it that did not load, with why. */
export const ExecutionProvider = z.object({
  active: z.enum(PROVIDERS),
  fallbacks: z.array(z.object({ name: z.enum(PROVIDERS), reason: z.string() })),
});
export type ExecutionProvider = z.infer<typeof ExecutionProvider>;

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  /** The active model, or null while none is installed or loaded. */
  model: ModelSummary.nullable(),
  /** Whether the active model is loading, ready or failed (and why): what the status bar says while model is null. */
  modelStatus: ModelState,
  /** The execution provider that actually loaded, or null before a session exists. */
  executionProvider: ExecutionProvider.nullable(),
  researchUseNotice: z.string(),
  /** RadSift's first start for this user: the renderer opens the demo study. */
  firstRun: z.boolean(),
  platform: z.string(),
  versions: z.record(z.string(), z.string()),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const ModelListing = z.object({
  dir: z.string(),
  source: z.enum(['bundled', 'user']),
  active: z.boolean(),
  id: z.string().optional(),
  name: z.string().optional(),
  version: z.string().optional(),
  layout: z.string().optional(),
  licence: z.string().optional(),
  intendedUse: z.string().optional(),
  trainedOnSyntheticData: z.boolean().optional(),
  /** Zero-shot scores weigh the whole image with its best patch-grid region (the manifest's regionOffset). */
  scoresRegions: z.boolean().optional(),
  /** The best region's weight against the whole image where regions are scored (1: the best region alone). */
  regionWeight: z.number().min(0).max(1).optional(),
  provenance: z.record(z.string(), z.unknown()).optional(),
  /** Why the folder cannot be used, when it cannot. */
  error: z.string().optional(),
});
export type ModelListing = z.infer<typeof ModelListing>;

const Instance = z.object({
  path: z.string(),
  sopInstanceUID: z.string().optional(),
  instanceNumber: z.number().optional(),
  viewPosition: z.string().optional(),
  rows: z.number().optional(),
  columns: z.number().optional(),
  frames: z.number().optional(),
  transferSyntaxUID: z.string().optional(),
});
const Series = z.object({
  seriesInstanceUID: z.string(),
  seriesNumber: z.number().optional(),
  modality: z.string().optional(),
  description: z.string().optional(),
  instances: z.array(Instance),
});
const Study = z.object({
  studyInstanceUID: z.string(),
  studyDate: z.string().optional(),
  description: z.string().optional(),
  accessionNumber: z.string().optional(),
  series: z.array(Series),
});
export const Catalog = z.object({
  /** What was opened, as shown: a folder, files or a DICOMDIR. */
  source: z.string(),
  /**
   * A stable name for what was opened (the folder or file; for several, a hash of their sorted paths): the
   * key of its example set, the same whenever the same things are opened.
   */
  scope: z.string(),
  patients: z.array(z.object({ patientId: z.string(), patientName: z.string().optional(), studies: z.array(Study) })),
  /** Files that are not DICOM at all (masks, tables, notes): skipped, not failures. */
  skipped: z.array(z.object({ path: z.string(), code: z.string(), reason: z.string() })),
  /** Files that claim to be DICOM but could not be read, each with the reason. */
  failed: z.array(z.object({ path: z.string(), code: z.string(), reason: z.string() })),
  /** For the demo study: its ground-truth labels file, when there is one. */
  labels: z.string().nullable(),
});
export type Catalog = z.infer<typeof Catalog>;

const Progress = z.object({
  seen: z.number(),
  total: z.number().nullable(),
  encoded: z.number(),
  /** Already in the index and unchanged since. */
  unchanged: z.number(),
  /** Files skipped, not failures: not DICOM at all, DICOMDIRs, DICOM objects that hold no image. */
  notDicom: z.number(),
  /** Of `notDicom`: DICOMDIRs. */
  dicomdirs: z.number(),
  /** Of `notDicom`: DICOM objects that hold no image by design (structured reports…), and what they are, sorted. */
  notImages: z.number(),
  notImageKinds: z.array(z.string()),
  failed: z.number(),
  filesPerSecond: z.number(),
  etaSeconds: z.number().nullable(),
});
export const ScreenJob = z.object({
  id: z.string(),
  folder: z.string(),
  phrases: z.array(z.string()),
  /** Example scans the job ranks by (few-shot: its own that the model of `examplesModel` could use, and those
   * confirmed in review), 0 when none; fewer than 4 rests on little. */
  examples: z.number().int(),
  /** The job's own examples left out, and why (a file gone or unreadable when that model encoded them). */
  examplesLeftOut: z.array(z.object({ path: z.string(), reason: z.string() })),
  /** The model (its key, inference/model-key.ts: id@version or sha256:…) whose encoding of the job's own examples
   * the two fields above describe: the one its results were last ranked with, else the one it stored them for;
   * null without examples of its own. */
  examplesModel: z.string().nullable(),
  /** False after a switch to another model until the results are read again, which encodes the examples anew
   * from their files (the figures above then follow, in a screen.job event). */
  examplesModelActive: z.boolean(),
  threshold: z.number(),
  state: z.enum(['running', 'paused', 'interrupted', 'done', 'cancelled', 'failed']),
  message: z.string().nullable(),
  createdAt: z.number(),
  progress: Progress.nullable(),
  flagged: z.number().nullable(),
});
export type ScreenJob = z.infer<typeof ScreenJob>;
export const ScreenRow = z.object({
  path: z.string(),
  sopUid: z.string().nullable(),
  seriesUid: z.string().nullable(),
  studyUid: z.string().nullable(),
  studyDate: z.string().nullable(),
  /** Patient name and ID, accession, view position, series and instance numbers, as the file says. */
  naming: z.record(z.string(), z.union([z.string(), z.number()])).nullable(),
  status: z.enum(['ok', 'failed']),
  error: z.string().nullable(),
  scores: z.array(z.object({ phrase: z.string(), similarity: z.number(), probability: z.number() })),
  exampleSimilarity: z.number().nullable(),
  /** Whether the examples flag it (with counter-examples, not the similarity against the cut alone); absent
   * without examples. */
  exampleFlagged: z.boolean().nullable().optional(),
  /** A job of one phrase beside examples: both scored together, standardised and weighed (phraseAndExamplesWeights;
   * docs/few-shot.md);
   * null for a row without both, absent for other jobs. */
  phraseAndExamples: z.number().nullable().optional(),
  flagged: z.boolean(),
  /** One of the job's own example scans (app jobs; absent otherwise). */
  example: z.boolean().optional(),
  /** A reviewer's mark (screen.review): the finding (it joins the examples) or not (a counter-example). */
  review: z.enum(['finding', 'not']).nullable().optional(),
});

export type ScreenRow = z.infer<typeof ScreenRow>;

/** A CA certificate file as the user sees it: its name and what it says, or why it cannot be used. */
export const CertificateView = z.union([
  z.object({
    file: z.string(),
    subject: z.string(),
    issuer: z.string(),
    validTo: z.string(),
    expired: z.boolean(),
    notYetValid: z.boolean(),
    count: z.number(),
  }),
  z.object({ file: z.string(), error: z.string() }),
]);
/** A configured PACS connection as the renderer sees it: never its secret, only whether one is stored. */
export const PacsConnectionView = z.object({
  connection: connectionSchema,
  hasSecret: z.boolean(),
  /** The CA certificate a DICOMweb connection trusts, null when none. */
  certificate: CertificateView.nullable(),
});
/**
 * A connection as the page sends it: no CA file path (the page never names a file the main process reads;
 * the certificate is chosen in a dialog, `pacs.chooseCertificate`, and named by its `ref`).
 */
const ConnectionInput = z.discriminatedUnion('kind', [
  dicomWebConnectionSchema.omit({ caFile: true }),
  dimseConnectionSchema,
]);
export const PacsConnections = z.object({
  connections: z.array(PacsConnectionView),
  /** "os": passwords are encrypted by the OS for this user; "session": kept until RadSift quits. */
  secretStorage: z.enum(['os', 'session']),
  /** bytes and files: null until the cache has been used in this session (it is not read before). */
  cache: z.object({ dir: z.string(), maxGB: z.number(), bytes: z.number().nullable(), files: z.number().nullable() }),
});
const ConnectionName = z.string().trim().min(1).max(CONNECTION_NAME_MAX_LENGTH);
const Uid = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)*$/)
  .max(64);
export const PacsStudy = z.object({
  studyUid: z.string(),
  patientId: z.string().nullable(),
  patientName: z.string().nullable(),
  accession: z.string().nullable(),
  studyDate: z.string().nullable(),
  studyTime: z.string().nullable(),
  description: z.string().nullable(),
  modalities: z.array(z.string()),
  seriesCount: z.number().nullable(),
  instanceCount: z.number().nullable(),
});
export type PacsStudy = z.infer<typeof PacsStudy>;

/** What an example set belongs to: the source of an opened catalog (a folder, files, a PACS study). */
const ExampleScope = z.string().min(1).max(4096);
export const ExampleSet = z.object({
  scope: z.string(),
  paths: z.array(z.string()),
  /** Below this many examples, screening by them rests on little (the Screening view warns). */
  confidentFrom: z.number().int(),
  /** Examples whose file is gone (moved, deleted, a PACS cache that let it go): left out when screening. */
  missing: z.array(z.string()),
  /** Why the sets start empty this run (their file was damaged and set aside), or null. */
  warning: z.string().nullable(),
});

const DialogFilter = z.object({
  name: z.string().max(200),
  extensions: z.array(z.string().max(20)).max(50),
});

export const methods = {
  /** Version, active model and execution provider, and the research-use notice. */
  'app.info': {
    request: z.object({}).strict(),
    response: AppInfo,
  },
  /** Ask the user for files or a folder. Resolves with the chosen paths; cancelling gives CANCELLED. */
  'dialog.open': {
    request: z
      .object({
        kind: z.enum(['files', 'folder']),
        title: z.string().max(200).optional(),
        filters: z.array(DialogFilter).max(20).optional(),
      })
      .strict(),
    response: z.object({ paths: z.array(PathString) }),
  },
  /** Installed models, the active one's state and the provider it runs on. */
  'models.list': {
    request: z.object({}).strict(),
    response: z.object({
      models: z.array(ModelListing),
      state: ModelState,
      provider: ExecutionProvider.nullable(),
    }),
  },
  /** A listed model's card (card.md), or null when it has none. */
  'models.card': {
    request: z.object({ dir: PathString }).strict(),
    response: z.object({ markdown: z.string().nullable() }),
  },
  /** Make a listed model the active one (loads it; resolves when ready). */
  'models.activate': {
    request: z.object({ dir: PathString }).strict(),
    response: z.object({ id: z.string(), provider: ExecutionProvider }),
  },
  /** Ask the user for a model folder (any supported layout) and add it to the list. */
  'models.addFolder': {
    request: z.object({}).strict(),
    response: z.object({ added: ModelListing }),
  },
  /** Open a folder, DICOM files or a DICOMDIR chosen in a dialog; returns the Patient → Study → Series tree. */
  'studies.open': {
    request: z.object({ kind: z.enum(['folder', 'files']) }).strict(),
    response: Catalog,
  },
  /** Folders and files opened before, newest first. */
  'studies.recent': {
    request: z.object({}).strict(),
    response: z.object({ paths: z.array(z.string()) }),
  },
  /** Open a folder or file from the recent list again (no dialog). */
  'studies.openRecent': {
    request: z.object({ path: PathString }).strict(),
    response: Catalog,
  },
  /** Open files and folders dropped on the window (sent by the preload's openDropped, never by the page). */
  'studies.openDropped': {
    request: z.object({ paths: z.array(PathString).min(1).max(1000) }).strict(),
    response: Catalog,
  },
  /** Open the demo study (synthetic phantoms), generating it on first use. */
  'studies.openDemo': {
    request: z.object({}).strict(),
    response: Catalog,
  },
  /** Header summary of one opened file (for the metadata panel); patient name and ID are left out. */
  'studies.fileInfo': {
    request: z.object({ path: PathString }).strict(),
    response: z.object({ summary: z.record(z.string(), z.unknown()) }),
  },
  /**
   * The grey levels a frame is shown with when the viewer asks for no window: the file's window, its VOI LUT
   * or its value range (voi), and that window (with a VOI LUT: the value range's, where a drag starts).
   */
  'studies.displayWindow': {
    request: z.object({ path: PathString, frame: z.number().int().min(0).max(100_000).optional() }).strict(),
    response: z.object({
      voi: z.enum(['file', 'voi-lut', 'range', 'colour']),
      window: z.object({ center: z.number(), width: z.number() }).nullable(),
    }),
  },
  /** Rank the opened scans by phrases and example scans (weights: + like, − unlike). */
  'query.run': {
    request: z
      .object({
        phrases: z.array(z.object({ text: Phrase, weight: z.number().min(-10).max(10) })).max(20),
        examples: z.array(z.object({ path: PathString, weight: z.number().min(-10).max(10) })).max(50),
        threshold: z.number().min(0).max(1).optional(),
        top: z.number().int().min(1).max(10000).optional(),
      })
      .strict(),
    response: z.object({
      rows: z.array(
        z.object({ path: z.string(), similarity: z.number(), probability: z.number().nullable(), match: z.boolean() }),
      ),
      scans: z.number().int(),
      matches: z.number().int(),
      rule: z.string(),
      /** Whether each row's similarity is a mix's score (phrases and examples each standardised), not a cosine. */
      mixed: z.boolean(),
      failed: z.array(z.object({ path: z.string(), reason: z.string() })),
      /** One per phrase of the query: whether the model knows it well. */
      familiarity: z.array(PhraseFamiliarity),
    }),
  },
  /** Train a linear probe on scans the user labelled; returns its cross-validated AUC and the opened scans ranked. */
  'probe.train': {
    request: z.object({ positives: z.array(PathString).max(5000), negatives: z.array(PathString).max(5000) }).strict(),
    response: z.object({
      auc: z.number().nullable(),
      positives: z.number().int(),
      negatives: z.number().int(),
      /** What it read: the pooled patch embeddings beside the embedding or not; the scans centred on (null: none). */
      features: z.object({ patches: z.boolean(), centredOn: z.number().int().nullable() }),
      rows: z.array(z.object({ path: z.string(), score: z.number() })),
    }),
  },
  /** Stops a Query, Matrix or probe run's encoding, by the jobId of its job.progress events. */
  'index.cancel': {
    request: z.object({ jobId: z.string().max(100) }).strict(),
    response: z.object({ cancelled: z.boolean() }),
  },
  /** Where on one scan a phrase matches (grounding): cosine per patch, and where the grid lies on the image. */
  'query.heatmap': {
    request: z
      .object({
        path: PathString,
        phrase: Phrase,
        frame: z.number().int().min(0).max(100_000).optional(),
      })
      .strict(),
    response: z.object({
      phrase: z.string(),
      grid: z.tuple([z.number().int(), z.number().int()]),
      values: z.array(z.number()),
      box: z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() }),
    }),
  },
  /** The retrieval matrix: every opened scan × every phrase (similarity and zero-shot probability). */
  'matrix.run': {
    request: z.object({ phrases: z.array(Phrase).min(1).max(50) }).strict(),
    response: z.object({
      phrases: z.array(z.string()),
      rows: z.array(z.object({ path: z.string(), similarity: z.array(z.number()), probability: z.array(z.number()) })),
      failed: z.array(z.object({ path: z.string(), reason: z.string() })),
      /** One per phrase column: whether the model knows it well. */
      familiarity: z.array(PhraseFamiliarity),
    }),
  },
  /** Whether the active model knows each phrase well (e.g. before screening for it). */
  'phrases.check': {
    request: z.object({ phrases: z.array(Phrase).min(1).max(50) }).strict(),
    response: z.object({ familiarity: z.array(PhraseFamiliarity) }),
  },
  /** The example scans kept for a study or folder (its catalog's source): the rare-finding workflow. */
  'examples.get': {
    request: z.object({ scope: ExampleScope }).strict(),
    response: ExampleSet,
  },
  /** "Use as example": add an opened scan to the example set of a study or folder. */
  'examples.add': {
    request: z.object({ scope: ExampleScope, path: PathString }).strict(),
    response: ExampleSet,
  },
  'examples.remove': {
    request: z.object({ scope: ExampleScope, path: PathString }).strict(),
    response: ExampleSet,
  },
  /** PACS connections (no secrets), where secrets are kept, and the retrieve cache. */
  'pacs.connections': {
    request: z.object({}).strict(),
    response: PacsConnections,
  },
  /**
   * Add or change a connection (`replaces`: the name it had). `secret`: a new password or token; null forgets
   * it; absent keeps the stored one. `ca` (DICOMweb): "keep" (the default) the certificate the connection
   * had, "none" trusts only the system's CAs, `{ref}` one chosen with `pacs.chooseCertificate`.
   */
  'pacs.saveConnection': {
    request: z
      .object({
        connection: ConnectionInput,
        secret: z.string().min(1).max(8192).nullable().optional(),
        replaces: ConnectionName.optional(),
        ca: z.union([z.enum(['keep', 'none']), z.object({ ref: z.string().uuid() }).strict()]).optional(),
      })
      .strict(),
    response: PacsConnections,
  },
  /**
   * Choose a CA certificate file in a dialog: checked (PEM, readable certificates) and named by a `ref` that
   * `pacs.saveConnection` takes, so the page never names a path. CANCELLED when the user cancels.
   */
  'pacs.chooseCertificate': {
    request: z.object({}).strict(),
    response: z.object({ ref: z.string(), certificate: CertificateView }),
  },
  /**
   * How much retrieved instances may take, and where they are kept: "choose" asks the user for a folder in a
   * dialog (the page never names a path), "default" goes back to the data folder's pacs-cache.
   */
  'pacs.setCache': {
    request: z
      .object({
        maxGB: z.number().min(CACHE_GB_MIN).max(CACHE_GB_MAX).optional(),
        folder: z.enum(['choose', 'default']).optional(),
      })
      .strict(),
    response: PacsConnections,
  },
  'pacs.deleteConnection': {
    request: z.object({ name: ConnectionName }).strict(),
    response: PacsConnections,
  },
  /** Which services of a connection work (QIDO/WADO; C-ECHO/C-FIND/C-GET or C-MOVE), with the server's reason. */
  'pacs.test': {
    request: z.object({ name: ConnectionName }).strict(),
    response: z.object({
      checks: z.array(
        z.object({
          service: z.enum(['QIDO-RS', 'WADO-RS', 'C-ECHO', 'C-FIND', 'C-GET', 'C-MOVE']),
          ok: z.boolean().nullable(),
          detail: z.string(),
        }),
      ),
    }),
  },
  /**
   * One page of studies matching a query. `truncated`: the archive stopped sending matches before the page was
   * full though it holds more (its result limit, or RadSift's bound on a C-FIND); a narrower search reaches them.
   */
  'pacs.search': {
    request: z.object({ name: ConnectionName, query: studyQuerySchema, page: pageSchema }).strict(),
    response: z.object({
      studies: z.array(PacsStudy),
      offset: z.number().int(),
      more: z.boolean(),
      truncated: z.boolean().optional(),
    }),
  },
  /**
   * Start retrieving a study into the cache; progress comes as job.progress events (kind "pacs.retrieve",
   * done/total instances, a final message "done", "cancelled" or "failed: …"). Instances already cached are
   * not retrieved again.
   */
  'pacs.retrieve': {
    request: z.object({ name: ConnectionName, studyUid: Uid }).strict(),
    response: z.object({ jobId: z.string() }),
  },
  'pacs.cancel': {
    request: z.object({ jobId: z.string().max(100) }).strict(),
    response: z.object({ cancelled: z.boolean() }),
  },
  /** A screened PACS instance (a result row's path, the index key) as a file the viewer can show. */
  'pacs.viewInstance': {
    request: z.object({ key: z.string().min(1).max(4096) }).strict(),
    response: z.object({ path: z.string() }),
  },
  /** Open the instances of a study retrieved so far (from the cache) as a catalog, like a folder. */
  'pacs.openStudy': {
    request: z.object({ name: ConnectionName, studyUid: Uid }).strict(),
    response: Catalog,
  },
  /**
   * Start screening for the phrases: a folder chosen in a dialog, or (`pacs`) the studies a query matches on
   * a configured PACS.
   */
  'screen.start': {
    request: z
      .object({
        phrases: z.array(Phrase).max(20),
        threshold: z.number().min(0).max(1).optional(),
        pacs: z.object({ name: ConnectionName, query: studyQuerySchema }).strict().optional(),
        /** Screen with the example set of this scope (examples.get) as well as, or instead of, the phrases. */
        exampleScope: ExampleScope.optional(),
      })
      .strict()
      .refine((r) => r.phrases.length > 0 || r.exampleScope !== undefined, 'give a phrase or an example set'),
    response: ScreenJob,
  },
  'screen.control': {
    request: z.object({ id: z.string().max(100), action: z.enum(['pause', 'resume', 'cancel']) }).strict(),
    response: ScreenJob,
  },
  /** Every screening job, newest first; jobs stopped by a crash or quit show as interrupted. */
  'screen.list': {
    request: z.object({}).strict(),
    response: z.object({ jobs: z.array(ScreenJob) }),
  },
  /**
   * Review a row of a job's results: "finding" adds the scan to the examples the job ranks by, "not" makes it
   * a counter-example that scans like it fall below (docs/few-shot.md); null clears the mark. Results re-rank
   * when read again.
   */
  'screen.review': {
    request: z
      .object({ id: z.string().max(100), path: PathString, mark: z.enum(['finding', 'not']).nullable() })
      .strict(),
    response: z.object({ finding: z.number().int().nonnegative(), not: z.number().int().nonnegative() }),
  },
  'screen.results': {
    request: z
      .object({
        id: z.string().max(100),
        flaggedOnly: z.boolean().optional(),
        /** The rowsToken of the rows the caller holds: if they are still the rows, only what a review changes comes. */
        since: z.string().max(200).optional(),
      })
      .strict(),
    response: z.object({
      /** Every row; null when `since` named these same rows (ranking says what changed). */
      rows: z.array(ScreenRow).nullable(),
      /** With `since`: each row's example similarity and flags, its example mark and review, in the rows' order. */
      ranking: z
        .object({
          exampleSimilarity: z.array(z.number().nullable()),
          exampleFlagged: z.array(z.boolean().nullable()),
          /** A job of one phrase beside examples: each row's phraseAndExamples; null for other jobs. */
          phraseAndExamples: z.array(z.number().nullable()).nullable(),
          flagged: z.array(z.boolean()),
          example: z.array(z.boolean()),
          review: z.array(z.enum(['finding', 'not']).nullable()),
        })
        .nullable(),
      /** Names the rows as read (the index's data, which rows, their order): pass it as `since` to a later read. */
      rowsToken: z.string(),
      /** How many example scans the ranking rests on: the job's and those reviewed as the finding (null: none). */
      exampleCount: z.number().int().nonnegative().nullable(),
      /** How many reviewed scans push the ranking away (counter-examples; they count only beside examples). */
      counterExamples: z.number().int().nonnegative(),
      /** The example similarity that flags a row (a job with examples), so a view can flag again at another threshold. */
      exampleThreshold: z.number().nullable(),
      /** A job of one phrase beside examples: the weights of its phraseAndExamples (each part times its skill on the
       * examples where they are all among the rows: bySkill); null for other jobs. */
      phraseAndExamplesWeights: z
        .object({ phrase: z.number().nonnegative(), examples: z.number().nonnegative(), bySkill: z.boolean() })
        .nullable(),
      /** How many scans the example similarity is centred on (their mean embedding); null: compared as they are. */
      exampleCentredOn: z.number().int().nonnegative().nullable(),
      /** Whether the scans' pooled patch embeddings stand beside their global ones (null without examples). */
      examplePatches: z.boolean().nullable(),
      /** How alike the examples are against random pairs of the scans screened (docs/few-shot.md); null: no
       * examples, or too few to say. */
      exampleCoherence: z
        .object({
          value: z.number(),
          random: z.number(),
          effect: z.number(),
          p: z.number().min(0).max(1),
          alike: z.boolean(),
          undecided: z.boolean(),
        })
        .nullable(),
    }),
  },
} as const;

/** What the application menu asks the renderer to do (the menu lives in the main process). */
export const APP_COMMANDS = ['openFolder', 'openFiles', 'openDemo', 'shortcuts', 'about'] as const;

export const events = {
  /** A menu item was chosen. */
  'app.command': z.object({ command: z.enum(APP_COMMANDS) }),
  /** A screening job changed: progress, state, flagged count. */
  'screen.job': ScreenJob,
  /** The active model started loading, is ready, or failed: renderers refresh app.info. */
  'model.status': ModelState,
  /** Progress of a long-running job (screening, encoding, catalog walk). */
  'job.progress': z.object({
    jobId: z.string(),
    kind: z.string(),
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative().nullable(),
    /** Seconds left at the pace so far, where the job can tell (null: not yet). */
    etaSeconds: z.number().nonnegative().nullable().optional(),
    message: z.string().optional(),
  }),
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Request<M extends MethodName> = z.input<Methods[M]['request']>;
export type Response<M extends MethodName> = z.output<Methods[M]['response']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const METHOD_NAMES = Object.keys(methods) as MethodName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}

/** The channel names used by every transport (IPC, loopback bridge). */
export const CHANNELS = {
  invoke: 'radsift:invoke',
  event: 'radsift:event',
} as const;

export const RESEARCH_USE_NOTICE = 'Research use only — not for clinical decisions.';
