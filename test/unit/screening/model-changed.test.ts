/**
 * The model a run encodes with is the one whose index slot its caller chose: a switch completed in between (the
 * screening service chooses its slot, then encodes example scans or opens a PACS listing before it encodes
 * the folder) is MODEL_CHANGED, and the slot gets none of the other model's embeddings. Before, the run took
 * whatever model was loaded when it started encoding and stored its vectors under the slot chosen earlier.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IndexStore } from '../../../electron/index/index-store.js';
import { Encoder } from '../../../electron/inference/encoder.js';
import { ModelError } from '../../../electron/inference/errors.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { DecodePool } from '../../../electron/screening/decode-pool.js';
import { modelSlot } from '../../../electron/screening/model-slot.js';
import { encodeFiles } from '../../../electron/screening/pipeline.js';
import { indexFolder } from '../../../electron/screening/screen-job.js';
import { layoutFixtures } from '../../support/model-fixtures.js';

const fixtures = layoutFixtures();
const skip = 'skip' in fixtures ? fixtures.skip : false;
const changed = (e: unknown) => e instanceof ModelError && e.code === 'MODEL_CHANGED';

describe('a run encodes with the model its caller chose, or not at all', { skip }, () => {
  let work: string;
  let scans: string;
  const encoder = new Encoder();
  const pool = new DecodePool({ size: 1 });
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-model-changed-'));
    scans = path.join(work, 'scans');
    writeDemo({ dir: scans, count: 4, seed: 5, size: 128 });
  });
  after(async () => {
    await encoder.close();
    await pool.close();
    await rm(work, { recursive: true, force: true });
  });

  it('no model loaded yet (a load under way) is MODEL_CHANGED, not an internal error', async () => {
    await assert.rejects(encodeFiles([], pool, encoder).next(), changed);
  });

  it('a slot chosen with one model, then another loaded: MODEL_CHANGED, and the slot stays empty', async () => {
    const dir = (fixtures as { dir: string }).dir;
    const store = IndexStore.open(path.join(work, 'index'));
    try {
      const chosen = modelSlot(store, await encoder.load(path.join(dir, 'hf-clip-bpe'), { providers: ['cpu'] }));
      await encoder.load(path.join(dir, 'openclip-bpe'), { providers: ['cpu'] }); // the switch, completed
      await assert.rejects(
        indexFolder({ source: { folder: scans }, store, model: chosen, pool, encoder, regions: [] }),
        changed,
      );
      assert.equal(store.embeddings(chosen).scanIds.length, 0);
      // With the chosen model loaded again, the same run encodes the folder into its slot.
      const again = modelSlot(store, await encoder.load(path.join(dir, 'hf-clip-bpe'), { providers: ['cpu'] }));
      assert.equal(again.id, chosen.id);
      const summary = await indexFolder({ source: { folder: scans }, store, model: again, pool, encoder, regions: [] });
      assert.equal(summary.encoded, 4);
      assert.equal(store.embeddings(chosen).scanIds.length, 4);
    } finally {
      store.close();
    }
  });
});
