import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { after, before, describe, it } from 'node:test';
import { walkFiles } from '../../../electron/dicom/catalog.js';
import { INDEX_FILE, IndexStore } from '../../../electron/index/index-store.js';
import { describeModel } from '../../../electron/inference/layouts/index.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { runCli } from '../../support/cli.js';
import { copyWithOtherWeights, layoutFixtures } from '../../support/model-fixtures.js';
import { PROJECT_ROOT } from '../../support/paths.js';
import { scanRecord } from '../../support/scan-record.js';

const fixtures = layoutFixtures();
const skip = 'skip' in fixtures ? fixtures.skip : false;
const run = runCli;
/** 0.6.0, shipped before fingerprints and still bundled: its old `<id>@<version>` slots stay in use (model-key.ts). */
const PINNED = path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt');

interface Query {
  results: { path: string; probability: number }[];
}

/** Per path, the probability `radsift query` gives "pleural effusion": from the index, or encoding the scans. */
async function probabilities(args: string[], cwd: string): Promise<Map<string, number>> {
  const r = await run(['query', ...args, 'pleural effusion', '--json'], cwd);
  assert.equal(r.code, 0, r.err);
  return new Map((JSON.parse(r.out) as Query).results.map((x) => [x.path, x.probability]));
}

const modelKeys = (index: string) => {
  const db = new Database(path.join(index, INDEX_FILE), { readonly: true });
  try {
    return (db.prepare('SELECT model_key FROM models ORDER BY id').all() as { model_key: string }[]).map(
      (r) => r.model_key,
    );
  } finally {
    db.close();
  }
};

describe('an index keeps each model’s embeddings apart by its weights', { skip }, () => {
  let work: string;
  let scans: string;
  let a: string;
  let b: string;
  const screen = (index: string, ...model: string[]) =>
    run(['screen', scans, '--index-only', '--index', index, ...model], work);

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-slots-'));
    process.env.RADSIFT_DATA_DIR = path.join(work, 'data');
    writeDemo({ dir: path.join(work, 'demo'), count: 4, seed: 21, size: 256 });
    scans = path.join(work, 'scans');
    for (const e of await readdir(path.join(work, 'demo')))
      if (e.startsWith('PH')) await cp(path.join(work, 'demo', e), path.join(scans, e), { recursive: true });
    const openclip = path.join((fixtures as { dir: string }).dir, 'openclip-bpe');
    // ~/models/clip and /data/other/clip: two OpenCLIP exports the loader names alike ("clip", unversioned).
    a = path.join(work, 'home', 'models', 'clip');
    b = path.join(work, 'data-disk', 'other', 'clip');
    await cp(openclip, a, { recursive: true });
    copyWithOtherWeights(openclip, b, 2);
  });
  after(async () => {
    delete process.env.RADSIFT_DATA_DIR;
    await rm(work, { recursive: true, force: true });
  });

  it('two exports in folders named clip: the second encodes every scan again, each reads back its own', async () => {
    const index = path.join(work, 'idx-two');
    const first = await screen(index, '--model-dir', a);
    assert.equal(first.code, 0, first.err);
    assert.match(first.err, /index: 4 encoded, 0 unchanged/);
    const second = await screen(index, '--model-dir', b);
    assert.equal(second.code, 0, second.err);
    assert.match(second.err, /index: 4 encoded, 0 unchanged/, 'not the other export’s embeddings');
    assert.equal(modelKeys(index).length, 2);

    // What the index answers for each model is what that model computes from the files.
    const fromIndex = [await probabilities(['--index', index, '--model-dir', a], work)];
    fromIndex.push(await probabilities(['--index', index, '--model-dir', b], work));
    const fresh = [await probabilities([scans, '--model-dir', a], work)];
    fresh.push(await probabilities([scans, '--model-dir', b], work));
    for (const m of [0, 1]) {
      assert.equal(fromIndex[m]!.size, 4);
      for (const [p, v] of fresh[m]!) assert.ok(Math.abs(fromIndex[m]!.get(p)! - v) < 1e-5, `model ${m}: ${p}`);
    }
    const apart = [...fresh[0]!].some(([p, v]) => Math.abs(fresh[1]!.get(p)! - v) > 1e-3);
    assert.ok(apart, 'the two exports score the scans differently');
  });

  it('the same weights copied to a folder of another name read the index as they left it', async () => {
    const index = path.join(work, 'idx-copy');
    assert.match((await screen(index, '--model-dir', a)).err, /index: 4 encoded, 0 unchanged/);
    const copy = path.join(work, 'usb', 'clip-vit-b-32');
    await cp(a, copy, { recursive: true });
    const again = await screen(index, '--model-dir', copy);
    assert.equal(again.code, 0, again.err);
    assert.match(again.err, /index: 0 encoded, 4 unchanged/);
    assert.equal(modelKeys(index).length, 1);
  });

  it('an index written before fingerprints: 0.6.0 keeps its embeddings; the default since and a folder-named slot do not reuse theirs', async () => {
    // As RadSift wrote it before: slots keyed `<id>@<version>`, one by the bundled model 0.6.0, one by the rare
    // model 0.7.11 (the default then, whose weights the default now is not), one by an OpenCLIP export in a
    // folder named clip (whose weights nothing recorded). Marker vectors stand for the embeddings.
    const index = path.join(work, 'idx-before');
    const bundled = await describeModel(PINNED);
    const files: string[] = [];
    for await (const f of walkFiles(scans)) files.push(f);
    files.sort();
    assert.equal(files.length, 4);
    const marker = (dim: number, k: number) => Float32Array.from({ length: dim }, (_, i) => (i === k ? 1 : 0));
    const store = IndexStore.open(index);
    try {
      const old = store.model(`${bundled.id}@${bundled.version}`, bundled.embeddingDim!, bundled.image.patchGrid);
      const clip = store.model('clip@unversioned', 32);
      const rare = store.model('radsift-phantom-convirt-rare@0.7.11', 128, [32, 32]);
      for (const [k, file] of files.entries()) {
        const { size, mtimeMs } = await stat(file);
        const id = store.putScan(scanRecord(file, { size, mtimeMs }));
        store.putEmbedding(id, old, marker(old.dim, k), null, marker(old.dim, k + 1));
        store.putEmbedding(id, clip, marker(32, k));
        store.putEmbedding(id, rare, marker(128, k), null, marker(128, k + 1));
      }
    } finally {
      store.close();
    }

    const kept = await screen(index, '--model', bundled.id);
    assert.equal(kept.code, 0, kept.err);
    assert.match(kept.err, /model: .* 0\.6\.0 /);
    assert.match(kept.err, /index: 0 encoded, 4 unchanged/);
    const other = await screen(index, '--model-dir', a);
    assert.equal(other.code, 0, other.err);
    assert.match(
      other.err,
      /index: 4 encoded, 0 unchanged/,
      'an old slot of a model named by its folder is not trusted',
    );
    const current = await screen(index); // the default model, shipped after fingerprints
    assert.equal(current.code, 0, current.err);
    assert.doesNotMatch(current.err, /model: .* 0\.7\.11 /);
    assert.match(current.err, /index: 4 encoded, 0 unchanged/, "0.7.11's slot is not the default model's");

    const after = IndexStore.open(index);
    try {
      const old = after.model(`${bundled.id}@${bundled.version}`, bundled.embeddingDim!, bundled.image.patchGrid);
      const { data, scanIds } = after.embeddings(old);
      assert.equal(scanIds.length, 4);
      for (let k = 0; k < 4; k++) assert.equal(data[k * old.dim + k], 1, 'the stored vectors, not encoded again');
    } finally {
      after.close();
    }
    const keys = modelKeys(index);
    assert.deepEqual(keys.slice(0, 3), [
      `${bundled.id}@${bundled.version}`,
      'clip@unversioned',
      'radsift-phantom-convirt-rare@0.7.11',
    ]);
    assert.match(keys[3]!, /^sha256:/);
    assert.match(keys[4]!, /^sha256:/);
    assert.equal(keys.length, 5);
  });
});
