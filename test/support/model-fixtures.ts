/**
 * Tiny CLIP-architecture models with random weights in every published layout,
 * exported by Debian's PyTorch (test/fixtures/models/make_layout_fixtures.py),
 * with the ids and embeddings PyTorch computed. Generated once per test process.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './paths.js';
import { DEBIAN_PYTHON, pythonMissing, runPython } from './python.js';
import { scratchDir } from './scratch.js';

export const LAYOUT_FIXTURES = ['hf-clip-bpe', 'openclip-bpe', 'hf-clip-wordpiece'] as const;

export interface Expected {
  layout: string;
  sentences: { text: string; ids: number[]; text_embeds: number[] }[];
  images: { image_embeds: number[][] };
  tokenizer: { padId: number; maxLength: number };
}

let cached: { dir: string } | { skip: string } | null = null;

/** The fixture root, or the reason the fixtures cannot be made here. */
export function layoutFixtures(): { dir: string } | { skip: string } {
  if (cached) return cached;
  const missing = pythonMissing(['torch', 'onnx', 'numpy']);
  if (missing) return (cached = { skip: missing });
  const dir = scratchDir('radsift-model-fixtures-');
  execFileSync(DEBIAN_PYTHON, [path.join(PROJECT_ROOT, 'test', 'fixtures', 'models', 'make_layout_fixtures.py'), dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return (cached = { dir });
}

/** Moves every float tensor of each .onnx under argv[1] by seeded noise, in place: same graph, other weights. */
const REWEIGH = `
import os, sys
import numpy as np
import onnx
from onnx import numpy_helper
rng = np.random.default_rng(int(sys.argv[2]))
for folder, _, names in sorted(os.walk(sys.argv[1])):
    for name in sorted(n for n in names if n.endswith(".onnx")):
        file = os.path.join(folder, name)
        model = onnx.load(file)
        for t in model.graph.initializer:
            a = numpy_helper.to_array(t)
            if a.dtype == np.float32 and a.size > 1:
                moved = a + rng.normal(0, 0.2, a.shape) * (float(a.std()) or 1.0)
                t.CopyFrom(numpy_helper.from_array(moved.astype(np.float32), t.name))
        onnx.save(model, file)
`;

/**
 * A copy of a model folder whose ONNX files hold other weights — another export of the same architecture, as
 * two fine-tunes of one model are: same graph, same tokenizer and preprocessing, other embeddings.
 */
export function copyWithOtherWeights(src: string, dst: string, seed: number): void {
  cpSync(src, dst, { recursive: true });
  runPython(REWEIGH, [dst, String(seed)]);
}

/** Moves every tensor of each graph argv[1::2] to the external-data file argv[2::2] beside it. */
const EXTERNALIZE = `
import sys
import onnx
for file, location in zip(sys.argv[1::2], sys.argv[2::2]):
    model = onnx.load(file)
    onnx.save_model(model, file, save_as_external_data=True, all_tensors_to_one_file=True, location=location,
                    size_threshold=0)
`;

/**
 * Rewrites the named graphs (relative to `dir`) with their weights in external-data files, as exporters write
 * towers over 2 GiB: `{ 'visual/model.onnx': 'model.onnx_data' }`.
 */
export function withExternalData(dir: string, graphs: Record<string, string>): void {
  runPython(
    EXTERNALIZE,
    Object.entries(graphs).flatMap(([graph, location]) => [path.join(dir, graph), location]),
  );
}

export function expected(dir: string): Expected {
  return JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
}

/** Reads a little-endian .npy (uint8 or float32) as a flat typed array and its shape. */
export function readNpy(file: string): { data: Uint8Array | Float32Array; shape: number[] } {
  const buf = readFileSync(file);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + headerLen);
  const shape = /'shape': \(([^)]*)\)/
    .exec(header)![1]!
    .split(',')
    .filter((s) => s.trim())
    .map(Number);
  const body = buf.buffer.slice(buf.byteOffset + 10 + headerLen, buf.byteOffset + buf.length);
  return { data: header.includes("'<f4'") ? new Float32Array(body) : new Uint8Array(body), shape };
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! ** 2;
    bb += b[i]! ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}
