// ONNX parity: the bundle's image.onnx / text.onnx in onnxruntime-node (the app's runtime)
// against PyTorch outputs saved by radsift_train/export.py, with text tokenized here by the JS tokenizer.
//   node models/train/check_onnx_parity.mjs <bundle dir> <parity dir> [minCosine=0.999]
// Prints a human line, then one JSON line; exits 1 when a cosine is below the bar or the
// JS token ids differ from Python's.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { Tokenizer } from '@huggingface/tokenizers';

const [bundleDir, parityDir, minArg] = process.argv.slice(2);
if (!bundleDir || !parityDir) {
  console.error('usage: check_onnx_parity.mjs <bundle dir> <parity dir> [minCosine]');
  process.exit(2);
}
const minCos = Number(minArg ?? 0.999);

/** Minimal .npy reader (little-endian float32 / int64, C order), enough for numpy.save output. */
function readNpy(file) {
  const buf = readFileSync(file);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not .npy`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${file}: Fortran order`);
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const body = buf.buffer.slice(buf.byteOffset + start + headerLen, buf.byteOffset + buf.length);
  if (descr === '<f4') return { data: new Float32Array(body), shape };
  if (descr === '<i8') return { data: new BigInt64Array(body), shape };
  throw new Error(`${file}: unsupported dtype ${descr}`);
}

/** Cosine between a[aOff .. aOff+d) and b[bOff .. bOff+d). */
function cosine(a, aOff, b, bOff, d) {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let k = 0; k < d; k++) {
    const x = a[aOff + k];
    const y = b[bOff + k];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / Math.sqrt(aa * bb || 1e-30);
}

function summarize(values) {
  let min = Infinity;
  let sum = 0;
  for (const v of values) {
    min = Math.min(min, v);
    sum += v;
  }
  return { min, mean: sum / values.length, count: values.length };
}

const options = { graphOptimizationLevel: 'all', intraOpNumThreads: 2, interOpNumThreads: 1 };
const imageSession = await ort.InferenceSession.create(path.join(bundleDir, 'image.onnx'), options);
const textSession = await ort.InferenceSession.create(path.join(bundleDir, 'text.onnx'), options);

// Images, in batches of 16 (the app's batch size), compared row by row.
const pixels = readNpy(path.join(parityDir, 'pixel_values.npy'));
const refImage = readNpy(path.join(parityDir, 'image_embeds.npy'));
const refPatch = readNpy(path.join(parityDir, 'patch_embeds.npy'));
const [n, c, h, w] = pixels.shape;
const dim = refImage.shape[1];
const perImage = c * h * w;
const imageCos = [];
const patchCos = [];
const started = Date.now();
for (let i = 0; i < n; i += 16) {
  const b = Math.min(16, n - i);
  const input = new ort.Tensor('float32', pixels.data.subarray(i * perImage, (i + b) * perImage), [b, c, h, w]);
  const out = await imageSession.run({ pixel_values: input });
  const emb = out.image_embeds.data;
  const patches = out.patch_embeds.data;
  const p = out.patch_embeds.dims[1];
  for (let j = 0; j < b; j++) imageCos.push(cosine(emb, j * dim, refImage.data, (i + j) * dim, dim));
  for (let j = 0; j < b * p; j++) patchCos.push(cosine(patches, j * dim, refPatch.data, (i * p + j) * dim, dim));
}
const imageMs = (Date.now() - started) / n;

// Text: tokenized by the JS tokenizer, truncated as the manifest says, padded per batch.
const configPath = path.join(bundleDir, 'tokenizer_config.json');
const tokenizer = new Tokenizer(
  JSON.parse(readFileSync(path.join(bundleDir, 'tokenizer.json'), 'utf8')),
  existsSync(configPath) ? JSON.parse(readFileSync(configPath, 'utf8')) : {},
);
const { sentences, ids: pyIds, maxLength } = JSON.parse(readFileSync(path.join(parityDir, 'sentences.json'), 'utf8'));
const sepId = tokenizer.token_to_id('[SEP]');
const jsIds = sentences.map((s) => {
  const ids = tokenizer.encode(s).ids;
  return ids.length > maxLength ? [...ids.slice(0, maxLength - 1), sepId] : ids;
});
let idMismatches = 0;
jsIds.forEach((ids, i) => {
  if (ids.length !== pyIds[i].length || ids.some((v, k) => v !== pyIds[i][k])) idMismatches++;
});
const width = Math.max(...jsIds.map((r) => r.length));
const idsFlat = new BigInt64Array(jsIds.length * width);
const maskFlat = new BigInt64Array(jsIds.length * width);
jsIds.forEach((row, i) =>
  row.forEach((v, k) => {
    idsFlat[i * width + k] = BigInt(v);
    maskFlat[i * width + k] = 1n;
  }),
);
const textOut = await textSession.run({
  input_ids: new ort.Tensor('int64', idsFlat, [jsIds.length, width]),
  attention_mask: new ort.Tensor('int64', maskFlat, [jsIds.length, width]),
});
const refText = readNpy(path.join(parityDir, 'text_embeds.npy'));
const refTokens = readNpy(path.join(parityDir, 'token_embeds.npy'));
const refWidth = refTokens.shape[1];
const textCos = [];
const tokenCos = [];
jsIds.forEach((row, i) => {
  textCos.push(cosine(textOut.text_embeds.data, i * dim, refText.data, i * dim, dim));
  for (let k = 0; k < row.length; k++)
    tokenCos.push(
      cosine(textOut.token_embeds.data, (i * width + k) * dim, refTokens.data, (i * refWidth + k) * dim, dim),
    );
});

const cos = {
  image_embeds: summarize(imageCos),
  patch_embeds: summarize(patchCos),
  text_embeds: summarize(textCos),
  token_embeds: summarize(tokenCos),
};
const ok =
  idMismatches === 0 && Object.values(cos).every((s) => s.min >= minCos) && n >= 100 && sentences.length >= 100;
console.log(
  `onnx parity (onnxruntime-node ${ort.env.versions?.common ?? ''}): ${n} images, ${sentences.length} sentences; ` +
    Object.entries(cos)
      .map(([k, s]) => `${k} min cos ${s.min.toFixed(6)}`)
      .join(', ') +
    `; token ids ${idMismatches === 0 ? 'identical' : `${idMismatches} differ`}; ${imageMs.toFixed(1)} ms/image`,
);
console.log(
  JSON.stringify({
    ok,
    images: n,
    sentences: sentences.length,
    idMismatches,
    minCosine: minCos,
    cos,
    imageMsPerImageBatch16: imageMs,
  }),
);
process.exit(ok ? 0 : 1);
