/**
 * Main-thread side of the fuzz harness: feeds case numbers to a worker and
 * watches the clock. A case that takes longer than the limit is a hang: the
 * worker is terminated and a fresh one continues with the next case. A worker
 * that dies (e.g. out of memory) counts as a crash of its current case.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FuzzOutcome } from './fuzz-worker.js';

export interface FuzzReport {
  cases: number;
  images: number;
  errors: Record<string, number>;
  crashes: Array<{ id: number; reason: string }>;
  hangs: number[];
  seconds: number;
}

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fuzz-worker.js');

export async function runFuzz(corpus: string, first: number, count: number, perCaseMs: number): Promise<FuzzReport> {
  const started = performance.now();
  const report: FuzzReport = { cases: 0, images: 0, errors: {}, crashes: [], hangs: [], seconds: 0 };
  let next = first;
  const end = first + count;
  while (next < end) {
    next = await runWorker(corpus, next, end, perCaseMs, report);
  }
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

/** Runs cases [from, end) in one worker until done or it hangs/dies; returns the next case to run. */
function runWorker(corpus: string, from: number, end: number, perCaseMs: number, report: FuzzReport): Promise<number> {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER, { workerData: { corpus }, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
    let current = from;
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = (nextCase: number) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(nextCase);
    };
    // The first case also pays for loading the seeds and the codecs.
    const arm = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        report.cases++;
        report.hangs.push(current);
        finish(current + 1);
      }, ms);
    };
    worker.on('message', (outcome: FuzzOutcome) => {
      report.cases++;
      if (outcome.kind === 'image') report.images++;
      else if (outcome.kind === 'error') report.errors[outcome.code] = (report.errors[outcome.code] ?? 0) + 1;
      else report.crashes.push({ id: outcome.id, reason: `${outcome.seed} ${outcome.mutation}: ${outcome.message}` });
      current = outcome.id + 1;
      if (current >= end) finish(current);
      else arm(perCaseMs);
    });
    worker.on('error', (error) => {
      report.cases++;
      report.crashes.push({ id: current, reason: `worker died: ${error.message}` });
      finish(current + 1);
    });
    worker.on('exit', () => finish(current));
    arm(perCaseMs + 10_000);
    worker.postMessage(Array.from({ length: end - from }, (_, i) => from + i));
  });
}
