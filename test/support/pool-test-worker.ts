/** A worker for the WorkerPool tests: echoes, fails with a code, sleeps, or dies, as asked. */
import { threadId } from 'node:worker_threads';
import { serveJobs } from '../../electron/util/worker-pool.js';
import { CodedError } from '../../electron/util/coded-error.js';

export type TestJob =
  | { op: 'echo'; value: number }
  | { op: 'sum'; data: Float64Array }
  | { op: 'fail'; code: string }
  | { op: 'sleep'; ms: number }
  | { op: 'die' };

serveJobs(async (job: TestJob) => {
  switch (job.op) {
    case 'echo':
      return { value: job.value, thread: threadId };
    case 'sum':
      return { value: job.data.reduce((a, b) => a + b, 0), thread: threadId };
    case 'fail':
      throw new CodedError(job.code, `failed with ${job.code}`);
    case 'sleep':
      await new Promise((r) => setTimeout(r, job.ms));
      return { value: job.ms, thread: threadId };
    case 'die':
      process.exit(7); // in a worker: ends this thread only, as a native crash would
  }
});
