/** Worker side of demo-parallel.ts: renders and writes the phantoms it is sent, one index per message. */
import { parentPort, workerData } from 'node:worker_threads';
import { writeDemoItem, type DemoItemOptions } from './export.js';

const options = workerData as DemoItemOptions;
parentPort!.on('message', (index: number) => {
  try {
    parentPort!.postMessage({ index, item: writeDemoItem(options, index) });
  } catch (error) {
    parentPort!.postMessage({ index, error: error instanceof Error ? error.message : String(error) });
  }
});
