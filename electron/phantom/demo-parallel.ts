/**
 * Writes a phantom set with a pool of worker threads. Each phantom depends
 * only on (seed, index), so workers render in any order and the set-level
 * files are assembled in index order: the output is byte-identical to
 * writeDemo's for the same seed, whatever the worker count.
 */
import { availableParallelism } from 'node:os';
import { WorkerPool } from '../util/worker-pool.js';
import {
  finishDemo,
  prepareDemoDirs,
  writeDemo,
  type DemoItem,
  type DemoItemOptions,
  type DemoOptions,
  type DemoSummary,
} from './export.js';

export interface ParallelDemoOptions extends DemoOptions {
  /** Worker threads (default: one per core). */
  workers?: number;
  /** With one worker, render in this thread (default true; the app passes false to keep its main thread free). */
  inThread?: boolean;
}

export function defaultDemoWorkers(count: number): number {
  return Math.max(1, Math.min(availableParallelism(), count));
}

export async function writeDemoParallel(opts: ParallelDemoOptions): Promise<DemoSummary> {
  const { onProgress, workers: requested, inThread = true, ...itemOptions } = opts;
  const workers = Math.max(1, Math.min(requested ?? defaultDemoWorkers(opts.count), opts.count));
  if (workers <= 1 && inThread) return writeDemo(opts);
  prepareDemoDirs(itemOptions);
  const pool = new WorkerPool<number, DemoItem>({
    url: new URL('./demo-item-worker.js', import.meta.url),
    size: workers,
    workerData: itemOptions satisfies DemoItemOptions,
    error: (f) => new Error(f.kind === 'failed' ? f.message : `phantom worker: ${f.message}`),
  });
  let done = 0;
  try {
    // The pool feeds each worker the next index as it finishes one; any failure stops the set.
    const items = await Promise.all(
      Array.from({ length: opts.count }, (_, index) =>
        pool.run(index).then(
          (item) => {
            onProgress?.(++done, opts.count);
            return item;
          },
          (error: Error) => {
            throw new Error(`phantom ${index}: ${error.message}`);
          },
        ),
      ),
    );
    return finishDemo(itemOptions, items);
  } finally {
    await pool.close();
  }
}
