/**
 * `npm run bench:event-loop [-- --bundle <model dir> --batches 6]`
 * How free the main thread stays while the app encodes: event-loop delay (p50, p99, max) and
 * event-loop utilization while the Encoder (worker thread) encodes radiograph-sized images with the
 * default model, and, as the reference in the same run, the same encodes done on the main thread
 * (ModelRuntime directly). Prints JSON. The unit tests assert only that the work leaves the main
 * thread (utilization), never a latency threshold: that depends on how loaded the machine is.
 */
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../../electron/app/app-identity.js';
import { Encoder } from '../../electron/inference/encoder.js';
import type { DisplayImage } from '../../electron/imaging/preprocess.js';
import { ModelRuntime } from '../../electron/inference/runtime.js';

const { values } = parseArgs({
  options: {
    bundle: { type: 'string', default: path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt') },
    batches: { type: 'string', default: '6' },
  },
});

/** Full-size radiographs (2048 × 2500, 8-bit grey), 4 per batch, made before any measurement. */
function images(): DisplayImage[][] {
  return Array.from({ length: Number(values.batches) }, (_, b) =>
    Array.from({ length: 4 }, (_, i) => {
      const data = new Uint8Array(2048 * 2500);
      for (let k = 0; k < data.length; k++) data[k] = (k * 31 + b * 7 + i) & 0xff;
      return { width: 2048, height: 2500, channels: 1 as const, data };
    }),
  );
}

async function measure(encode: (batch: DisplayImage[]) => Promise<unknown>) {
  const batches = images();
  await encode(images()[0]!); // warm-up: first-run allocations and kernel selection
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  const before = performance.eventLoopUtilization();
  histogram.enable();
  const started = performance.now();
  for (const batch of batches) await encode(batch);
  histogram.disable();
  const ms = (ns: number) => +(ns / 1e6).toFixed(1);
  return {
    seconds: +((performance.now() - started) / 1000).toFixed(2),
    delayMs: { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) },
    utilization: +performance.eventLoopUtilization(before).utilization.toFixed(3),
  };
}

const encoder = new Encoder();
await encoder.load(values.bundle, { providers: ['cpu'] });
const worker = await measure((batch) => encoder.encodeImages(batch));
await encoder.close();

const runtime = await ModelRuntime.load(values.bundle, { providers: ['cpu'] });
const mainThread = await measure((batch) => runtime.encodeImages(batch));
await runtime.release();

console.log(
  JSON.stringify(
    {
      model: values.bundle,
      images: Number(values.batches) * 4,
      worker,
      mainThreadReference: mainThread,
      p99Ratio: +(worker.delayMs.p99 / Math.max(mainThread.delayMs.p99, 0.1)).toFixed(3),
    },
    null,
    2,
  ),
);
