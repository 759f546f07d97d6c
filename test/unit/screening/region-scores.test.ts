/**
 * Zero-shot from the whole image and its best region, with the bundled default model (its manifest sets
 * regionOffset) on phantoms, through every path that scores: `radsift query` over files, `radsift screen`
 * (its index keeps each scan's margins for the job's phrases) and `radsift query --index` (reads them): the
 * same probabilities, which are not the whole image's; a run with a phrase the index has no margins for
 * encodes the scans again, the next one does not; 0.6.0 (no offset) scores the whole image alone.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliIO } from '../../../electron/cli/command.js';
import { main } from '../../../electron/cli/radsift.js';
import { scoreFolder } from '../../../electron/cli/folder-scores.js';
import { openSession } from '../../../electron/cli/session.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { pairProbability } from '../../../electron/scoring/zero-shot.js';
import { INDEX_FILE } from '../../../electron/index/index-store.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const RARE = path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt-rare');
const EARLIER = path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt');

async function run(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd };
  return { code: await main(args, io), out, err };
}

type QueryJson = { results: { path: string; probability: number }[] };
type ScreenJson = { rows: { path: string; scores: { phrase: string; probability: number }[] }[] };

describe('zero-shot from the whole image and its best region', () => {
  let work: string;
  let folder: string;
  const quiet: CliIO = { stdout: () => {}, stderr: () => {}, cwd: process.cwd() };
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-region-scores-'));
    process.env.RADSIFT_DATA_DIR = path.join(work, 'data');
    folder = path.join(work, 'scans');
    writeDemo({ dir: folder, count: 6, seed: 41, size: 256, prevalence: { nodule: 0.5 } });
  });
  after(async () => {
    delete process.env.RADSIFT_DATA_DIR;
    await rm(work, { recursive: true, force: true });
  });

  const byPath = (rows: { path: string; probability: number }[]) => new Map(rows.map((r) => [r.path, r.probability]));

  it('query, screen and query --index agree, and differ from the whole image alone', async () => {
    const q = await run(['query', folder, 'nodule', '--json', '--model-dir', RARE], work);
    assert.equal(q.code, 0, q.err);
    const files = byPath((JSON.parse(q.out) as QueryJson).results);
    assert.equal(files.size, 6);

    const index = path.join(work, 'index');
    const screen = ['screen', folder, '--phrases', 'nodule', '--index', index, '--model-dir', RARE];
    const first = await run([...screen, '--out', path.join(work, 'a.json')], work);
    assert.equal(first.code, 0, first.err);
    assert.match(first.err, /index: 6 encoded, 0 unchanged/);
    const screened = (JSON.parse(await readFile(path.join(work, 'a.json'), 'utf8')) as ScreenJson).rows;
    const fromIndex = await run(['query', '--index', index, 'nodule', '--json', '--model-dir', RARE], work);
    assert.equal(fromIndex.code, 0, fromIndex.err);
    const indexed = byPath((JSON.parse(fromIndex.out) as QueryJson).results);
    assert.equal((JSON.parse(fromIndex.out) as { wholeImageOnly: number }).wholeImageOnly, 0);
    // A phrase no screening run named: every scan by the whole image alone, and it says so.
    const unscreened = await run(['query', '--index', index, 'rib fracture', '--model-dir', RARE], work);
    assert.equal(unscreened.code, 0, unscreened.err);
    assert.match(unscreened.out, /6 of 6 scans were screened without "rib fracture": scored by the whole image alone/);
    const absent = await run(['query', '--index', index, 'no nodule', '--json', '--model-dir', RARE], work);
    assert.equal((JSON.parse(absent.out) as { wholeImageOnly: number }).wholeImageOnly, 0, 'absence has no region');
    for (const row of screened) {
      const p = row.scores[0]!.probability;
      assert.ok(Math.abs(p - files.get(row.path)!) < 1e-4, `${row.path}: screen ${p}, query ${files.get(row.path)}`);
      assert.ok(Math.abs(p - indexed.get(row.path)!) < 1e-4, `${row.path}: query --index ${indexed.get(row.path)}`);
    }

    // The whole image alone, from the same embeddings: another probability for every scan.
    const session = await openSession({ 'model-dir': [RARE] }, quiet);
    try {
      // One phrase over the folder: per scan, the app's probability and the whole image's alone.
      const scored = async (phrase: string) => {
        const s = await scoreFolder(session, [folder], [phrase], quiet);
        const v = s.vectors[0]!;
        return s.paths.map((p, i) => {
          const e = s.images.data.subarray(i * s.images.dim, (i + 1) * s.images.dim);
          const dot = (w: Float32Array) => e.reduce((a, x, k) => a + x * w[k]!, 0);
          const whole = pairProbability(dot(v.positive), dot(v.negative), session.loaded.model.logitScale);
          return { p, region: s.regions[i]?.[0], app: s.probability[i]!, whole };
        });
      };
      for (const r of await scored('nodule')) {
        assert.ok(r.region !== undefined && Number.isFinite(r.region));
        assert.ok(Math.abs(r.whole - r.app) > 1e-3, `${r.p}: the region counts`);
      }
      // A shape of the whole thorax: the whole image alone, though the model scores regions.
      for (const r of await scored('scoliosis')) {
        assert.ok(r.region !== undefined && Number.isNaN(r.region));
        assert.ok(Math.abs(r.whole - r.app) < 1e-6, `${r.p}: scoliosis by the whole image alone`);
      }
    } finally {
      await session.close();
    }

    // A phrase the index keeps no margins for: every scan is encoded again once.
    const more = [...screen.slice(0, 3), 'nodule,rib fracture', ...screen.slice(4)];
    const second = await run([...more, '--out', path.join(work, 'b.json')], work);
    assert.equal(second.code, 0, second.err);
    assert.match(second.err, /index: 6 encoded, 0 unchanged/);
    const third = await run([...more, '--out', path.join(work, 'c.json')], work);
    assert.match(third.err, /index: 0 encoded, 6 unchanged/);
    // A phrase of absence has no region: it does not make a run encode again.
    const absence = [...screen.slice(0, 3), 'no nodule', ...screen.slice(4)];
    const fourth = await run([...absence, '--out', path.join(work, 'd.json')], work);
    assert.match(fourth.err, /index: 0 encoded, 6 unchanged/);
    // Nor does a shape of the whole thorax, which is weighed by the whole image alone.
    const thorax = [...screen.slice(0, 3), 'scoliosis', ...screen.slice(4)];
    const fifth = await run([...thorax, '--out', path.join(work, 'e.json')], work);
    assert.match(fifth.err, /index: 0 encoded, 6 unchanged/);
    // An index written before shapes of the whole thorax kept the whole image may hold a margin for one: it is
    // not read. A large margin is planted for every scan; the scores stay the files' (the whole image alone).
    const db = new Database(path.join(index, INDEX_FILE));
    try {
      const planted = db
        .prepare(
          "INSERT INTO regions (scan_id, model_id, phrase, margin) SELECT scan_id, model_id, 'scoliosis', 5 FROM regions WHERE phrase = 'nodule'",
        )
        .run().changes;
      assert.equal(planted, 6);
    } finally {
      db.close();
    }
    const curve = await run(['query', folder, 'scoliosis', '--json', '--model-dir', RARE], work);
    const curveIndexed = await run(['query', '--index', index, 'scoliosis', '--json', '--model-dir', RARE], work);
    assert.equal(curveIndexed.code, 0, curveIndexed.err);
    const wholeOnly = byPath((JSON.parse(curve.out) as QueryJson).results);
    for (const r of (JSON.parse(curveIndexed.out) as QueryJson).results)
      assert.ok(Math.abs(r.probability - wholeOnly.get(r.path)!) < 1e-4, `${r.path}: the planted margin was read`);
  });

  it('a model without a region offset scores the whole image alone', async () => {
    const session = await openSession({ 'model-dir': [EARLIER] }, quiet);
    try {
      assert.equal(session.loaded.model.regionOffset, null);
      const s = await scoreFolder(session, [folder], ['nodule'], quiet);
      assert.ok(s.regions.every((r) => r === null));
      const v = s.vectors[0]!;
      s.paths.forEach((_, i) => {
        const e = s.images.data.subarray(i * s.images.dim, (i + 1) * s.images.dim);
        const dot = (w: Float32Array) => e.reduce((a, x, k) => a + x * w[k]!, 0);
        const whole = pairProbability(dot(v.positive), dot(v.negative), session.loaded.model.logitScale);
        assert.ok(Math.abs(whole - s.probability[i]!) < 1e-6);
      });
    } finally {
      await session.close();
    }
  });
});
