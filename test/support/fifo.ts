/** Work that must not wait on a FIFO, given a time limit; past it the FIFO is opened for writing, so that a read
 * blocked on it ends (and does not hold a libuv thread for the rest of the test run), and the work fails. */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

export async function withinTime<T>(work: Promise<T>, ms: number, fifo: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void open(fifo, constants.O_WRONLY | constants.O_NONBLOCK)
        .then((h) => h.close())
        .catch(() => undefined)
        .finally(() => reject(new Error(`not done after ${ms} ms: a read of a FIFO blocks`)));
    }, ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
