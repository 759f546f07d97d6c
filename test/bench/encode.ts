/**
 * `npm run bench:encode -- --bundle <model dir> --checkpoint <training checkpoint.pt>`
 * Images/s and phrases/s at batch 1, 8 and 32 for a bundle in onnxruntime-node
 * (CPU), and, in the same run, the same weights in Debian's PyTorch on the same
 * input sizes (models/train/bench_torch.py); the ratio; and the achieved image
 * FLOP/s as a fraction of the machine's fp32 matmul throughput. Prints JSON.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ModelRuntime } from '../../electron/inference/runtime.js';
import { PROJECT_ROOT } from '../../electron/app/app-identity.js';
import { timed } from './timing.js';
import { DEBIAN_PYTHON } from '../support/python.js';

const { values } = parseArgs({
  options: {
    bundle: { type: 'string', default: path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt') },
    checkpoint: { type: 'string' },
    batches: { type: 'string', default: '1,8,32' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
  },
});
const threads = Number(values.threads);
const batches = values.batches.split(',').map(Number);

const runtime = await ModelRuntime.load(values.bundle, {
  providers: ['cpu'],
  threads: { intraOp: threads, interOp: 1 },
});
const [h, w] = runtime.model.image.size;
const c = runtime.model.image.channels;
const sentences = [
  'there is a small left pleural effusion.',
  'no pneumothorax.',
  'heart size is normal.',
  'lungs are clear.',
];
const ort = { images: {} as Record<string, number>, texts: {} as Record<string, number> };
for (const b of batches) {
  const data = Float32Array.from({ length: b * c * h * w }, () => Math.random() - 0.5);
  ort.images[b] = b / (await timed(() => runtime.encodeImageTensor({ data: data.slice(), dims: [b, c, h, w] })));
  const texts = Array.from({ length: b }, (_, i) => sentences[i % sentences.length]!);
  ort.texts[b] = b / (await timed(() => runtime.encodeTexts(texts)));
}
await runtime.release();

interface TorchBench {
  images: Record<string, number>;
  texts: Record<string, number>;
  imageFlops: number;
  matmulGflops: number;
  torch: string;
}

/** The same weights in Debian's PyTorch (models/train/bench_torch.py). */
function torchBench(checkpoint: string, bundle: string): TorchBench {
  const out = execFileSync(
    DEBIAN_PYTHON,
    [
      path.join(PROJECT_ROOT, 'models', 'train', 'bench_torch.py'),
      '--checkpoint',
      checkpoint,
      '--tokenizer',
      path.join(bundle, 'tokenizer.json'),
      '--batches',
      values.batches,
      '--threads',
      String(threads),
    ],
    // It asks glibc for huge pages itself (models/train/hugepages.py): PyTorch at its best.
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as TorchBench;
}
const torch = values.checkpoint ? torchBench(values.checkpoint, values.bundle) : null;

const ratio = (a: Record<string, number>, b: Record<string, number>) =>
  Object.fromEntries(batches.map((x) => [x, +(a[x]! / b[x]!).toFixed(2)]));
const round = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, +v.toFixed(1)]));
const best = Math.max(...Object.values(ort.images));
console.log(
  JSON.stringify(
    {
      bench: 'encode',
      model: runtime.model.id,
      threads,
      input: [c, h, w],
      onnxruntime: { imagesPerSecond: round(ort.images), phrasesPerSecond: round(ort.texts) },
      ...(torch
        ? {
            pytorch: {
              version: torch.torch,
              imagesPerSecond: round(torch.images),
              phrasesPerSecond: round(torch.texts),
            },
            speedup: { images: ratio(ort.images, torch.images), phrases: ratio(ort.texts, torch.texts) },
            imageGflopsPerImage: +(torch.imageFlops / 1e9).toFixed(3),
            achievedGflops: +((best * torch.imageFlops) / 1e9).toFixed(1),
            machineMatmulGflops: +torch.matmulGflops.toFixed(1),
            fractionOfMatmul: +((best * torch.imageFlops) / 1e9 / torch.matmulGflops).toFixed(2),
          }
        : { note: 'pass --checkpoint <training work dir>/checkpoint.pt to compare with PyTorch' }),
    },
    null,
    2,
  ),
);
