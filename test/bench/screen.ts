/**
 * `npm run bench:screen [-- --count N --size px --seed S --work DIR]`
 * Batch screening, end to end, on N generated DICOM phantoms (full detector
 * size by default, mixed transfer syntaxes), all measured in one run:
 *  - `radsift screen` as a user runs it (a fresh process, a fresh index): files/s;
 *  - the encoder alone on already-decoded model inputs, at the pipeline's batch
 *    size: images/s, and the pipeline efficiency = end-to-end / encoder-only;
 *  - the decode pool alone (files → model inputs): files/s, and end-to-end over
 *    the slower of the two stages (how well the pipeline overlaps them);
 *  - the reference pipeline a researcher would write (test/bench/screen_reference.py:
 *    pydicom + numpy + PIL + PyTorch, the same weights, the same files): files/s
 *    and RadSift's speed-up over it; and how closely the two pipelines' scores agree.
 * Prints JSON. The generated set is kept in --work (default: the temp folder) for reruns.
 *
 * `--encoder vit-b16` (`npm run bench:screen-vit`) swaps in a ViT-B/16 image tower with random
 * weights (models/train/vit_twin.py): the default model encodes far faster than files decode, so
 * its efficiency ratio measures decoding; with a published model's compute it measures overlap.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../../electron/app/app-identity.js';
import { DecodePool } from '../../electron/screening/decode-pool.js';
import { ModelRuntime } from '../../electron/inference/runtime.js';
import { defaultThreads } from '../../electron/inference/providers.js';
import { writeDemoParallel } from '../../electron/phantom/demo-parallel.js';
import { encodeNpy } from '../../electron/util/npy.js';
import { DEBIAN_PYTHON } from '../support/python.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '200' },
    size: { type: 'string', default: '0' },
    seed: { type: 'string', default: '11' },
    work: { type: 'string' },
    bundle: { type: 'string', default: path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt') },
    // 'vit-b16': the default bundle with a random-weight ViT-B/16 image tower (models/train/vit_twin.py),
    // to measure how well decoding hides behind an encoder with a published model's compute.
    encoder: { type: 'string', default: 'default' },
    phrases: { type: 'string', default: 'pleural effusion,pneumothorax' },
    batch: { type: 'string', default: '16' },
  },
});
const count = Number(values.count);
const size = Number(values.size) || undefined;
const seed = Number(values.seed);
const batch = Number(values.batch);
const phrases = values.phrases.split(',').map((p) => p.trim());
if (values.encoder !== 'default' && values.encoder !== 'vit-b16') throw new Error('--encoder: default or vit-b16');
if (values.encoder === 'vit-b16') values.bundle = ensureVitTwin(values.bundle);
const work = values.work ?? path.join(os.tmpdir(), `radsift-bench-screen-s${seed}-n${count}-${size ?? 'native'}`);
const set = path.join(work, 'set');
const cli = path.join(PROJECT_ROOT, 'dist', 'electron', 'cli', 'radsift.js');

function ensureVitTwin(from: string): string {
  // Keyed by the source bundle's version: the twin carries its text tower, tokenizer and normalisation
  // (its input size is BiomedCLIP's 224², whatever the source takes).
  const source = JSON.parse(readFileSync(path.join(from, 'manifest.json'), 'utf8')) as { id: string; version: string };
  const out = path.join(os.tmpdir(), `radsift-vit-b16-twin-${source.id}-${source.version}`);
  if (!existsSync(path.join(out, 'manifest.json')) || !existsSync(`${out}.weights.pt`)) {
    process.stderr.write('bench:screen: writing the ViT-B/16 compute twin (models/train/vit_twin.py)\n');
    execFileSync(
      DEBIAN_PYTHON,
      [path.join(PROJECT_ROOT, 'models', 'train', 'vit_twin.py'), '--from', from, '--out', out],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
  return out;
}

/** The DICOM files only: labels, reports and masks live beside the set, not in it. */
async function ensureSet(): Promise<string[]> {
  const listFile = path.join(work, 'files.json');
  if (existsSync(listFile)) return JSON.parse(readFileSync(listFile, 'utf8')) as string[];
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const started = performance.now();
  await writeDemoParallel({ dir: set, count, seed, size });
  process.stderr.write(
    `bench:screen: generated ${count} phantoms in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
  rmSync(path.join(set, 'masks'), { recursive: true, force: true });
  for (const f of ['labels.csv', 'reports.jsonl']) renameSync(path.join(set, f), path.join(work, f));
  const files = readFileSync(path.join(work, 'labels.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => path.join(set, line.split(',')[0]!));
  writeFileSync(listFile, JSON.stringify(files));
  return files;
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

const files = await ensureSet();

// Phrase embeddings for the reference (text encoding is not what is being compared).
// Released before the end-to-end run, so this process's sessions (342 MB of weights and a thread pool
// for a ViT-B/16) do not share the machine with the `radsift screen` being timed; loaded again after.
const textRuntime = await ModelRuntime.load(values.bundle, { providers: ['cpu'], threads: defaultThreads() });
const text = await textRuntime.encodeTexts(phrases);
await textRuntime.release();
const phrasesNpy = path.join(work, 'phrases.npy');
writeFileSync(phrasesNpy, encodeNpy(text.data, [text.count, text.dim]));

// 1. End to end, as a user runs it.
const index = path.join(work, `index-${process.pid}`);
const results = path.join(work, 'radsift.csv');
let t = performance.now();
execFileSync(
  process.execPath,
  [
    cli,
    'screen',
    set,
    '--phrases',
    phrases.join(','),
    '--index',
    index,
    '--out',
    results,
    '--model-dir',
    values.bundle,
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
const endToEnd = seconds(t);
rmSync(index, { recursive: true, force: true });

const runtime = await ModelRuntime.load(values.bundle, { providers: ['cpu'], threads: defaultThreads() });

// 2. The encoder alone, on model inputs decoded beforehand (same worker pool, same batch size).
// Timed too: decode-only throughput is the other bound on end-to-end speed.
const pool = new DecodePool();
const sample = files.slice(0, Math.min(files.length, 256));
t = performance.now();
const inputs = await Promise.all(
  sample.map(
    async (file) => (await pool.decode({ path: file, outputs: ['model'], model: runtime.model.image })).modelInput!,
  ),
);
const decodeOnly = sample.length / seconds(t);
await pool.close();
const [h, w] = runtime.model.image.size;
const c = runtime.model.image.channels;
const tensors: Float32Array[] = [];
for (let i = 0; i < inputs.length; i += batch) {
  const chunk = inputs.slice(i, i + batch);
  const data = new Float32Array(chunk.length * c * h * w);
  chunk.forEach((x, k) => data.set(x, k * c * h * w));
  tensors.push(data);
}
await runtime.encodeImageTensor({ data: tensors[0]!.slice(), dims: [tensors[0]!.length / (c * h * w), c, h, w] });
t = performance.now();
for (const data of tensors) await runtime.encodeImageTensor({ data, dims: [data.length / (c * h * w), c, h, w] });
const encoderOnly = inputs.length / seconds(t);
await runtime.release();

// 3. The reference pipeline.
interface Reference {
  files: number;
  failed: number;
  seconds: number;
  scores: Record<string, number[]>;
}
const reference = JSON.parse(
  execFileSync(
    DEBIAN_PYTHON,
    [
      path.join(PROJECT_ROOT, 'test', 'bench', 'screen_reference.py'),
      '--bundle',
      values.bundle,
      '--folder',
      set,
      '--phrases',
      phrasesNpy,
      '--batch',
      String(batch),
      '--threads',
      String(os.availableParallelism()),
    ],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 28,
      // It rebuilds the image tower with the training recipe's package (models/train/radsift_train), and asks glibc
      // for huge pages with its hugepages.py: PyTorch at its best.
      env: {
        ...process.env,
        PYTHONPATH: [path.join(PROJECT_ROOT, 'models', 'train'), process.env.PYTHONPATH]
          .filter(Boolean)
          .join(path.delimiter),
      },
    },
  ),
) as Reference;

// Agreement of the two pipelines' cosine scores, per file and phrase.
const rows = readFileSync(results, 'utf8').trim().split('\n');
const header = rows[0]!.split(',');
const scoreColumns = phrases.map((p) => header.indexOf(`${p} score`));
let maxDiff = 0;
let sumDiff = 0;
let pairs = 0;
for (const row of rows.slice(1)) {
  const cells = row.split(',');
  const ref = reference.scores[path.relative(set, cells[0]!)];
  if (!ref) continue;
  scoreColumns.forEach((col, k) => {
    const d = Math.abs(Number(cells[col]) - ref[k]!);
    maxDiff = Math.max(maxDiff, d);
    sumDiff += d;
    pairs++;
  });
}

const round = (x: number, digits = 2) => +x.toFixed(digits);
const radsiftFps = files.length / endToEnd;
const referenceFps = reference.files / reference.seconds;
const sizes = files.map((f) => readFileSync(f).length);
console.log(
  JSON.stringify(
    {
      bench: 'screen',
      model: runtime.model.id,
      cores: os.availableParallelism(),
      files: files.length,
      meanFileMB: round(sizes.reduce((a, b) => a + b, 0) / sizes.length / 1e6, 1),
      phrases,
      radsift: {
        seconds: round(endToEnd, 1),
        filesPerSecond: round(radsiftFps),
        note: 'a fresh `radsift screen` process and index: startup and model load included',
      },
      encoderOnly: { imagesPerSecond: round(encoderOnly, 1), batch, images: inputs.length },
      pipelineEfficiency: round(radsiftFps / encoderOnly, 3),
      decodeOnly: {
        filesPerSecond: round(decodeOnly, 2),
        workers: Math.min(4, os.availableParallelism()),
        note: 'read, parse, decode, window, resample to the model input: the decode pool alone',
      },
      efficiencyAgainstSlowerStage: round(radsiftFps / Math.min(encoderOnly, decodeOnly), 3),
      reference: {
        pipeline: 'pydicom + numpy + PIL + PyTorch (test/bench/screen_reference.py)',
        seconds: round(reference.seconds, 1),
        filesPerSecond: round(referenceFps),
        failed: reference.failed,
      },
      speedupOverReference: round(radsiftFps / referenceFps),
      scoreAgreement: { pairs, maxAbsDiff: round(maxDiff, 4), meanAbsDiff: round(sumDiff / Math.max(1, pairs), 5) },
    },
    null,
    2,
  ),
);
