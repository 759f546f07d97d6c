/**
 * `npm run bench:gpu [-- --providers cuda,webgpu --batches 1,8,32,128 --bundle <model dir>]`
 * (WebGPU on Linux needs a Vulkan loader and driver: libvulkan1 and the vendor ICD).
 * The default model's image and text towers on each GPU execution provider
 * that loads here, next to the CPU provider in the same run: images/s and
 * phrases/s per batch size, the speed-up, and the largest difference in the
 * embeddings against CPU (a provider that is fast but wrong is no use).
 * A provider that does not load is listed with onnxruntime's reason, never
 * silently replaced by CPU. Prints JSON; the GPU's name comes from nvidia-smi
 * or vulkaninfo when present.
 *
 * CUDA needs onnxruntime-node's CUDA libraries (npm's install script, skipped by
 * default: see README "GPUs"); WebGPU needs only a Vulkan loader and driver.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../../electron/app/app-identity.js';
import { PROVIDERS, defaultPreference, defaultThreads, type ProviderName } from '../../electron/inference/providers.js';
import { ModelRuntime } from '../../electron/inference/runtime.js';
import { timed } from './timing.js';

const { values } = parseArgs({
  options: {
    bundle: { type: 'string', default: path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt') },
    /** Default: this platform's GPU provider (CUDA, DirectML or Core ML) and WebGPU. */
    providers: { type: 'string' },
    batches: { type: 'string', default: '1,8,32,128' },
  },
});
const batches = values.batches.split(',').map(Number);
const wanted = values.providers
  ? (values.providers.split(',').map((p) => p.trim()) as ProviderName[])
  : [...new Set([...defaultPreference().filter((p) => p !== 'cpu'), 'webgpu' as const])];
for (const p of wanted) if (!(PROVIDERS as readonly string[]).includes(p)) throw new Error(`unknown provider ${p}`);

function gpuName(): string | null {
  for (const [cmd, args, pattern] of [
    ['nvidia-smi', ['--query-gpu=name,driver_version', '--format=csv,noheader'], /.+/],
    ['vulkaninfo', ['--summary'], /deviceName\s*=\s*(.+)/],
  ] as const) {
    try {
      const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
      const m = pattern.exec(out);
      if (m) return (m[1] ?? m[0]).trim();
    } catch {
      // not installed here
    }
  }
  return null;
}

const sentences = ['small left pleural effusion.', 'no pneumothorax.', 'heart size is normal.', 'lungs are clear.'];

interface Run {
  provider: ProviderName;
  loaded: boolean;
  reason?: string;
  imagesPerSecond?: Record<string, number>;
  phrasesPerSecond?: Record<string, number>;
  /** Largest |difference| of any embedding value against the CPU run, same inputs. */
  maxAbsDiffVsCpu?: number;
}

async function measure(provider: ProviderName, reference?: Float32Array): Promise<Run & { sample?: Float32Array }> {
  let runtime: ModelRuntime;
  try {
    runtime = await ModelRuntime.load(values.bundle, {
      providers: [provider],
      threads: defaultThreads(),
    });
  } catch (error) {
    return { provider, loaded: false, reason: (error as Error).message.split('\n')[0] };
  }
  const [h, w] = runtime.model.image.size;
  const c = runtime.model.image.channels;
  const images: Record<string, number> = {};
  const phrases: Record<string, number> = {};
  // The same pseudo-random input for every provider.
  const fixed = Float32Array.from({ length: 8 * c * h * w }, (_, i) => Math.sin(i * 12.9898) * 0.5);
  const sample = (await runtime.encodeImageTensor({ data: fixed.slice(), dims: [8, c, h, w] })).data;
  for (const b of batches) {
    const data = Float32Array.from({ length: b * c * h * w }, (_, i) => fixed[i % fixed.length]!);
    images[b] = +(
      b / (await timed(() => runtime.encodeImageTensor({ data: data.slice(), dims: [b, c, h, w] })))
    ).toFixed(1);
    const texts = Array.from({ length: b }, (_, i) => sentences[i % sentences.length]!);
    phrases[b] = +(b / (await timed(() => runtime.encodeTexts(texts)))).toFixed(1);
  }
  const active = runtime.provider.active;
  await runtime.release();
  let maxAbsDiffVsCpu: number | undefined;
  if (reference) {
    maxAbsDiffVsCpu = 0;
    for (let i = 0; i < sample.length; i++)
      maxAbsDiffVsCpu = Math.max(maxAbsDiffVsCpu, Math.abs(sample[i]! - reference[i]!));
  }
  return {
    provider: active,
    loaded: true,
    imagesPerSecond: images,
    phrasesPerSecond: phrases,
    ...(maxAbsDiffVsCpu !== undefined ? { maxAbsDiffVsCpu: +maxAbsDiffVsCpu.toExponential(2) } : {}),
    sample,
  };
}

const cpu = await measure('cpu');
const runs: Run[] = [];
for (const p of wanted) {
  const { sample: _sample, ...run } = await measure(p, cpu.sample);
  runs.push(run);
}
const { sample: _cpuSample, ...cpuRun } = cpu;
const speedup = (run: Run) =>
  run.imagesPerSecond
    ? Object.fromEntries(batches.map((b) => [b, +(run.imagesPerSecond![b]! / cpuRun.imagesPerSecond![b]!).toFixed(2)]))
    : null;
console.log(
  JSON.stringify(
    {
      bench: 'gpu',
      bundle: path.basename(values.bundle),
      gpu: gpuName(),
      cpu: `${os.cpus()[0]?.model ?? 'unknown'} × ${os.availableParallelism()}`,
      cpuRun,
      gpuRuns: runs.map((r) => ({ ...r, imageSpeedupVsCpu: speedup(r) })),
    },
    null,
    2,
  ),
);
