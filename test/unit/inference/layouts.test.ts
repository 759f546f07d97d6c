import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ModelError } from '../../../electron/inference/errors.js';
import { describeModel } from '../../../electron/inference/layouts/index.js';
import { listModels } from '../../../electron/inference/model-registry.js';
import { sha256File } from '../../../electron/inference/file-digests.js';
import { ModelRuntime, outputFloats } from '../../../electron/inference/runtime.js';
import * as ort from 'onnxruntime-node';
import { cosine, expected, layoutFixtures, LAYOUT_FIXTURES, readNpy } from '../../support/model-fixtures.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const fixtures = layoutFixtures();
const skip = 'skip' in fixtures ? fixtures.skip : false;
const root = 'dir' in fixtures ? fixtures.dir : '';

describe('published layouts load and reproduce PyTorch', { skip }, () => {
  for (const name of LAYOUT_FIXTURES) {
    it(`${name}: same token ids as the Python tokenizer, embeddings at cosine ≥ 0.999`, async () => {
      const dir = path.join(root, name);
      const exp = expected(dir);
      const runtime = await ModelRuntime.load(dir, { providers: ['cpu'] });
      try {
        assert.equal(runtime.model.layout, name.startsWith('hf') ? 'hf-clip' : 'openclip');
        assert.equal(runtime.provider.active, 'cpu');
        for (const s of exp.sentences)
          assert.deepEqual(runtime.tokenizer.ids(s.text, Infinity), s.ids, JSON.stringify(s.text));
        const text = await runtime.encodeTexts(exp.sentences.map((s) => s.text));
        exp.sentences.forEach((s, i) => {
          const c = cosine(text.data.subarray(i * text.dim, (i + 1) * text.dim), s.text_embeds);
          assert.ok(c >= 0.999, `${JSON.stringify(s.text)}: cosine ${c}`);
        });
        // Images: from 8-bit RGB through RadSift's own preprocessing (64×64 in, so geometry is the identity).
        const u8 = readNpy(path.join(dir, 'images_u8.npy'));
        const [n, h, w] = u8.shape as [number, number, number];
        const images = Array.from({ length: n }, (_, i) => ({
          width: w,
          height: h,
          channels: 3 as const,
          data: (u8.data as Uint8Array).slice(i * h * w * 3, (i + 1) * h * w * 3),
        }));
        const img = await runtime.encodeImages(images);
        exp.images.image_embeds.forEach((e, i) => {
          const c = cosine(img.data.subarray(i * img.dim, (i + 1) * img.dim), e);
          assert.ok(c >= 0.999, `image ${i}: cosine ${c}`);
        });
        // Every embedding leaves the runtime L2-normalised, whatever the layout's convention.
        for (let i = 0; i < n; i++)
          assert.ok(
            Math.abs(
              cosine(
                img.data.subarray(i * img.dim, (i + 1) * img.dim),
                img.data.subarray(i * img.dim, (i + 1) * img.dim),
              ) - 1,
            ) < 1e-6,
          );
      } finally {
        await runtime.release();
      }
    });
  }
});

describe('model loading errors say what is wrong', { skip }, () => {
  const work: string[] = [];
  after(async () => {
    for (const d of work) await rm(d, { recursive: true, force: true });
  });

  /** A RadSift bundle made from the OpenCLIP fixture's towers, with checksums. */
  async function bundle(): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'radsift-bundle-'));
    work.push(dir);
    const src = path.join(root, 'openclip-bpe');
    await cp(path.join(src, 'visual', 'model.onnx'), path.join(dir, 'image.onnx'));
    await cp(path.join(src, 'textual', 'model.onnx'), path.join(dir, 'text.onnx'));
    await cp(path.join(src, 'textual', 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
    const files: Record<string, { sha256: string; bytes: number }> = {};
    for (const f of ['image.onnx', 'text.onnx', 'tokenizer.json']) {
      const bytes = (await readFile(path.join(dir, f))).length;
      files[f] = { sha256: await sha256File(path.join(dir, f)), bytes };
    }
    const manifest = {
      format: 'radsift-bundle/1',
      id: 'fixture',
      name: 'Fixture',
      version: '1',
      licence: 'MIT',
      intendedUse: 'tests',
      trainedOnSyntheticData: true,
      embeddingDim: 32,
      logitScale: 100,
      image: {
        file: 'image.onnx',
        input: 'image',
        outputs: { embeds: 'embedding', patches: null },
        size: [64, 64],
        channels: 3,
        resize: 'stretch',
        interpolation: 'bicubic',
        valueRange: 1,
        mean: [0.5],
        std: [0.25],
      },
      text: {
        file: 'text.onnx',
        tokenizer: 'tokenizer.json',
        inputs: { ids: 'text', mask: null },
        output: 'embedding',
        maxLength: 77,
        padToMaxLength: true,
      },
      files,
    };
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    return dir;
  }

  /** Edits a bundle's JSON file (manifest.json unless named) and refreshes the manifest's checksums. */
  async function edit(
    dir: string,
    change: (json: ReturnType<typeof JSON.parse>) => void,
    file = 'manifest.json',
  ): Promise<void> {
    const json = JSON.parse(await readFile(path.join(dir, file), 'utf8'));
    change(json);
    await writeFile(path.join(dir, file), JSON.stringify(json));
    const m = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
    for (const f of Object.keys(m.files))
      m.files[f] = { sha256: await sha256File(path.join(dir, f)), bytes: (await readFile(path.join(dir, f))).length };
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(m));
  }

  async function rejects(dir: string, code: string, message: RegExp): Promise<void> {
    await assert.rejects(ModelRuntime.load(dir, { providers: ['cpu'] }), (e: unknown) => {
      assert.ok(e instanceof ModelError, String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, message);
      return true;
    });
  }

  it('a RadSift bundle loads and verifies its checksums', async () => {
    const runtime = await ModelRuntime.load(await bundle(), { providers: ['cpu'] });
    assert.equal(runtime.model.layout, 'radsift');
    await runtime.release();
  });

  it('missing or altered files', async () => {
    const missing = await bundle();
    await rm(path.join(missing, 'text.onnx'));
    await rejects(missing, 'MISSING_FILE', /text\.onnx is missing/);
    const altered = await bundle();
    const bytes = await readFile(path.join(altered, 'image.onnx'));
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 10) ^ 0xff, bytes.length - 10);
    await writeFile(path.join(altered, 'image.onnx'), bytes);
    await rejects(altered, 'CHECKSUM_MISMATCH', /image\.onnx does not match the checksum/);
  });

  it('a manifest that names tensors the model does not have', async () => {
    const dir = await bundle();
    const m = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
    m.image.input = 'pixel_values';
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(m));
    await rejects(dir, 'BAD_MODEL', /expected inputs \[pixel_values\].*the ONNX file has inputs \[image\]/);
  });

  it('an invalid manifest and a folder that is no model', async () => {
    const dir = await bundle();
    const m = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
    m.image.std = [0];
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(m));
    await rejects(dir, 'BAD_MANIFEST', /image\.std/);
    const empty = await mkdtemp(path.join(tmpdir(), 'radsift-empty-'));
    work.push(empty);
    await assert.rejects(describeModel(empty), (e: unknown) => e instanceof ModelError && e.code === 'NOT_A_MODEL');
  });

  it('a manifest.json that is not valid JSON or names another format is BAD_MANIFEST, and a bundled one is listed', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'radsift-bundled-'));
    work.push(root);
    const good = path.join(root, 'a-good');
    await cp(await bundle(), good, { recursive: true });
    const broken = path.join(root, 'b-broken');
    await cp(await bundle(), broken, { recursive: true });
    const manifest = path.join(broken, 'manifest.json');
    const text = await readFile(manifest, 'utf8');
    await writeFile(manifest, text.slice(0, -1)); // a copy cut short
    await rejects(broken, 'BAD_MANIFEST', /manifest\.json in .*b-broken is not valid JSON: /);
    await writeFile(manifest, JSON.stringify({ ...JSON.parse(text), format: 'radsift-bundle/2' }));
    await rejects(broken, 'BAD_MANIFEST', /format "radsift-bundle\/2" is not supported; radsift-bundle\/1 expected/);
    // Shipped with the app, it is listed as unusable with that reason, as a user's folder is, not left out.
    const listed = await listModels([root], []);
    assert.deepEqual(
      listed.map((m) => [path.basename(m.dir), m.source, m.description?.id ?? null]),
      [
        ['a-good', 'bundled', 'fixture'],
        ['b-broken', 'bundled', null],
      ],
    );
    assert.match(listed[1]!.error!, /format "radsift-bundle\/2" is not supported/);
  });

  it('a tokenizer with more tokens than the text model knows', async () => {
    const dir = await bundle();
    // A token beyond the text model's 1,060-row embedding table, as a tokenizer from another model would have.
    const tok = JSON.parse(await readFile(path.join(dir, 'tokenizer.json'), 'utf8'));
    tok.added_tokens.push({
      id: 5000,
      content: '<|extra|>',
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    });
    await writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(tok));
    const m = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
    const raw = await readFile(path.join(dir, 'tokenizer.json'));
    m.files['tokenizer.json'] = { sha256: await sha256File(path.join(dir, 'tokenizer.json')), bytes: raw.length };
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(m));
    await rejects(dir, 'TOKENIZER_MISMATCH', /does not fit the text model/);
  });

  it('an empty tokenizer vocabulary is refused at load, not read as ids of 0 for every text', async () => {
    const dir = await bundle();
    await edit(
      dir,
      (tok) => {
        tok.model.vocab = {};
        tok.model.merges = [];
        tok.added_tokens = [];
      },
      'tokenizer.json',
    );
    await rejects(dir, 'BAD_MANIFEST', /radsift-bundle-\w+\/tokenizer\.json holds no tokens/);
  });

  it('a token the vocabulary has no id for fails the text, naming it, instead of being embedded as id 0', async () => {
    const dir = await bundle();
    // An unknown-token name the vocabulary lacks: "pleural" is no longer a piece, and falls to it.
    await edit(
      dir,
      (tok) => {
        delete tok.model.vocab['pleural</w>'];
        tok.model.unk_token = '<unk>';
      },
      'tokenizer.json',
    );
    const runtime = await ModelRuntime.load(dir, { providers: ['cpu'] });
    try {
      assert.equal((await runtime.encodeTexts(['no effusion'])).count, 1);
      await assert.rejects(runtime.encodeTexts(['no effusion', 'no pleural effusion']), (e: unknown) => {
        assert.ok(e instanceof ModelError && e.code === 'BAD_MANIFEST', String(e));
        assert.match(e.message, /tokenizer\.json gives no id for "<unk>" \(in "no pleural effusion"\)/);
        return true;
      });
    } finally {
      await runtime.release();
    }
  });

  it('a pad id outside the vocabulary is refused at load, naming text.padId', async () => {
    const dir = await bundle();
    await edit(dir, (m) => (m.text.padId = 1060)); // the vocabulary holds ids 0–1059
    await rejects(
      dir,
      'BAD_MANIFEST',
      /tokenizer\.json: pad id 1060 \(text\.padId\) is outside its vocabulary, ids 0–1059/,
    );
  });

  it('a mask input the graph lacks, or one the graph needs left unnamed, is BAD_MODEL naming text.inputs.mask', async () => {
    const dir = await bundle();
    await edit(dir, (m) => (m.text.inputs.mask = 'attention_mask'));
    await rejects(
      dir,
      'BAD_MODEL',
      /text\.inputs\.mask names attention_mask, which the text model does not take \(its inputs: text\)/,
    );
    // The BERT tower takes input_ids and attention_mask: a manifest that names no mask would leave one unfed.
    const bert = await bundle();
    const src = path.join(root, 'hf-clip-wordpiece');
    await cp(path.join(src, 'onnx', 'text_model.onnx'), path.join(bert, 'text.onnx'));
    await cp(path.join(src, 'tokenizer.json'), path.join(bert, 'tokenizer.json'));
    await edit(bert, (m) => {
      m.text = { ...m.text, inputs: { ids: 'input_ids', mask: null }, output: 'text_embeds', padToMaxLength: false };
    });
    await rejects(bert, 'BAD_MODEL', /the text model also takes attention_mask, which RadSift does not feed/);
    await edit(bert, (m) => (m.text.inputs.mask = 'attention_mask'));
    const runtime = await ModelRuntime.load(bert, { providers: ['cpu'] });
    await runtime.release();
  });

  it("a text length beyond the text model's position table fails at load, naming text.maxLength", async () => {
    // The Hugging Face CLIP tower, whose length axis is free, has 77 positions.
    const dir = await bundle();
    await cp(path.join(root, 'hf-clip-bpe', 'onnx', 'text_model.onnx'), path.join(dir, 'text.onnx'));
    await edit(dir, (m) => {
      m.text = { ...m.text, inputs: { ids: 'input_ids', mask: null }, output: 'text_embeds', padToMaxLength: false };
      m.text.maxLength = 100;
    });
    await rejects(dir, 'BAD_MODEL', /text\.maxLength 100 is more than the text model accepts/);
    // A Hugging Face tokenizer_config allowing more than config.json's max_position_embeddings: the smaller holds,
    // and a text longer than both is cut to it.
    const hf = await mkdtemp(path.join(tmpdir(), 'radsift-hf-length-'));
    work.push(hf);
    await cp(path.join(root, 'hf-clip-bpe'), hf, { recursive: true });
    const file = path.join(hf, 'tokenizer_config.json');
    await writeFile(file, JSON.stringify({ ...JSON.parse(await readFile(file, 'utf8')), model_max_length: 100 }));
    const runtime = await ModelRuntime.load(hf, { providers: ['cpu'] });
    try {
      assert.equal(runtime.model.text.maxLength, 77);
      const text = await runtime.encodeTexts(['pleural effusion '.repeat(60)]);
      assert.deepEqual(text.truncated, [0]);
    } finally {
      await runtime.release();
    }
  });

  it('a published config asking for a huge image or a std of 0 is refused at once, naming the value', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'radsift-hf-bounds-'));
    work.push(dir);
    await cp(path.join(root, 'hf-clip-bpe'), dir, { recursive: true });
    const file = path.join(dir, 'preprocessor_config.json');
    const pre = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...pre, size: { shortest_edge: 30000 }, crop_size: 30000 }));
    await assert.rejects(
      describeModel(dir),
      (e: unknown) => e instanceof ModelError && e.code === 'BAD_MANIFEST' && /outside 8–4096/.test(e.message),
    );
    await writeFile(file, JSON.stringify({ ...pre, image_std: [0, 0, 0] }));
    await assert.rejects(
      describeModel(dir),
      (e: unknown) => e instanceof ModelError && /std 0, 0, 0 must be above 0/.test(e.message),
    );
    // A RadSift manifest's std that is positive but would overflow float32 (NaN and infinite embeddings).
    const radsift = await bundle();
    const m = JSON.parse(await readFile(path.join(radsift, 'manifest.json'), 'utf8'));
    m.image.std = [1e-40];
    await writeFile(path.join(radsift, 'manifest.json'), JSON.stringify(m));
    await rejects(radsift, 'BAD_MANIFEST', /std 1e-40 must be above 0/);
  });

  it('a description that does not fit its graph fails at load, naming the manifest field', async () => {
    const dir = await bundle();
    const file = path.join(dir, 'manifest.json');
    const m = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...m, image: { ...m.image, channels: 1 } }));
    await rejects(dir, 'BAD_MODEL', /description says 1 channel\(s\) of 64×64 \(image\.channels, image\.size\)/);
    // A patch grid the patch embeddings do not fill (the shipped model's is 24×24) would lay heatmaps and region
    // scores out wrong.
    const shipped = await mkdtemp(path.join(tmpdir(), 'radsift-grid-'));
    work.push(shipped);
    await cp(path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt'), shipped, { recursive: true });
    const manifest = path.join(shipped, 'manifest.json');
    const sm = JSON.parse(await readFile(manifest, 'utf8'));
    await writeFile(manifest, JSON.stringify({ ...sm, image: { ...sm.image, patchGrid: [16, 64] } }));
    await rejects(shipped, 'BAD_MODEL', /the description a 16×64 grid \(image\.patchGrid\)/);
  });

  it('outputs that are not finite float32 are refused, not stored and scored', () => {
    assert.deepEqual([...outputFloats(new ort.Tensor('float32', Float32Array.of(0.5, -1), [1, 2]), 'x')], [0.5, -1]);
    // float16 arrives as raw bits: 0x3c00 is 1.0, which Float32Array.from would read as 15360.
    assert.throws(
      () => outputFloats(new ort.Tensor('float16', Uint16Array.of(0x3c00, 0x3c00), [1, 2]), 'Fixture image embeddings'),
      /Fixture image embeddings are float16, not float32/,
    );
    assert.throws(
      () => outputFloats(new ort.Tensor('float32', Float32Array.of(NaN, 1), [1, 2]), 'Fixture text embeddings'),
      /Fixture text embeddings hold non-finite values/,
    );
  });

  it('a file that is not ONNX', async () => {
    const dir = await bundle();
    await writeFile(path.join(dir, 'image.onnx'), 'not a model');
    const m = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
    m.files['image.onnx'] = { sha256: await sha256File(path.join(dir, 'image.onnx')), bytes: 11 };
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(m));
    await assert.rejects(
      ModelRuntime.load(dir, { providers: ['cpu'] }),
      (e: unknown) => e instanceof ModelError && ['BAD_MODEL', 'SESSION_FAILED'].includes(e.code),
    );
  });
});
