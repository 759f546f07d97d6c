import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Encoder } from '../../../electron/inference/encoder.js';
import { ModelError } from '../../../electron/inference/errors.js';
import { FileDigests, sha256File } from '../../../electron/inference/file-digests.js';
import { describeModel } from '../../../electron/inference/layouts/index.js';
import { externalDataLocations } from '../../../electron/inference/onnx-external-data.js';
import { KEYED_BY_NAME, modelKey } from '../../../electron/inference/model-key.js';
import { ModelRuntime } from '../../../electron/inference/runtime.js';
import { copyWithOtherWeights, cosine, layoutFixtures, withExternalData } from '../../support/model-fixtures.js';
import { fingerprintOf } from '../../support/bundle-key.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const fixtures = layoutFixtures();
const skip = 'skip' in fixtures ? fixtures.skip : false;
const BUNDLED = ['radsift-phantom-convirt-rare', 'radsift-phantom-convirt'].map((d) =>
  path.join(PROJECT_ROOT, 'models', d),
);

/** A model folder's key and fingerprint as a load computes them, and one text's embedding. */
async function load(dir: string, digests?: FileDigests) {
  const runtime = await ModelRuntime.load(dir, { providers: ['cpu'], ...(digests ? { digests } : {}) });
  try {
    const text = await runtime.encodeTexts(['pleural effusion']);
    return { model: runtime.model, fingerprint: runtime.fingerprint, key: modelKey(runtime), text: text.data };
  } finally {
    await runtime.release();
  }
}

describe('a model is keyed by what its weights are, not by its folder’s name', { skip }, () => {
  let work: string;
  let a: string;
  let b: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-fingerprint-'));
    const openclip = path.join((fixtures as { dir: string }).dir, 'openclip-bpe');
    // Two OpenCLIP exports, each in a folder named "clip": ~/models/clip and /data/other/clip.
    a = path.join(work, 'home', 'models', 'clip');
    b = path.join(work, 'data', 'other', 'clip');
    await cp(openclip, a, { recursive: true });
    copyWithOtherWeights(openclip, b, 1);
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('two exports in folders of the same name: one id and version, two keys', async () => {
    const [ka, kb] = [await load(a), await load(b)];
    assert.equal(ka.model.id, 'clip');
    assert.equal(`${ka.model.id}@${ka.model.version}`, `${kb.model.id}@${kb.model.version}`, 'the name alone collides');
    assert.ok(cosine(ka.text, kb.text) < 0.99, 'the two really embed differently');
    assert.notEqual(ka.fingerprint, kb.fingerprint);
    assert.notEqual(ka.key, kb.key);
    assert.match(ka.key, /^sha256:[0-9a-f]{64}$/);
  });

  it('the same weights in a folder of another name, and after a restart, keep their key', async () => {
    const copy = path.join(work, 'elsewhere', 'clip-vit-b');
    await cp(a, copy, { recursive: true });
    const [ka, kc] = [await load(a), await load(copy)];
    assert.notEqual(kc.model.id, ka.model.id);
    assert.equal(kc.key, ka.key);
    // Through the encoder worker as the app loads it, remembering digests in the data folder; then a restart.
    // Digests of files written in the last 2 s are not remembered (file-digests.ts): the copy settles first.
    await sleep(2_100);
    const cache = path.join(work, 'data-dir', 'model-digests.json');
    for (let run = 0; run < 2; run++) {
      const encoder = new Encoder();
      try {
        const loaded = await encoder.load(copy, { providers: ['cpu'], digestCache: cache });
        assert.equal(modelKey(loaded), ka.key, `run ${run}`);
      } finally {
        await encoder.close();
      }
      assert.ok(existsSync(cache));
    }
  });

  it('a folder whose ONNX files were replaced by another export’s takes that export’s key', async () => {
    const dir = path.join(work, 'replaced', 'clip');
    await cp(a, dir, { recursive: true });
    const digests = new FileDigests(); // as the encoder worker keeps them across loads
    const before = await load(dir, digests);
    assert.equal(before.key, (await load(a)).key);
    for (const file of ['visual/model.onnx', 'textual/model.onnx']) {
      const target = path.join(dir, file);
      const { atime, mtime, size } = await stat(target);
      await copyFile(path.join(b, file), target); // in place, same size, the old times kept (cp -p)
      await utimes(target, atime, mtime);
      assert.equal((await stat(target)).size, size);
    }
    const after = await load(dir, digests);
    assert.equal(after.key, (await load(b)).key);
    assert.ok(cosine(after.text, (await load(b)).text) > 0.9999);
  });

  it('a file replaced between its digest and the sessions’ reading it fails the load', async () => {
    const dir = path.join(work, 'copying', 'clip');
    await cp(a, dir, { recursive: true });
    const target = path.join(dir, 'visual', 'model.onnx');
    // A copy of the other export finishing just after the digest of the file it replaces.
    class CopyFinishing extends FileDigests {
      #done = false;
      override async sha256(file: string): Promise<string> {
        const digest = await super.sha256(file);
        if (file === target && !this.#done) {
          this.#done = true;
          await copyFile(path.join(b, 'visual', 'model.onnx'), target);
        }
        return digest;
      }
    }
    await assert.rejects(
      ModelRuntime.load(dir, { providers: ['cpu'], digests: new CopyFinishing() }),
      (e: unknown) => e instanceof ModelError && e.code === 'CHANGED_WHILE_LOADING',
    );
    // Loaded again, it is keyed as what it now is: neither export.
    const now = (await load(dir)).key;
    assert.ok(now !== (await load(a)).key && now !== (await load(b)).key);
  });

  it('towers with their weights in external-data files: the files count, one missing fails the load', async () => {
    // Two exports as towers over 2 GiB are written: byte-identical graphs, the weights beside them.
    const graphs = { 'visual/model.onnx': 'model.onnx_data', 'textual/model.onnx': 'weights.bin' };
    const [ea, eb] = [path.join(work, 'external', 'a', 'clip'), path.join(work, 'external', 'b', 'clip')];
    await cp(a, ea, { recursive: true });
    await cp(b, eb, { recursive: true });
    withExternalData(ea, graphs);
    withExternalData(eb, graphs);
    for (const [graph, location] of Object.entries(graphs)) {
      assert.equal(await sha256File(path.join(ea, graph)), await sha256File(path.join(eb, graph)), graph);
      assert.deepEqual(await externalDataLocations(path.join(ea, graph)), [location]);
    }
    const [ka, kb] = [await load(ea), await load(eb)];
    assert.ok(cosine(ka.text, kb.text) < 0.99, 'the two really embed differently');
    assert.notEqual(ka.fingerprint, kb.fingerprint);
    assert.notEqual(ka.key, kb.key);
    assert.equal(ka.key, (await load(ea)).key);

    // One external file replaced between its digest and the sessions' reading it: as for a graph file.
    const target = path.join(ea, 'visual', 'model.onnx_data');
    class CopyFinishing extends FileDigests {
      override async sha256(file: string): Promise<string> {
        const digest = await super.sha256(file);
        if (file === target) await copyFile(path.join(eb, 'visual', 'model.onnx_data'), target);
        return digest;
      }
    }
    await assert.rejects(
      ModelRuntime.load(ea, { providers: ['cpu'], digests: new CopyFinishing() }),
      (e: unknown) => e instanceof ModelError && e.code === 'CHANGED_WHILE_LOADING',
    );

    await rm(path.join(eb, 'textual', 'weights.bin'));
    await assert.rejects(
      ModelRuntime.load(eb, { providers: ['cpu'] }),
      (e: unknown) =>
        e instanceof ModelError && e.code === 'MISSING_FILE' && /keeps its weights in weights\.bin/.test(e.message),
    );
  });

  it('preprocessing and tokenizer settings count; names and unused config do not', async () => {
    const hf = path.join((fixtures as { dir: string }).dir, 'hf-clip-bpe');
    const base = await fingerprintOf(hf);
    const variant = async (name: string, file: string, change: (json: Record<string, unknown>) => void) => {
      const dir = path.join(work, 'variants', name);
      await cp(hf, dir, { recursive: true });
      const json = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as Record<string, unknown>;
      change(json);
      await writeFile(path.join(dir, file), JSON.stringify(json));
      return fingerprintOf(dir);
    };
    assert.equal(await variant('renamed', 'config.json', (c) => (c._name_or_path = 'someone/else')), base);
    assert.notEqual(await variant('mean', 'preprocessor_config.json', (p) => (p.image_mean = [0.5, 0.5, 0.5])), base);
    assert.notEqual(
      await variant('crop', 'preprocessor_config.json', (p) => (p.crop_size = { height: 56, width: 56 })),
      base,
    );
    assert.notEqual(await variant('pad', 'tokenizer_config.json', (t) => (t.pad_token = '!')), base);
    assert.notEqual(await variant('length', 'tokenizer_config.json', (t) => (t.model_max_length = 32)), base);
  });
});

describe('bundles shipped before fingerprints keep the key their embeddings were stored under', () => {
  it('a shipped bundle of a version pinned by name has the pinned fingerprint; a later one is keyed by its own', async () => {
    const keys: string[] = [];
    for (const dir of BUNDLED) {
      const model = await describeModel(dir);
      const fingerprint = await fingerprintOf(dir);
      const named = `${model.id}@${model.version}`;
      const key = modelKey({ model, fingerprint });
      if (named in KEYED_BY_NAME) {
        assert.equal(KEYED_BY_NAME[named], fingerprint, model.id);
        assert.equal(key, named);
      } else {
        // Shipped after fingerprints: an index's slot of an earlier version of this id is not its embeddings.
        assert.equal(key, `sha256:${fingerprint}`);
      }
      keys.push(key);
    }
    // 0.6.0 ships still, as it was when fingerprints came: its old slots stay in use. The default (0.7.13 and later)
    // shipped after them: keyed by its weights, so 0.7.11's old slot is not taken for its embeddings.
    assert.ok(keys.includes('radsift-phantom-convirt@0.6.0'), keys.join(', '));
    assert.ok(keys.includes(`sha256:${await fingerprintOf(BUNDLED[0]!)}`), keys.join(', '));
  });

  it('a bundle re-exported with the same id and version but other weights gets a key of its own', async () => {
    const work = await mkdtemp(path.join(tmpdir(), 'radsift-rebundle-'));
    try {
      // 0.6.0: a bundle whose id@version is pinned by name (KEYED_BY_NAME).
      const [rare, pinned] = BUNDLED as [string, string];
      const dir = path.join(work, 'radsift-phantom-convirt');
      await mkdir(dir);
      await cp(pinned, dir, { recursive: true });
      // Its text tower swapped for the rare model's (same architecture), the manifest's checksums made to match.
      await copyFile(path.join(rare, 'text.onnx'), path.join(dir, 'text.onnx'));
      const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as {
        files: Record<string, { sha256: string; bytes: number }>;
      };
      manifest.files['text.onnx'] = {
        sha256: await sha256File(path.join(dir, 'text.onnx')),
        bytes: (await stat(path.join(dir, 'text.onnx'))).size,
      };
      await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
      const model = await describeModel(dir);
      assert.equal(`${model.id}@${model.version}`, 'radsift-phantom-convirt@0.6.0');
      const key = modelKey({ model, fingerprint: await fingerprintOf(dir) });
      assert.match(key, /^sha256:/);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
