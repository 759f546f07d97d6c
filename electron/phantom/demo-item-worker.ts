/** Worker side of demo-parallel.ts: renders and writes the phantom of each index it is sent. */
import { workerData } from 'node:worker_threads';
import { serveJobs } from '../util/worker-pool.js';
import { writeDemoItem, type DemoItemOptions } from './export.js';

const options = workerData as DemoItemOptions;
serveJobs((index: number) => writeDemoItem(options, index));
