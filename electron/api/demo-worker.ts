/** Writes the demo study in a worker thread: phantom rendering is CPU-bound and must not block the app. */
import { parentPort, workerData } from 'node:worker_threads';
import { writeDemo } from '../phantom/export.js';

const { dir, count, seed, size } = workerData as { dir: string; count: number; seed: number; size: number };
writeDemo({ dir, count, seed, size, onProgress: (done, total) => parentPort!.postMessage({ done, total }) });
parentPort!.postMessage({ finished: true });
