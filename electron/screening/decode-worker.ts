/** Pool worker: runs decode jobs; its codec instances (WASM modules) live as long as the worker. */
import { decodeScratch, runDecodeJob, transferables, type DecodeRequest } from './decode-job.js';
import { DicomError, describeThrown } from '../dicom/errors.js';
import { serveJobs } from '../util/worker-pool.js';

// The pool gives a worker one job at a time, so one set of scratch memory serves every job.
const scratch = decodeScratch();

serveJobs(async (request: DecodeRequest) => {
  try {
    return await runDecodeJob(request, scratch);
  } catch (error) {
    // Codecs throw strings, numbers and plain objects too: every failure leaves as a typed DicomError.
    throw error instanceof DicomError ? error : new DicomError('DECODER_CRASHED', describeThrown(error));
  }
}, transferables);
