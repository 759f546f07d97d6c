/**
 * A small pool of worker threads for decoding, so the main event loop stays
 * free while J2K or JPEG lossless frames take hundreds of milliseconds. Each
 * worker loads its own codecs once. A job that runs past the time limit (or a
 * worker that dies) fails with a DicomError and the worker is replaced.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DecodeRequest, DecodeResult } from './decode-job.js';
import { DicomError, type DicomErrorCode } from './errors.js';

export interface DecodePoolOptions {
  /** Worker count (default: one per core, at most 4: decoding and resampling dominate screening, the
   * encoder is a few per cent of it, and each worker holds a full-size image or two). */
  size?: number;
  /** Per-job time limit (default 60 s). */
  timeoutMs?: number;
  /** Heap limit per worker in MB (default 2048). */
  maxHeapMb?: number;
}

interface Job {
  id: number;
  request: DecodeRequest;
  resolve: (result: DecodeResult) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  timer?: NodeJS.Timeout;
}

const WORKER_URL = new URL('./decode-worker.js', import.meta.url);

export class DecodePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private readonly timeoutMs: number;
  private readonly maxHeapMb: number;

  constructor(options: DecodePoolOptions = {}) {
    const size = options.size ?? Math.min(4, availableParallelism());
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxHeapMb = options.maxHeapMb ?? 2048;
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  decode(request: DecodeRequest): Promise<DecodeResult> {
    if (this.closed) return Promise.reject(new Error('DecodePool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, request, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('DecodePool closed'));
    await Promise.all(
      this.slots.map((slot) => {
        clearTimeout(slot.timer);
        slot.job?.reject(new Error('DecodePool closed'));
        return slot.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb } });
    const slot: Slot = { worker };
    worker.on(
      'message',
      (message: { id: number; result?: DecodeResult; error?: { code: DicomErrorCode; message: string } }) => {
        const job = slot.job;
        if (!job || job.id !== message.id) return;
        this.release(slot);
        if (message.error) job.reject(new DicomError(message.error.code, message.error.message));
        else job.resolve(message.result!);
        this.dispatch();
      },
    );
    worker.on('error', (error) => this.replace(slot, 'DECODER_CRASHED', `decoder worker failed: ${error.message}`));
    worker.on('exit', () => this.replace(slot, 'DECODER_CRASHED', 'decoder worker exited'));
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.job || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.timer = setTimeout(
        () => this.replace(slot, 'TIMEOUT', `decode took longer than ${this.timeoutMs} ms`),
        this.timeoutMs,
      );
      slot.worker.postMessage({ id: job.id, request: job.request });
    }
  }

  private release(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.job = undefined;
  }

  /** Fails the slot's job and puts a fresh worker in its place. */
  private replace(slot: Slot, code: DicomErrorCode, message: string): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || this.closed) return;
    const job = slot.job;
    this.release(slot);
    this.slots[index] = this.spawn();
    slot.worker.removeAllListeners();
    slot.worker.on('error', () => {}); // it is being terminated; late errors are moot
    void slot.worker.terminate();
    job?.reject(new DicomError(code, message));
    this.dispatch();
  }
}
