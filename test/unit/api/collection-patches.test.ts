/**
 * Query and Matrix over an opened folder with the default model, whose zero-shot scores weigh each scan's best
 * region: a phrase typed after the first gets its region margins from the patch grids the index kept, with no
 * scan decoded or encoded again, and scores as a first query of that phrase does (within what the grid's int8
 * storage moves a probability: test/unit/scoring/quantised-grid.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createServices, type AppServices } from '../../../electron/api/create-services.js';
import { dispatch, type HandlerContext } from '../../../electron/api/dispatch.js';
import type { Response } from '../../../electron/api/contract.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { PROJECT_ROOT } from '../../support/paths.js';
import Database from 'better-sqlite3';
import { INDEX_FILE } from '../../../electron/index/index-store.js';

type Query = Response<'query.run'>;

describe('opened scans keep their patch grids for later phrases', () => {
  let work: string;
  let folder: string;
  const open: AppServices[] = [];
  const start = async (name: string) => {
    const s = await createServices({
      dataDir: path.join(work, name),
      modelRoots: [path.join(PROJECT_ROOT, 'models')],
      decodeWorkers: 1,
    });
    open.push(s);
    await call(s, 'studies.openDropped', { paths: [folder] }, () => undefined);
    return s;
  };
  /** Calls a method; returns its value and how many scans the index encoded for it (its progress messages). */
  const call = async <T>(
    s: AppServices,
    method: Parameters<typeof dispatch>[1],
    req: unknown,
    onEncoded: (n: number) => void,
  ): Promise<T> => {
    const ctx: HandlerContext = {
      emit: (_event, payload) => {
        const m = /(\d+) new/.exec((payload as { message?: string }).message ?? '');
        if (m) onEncoded(Number(m[1]));
      },
    };
    const out = await dispatch(s.handlers, method, req, ctx);
    if (!out.ok) throw new Error(`${method}: ${out.error.code}: ${out.error.message}`);
    return out.value as T;
  };
  const query = async (s: AppServices, phrase: string) => {
    let encoded = 0;
    const q = await call<Query>(s, 'query.run', { phrases: [{ text: phrase, weight: 1 }], examples: [] }, (n) => {
      encoded = Math.max(encoded, n);
    });
    return { encoded, probability: new Map(q.rows.map((r) => [r.path, r.probability])), rule: q.rule };
  };

  /** Closes an app, then counts rows in its index (the app holds the database while open). */
  const countAfterClose = async (app: AppServices, name: string, sql: string): Promise<number[]> => {
    await app.close();
    open.splice(open.indexOf(app), 1);
    const db = new Database(path.join(work, name, 'index', INDEX_FILE), { readonly: true });
    try {
      return sql.split(';').map((q) => (db.prepare(q).get() as { n: number }).n);
    } finally {
      db.close();
    }
  };

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-grids-'));
    folder = path.join(work, 'scans');
    writeDemo({ dir: folder, count: 8, seed: 62, size: 256 });
  });
  after(async () => {
    for (const s of open) await s.close();
    await rm(work, { recursive: true, force: true });
  });

  it('scores a new phrase from the kept grids, without encoding, as a first query of it does', async () => {
    const app = await start('data');
    const first = await query(app, 'pneumothorax');
    assert.equal(first.encoded, 8, 'the first query encodes every scan');
    assert.match(first.rule, /best region/);
    const later = await query(app, 'rib fracture');
    assert.equal(later.encoded, 0, 'a later phrase encodes no scan again');

    // The same phrase first, in another data folder: encoded with it, its margins computed while encoding.
    const fresh = await query(await start('fresh'), 'rib fracture');
    assert.equal(fresh.encoded, 8);
    assert.equal(later.probability.size, 8);
    // The fresh query's margins come from the float32 grids as encoded, the later one's from the int8 grids kept.
    for (const [p, v] of fresh.probability) assert.ok(Math.abs(later.probability.get(p)! - v!) < 2e-2, p);
    const again = await query(app, 'rib fracture');
    assert.equal(again.encoded, 0);
    assert.deepEqual(again.probability, later.probability);
    // The margins the later query weighed were computed from the grids and kept: one per scan.
    const [kept] = await countAfterClose(
      app,
      'data',
      "SELECT count(*) AS n FROM regions WHERE phrase = 'rib fracture'",
    );
    assert.equal(kept, 8);
    // After a restart, both phrases' kept margins serve: nothing encoded, the same scores.
    const restarted = await start('data');
    const kept2 = await query(restarted, 'rib fracture');
    assert.equal(kept2.encoded, 0);
    assert.deepEqual(kept2.probability, later.probability);
    assert.equal((await query(restarted, 'pneumothorax')).encoded, 0);
  });

  it('keeps the grids of the scans open now only', async () => {
    const app = await start('prune');
    await query(app, 'nodule');
    const files = (await readdir(folder, { recursive: true }))
      .filter((f) => f.endsWith('.dcm'))
      .map((f) => path.join(folder, f))
      .slice(0, 3);
    assert.equal(files.length, 3);
    await call(app, 'studies.openDropped', { paths: files }, () => undefined);
    assert.equal((await query(app, 'nodule')).probability.size, 3);
    const [rows, grids] = await countAfterClose(
      app,
      'prune',
      'SELECT count(*) AS n FROM embeddings; SELECT count(*) AS n FROM embeddings WHERE patches IS NOT NULL',
    );
    assert.equal(rows, 8, 'every scan keeps its embedding');
    assert.equal(grids, 3, 'only the three open scans keep their grids');
  });

  it('drops the grids of the scans open before when the newly opened ones start encoding, not after', async () => {
    // At most one collection's grids are ever in the index (2,048 scans' worth), not the last one's and the new
    // one's: a run stopped as it starts leaves none of the earlier collection's.
    const app = await start('switch');
    await query(app, 'nodule');
    const other = path.join(work, 'other');
    writeDemo({ dir: other, count: 4, seed: 64, size: 256 });
    await call(app, 'studies.openDropped', { paths: [other] }, () => undefined);
    let stop: Promise<unknown> | null = null;
    const ctx: HandlerContext = {
      emit: (event, payload) => {
        const p = payload as { kind: string; jobId: string };
        if (event === 'job.progress' && p.kind === 'index' && !stop)
          stop = dispatch(app.handlers, 'index.cancel', { jobId: p.jobId }, ctx);
      },
    };
    const out = await dispatch(
      app.handlers,
      'query.run',
      { phrases: [{ text: 'nodule', weight: 1 }], examples: [] },
      ctx,
    );
    assert.ok(!out.ok && out.error.code === 'CANCELLED', JSON.stringify(out));
    const [grids] = await countAfterClose(
      app,
      'switch',
      'SELECT count(*) AS n FROM embeddings WHERE patches IS NOT NULL',
    );
    assert.ok(grids! <= 4, `${grids} grids kept: the first folder's 8 are still there`);
  });

  it('keeps no grids for a model that scores the whole image alone (0.6.0)', async () => {
    const app = await start('whole');
    await call(app, 'models.activate', { dir: path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt') }, () => {});
    const q = await query(app, 'nodule');
    assert.equal(q.encoded, 8);
    assert.doesNotMatch(q.rule, /best region/);
    const [grids] = await countAfterClose(
      app,
      'whole',
      'SELECT count(*) AS n FROM embeddings WHERE patches IS NOT NULL',
    );
    assert.equal(grids, 0);
  });

  it('fills the matrix with several new phrases at once, without encoding', async () => {
    const app = await start('matrix');
    await query(app, 'nodule');
    let encoded = 0;
    const m = await call<Response<'matrix.run'>>(
      app,
      'matrix.run',
      { phrases: ['calcified granuloma', 'scoliosis', 'no pleural effusion'] },
      (n) => (encoded = Math.max(encoded, n)),
    );
    assert.equal(encoded, 0);
    assert.equal(m.rows.length, 8);
    for (const r of m.rows) {
      assert.equal(r.probability.length, 3);
      for (const p of r.probability) assert.ok(p >= 0 && p <= 1, String(p));
    }
  });
});
