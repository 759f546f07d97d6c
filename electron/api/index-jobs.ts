/**
 * The encoding runs behind Query, Matrix and the linear probe. Each reports `job.progress` under an id of its
 * own, and `index.cancel` stops it by that id: what it encoded so far stays in the index, so the next run
 * encodes only the rest (indexFolder commits batch by batch).
 */
import { randomUUID } from 'node:crypto';
import type { HandlerContext } from './dispatch.js';
import type { ScreenProgress } from '../screening/screen-job.js';

export type IndexWork<T> = (onProgress: (p: ScreenProgress) => void, signal: AbortSignal) => Promise<T>;

export class IndexJobs {
  readonly #running = new Map<string, AbortController>();

  /** Runs `work` as one job: its progress goes out as `job.progress` events of kind "index". */
  async run<T>(ctx: HandlerContext, work: IndexWork<T>): Promise<T> {
    const jobId = `index-${randomUUID()}`;
    const controller = new AbortController();
    this.#running.set(jobId, controller);
    const onProgress = (p: ScreenProgress) =>
      ctx.emit('job.progress', {
        jobId,
        kind: 'index',
        done: p.encoded + p.unchanged + p.failed + p.notDicom,
        total: p.total,
        etaSeconds: p.etaSeconds === null ? null : Math.round(p.etaSeconds),
        message: `encoding scans with the model: ${p.encoded} new, ${p.unchanged} already encoded, ${p.failed} failed`,
      });
    try {
      return await work(onProgress, controller.signal);
    } finally {
      this.#running.delete(jobId);
    }
  }

  /** Stops a running job; false when no job has that id (it ended, or never was). */
  cancel(jobId: string): boolean {
    const controller = this.#running.get(jobId);
    controller?.abort();
    return controller !== undefined;
  }

  /** How many jobs are running (tests). */
  get size(): number {
    return this.#running.size;
  }
}
