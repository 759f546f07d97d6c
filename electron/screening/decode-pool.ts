/**
 * Decoding in worker threads, so the main event loop stays free while J2K or
 * JPEG lossless frames take hundreds of milliseconds. Each worker loads its own
 * codecs once. A job that runs past the time limit (or a worker that dies)
 * fails with a DicomError and the worker is replaced (util/worker-pool.ts).
 */
import { availableParallelism } from 'node:os';
import type { DecodeRequest, DecodeResult } from './decode-job.js';
import { DicomError, type DicomErrorCode } from '../dicom/errors.js';
import { WorkerPool } from '../util/worker-pool.js';

export interface DecodePoolOptions {
  /** Worker count (default: one per core, at most 4: decoding and resampling dominate screening, the
   * encoder is a few per cent of it, and each worker holds a full-size image or two). */
  size?: number;
  /** Per-job time limit (default 60 s). */
  timeoutMs?: number;
  /** Heap limit per worker in MB (default 2048). */
  maxHeapMb?: number;
}

/**
 * Decode jobs on a WorkerPool: every failure is a DicomError (the worker's own code, TIMEOUT past the
 * limit, DECODER_CRASHED when a worker died).
 */
export class DecodePool {
  readonly #pool: WorkerPool<DecodeRequest, DecodeResult>;

  constructor(options: DecodePoolOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 60_000;
    this.#pool = new WorkerPool({
      url: new URL('./decode-worker.js', import.meta.url),
      size: options.size ?? Math.min(4, availableParallelism()),
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 2048 },
      eager: true, // workers load their codecs before the first file arrives
      timeoutMs,
      error: (f) =>
        f.kind === 'failed'
          ? new DicomError(f.code as DicomErrorCode, f.message, f.detail !== undefined ? { detail: f.detail } : {})
          : f.kind === 'timeout'
            ? new DicomError('TIMEOUT', `decode took longer than ${timeoutMs} ms`)
            : f.kind === 'crashed'
              ? new DicomError('DECODER_CRASHED', `decoder worker: ${f.message}`)
              : new Error(`DecodePool: ${f.message}`),
    });
  }

  decode(request: DecodeRequest, signal?: AbortSignal): Promise<DecodeResult> {
    return this.#pool.run(request, { signal });
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  /** Ends a worker as a crash would (tests). */
  killWorker(index = 0): void {
    this.#pool.killWorker(index);
  }
}
