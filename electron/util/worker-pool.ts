/**
 * The one worker-thread pool: typed requests and replies, transfer lists, a per-job time limit,
 * cancellation, crash replacement and an orderly close. Each worker runs one job at a time, in the
 * order they were asked for; a worker that dies (a native crash, an out-of-memory kill) or runs past
 * the time limit fails its job and is replaced by a fresh one before the next job. Used by the decode
 * pool, the encoder, the phantom writer and (through it) the demo study.
 *
 * The worker side is `serveJobs(handle)`: its replies carry the value or the thrown error's `code`,
 * message and `detail` (util/coded-error.ts), which the pool turns back into the caller's error type (`options.error`).
 */
import { parentPort, Worker, type ResourceLimits, type Transferable } from 'node:worker_threads';

/** Why a job failed, for `WorkerPoolOptions.error`. */
export type JobFailure =
  | { kind: 'failed'; code: string; message: string; detail?: string } // the worker threw: its error's code…
  | { kind: 'crashed'; message: string } // the worker died with the job
  | { kind: 'timeout'; message: string }
  | { kind: 'cancelled'; message: string }
  | { kind: 'closed'; message: string };

export interface WorkerPoolOptions {
  /** The worker module; it calls serveJobs. */
  url: URL;
  /** Workers at most (at least 1). */
  size: number;
  workerData?: unknown;
  resourceLimits?: ResourceLimits;
  /** Start every worker now instead of at the first job (warm codecs before the work arrives). */
  eager?: boolean;
  /** A job running longer fails and its worker is replaced (default: no limit). */
  timeoutMs?: number;
  /** The error a failed job rejects with. */
  error: (failure: JobFailure) => Error;
  /** Called when a worker died or was replaced for running past the limit (state it held is gone). */
  onWorkerLost?: () => void;
}

export interface RunOptions {
  /** Buffers moved to the worker instead of copied. */
  transfer?: readonly Transferable[];
  /** Aborting fails the job; a running job's worker is ended and replaced. */
  signal?: AbortSignal;
}

type Reply<Res> =
  { id: number; ok: true; value: Res } | { id: number; ok: false; code: string; message: string; detail?: string };

interface Job<Req, Res> {
  id: number;
  request: Req;
  transfer: readonly Transferable[];
  resolve: (value: Res) => void;
  reject: (error: Error) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Slot<Req, Res> {
  worker: Worker | null;
  job?: Job<Req, Res>;
  timer?: NodeJS.Timeout;
}

export class WorkerPool<Req, Res> {
  readonly #options: WorkerPoolOptions;
  readonly #slots: Slot<Req, Res>[];
  readonly #queue: Job<Req, Res>[] = [];
  #next = 1;
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#slots = Array.from({ length: Math.max(1, options.size) }, () => ({ worker: null }));
    if (options.eager) for (const slot of this.#slots) slot.worker = this.#spawn(slot);
  }

  get size(): number {
    return this.#slots.length;
  }

  run(request: Req, options: RunOptions = {}): Promise<Res> {
    if (this.#closed)
      return Promise.reject(this.#options.error({ kind: 'closed', message: 'the worker pool is closed' }));
    if (options.signal?.aborted) return Promise.reject(this.#cancelled());
    return new Promise<Res>((resolve, reject) => {
      const job: Job<Req, Res> = {
        id: this.#next++,
        request,
        transfer: options.transfer ?? [],
        resolve,
        reject,
        signal: options.signal,
      };
      if (job.signal) {
        job.onAbort = () => this.#cancel(job);
        job.signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.#queue.push(job);
      this.#dispatch();
    });
  }

  /** Fails queued and running jobs, then ends every worker. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = () => this.#options.error({ kind: 'closed', message: 'the worker pool was closed' });
    for (const job of this.#queue.splice(0)) this.#settle(job, closed());
    await Promise.all(
      this.#slots.map((slot) => {
        if (slot.job) this.#settle(slot.job, closed());
        this.#release(slot);
        const worker = slot.worker;
        slot.worker = null;
        return worker?.terminate();
      }),
    );
  }

  /** Ends worker `index` as a crash would (for tests of crash replacement). */
  killWorker(index = 0): void {
    void this.#slots[index]?.worker?.terminate();
  }

  #spawn(slot: Slot<Req, Res>): Worker {
    const worker = new Worker(this.#options.url, {
      workerData: this.#options.workerData,
      ...(this.#options.resourceLimits ? { resourceLimits: this.#options.resourceLimits } : {}),
    });
    worker.on('message', (reply: Reply<Res>) => {
      const job = slot.job;
      if (slot.worker !== worker || !job || job.id !== reply.id) return;
      this.#release(slot);
      if (reply.ok) this.#settle(job, null, reply.value);
      else
        this.#settle(
          job,
          this.#options.error({
            kind: 'failed',
            code: reply.code,
            message: reply.message,
            ...(reply.detail !== undefined ? { detail: reply.detail } : {}),
          }),
        );
      this.#dispatch();
    });
    worker.on('error', (error) =>
      this.#lose(slot, worker, { kind: 'crashed', message: `the worker failed: ${error.message}` }),
    );
    worker.on('exit', (code) =>
      this.#lose(slot, worker, { kind: 'crashed', message: `the worker stopped (exit code ${code})` }),
    );
    return worker;
  }

  #dispatch(): void {
    if (this.#closed) return;
    for (const slot of this.#slots) {
      if (slot.job || !this.#queue.length) continue;
      const job = this.#queue.shift()!;
      slot.worker ??= this.#spawn(slot);
      slot.job = job;
      if (this.#options.timeoutMs !== undefined) {
        const limit = this.#options.timeoutMs;
        slot.timer = setTimeout(
          () => this.#lose(slot, slot.worker!, { kind: 'timeout', message: `the job took longer than ${limit} ms` }),
          limit,
        );
      }
      slot.worker.postMessage({ id: job.id, request: job.request }, job.transfer);
    }
  }

  /** The slot's worker is gone (died, timed out, or cancelled): fail its job, leave a fresh worker to the next. */
  #lose(slot: Slot<Req, Res>, worker: Worker, failure: JobFailure): void {
    if (slot.worker !== worker || this.#closed) return;
    const job = slot.job;
    this.#release(slot);
    slot.worker = null;
    worker.removeAllListeners();
    worker.on('error', () => undefined); // it is being ended; late errors are moot
    void worker.terminate();
    if (job) this.#settle(job, this.#options.error(failure));
    this.#options.onWorkerLost?.();
    this.#dispatch();
  }

  #cancel(job: Job<Req, Res>): void {
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      this.#settle(job, this.#cancelled());
      return;
    }
    const slot = this.#slots.find((s) => s.job === job);
    if (slot?.worker) this.#lose(slot, slot.worker, { kind: 'cancelled', message: 'the job was cancelled' });
  }

  #cancelled(): Error {
    return this.#options.error({ kind: 'cancelled', message: 'the job was cancelled' });
  }

  #release(slot: Slot<Req, Res>): void {
    clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.job = undefined;
  }

  #settle(job: Job<Req, Res>, error: Error | null, value?: Res): void {
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    if (error) job.reject(error);
    else job.resolve(value as Res);
  }
}

/**
 * The worker side: answers each job with `handle`'s value (its buffers moved, per `transfer`) or the
 * error it threw (`code`, default FAILED, message and `detail`).
 */
export function serveJobs<Req, Res>(
  handle: (request: Req) => Res | Promise<Res>,
  transfer: (value: Res) => Transferable[] = () => [],
): void {
  const port = parentPort;
  if (!port) throw new Error('serveJobs runs in a worker thread');
  port.on('message', async ({ id, request }: { id: number; request: Req }) => {
    try {
      const value = await handle(request);
      port.postMessage({ id, ok: true, value } satisfies Reply<Res>, transfer(value));
    } catch (error) {
      const e = error as { code?: unknown; message?: unknown; detail?: unknown };
      const code = typeof e?.code === 'string' ? e.code : 'FAILED';
      const message = error instanceof Error ? error.message : String(error);
      const detail = typeof e?.detail === 'string' ? { detail: e.detail } : {};
      port.postMessage({ id, ok: false, code, message, ...detail } satisfies Reply<Res>);
    }
  });
}
