/** Pool worker: runs decode jobs; its codec instances (WASM modules) live as long as the worker. */
import { parentPort } from 'node:worker_threads';
import { decodeScratch, runDecodeJob, transferables, type DecodeRequest } from './decode-job.js';
import { DicomError, describeThrown } from './errors.js';

// The pool gives a worker one job at a time, so one set of scratch memory serves every job.
const scratch = decodeScratch();

parentPort!.on('message', async ({ id, request }: { id: number; request: DecodeRequest }) => {
  try {
    const result = await runDecodeJob(request, scratch);
    parentPort!.postMessage({ id, result }, transferables(result));
  } catch (error) {
    const code = error instanceof DicomError ? error.code : 'DECODER_CRASHED';
    parentPort!.postMessage({ id, error: { code, message: describeThrown(error) } });
  }
});
