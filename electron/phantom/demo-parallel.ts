/**
 * Writes a phantom set with a pool of worker threads. Each phantom depends
 * only on (seed, index), so workers render in any order and the set-level
 * files are assembled in index order: the output is byte-identical to
 * writeDemo's for the same seed, whatever the worker count.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  finishDemo,
  prepareDemoDirs,
  writeDemo,
  type DemoItem,
  type DemoItemOptions,
  type DemoOptions,
  type DemoSummary,
} from './export.js';

const WORKER_URL = new URL('./demo-item-worker.js', import.meta.url);

export interface ParallelDemoOptions extends DemoOptions {
  /** Worker threads (default: one per core); 1 renders in this thread. */
  workers?: number;
}

type WorkerReply = { index: number; item: DemoItem } | { index: number; error: string };

export function defaultDemoWorkers(count: number): number {
  return Math.max(1, Math.min(availableParallelism(), count));
}

export async function writeDemoParallel(opts: ParallelDemoOptions): Promise<DemoSummary> {
  const { onProgress, workers: requested, ...itemOptions } = opts;
  const workers = Math.min(requested ?? defaultDemoWorkers(opts.count), opts.count);
  if (workers <= 1) return writeDemo(opts);
  prepareDemoDirs(itemOptions);
  const items: DemoItem[] = new Array<DemoItem>(opts.count);
  let next = 0;
  let done = 0;
  const pool: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (error: Error): void => {
        if (failed) return;
        failed = true;
        reject(error);
      };
      const feed = (worker: Worker): void => {
        if (next < opts.count) worker.postMessage(next++);
      };
      for (let w = 0; w < workers; w++) {
        const worker = new Worker(WORKER_URL, { workerData: itemOptions satisfies DemoItemOptions });
        pool.push(worker);
        worker.on('message', (reply: WorkerReply) => {
          if ('error' in reply) return fail(new Error(`phantom ${reply.index}: ${reply.error}`));
          items[reply.index] = reply.item;
          done++;
          onProgress?.(done, opts.count);
          if (done === opts.count) resolve();
          else feed(worker);
        });
        worker.on('error', (error) => fail(error));
        worker.on('exit', (code) => {
          if (done < opts.count) fail(new Error(`phantom worker exited with code ${code}`));
        });
        feed(worker);
      }
    });
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
  return finishDemo(itemOptions, items);
}
