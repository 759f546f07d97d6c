/**
 * Opening studies for the app: catalog what the user chose (folders, files,
 * DICOMDIRs), the demo study (generated once, in a worker, into the data
 * folder), and per-file header summaries. Everything opened becomes an allowed
 * root for the scan:// protocol; anything else is refused.
 */
import type { Stats } from 'node:fs';
import { access, realpath, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import {
  CatalogBuilder,
  catalogDicomdir,
  catalogFile,
  walkFiles,
  type Catalog as DicomCatalog,
} from '../dicom/catalog.js';
import { summarizeFile } from '../dicom/summary.js';
import type { SettingsStore } from '../app/app-settings.js';
import type { AllowedRoots } from '../security/allowed-roots.js';
import type { Catalog } from './contract.js';
import { ApiError } from './errors.js';
import { openOpenedFile, type OpenedFile } from './opened-file.js';
import { isInside } from '../util/path-inside.js';
import type { StudyCatalog } from './services.js';
import { defaultDemoWorkers, writeDemoParallel } from '../phantom/demo-parallel.js';

/** The demo study: small enough to generate in seconds, big enough to query and screen. */
export const DEMO = { count: 24, seed: 2026, size: 1024, folder: 'demo-study' } as const;
const DEMO_SIDECARS = /(^|[\\/])(masks[\\/].*|labels\.csv|reports\.jsonl|\.complete)$/;

/** How many opened folders/files the Studies view offers again. */
const RECENT_MAX = 10;

/**
 * What was given to open, each once and as a plain path: a path given twice, with a trailing separator, through a
 * link to another one given, or inside a folder also given was catalogued twice (its scans listed twice) and
 * remembered twice in the recent list, and a trailing separator made another scope (its example set apart).
 * In the order given; NOT_FOUND names the first path that is not there.
 */
async function distinctInputs(paths: readonly string[]): Promise<{ path: string; info: Stats }[]> {
  const found: { path: string; info: Stats; real: string }[] = [];
  for (const given of paths) {
    const p = path.resolve(given);
    const info = await stat(p).catch(() => null);
    if (!info) throw new ApiError('NOT_FOUND', `${path.basename(p)} does not exist or cannot be read`);
    found.push({ path: p, info, real: await realpath(p).catch(() => p) });
  }
  const folders = found.filter((f) => f.info.isDirectory());
  const seen = new Set<string>();
  return found.filter((f) => {
    if (seen.has(f.real)) return false;
    seen.add(f.real);
    return !folders.some((d) => d.real !== f.real && isInside(d.real, f.real));
  });
}

export class StudyService implements StudyCatalog {
  constructor(
    private readonly dataDir: string,
    private readonly roots: AllowedRoots,
    /** Remembers what was opened (the recent list); none in tests that do not need it. */
    private readonly settings?: SettingsStore,
  ) {}

  recent(): string[] {
    return this.settings?.get().recent ?? [];
  }

  /** Opens a path again from the recent list; anything not on it is refused (the renderer names it). */
  async openRecent(target: string, onProgress: (done: number, message: string) => void): Promise<Catalog> {
    if (!this.recent().includes(target)) throw new ApiError('FORBIDDEN', 'That path is not in the recent list');
    if (!(await stat(target).catch(() => null))) {
      await this.settings?.update((s) => ({ ...s, recent: s.recent.filter((p) => p !== target) }));
      throw new ApiError('NOT_FOUND', `${path.basename(target)} no longer exists; it was removed from the list`);
    }
    return this.open([target], onProgress);
  }

  /** `remember`: add the paths to the recent list (not for the demo study, which has its own button). */
  async open(given: string[], onProgress: (done: number, message: string) => void, remember = true): Promise<Catalog> {
    const builder = new CatalogBuilder();
    const extra: DicomCatalog[] = [];
    let done = 0;
    const opened = await distinctInputs(given);
    const paths = opened.map((o) => o.path);
    for (const { path: p, info } of opened) {
      // What may be shown as images: a folder opened, a DICOMDIR's folder (its records name files in it), or a
      // file alone (not its folder: opening ~/x.dcm must not open every image under ~ to the renderer).
      const dicomdir = !info.isDirectory() && path.basename(p).toUpperCase() === 'DICOMDIR';
      await this.roots.add(info.isDirectory() ? p : dicomdir ? path.dirname(p) : p);
      if (info.isDirectory()) {
        // A subfolder that cannot be opened is listed as failed, like a file that cannot be read.
        for await (const file of walkFiles(p, (folder, error) => builder.skip(folder, error))) {
          await catalogFile(builder, file);
          if (++done % 50 === 0) onProgress(done, `${done.toLocaleString('en-US')} files read`);
        }
      } else if (dicomdir) {
        extra.push(await catalogDicomdir(p));
      } else {
        await catalogFile(builder, p);
        done++;
      }
    }
    onProgress(done, `${done.toLocaleString('en-US')} files read`);
    if (remember)
      await this.settings?.update((s) => ({
        ...s,
        recent: [...paths, ...s.recent.filter((p) => !paths.includes(p))].slice(0, RECENT_MAX),
      }));
    const built = builder.build();
    // A DICOMDIR met while walking lists files that were walked too: nothing more to add.
    for (const c of extra) {
      built.patients.push(...c.patients);
      built.skipped.push(...c.skipped);
      built.failed.push(...c.failed);
    }
    return {
      source: paths.length === 1 ? paths[0]! : `${paths.length} items`,
      scope:
        paths.length === 1
          ? paths[0]!
          : `items:${createHash('sha256')
              .update([...paths].sort().join('\0'))
              .digest('hex')
              .slice(0, 16)}`,
      patients: built.patients,
      skipped: built.skipped,
      failed: built.failed,
      labels: null,
    };
  }

  async openDemo(onProgress: (done: number, total: number | null, message: string) => void): Promise<Catalog> {
    const dir = path.join(this.dataDir, DEMO.folder);
    const complete = path.join(dir, '.complete');
    const ready = await access(complete).then(
      () => true,
      () => false,
    );
    if (!ready) {
      await generateDemo(dir, (done, total) => onProgress(done, total, `generating demo scan ${done} of ${total}`));
      await writeFile(complete, `${JSON.stringify(DEMO)}\n`);
    }
    const catalog = await this.open([dir], (done, message) => onProgress(done, null, message), false);
    return {
      ...catalog,
      source: 'Demo study (synthetic phantoms)',
      skipped: catalog.skipped.filter((s) => !DEMO_SIDECARS.test(path.relative(dir, s.path))),
      labels: path.join(dir, 'labels.csv'),
    };
  }

  async fileInfo(file: string): Promise<Record<string, unknown>> {
    // Read through the file opened and checked, not by its path again: by then the path may lead outside the
    // opened folders (opened-file.ts). A FIFO or a folder is never read: its summary says why.
    let opened: OpenedFile;
    try {
      opened = await openOpenedFile(this.roots, file);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      return { ...(await summarizeFile(file, 0, () => Promise.reject(error))) };
    }
    try {
      return { ...(await summarizeFile(opened.path, 0, opened.read)) };
    } finally {
      await opened.close();
    }
  }
}

/** Phantom rendering is CPU-bound: it runs in worker threads (at least one, never this thread). */
async function generateDemo(dir: string, onProgress: (done: number, total: number) => void): Promise<void> {
  try {
    await writeDemoParallel({
      dir,
      count: DEMO.count,
      seed: DEMO.seed,
      size: DEMO.size,
      workers: defaultDemoWorkers(DEMO.count),
      inThread: false,
      onProgress,
    });
  } catch (error) {
    throw new ApiError('INTERNAL', `the demo study could not be written: ${(error as Error).message}`);
  }
}
