/**
 * Opening a PACS study while it downloads: `pacs.retrieve` starts a job in the main process, its
 * `job.progress` events (kind "pacs.retrieve") say how far it is, and on them, at most every
 * REFRESH_MS and once more at the end, `pacs.openStudy` catalogs what is cached so far: the catalog
 * grows in the Studies tree as images arrive, like an opened folder. One study at a time: opening
 * another one (or a folder) cancels the download and forgets it.
 */
import { useEffect, useRef, useState } from 'react';
import { getApi, type Catalog, type EventPayload } from './api';
import { pacsErrorText, type PacsStudy } from './pacs';

const REFRESH_MS = 500;

export interface Retrieval {
  /** The connection and the study. */
  name: string;
  study: PacsStudy;
  state: 'starting' | 'running' | 'done' | 'cancelled' | 'failed';
  done: number;
  total: number | null;
  /** Why it failed (retrieve or open), as a user reads it. */
  error: string | null;
}

export interface PacsRetrieval {
  retrieval: Retrieval | null;
  /** Retrieves a study and shows it (through `onCatalog`) while it downloads. */
  open: (name: string, study: PacsStudy) => void;
  cancel: () => void;
  /** Stops following the study (and cancels its download): something else was opened. */
  detach: () => void;
  /**
   * No refresh starts until `release` (or `detach`); resolves once the one under way has answered. While
   * something else is being opened, no late pacs.openStudy may replace it (here or in the main process).
   */
  hold: () => Promise<void>;
  release: () => void;
}

type Progress = EventPayload<'job.progress'>;

/** One study being retrieved and shown; it talks to the view only while it is the current one. */
class Job {
  jobId: string | null = null;
  /** Events that came before the job's id did (it is known when pacs.retrieve answers). */
  early: Progress[] = [];
  cancelAsked = false;
  finished = false;
  timer: ReturnType<typeof setTimeout> | null = null;
  refreshing = false;
  /** Another refresh is wanted once the one under way answers. */
  again = false;
  lastRefresh = 0;
  current = true;
  held = false;
  private idle: (() => void)[] = [];

  constructor(
    readonly name: string,
    readonly studyUid: string,
    private readonly update: (change: Partial<Retrieval>) => void,
    private readonly show: (catalog: Catalog) => void,
  ) {}

  start(): void {
    // What is cached already shows at once (all of it, for a study opened before).
    this.refresh();
    getApi()
      .call('pacs.retrieve', { name: this.name, studyUid: this.studyUid })
      .then(
        ({ jobId }) => {
          this.jobId = jobId;
          const early = this.early.filter((p) => p.jobId === jobId);
          this.early = [];
          if (this.cancelAsked) this.stop();
          for (const p of early) this.handle(p);
        },
        (e: unknown) => {
          this.finished = true;
          this.update({ state: 'failed', error: pacsErrorText(e) });
        },
      );
  }

  /** A job.progress event of kind pacs.retrieve. */
  event(p: Progress): void {
    if (this.jobId === null) {
      if (this.early.length < 10_000) this.early.push(p);
    } else if (p.jobId === this.jobId) this.handle(p);
  }

  private handle(p: Progress): void {
    if (this.finished) return;
    const message = p.message ?? '';
    const failed = message.startsWith('failed');
    if (message === 'done' || message === 'cancelled' || failed) {
      this.finished = true;
      this.update({
        state: failed ? 'failed' : message === 'done' ? 'done' : 'cancelled',
        done: p.done,
        ...(p.total !== null ? { total: p.total } : {}),
        ...(failed ? { error: message.replace(/^failed:\s*/, '') } : {}),
      });
      // The last word, whatever the end: what is in the cache now.
      this.refresh();
      return;
    }
    this.update({ state: 'running', done: p.done, total: p.total });
    this.schedule();
  }

  /** A refresh now, or once REFRESH_MS have passed since the last one. */
  private schedule(): void {
    if (this.refreshing || this.held) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    const wait = this.lastRefresh + REFRESH_MS - Date.now();
    if (wait <= 0) this.refresh();
    else this.timer = setTimeout(() => this.refresh(), wait);
  }

  private refresh(): void {
    if (!this.current) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.refreshing || this.held) {
      this.again = true;
      return;
    }
    this.refreshing = true;
    this.lastRefresh = Date.now();
    getApi()
      .call('pacs.openStudy', { name: this.name, studyUid: this.studyUid })
      .then(
        (c) => {
          if (this.current) this.show({ ...c, source: `${this.name} (PACS)` });
        },
        (e: unknown) => this.update({ error: pacsErrorText(e) }),
      )
      .finally(() => {
        this.refreshing = false;
        for (const resolve of this.idle.splice(0)) resolve();
        this.catchUp();
      });
  }

  /** The refresh that was wanted meanwhile, if any. */
  private catchUp(): void {
    if (!this.again || this.held) return;
    this.again = false;
    if (this.finished) this.refresh();
    else this.schedule();
  }

  hold(): Promise<void> {
    this.held = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.again = true;
    }
    return this.refreshing ? new Promise((resolve) => this.idle.push(resolve)) : Promise.resolve();
  }

  release(): void {
    this.held = false;
    this.catchUp();
  }

  stop(): void {
    if (this.finished) return;
    if (this.jobId === null) this.cancelAsked = true;
    else
      void getApi()
        .call('pacs.cancel', { jobId: this.jobId })
        .catch(() => undefined);
  }

  detach(): void {
    this.stop();
    this.current = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const resolve of this.idle.splice(0)) resolve();
  }
}

export function usePacsRetrieval(onCatalog: (catalog: Catalog | null) => void): PacsRetrieval {
  const [retrieval, setRetrieval] = useState<Retrieval | null>(null);
  const job = useRef<Job | null>(null);
  const show = useRef(onCatalog);
  show.current = onCatalog;

  useEffect(
    () =>
      getApi().on('job.progress', (p) => {
        if (p.kind === 'pacs.retrieve') job.current?.event(p);
      }),
    [],
  );

  // Closing the window stops a download nobody would see.
  useEffect(() => () => job.current?.detach(), []);

  // The functions are made once: they read the job through the ref.
  const [api] = useState(() => {
    const detach = () => {
      job.current?.detach();
      job.current = null;
      setRetrieval(null);
    };
    return {
      detach,
      cancel: () => job.current?.stop(),
      hold: async () => job.current?.hold(),
      release: () => job.current?.release(),
      open: (name: string, study: PacsStudy) => {
        detach();
        const j: Job = new Job(
          name,
          study.studyUid,
          (change) => {
            if (j.current) setRetrieval((r) => r && { ...r, ...change });
          },
          (catalog) => show.current(catalog),
        );
        job.current = j;
        // Nothing of what was open before shows under the new study while its first catalog is on the way.
        show.current(null);
        setRetrieval({ name, study, state: 'starting', done: 0, total: study.instanceCount, error: null });
        j.start();
      },
    };
  });

  return { retrieval, ...api };
}
