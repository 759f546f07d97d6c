/**
 * The kept read of a job's scope (ScopeReadCache) on a real on-disk index: served again only while the index,
 * the job, the model, the scope and the store are the same; each write to scans, embeddings or set members
 * makes the next read fresh (a job's settings, best-region margins and patch grids, read afresh by results,
 * do not; margins have a version of their own); reads too large are not kept; descriptors are kept for the scope's
 * own space only, phrase scores for the last phrases asked.
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
  const put = (file: string) => store.putEmbedding(store.putScan(record(file)), model, unit(), null, unit());
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'radsift-scope-cache-'));
    store = IndexStore.open(dir);
    model = store.model('c@1', 4, [2, 2]);
    for (let i = 0; i < 30; i++) put(`/a/${i}.dcm`);
    for (let i = 0; i < 30; i++) put(`/b/${i}.dcm`);
  });
  after(async () => {
    cache.clear();
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the same read while nothing it holds changed, and afresh for another job, scope, model or store', async () => {
    const first = cache.read('job', store, model, '/a', pooled);
    assert.equal(first.embeddings.scans.length, 30);
    const hits = cache.hits;
    assert.equal(cache.read('job', store, model, '/a', pooled), first);
    assert.equal(cache.hits, hits + 1);
    // each of these differs from the kept read in one thing only, with no write between
    assert.notEqual(cache.read('job', store, model, '/b', pooled), cache.read('job', store, model, '/a', pooled));
    const other = store.model('c@2', 4, [2, 2]);
    assert.notEqual(cache.read('job', store, other, '/a', pooled), cache.read('job', store, model, '/a', pooled));
    assert.notEqual(cache.read('other', store, model, '/a', pooled), cache.read('job', store, model, '/a', pooled));
    assert.notEqual(
      cache.read('job', store, model, '/a', { pooled: false }),
      cache.read('job', store, model, '/a', pooled),
    );
    // another store, at the same data version (a new one starts at 0 too): an index closed and opened again
    const otherDir = await mkdtemp(path.join(tmpdir(), 'radsift-scope-cache-2-'));
    const second = IndexStore.open(otherDir);
    try {
      const kept = cache.read('job', store, model, '/a', pooled);
      const twin = second.model('c@1', 4, [2, 2]);
      while (second.dataVersion < store.dataVersion) second.putScan(record('/a/0.dcm'));
      assert.equal(second.dataVersion, store.dataVersion);
      const read = cache.read('job', second, twin, '/a', pooled);
      assert.notEqual(read, kept);
      assert.equal(read.embeddings.scanIds.length, 0, 'the other store has no embeddings of /a');
    } finally {
      second.close();
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('each write to scans, embeddings or set members reads afresh; jobs, settings, margins and patch grids do not', () => {
    const writes: [string, () => unknown, boolean][] = [
      ['putScan', () => store.putScan(record('/a/new.dcm')), true],
      ['putEmbedding', () => store.putEmbedding(store.scanByPath('/a/new.dcm')!.id, model, unit(), null, unit()), true],
      ['touch', () => store.touch('/a/new.dcm', 3), true],
      ['addMember', () => store.addMember('set', '/a/new.dcm', 3), true],
      ['pruneMembers', () => store.pruneMembers('set', 4), true],
      [
        'putJob',
        () => store.putJob({ id: 'j', kind: 'screen', params: {}, state: 'done', createdAt: 1, message: null }),
        false,
      ],
      ['setMeta', () => store.setMeta('some-setting', 'x'), false],
      ['putRegions', () => store.putRegions(store.scanByPath('/a/1.dcm')!.id, model, ['effusion'], [0.2]), false],
      ['dropPatchesExcept', () => store.dropPatchesExcept(model, []), false],
    ];
    for (const [name, write, afresh] of writes) {
      const kept = cache.read('job', store, model, '/a', pooled);
      const margins = store.regionsVersion;
      write();
      assert.equal(cache.read('job', store, model, '/a', pooled) !== kept, afresh, name);
      // Margins are read with the phrase scores kept beside a read, keyed by their own version.
      assert.equal(store.regionsVersion !== margins, name === 'putRegions', `${name}: regionsVersion`);
    }
    assert.equal(cache.read('job', store, model, '/a', pooled).embeddings.scans.length, 31, 'the new scan is a row');
    const kept = cache.read('job', store, model, '/a', pooled);
    store.pruneUnseen('/a', 1);
    const pruned = cache.read('job', store, model, '/a', pooled);
    assert.notEqual(pruned, kept);
    assert.deepEqual(
      pruned.embeddings.scans.map((s) => s.path),
      ['/a/new.dcm'],
      'pruneUnseen: only the scan run 3 met is left',
    );
  });

  it('does not keep a read of more scans than its limit', () => {
    const small = new ScopeReadCache({ maxScans: 10 });
    const first = small.read('job', store, model, '/b', pooled);
    assert.equal(first.embeddings.scans.length, 30);
    assert.notEqual(small.read('job', store, model, '/b', pooled), first);
    assert.equal(small.hits, 0);
    small.clear();
  });

  it('keeps the phrase scores made for the last key asked', () => {
    const read = cache.read('job', store, model, '/b', pooled);
    const scores = read.phraseScores('pneumothorax');
    scores.set(1, []);
    assert.equal(read.phraseScores('pneumothorax'), scores);
    const other = read.phraseScores('effusion');
    assert.notEqual(other, scores);
    assert.equal(other.size, 0);
    assert.notEqual(read.phraseScores('pneumothorax'), scores, 'only the last key is kept');
  });

  it("keeps each scan's descriptor for the scope's own space, not for a space the examples forced", () => {
    const read = cache.read('job', store, model, '/b', pooled);
    const { space, encoded } = read.space();
    assert.ok(space.centre && space.patches);
    const profile = exampleProfile(encoded.slice(0, 3), space);
    assert.equal(read.describer(profile), read.describer(exampleProfile(encoded.slice(0, 5), space)));
    // An example without pooled patches: the profile compares global embeddings alone, another space.
    const plain = exampleProfile([{ embedding: encoded[0]!.embedding, pooled: null }, encoded[1]!], space);
    assert.equal(plain.space.patches, false);
    assert.notEqual(read.describer(plain), read.describer(plain));
    assert.equal(read.describer(profile)(1, encoded[0]!).length, 8, 'global and pooled halves');
    assert.equal(read.describer(plain)(1, encoded[0]!).length, 4);
  });
});
