/**
 * The space example similarities are computed in, per scope of an index holding other folders too: pooled
 * patch embeddings only where every scan of the scope has one, the centre from the scope's scans alone.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IndexStore, type ModelSlot } from '../../../electron/index/index-store.js';
import { scanRecord as record } from '../../support/scan-record.js';
import { exampleProfile, MIN_CENTRING_SCANS } from '../../../electron/scoring/example-profile.js';
import { seededRandom } from '../../../electron/scoring/metrics.js';
import { normalise } from '../../../electron/scoring/vectors.js';
import { scopeEmbeddings, scopeSpace, screenResults } from '../../../electron/screening/results.js';

/** No phrases are scored here: the rule is the whole image's. */
const WHOLE_IMAGE = { logitScale: 10, regionOffset: null, regionWeight: 0.5 };

describe('screening results: the examples space of a scope', () => {
  let dir: string;
  let store: IndexStore;
  let model: ModelSlot;
  const rnd = seededRandom(11);
  const unit = () => normalise(Float32Array.from({ length: 3 }, () => rnd() - 0.5));
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'radsift-results-space-'));
    store = IndexStore.open(dir);
    model = store.model('p@1', 3, [2, 2]);
    // /a: 25 scans, all with pooled vectors; /b: 5 scans, one without (encoded before they were kept).
    for (let i = 0; i < 25; i++) store.putEmbedding(store.putScan(record(`/a/${i}.dcm`)), model, unit(), null, unit());
    for (let i = 0; i < 5; i++)
      store.putEmbedding(store.putScan(record(`/b/${i}.dcm`)), model, unit(), null, i === 0 ? null : unit());
  });
  after(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('centres on the scope alone and compares pooled patches where every scan of it has them', () => {
    const a = scopeSpace(store, model, '/a');
    assert.equal(a.scans, 25);
    assert.ok(a.space.patches && a.space.centre && a.space.pooledCentre);
    const whole = scopeSpace(store, model, '/');
    assert.equal(whole.scans, 30);
    assert.equal(whole.space.patches, false, 'one scan of the index has no pooled vector');
    assert.ok(
      a.space.centre!.some((x, k) => Math.abs(x - whole.space.centre![k]!) > 1e-4),
      'the centre is the scope mean, not the index mean',
    );
    const b = scopeSpace(store, model, '/b');
    assert.ok(b.scans < MIN_CENTRING_SCANS);
    assert.deepEqual(b.space, { centre: null, pooledCentre: null, patches: false });
  });

  it("scores every row of the scope in the examples' space, and refuses embeddings read without pooled vectors", () => {
    const { space } = scopeSpace(store, model, '/a');
    const stored = scopeEmbeddings(store, model, '/a', { pooled: true });
    const examples = [0, 1, 2].map((r) => ({
      embedding: stored.data.subarray(r * 3, r * 3 + 3),
      pooled: stored.pooled![r]!,
    }));
    const example = exampleProfile(examples, space);
    assert.equal(example.space.patches, true);
    const rows = [...screenResults(store, model, '/a', { phrases: [], rule: WHOLE_IMAGE, threshold: 0.5, example })];
    assert.equal(rows.length, 25);
    assert.ok(rows.every((r) => r.exampleSimilarity !== null));
    const plain = scopeEmbeddings(store, model, '/a');
    assert.throws(
      () => [
        ...screenResults(store, model, '/a', {
          phrases: [],
          rule: WHOLE_IMAGE,
          threshold: 0.5,
          example,
          embeddings: plain,
        }),
      ],
      /read without them/,
    );
  });
});
