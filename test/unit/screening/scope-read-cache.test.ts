/**
 * The kept read of a job's scope (ScopeReadCache) on a real on-disk index: served again only while the index,
 * the job, the model and the scope are the same; any write to scans, embeddings, regions or set members, a job's
 * own settings excepted, makes the next read fresh; descriptors are kept for the scope's own space only.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IndexStore, type ModelSlot } from '../../../electron/index/index-store.js';
import { exampleProfile } from '../../../electron/scoring/example-profile.js';
import { seededRandom } from '../../../electron/scoring/metrics.js';
import { normalise } from '../../../electron/scoring/vectors.js';
import { ScopeReadCache } from '../../../electron/screening/scope-read-cache.js';
import { scanRecord as record } from '../../support/scan-record.js';

describe("screening results: the kept read of a job's scope", () => {
  let dir: string;
  let store: IndexStore;
  let model: ModelSlot;
  const rnd = seededRandom(5);
  const unit = () => normalise(Float32Array.from({ length: 4 }, () => rnd() - 0.5));
  const cache = new ScopeReadCache();
  const pooled = { pooled: true };
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'radsift-scope-cache-'));
    store = IndexStore.open(dir);
    model = store.model('c@1', 4, [2, 2]);
    for (let i = 0; i < 30; i++) store.putEmbedding(store.putScan(record(`/a/${i}.dcm`)), model, unit(), null, unit());
  });
  after(async () => {
    cache.clear();
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the same read while nothing the rows rest on changed, a job setting saved meanwhile included', () => {
    const first = cache.read('job', store, model, '/a', pooled);
    assert.equal(first.embeddings.scans.length, 30);
    const hits = cache.hits;
    store.putJob({
      id: 'job',
      kind: 'screen',
      params: { review: { '/a/1.dcm': 'not' } },
      state: 'done',
      createdAt: 1,
      message: null,
    });
    store.setMeta('some-setting', 'x');
    assert.equal(cache.read('job', store, model, '/a', pooled), first);
    assert.equal(cache.hits, hits + 1);
  });

  it('reads afresh for another job, scope or pooled flag, and after any write to the scans', () => {
    const first = cache.read('job', store, model, '/a', pooled);
    assert.notEqual(cache.read('other', store, model, '/a', pooled), first);
    assert.notEqual(
      cache.read('other', store, model, '/a', { pooled: false }),
      cache.read('other', store, model, '/a', pooled),
    );
    const again = cache.read('job', store, model, '/a', pooled);
    store.putEmbedding(store.putScan(record('/a/new.dcm')), model, unit(), null, unit());
    const after = cache.read('job', store, model, '/a', pooled);
    assert.notEqual(after, again);
    assert.equal(after.embeddings.scans.length, 31, 'the new scan is a row');
    store.pruneUnseen('/a', 1);
    const pruned = cache.read('job', store, model, '/a', pooled);
    assert.equal(pruned.embeddings.scans.length, 0, 'every scan of /a was pruned (none was met by run 1)');
  });

  it("keeps each scan's descriptor for the scope's own space, not for a space the examples forced", () => {
    for (let i = 0; i < 30; i++) store.putEmbedding(store.putScan(record(`/b/${i}.dcm`)), model, unit(), null, unit());
    const read = cache.read('job', store, model, '/b', pooled);
    const { space, encoded } = read.space();
    assert.ok(space.centre && space.patches);
    const profile = exampleProfile(encoded.slice(0, 3), space);
    assert.equal(read.describer(profile), read.describer(exampleProfile(encoded.slice(0, 5), space)));
    // An example without pooled patches: the profile compares global embeddings alone, another space.
    const plain = exampleProfile([{ embedding: encoded[0]!.embedding, pooled: null }, encoded[1]!], space);
    assert.equal(plain.space.patches, false);
    assert.notEqual(read.describer(plain), read.describer(plain));
    const d = read.describer(profile);
    assert.equal(d(1, encoded[0]!).length, 8, 'global and pooled halves');
    assert.equal(read.describer(plain)(1, encoded[0]!).length, 4);
  });
});
