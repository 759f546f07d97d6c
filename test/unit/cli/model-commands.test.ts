import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ExecutionProvider } from '../../../electron/api/contract.js';
import { PROVIDER_NAMES } from '../../../electron/inference/provider-names.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { layoutFixtures, readNpy } from '../../support/model-fixtures.js';
import { runCli } from '../../support/cli.js';

const fixtures = layoutFixtures();
const skip = 'skip' in fixtures ? fixtures.skip : false;

const run = runCli;

describe('radsift embed, query and matrix', { skip }, () => {
  let work: string;
  let scans: string;
  let model: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-cli-'));
    process.env.RADSIFT_DATA_DIR = path.join(work, 'data');
    scans = path.join(work, 'scans');
    writeDemo({ dir: path.join(work, 'demo'), count: 5, seed: 3, size: 384 });
    // Only the DICOM tree: the demo's sidecar files (labels, masks) would be reported as failures.
    for (const e of await readdir(path.join(work, 'demo'))) {
      if (e.startsWith('PH')) await cp(path.join(work, 'demo', e), path.join(scans, e), { recursive: true });
    }
    model = path.join((fixtures as { dir: string }).dir, 'hf-clip-bpe');
  });
  after(async () => {
    delete process.env.RADSIFT_DATA_DIR;
    await rm(work, { recursive: true, force: true });
  });

  it('embed writes [N, D] unit vectors and lists the row order', async () => {
    const r = await run(['embed', scans, '--out', 'emb.npy', '--model-dir', model], work);
    assert.equal(r.code, 0, r.err);
    const summary = JSON.parse(r.out) as { count: number; dim: number; rows: string[]; failed: unknown[] };
    assert.equal(summary.count, 5);
    assert.equal(summary.rows.length, 5);
    assert.deepEqual(summary.failed, []);
    const npy = readNpy(path.join(work, 'emb.npy'));
    assert.deepEqual(npy.shape, [5, summary.dim]);
    const d = npy.data as Float32Array;
    for (let i = 0; i < 5; i++) {
      let s = 0;
      for (let k = 0; k < summary.dim; k++) s += d[i * summary.dim + k]! ** 2;
      assert.ok(Math.abs(s - 1) < 1e-4);
    }
    const t = await run(
      [
        'embed',
        '--text',
        'pleural effusion',
        '--text',
        'no pleural effusion',
        '--out',
        'txt.npy',
        '--model-dir',
        model,
      ],
      work,
    );
    assert.equal(t.code, 0, t.err);
    assert.deepEqual(readNpy(path.join(work, 'txt.npy')).shape.slice(0, 1), [2]);
  });

  it('query ranks by probability and reports failures with exit 2; non-DICOM files are skipped', async () => {
    await writeFile(path.join(scans, 'notes.txt'), 'not a scan');
    await writeFile(path.join(scans, 'notes.dcm'), 'not a scan either, but named like one');
    const r = await run(['query', scans, 'pleural effusion', '--json', '--top', '3', '--model-dir', model], work);
    assert.equal(r.code, 2, r.err);
    const q = JSON.parse(r.out) as {
      scans: number;
      results: { rank: number; probability: number }[];
      failed: { path: string }[];
      skipped: string[];
    };
    assert.deepEqual(
      q.skipped.map((p) => path.basename(p)),
      ['notes.txt'],
    );
    assert.equal(q.scans, 5);
    assert.equal(q.results.length, 3);
    for (let i = 1; i < q.results.length; i++) assert.ok(q.results[i - 1]!.probability >= q.results[i]!.probability);
    assert.deepEqual(
      q.failed.map((f) => path.basename(f.path)),
      ['notes.dcm'],
    );
    await rm(path.join(scans, 'notes.dcm'));
    const clean = await run(['query', scans, 'pleural effusion', '--json', '--model-dir', model], work);
    assert.equal(clean.code, 0, clean.err);
    await rm(path.join(scans, 'notes.txt'));
  });

  it('matrix writes one row per scan and two columns per phrase', async () => {
    const r = await run(
      ['matrix', scans, '--phrases', 'pleural effusion, cardiomegaly', '--out', 'm.csv', '--model-dir', model],
      work,
    );
    assert.equal(r.code, 0, r.err);
    const lines = (await readFile(path.join(work, 'm.csv'), 'utf8')).trim().split('\n');
    assert.equal(
      lines[0],
      'path,pleural effusion similarity,pleural effusion probability,cardiomegaly similarity,cardiomegaly probability',
    );
    assert.equal(lines.length, 6);
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      assert.equal(cells.length, 5);
      for (const v of cells.slice(1).map(Number)) assert.ok(Number.isFinite(v));
    }
  });

  it('eval reports AUC with a bootstrap interval per labelled phrase and writes ROC points', async () => {
    const files = (await readdir(scans, { recursive: true })).filter((f) => f.endsWith('.dcm')).sort();
    // Labels chosen so both classes exist: the first two files are "positive".
    await writeFile(
      path.join(scans, 'labels.csv'),
      `path,pleural_effusion\n${files.map((f, i) => `${f},${i < 2 ? 1 : 0}`).join('\n')}\n`,
    );
    const r = await run(
      ['eval', scans, '--labels', path.join(scans, 'labels.csv'), '--json', '--roc', 'roc.csv', '--model-dir', model],
      work,
    );
    await rm(path.join(scans, 'labels.csv'));
    // Only the labelled files are read (labels.csv beside them is not an input): a clean run.
    assert.equal(r.code, 0, r.err);
    const e = JSON.parse(r.out) as {
      model: string;
      modelVersion: string;
      scans: number;
      probeFeatures: string;
      phrases: {
        phrase: string;
        positives: number;
        negatives: number;
        auc: number;
        ci95: number[];
        aucBarePhrase: number;
        probe: { testScans: number; labelFraction: Record<string, number> };
      }[];
      means: Record<string, number>;
    };
    assert.equal(e.scans, 5);
    // The figures name the weights they belong to.
    assert.ok(e.model.length > 0 && e.modelVersion.length > 0, `${e.model} ${e.modelVersion}`);
    assert.deepEqual(
      e.phrases.map((p) => [p.phrase, p.positives, p.negatives]),
      [['pleural effusion', 2, 3]],
    );
    assert.ok(e.phrases[0]!.auc >= 0 && e.phrases[0]!.auc <= 1);
    assert.ok(e.phrases[0]!.ci95[0]! <= e.phrases[0]!.auc && e.phrases[0]!.auc <= e.phrases[0]!.ci95[1]!);
    // Bare phrase (no templates); the probe trains on 1 positive and 1 negative, tests on the other 3.
    assert.ok(e.phrases[0]!.aucBarePhrase >= 0 && e.phrases[0]!.aucBarePhrase <= 1);
    assert.equal(e.phrases[0]!.probe.testScans, 3);
    assert.ok('probe100pct' in e.means && 'negationOrdering' in e.means);
    // The probes read this model's embedding (no patch grid), five scans being too few to centre on.
    assert.equal(e.probeFeatures, 'embedding');
    const roc = (await readFile(path.join(work, 'roc.csv'), 'utf8')).trim().split('\n');
    assert.equal(roc[0], 'phrase,fpr,tpr,threshold');
    assert.match(roc.at(-1)!, /^pleural effusion,1,1,/);
  });

  it('--model with an id two folders share is refused, naming both; models lists each folder', async () => {
    // Two exports of one model in folders of one name: one id (the folder's name), two models.
    const first = path.join(work, 'first', 'tiny-clip');
    const second = path.join(work, 'second', 'tiny-clip');
    await cp(model, first, { recursive: true });
    await cp(model, second, { recursive: true });
    const both = ['--model-dir', first, '--model-dir', second];
    const embed = ['embed', '--text', 'pleural effusion', '--out', 'dup.npy'];
    const r = await run([...embed, '--model', 'tiny-clip', ...both], work);
    assert.equal(r.code, 1, r.err);
    assert.match(
      r.err,
      /2 installed models have the id "tiny-clip": .*first\/tiny-clip, .*second\/tiny-clip; give the folder instead/,
    );
    const chosen = await run([...embed, '--model', second, ...both], work);
    assert.equal(chosen.code, 0, chosen.err);
    const listed = await run(['models', '--no-load', ...both], work);
    assert.equal(listed.code, 0, listed.err);
    assert.match(listed.out, /tiny-clip .*\n.*\n +\S*first\/tiny-clip\n/);
    assert.match(listed.out, /tiny-clip .*\n.*\n +\S*second\/tiny-clip\n/);
  });

  it('models --json gives the execution provider as data beside the line the text prints', async () => {
    const json = await run(['models', '--json', '--model-dir', model], work);
    assert.equal(json.code, 0, json.err);
    const listed = JSON.parse(json.out) as { executionProvider: string; provider: ExecutionProvider };
    assert.equal(listed.provider.active, 'cpu');
    // The line: the active provider's label, then each one passed over with its reason, in no brackets of ours.
    const why = listed.provider.fallbacks.map((f) => `${PROVIDER_NAMES[f.name]} did not load: ${f.reason}`);
    assert.equal(listed.executionProvider, why.length ? `CPU — ${why.join('; ')}` : 'CPU');
    const text = await run(['models', '--model-dir', model], work);
    assert.ok(text.out.includes(`\nexecution provider: ${listed.executionProvider}\n`), text.out);
  });

  it('usage errors exit 1', async () => {
    assert.equal((await run(['matrix', scans, '--out', 'm.csv'], work)).code, 1);
    assert.equal((await run(['query', scans], work)).code, 1);
    assert.equal((await run(['embed', scans], work)).code, 1);
  });
});
