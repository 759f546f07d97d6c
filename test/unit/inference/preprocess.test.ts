import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runDecodeJob, type ModelInputSpec } from '../../../electron/screening/decode-job.js';
import type { ImageSpec } from '../../../electron/inference/model-description.js';
import { toImageTensor, type DisplayImage } from '../../../electron/imaging/preprocess.js';
import { encodeNpy } from '../../../electron/util/npy.js';
import { generatePhantom, phantomDicom } from '../../../electron/phantom/generate.js';
import { pythonMissing, runPython } from '../../support/python.js';

/** Seeded 8-bit test image with edges and noise, the content that reveals aliasing. */
function testImage(width: number, height: number, channels: 1 | 3, seed: number): DisplayImage {
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++) {
        const stripes = (x >> 1) % 2 ? 200 : 40; // 2-px stripes alias badly without a filter
        const disc = (x - width / 2) ** 2 + (y - height / 3) ** 2 < (width / 5) ** 2 ? 60 : 0;
        data[(y * width + x) * channels + c] = Math.min(255, Math.round(stripes * 0.6 + disc + rnd() * 40 + c * 10));
      }
  return { width, height, channels, data };
}

const base: ImageSpec = {
  file: 'image.onnx',
  input: 'pixel_values',
  outputs: { embeds: 'image_embeds', patches: null },
  patchGrid: null,
  size: [64, 64],
  channels: 1,
  resize: 'letterbox',
  resizeTo: null,
  interpolation: 'area',
  valueRange: 1,
  mean: [0.5],
  std: [0.25],
  dicom: { window: 'default', invertMonochrome1: true },
};

// The same operations in PIL (float 'F' images, antialiased resize) and numpy.
const REFERENCE = `
import json, sys, math, numpy as np
from PIL import Image
d = sys.argv[1]
spec = json.load(open(d + '/spec.json'))
img = np.load(d + '/image.npy').astype(np.float32)
if img.ndim == 2: img = img[:, :, None]
h, w, c = img.shape
F = {'area': Image.BOX, 'bilinear': Image.BILINEAR, 'bicubic': Image.BICUBIC}[spec['interpolation']]
H, W = spec['size']
def fit(p):
    im = Image.fromarray(p, mode='F')
    if spec['resize'] == 'stretch':
        return np.asarray(im.resize((W, H), F))
    if spec['resize'] == 'center-crop':
        S = spec['resizeTo'] or min(H, W)
        nw, nh = (S, int(S * h / w)) if w <= h else (int(S * w / h), S)
        r = np.asarray(im.resize((nw, nh), F))
        top, left = int((nh - H) / 2), int((nw - W) / 2)
        return r[top:top + H, left:left + W]
    if spec['resizeTo']:
        R = spec['resizeTo']; ratio = R / max(w, h)
        nw, nh = max(1, int(w * ratio)), max(1, int(h * ratio))
        sq = np.zeros((R, R), np.float32)
        ox, oy = int((R - nw) / 2), int((R - nh) / 2)
        sq[oy:oy + nh, ox:ox + nw] = np.asarray(im.resize((nw, nh), F))
        return sq if (R, R) == (H, W) else np.asarray(Image.fromarray(sq, mode='F').resize((W, H), F))
    S = max(w, h)
    canvas = np.zeros((S, S), np.float32)
    ox, oy = (S - w) // 2, (S - h) // 2
    canvas[oy:oy + h, ox:ox + w] = p
    return np.asarray(Image.fromarray(canvas, mode='F').resize((W, H), F))
if c == 3 and spec['channels'] == 1:
    planes = [0.299 * img[:, :, 0] + 0.587 * img[:, :, 1] + 0.114 * img[:, :, 2]]
else:
    planes = [img[:, :, k] for k in range(c)]
fitted = [fit(np.ascontiguousarray(p, dtype=np.float32)) for p in planes]
scale = 1 / 255 if spec['valueRange'] == 1 else 1
out = np.stack([(fitted[min(k, len(fitted) - 1)] * scale - spec['mean'][min(k, len(spec['mean']) - 1)]) / spec['std'][min(k, len(spec['std']) - 1)] for k in range(spec['channels'])])
np.save(d + '/out.npy', out.astype(np.float32))
`;

describe('preprocessing matches PIL + numpy', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'radsift-prep-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cases: [string, Partial<ImageSpec>, DisplayImage][] = [
    ['letterbox, area, 317×251 → 64 (one stage, portrait pad)', {}, testImage(317, 251, 1, 1)],
    ['letterbox, area, 180×420 → 64 (landscape pad)', {}, testImage(180, 420, 1, 2)],
    ['big downscale 1500×1300 → 64 without aliasing', {}, testImage(1500, 1300, 1, 3)],
    [
      'CheXzero-style: letterbox to 80 then bicubic to 56, 3 channels on 0–255',
      {
        resizeTo: 80,
        size: [56, 56],
        interpolation: 'bicubic',
        channels: 3,
        valueRange: 255,
        mean: [101.48761],
        std: [83.43944],
      },
      testImage(300, 260, 1, 4),
    ],
    [
      'HF CLIP-style: shortest edge + centre crop, bicubic, RGB',
      {
        resize: 'center-crop',
        size: [48, 48],
        interpolation: 'bicubic',
        channels: 3,
        mean: [0.48145466, 0.4578275, 0.40821073],
        std: [0.26862954, 0.26130258, 0.27577711],
      },
      testImage(120, 90, 3, 5),
    ],
    [
      'stretch, bilinear, RGB → gray',
      { resize: 'stretch', size: [40, 50], interpolation: 'bilinear' },
      testImage(97, 61, 3, 6),
    ],
  ];

  for (const [name, override, image] of cases) {
    it(name, async (t) => {
      const missing = pythonMissing(['numpy', 'PIL']);
      if (missing) return t.skip(missing);
      const spec = { ...base, ...override } as ImageSpec;
      const ours = toImageTensor([image], spec);
      const shape = image.channels === 1 ? [image.height, image.width] : [image.height, image.width, 3];
      await writeFile(path.join(dir, 'image.npy'), encodeNpy(Uint8Array.from(image.data), shape));
      await writeFile(path.join(dir, 'spec.json'), JSON.stringify(spec));
      runPython(REFERENCE, [dir]);
      const npy = await readFile(path.join(dir, 'out.npy'));
      const headerLen = npy.readUInt16LE(8);
      const ref = new Float32Array(npy.buffer.slice(npy.byteOffset + 10 + headerLen, npy.byteOffset + npy.length));
      assert.equal(ours.data.length, ref.length);
      assert.deepEqual(ours.dims, [1, spec.channels, spec.size[0], spec.size[1]]);
      let maxDiff = 0;
      for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours.data[i]! - ref[i]!));
      assert.ok(maxDiff <= 1e-3, `max |Δ| ${maxDiff} > 1e-3`);
    });
  }

  it('area downscaling removes 2-px stripes (a nearest-neighbour resize would not)', () => {
    const stripes = { width: 1024, height: 1024, channels: 1 as const, data: new Uint8Array(1024 * 1024) };
    for (let i = 0; i < stripes.data.length; i++) stripes.data[i] = ((i % 1024) >> 1) % 2 ? 255 : 0;
    const out = toImageTensor([stripes], { ...base, valueRange: 255, mean: [0], std: [1] });
    for (const v of out.data) assert.ok(Math.abs(v - 127.5) < 1, `${v}`);
  });

  it('rejects images whose data does not match their size', () => {
    assert.throws(
      () => toImageTensor([{ width: 4, height: 4, channels: 1, data: new Uint8Array(15) }], base),
      /expected 16/,
    );
    assert.throws(() => toImageTensor([], base), /no image/);
  });
});

// The decode worker's 'model' output (screening preprocesses in the decode pool).
const spec: ModelInputSpec = base;
const monochrome1 = phantomDicom(
  generatePhantom(8, 0, { size: 300, acquisition: { photometric: 'MONOCHROME1', transferSyntax: 'rle' } }),
);

it("the decode worker's 'model' output is exactly the preprocessing of the display image", async () => {
  const r = await runDecodeJob({ bytes: monochrome1, outputs: ['display', 'model'], model: spec });
  const d = r.display!;
  const expected = toImageTensor([{ width: d.columns, height: d.rows, channels: 1, data: d.data }], spec);
  assert.deepEqual(r.modelInput, expected.data);
  assert.equal(r.modelInput!.length, 64 * 64);
});

it("the manifest's DICOM policy is honoured: MONOCHROME1 inversion and the minmax window", async () => {
  const decode = async (dicom: ModelInputSpec['dicom']) =>
    (await runDecodeJob({ bytes: monochrome1, outputs: ['model'], model: { ...spec, dicom } })).modelInput!;
  const inverted = await decode({ window: 'default', invertMonochrome1: true });
  const raw = await decode({ window: 'default', invertMonochrome1: false });
  // Inside the image, y and 255 − y normalise (mean 0.5) to x and −x, up to the display's
  // truncation (< 1/255 before the area average); the letterbox padding is 0 (x = −2) in both.
  let worst = 0;
  let inside = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === -2 && inverted[i] === -2) continue;
    inside++;
    worst = Math.max(worst, Math.abs(raw[i]! + inverted[i]!));
  }
  assert.ok(inside > 64 * 40, `${inside} samples inside the image`);
  assert.ok(worst < 0.02, `inversion mismatch ${worst}`);
  const minmax = await decode({ window: 'minmax', invertMonochrome1: true });
  assert.notDeepEqual(minmax, inverted, "minmax must ignore the file's window");
});

it("a 'model' output without a spec is refused", async () => {
  await assert.rejects(runDecodeJob({ bytes: monochrome1, outputs: ['model'] }), /input spec/);
});
