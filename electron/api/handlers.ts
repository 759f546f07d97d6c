/**
 * The API handlers: one function per contract method, over the services.
 * No Electron imports here (main.ts binds these to ipcMain; tests to a bridge).
 */
import { MIN_CONFIDENT_EXAMPLES } from '../scoring/example-profile.js';
import path from 'node:path';
import { stat } from 'node:fs/promises';
import { ApiError } from './errors.js';
import { withOpenedFile } from './opened-file.js';
import { readHeader } from '../dicom/catalog.js';
import { DicomError } from '../dicom/errors.js';
import { distinctFiles } from '../util/distinct-files.js';
import { RESEARCH_USE_NOTICE, type Catalog } from './contract.js';
import type { HandlerContext, Handlers } from './dispatch.js';
import type { Services } from './services.js';
import { folderIdentity } from '../security/folder-identity.js';
import { IndexJobs } from './index-jobs.js';

/** A regular file (not a folder, a FIFO or a device), following links; false when it cannot be looked at. */
const isFile = (file: string) =>
  stat(file).then(
    (s) => s.isFile(),
    () => false,
  );

export function createHandlers(services: Services): Handlers {
  /** The set as the views show it: which of its files are gone, and why it may have started empty. */
  const exampleSet = async (scope: string, paths: string[]) => {
    const present = await Promise.all(paths.map(isFile));
    return {
      scope,
      paths,
      confidentFrom: MIN_CONFIDENT_EXAMPLES,
      missing: paths.filter((_, i) => !present[i]),
      warning: services.examples.warning,
    };
  };
  /** Query, Matrix and probe runs encoding the opened scans, which index.cancel can stop. */
  const indexJobs = new IndexJobs();
  /** Screening jobs whose folder is added (or being added) to the allowed roots in this run (screen.results). */
  const rootsAdded = new Map<string, Promise<void>>();
  /** Catalogs what was chosen (with progress events) and makes it the collection queries run over. */
  async function openCatalog(
    ctx: HandlerContext,
    open: (progress: (done: number, message: string) => void) => Promise<Catalog>,
  ): Promise<Catalog> {
    const jobId = `catalog-${Date.now()}`;
    const catalog = await open((done, message) =>
      ctx.emit('job.progress', { jobId, kind: 'catalog', done, total: null, message }),
    );
    services.collection.setFiles(instancePaths(catalog));
    return catalog;
  }

  return {
    'app.info': () => ({
      name: services.identity.name,
      version: services.identity.version,
      platform: services.identity.platform,
      versions: services.identity.versions,
      model: services.models.active(),
      modelStatus: services.models.state(),
      executionProvider: services.models.executionProvider(),
      researchUseNotice: RESEARCH_USE_NOTICE,
      firstRun: services.identity.firstRun ?? false,
    }),

    'dialog.open': async (req) => {
      const paths = await services.dialog.open(req);
      if (paths.length === 0) throw new ApiError('CANCELLED', 'No file or folder was chosen');
      // Whatever the user picked through the dialog may be shown as images.
      for (const p of paths) await services.roots.add(p);
      return { paths };
    },

    'studies.open': async (req, ctx) => {
      const paths = await services.dialog.open(
        req.kind === 'folder'
          ? { kind: 'folder', title: 'Open a folder of DICOM files' }
          : { kind: 'files', title: 'Open DICOM files or a DICOMDIR' },
      );
      if (paths.length === 0) throw new ApiError('CANCELLED', 'Nothing was chosen');
      return openCatalog(ctx, (progress) => services.studies.open(paths, progress));
    },

    'studies.recent': () => ({ paths: services.studies.recent() }),

    'studies.openDropped': (req, ctx) => openCatalog(ctx, (progress) => services.studies.open(req.paths, progress)),

    'studies.openRecent': (req, ctx) => openCatalog(ctx, (progress) => services.studies.openRecent(req.path, progress)),

    'studies.openDemo': async (_req, ctx) => {
      const jobId = `demo-${Date.now()}`;
      const catalog = await services.studies.openDemo((done, total, message) =>
        ctx.emit('job.progress', { jobId, kind: 'demo', done, total, message }),
      );
      services.collection.setFiles(instancePaths(catalog));
      return catalog;
    },

    'query.run': (req, ctx) =>
      indexJobs.run(ctx, (progress, signal) => services.collection.query(req, progress, signal)),

    'matrix.run': (req, ctx) =>
      indexJobs.run(ctx, (progress, signal) => services.collection.matrix(req.phrases, progress, signal)),

    'index.cancel': (req) => ({ cancelled: indexJobs.cancel(req.jobId) }),
    'phrases.check': async (req) => ({ familiarity: await services.models.checkPhrases(req.phrases) }),

    'query.heatmap': (req) =>
      withOpenedFile(services.roots, req.path, (file) => services.collection.heatmap(file, req.phrase, req.frame ?? 0)),

    'probe.train': (req, ctx) =>
      indexJobs.run(ctx, (progress, signal) =>
        services.collection.probe(req.positives, req.negatives, progress, signal),
      ),

    'examples.get': async (req) => exampleSet(req.scope, await services.examples.get(req.scope)),
    'examples.add': async (req) => {
      // Checked now, not when a screening first encodes it: a report, a mask or an SR document is no example. Read
      // from the file opened and checked, not by its path again, which may lead elsewhere by now (opened-file.ts).
      const image = await withOpenedFile(services.roots, req.path, (file) => readHeader(file.handle)).then(
        (parsed) => (parsed.dataSet.elements.x00280010 ? null : 'it holds no image'),
        (error: unknown) => {
          if (error instanceof ApiError) throw error;
          // A folder, a FIFO, a device: refused by the open, never read.
          if ((error as { cause?: { code?: unknown } }).cause?.code === 'EFTYPE')
            throw new ApiError('BAD_REQUEST', 'Only a scan file can be an example');
          return error instanceof DicomError ? error.message : String(error);
        },
      );
      if (image !== null) throw new ApiError('BAD_REQUEST', `Only a DICOM image can be an example: ${image}`);
      // Kept by the name the views know it by (the catalog's), in one spelling: "a/./b" and "a/b" are one example.
      return exampleSet(req.scope, await services.examples.add(req.scope, path.normalize(req.path)));
    },
    'examples.remove': async (req) => exampleSet(req.scope, await services.examples.remove(req.scope, req.path)),

    'pacs.connections': () => services.pacs.list(),
    'pacs.saveConnection': async (req) => {
      await services.pacs.save(req.connection, req.secret, req.replaces, req.ca);
      return services.pacs.list();
    },
    'pacs.chooseCertificate': async () => {
      const [file] = await services.dialog.open({
        kind: 'file',
        title: 'Choose the CA certificate to trust',
        filters: [{ name: 'PEM certificates', extensions: ['pem', 'crt', 'cer'] }],
      });
      if (!file) throw new ApiError('CANCELLED', 'No certificate was chosen');
      return services.pacs.chooseCertificate(file);
    },
    'pacs.setCache': async (req) => {
      let dir: string | null | undefined;
      if (req.folder === 'default') dir = null;
      if (req.folder === 'choose') {
        [dir] = await services.dialog.open({ kind: 'folder', title: 'Choose a folder for retrieved PACS studies' });
        if (!dir) throw new ApiError('CANCELLED', 'No folder was chosen');
      }
      await services.pacs.setCache({
        ...(dir !== undefined ? { dir } : {}),
        ...(req.maxGB !== undefined ? { maxGB: req.maxGB } : {}),
      });
      return services.pacs.list();
    },
    'pacs.deleteConnection': async (req) => {
      await services.pacs.remove(req.name);
      return services.pacs.list();
    },
    'pacs.test': (req) => services.pacs.test(req.name),
    'pacs.search': (req) => services.pacs.search(req.name, req.query, req.page),
    'pacs.retrieve': (req) => ({ jobId: services.pacs.retrieve(req.name, req.studyUid) }),
    'pacs.cancel': (req) => ({ cancelled: services.pacs.cancel(req.jobId) }),
    'pacs.viewInstance': async (req) => {
      const file = await services.pacs.viewInstance(req.key);
      await services.roots.add(file); // the instance alone, not the cache folder it lies in
      return { path: file };
    },
    'pacs.openStudy': async (req, ctx) => {
      const folder = await services.pacs.studyFolder(req.name, req.studyUid);
      return openCatalog(ctx, (progress) => services.studies.open([folder], progress, false));
    },

    'screen.start': async (req) => {
      // One file added under two names (a link) counts once: the same scan twice would look like a likeness.
      const examples =
        req.exampleScope !== undefined ? await distinctFiles(await services.examples.get(req.exampleScope)) : [];
      if (req.exampleScope !== undefined && !examples.length)
        throw new ApiError('BAD_REQUEST', 'That example set is empty: use "Use as example" on a scan first');
      // Some gone: the job leaves them out when it runs, and says which. All gone: no job to start.
      if (examples.length && !(await Promise.all(examples.map(isFile))).some(Boolean))
        throw new ApiError(
          'BAD_REQUEST',
          `None of the example set's ${examples.length} scans can be read (moved or deleted?): take them out of the set, or add others`,
        );
      if (req.pacs) return services.screening.start('', req.phrases, req.threshold, req.pacs, examples);
      const [folder] = await services.dialog.open({ kind: 'folder', title: 'Choose a folder to screen' });
      if (!folder) throw new ApiError('CANCELLED', 'No folder was chosen');
      await services.roots.add(folder);
      const identity = await folderIdentity(folder);
      return services.screening.start(folder, req.phrases, req.threshold, undefined, examples, identity);
    },

    'screen.control': (req) => services.screening.control(req.id, req.action),

    'screen.list': () => ({ jobs: services.screening.list() }),

    'screen.results': async (req) => {
      // A job's folder was chosen in a dialog when the job started, perhaps in an earlier run of the app: its
      // rows may be shown as images now too (roots are not kept across runs), while it is still the folder chosen
      // then (screening.trustedFolder: not what a link put in its place names). A PACS job's rows are added as
      // they are retrieved (pacs.viewInstance). Once a job and run: a review re-reads the results at each mark.
      // A folder gone or changed since is left out (its rows fail to open).
      let adding = rootsAdded.get(req.id);
      if (!adding) {
        adding = services.screening.trustedFolder(req.id).then((folder) => {
          if (!folder) throw new Error('not the folder chosen, or not there now');
          // By its real path and the name it was chosen by (a link, perhaps), which the rows' images are asked by.
          services.roots.addChecked(folder.real, folder.chosen);
        });
        rootsAdded.set(req.id, adding);
        // A drive not mounted yet (or a PACS job, a folder replaced): asked again at the next read.
        adding.catch(() => rootsAdded.delete(req.id));
      }
      await adding.catch(() => undefined);
      return services.screening.results(req.id, req.flaggedOnly ?? false, req.since);
    },

    'screen.review': (req) => services.screening.review(req.id, req.path, req.mark),

    'studies.fileInfo': async (req) => ({ summary: await services.studies.fileInfo(req.path) }),

    'studies.displayWindow': (req) =>
      withOpenedFile(services.roots, req.path, (file) => services.displays.get(file, req.frame ?? 0)),

    'models.list': async () => ({
      models: await services.models.list(),
      state: services.models.state(),
      provider: services.models.executionProvider(),
    }),

    'models.card': async (req) => ({ markdown: await services.models.card(req.dir) }),

    'models.activate': (req) => services.models.activate(req.dir),

    'models.addFolder': async () => {
      const [dir] = await services.dialog.open({ kind: 'folder', title: 'Choose a model folder' });
      if (!dir) throw new ApiError('CANCELLED', 'No folder was chosen');
      return { added: await services.models.addFolder(dir) };
    },
  };
}

function instancePaths(catalog: Catalog): string[] {
  return catalog.patients.flatMap((p) =>
    p.studies.flatMap((s) => s.series.flatMap((se) => se.instances.map((i) => i.path))),
  );
}
