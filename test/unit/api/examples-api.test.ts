/**
 * The rare-finding workflow through the API with the shipped model: scans marked "use as example" are
 * kept per folder across restarts, and a screening job run with them flags scans like them — more
 * often the scans that share the examples' finding — and says how many examples it rests on.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ScreenJob } from '../../../electron/api/contract.js';
import type { ExampleCoherence } from '../../../electron/scoring/example-coherence.js';
import { createServices, type AppServices } from '../../../electron/api/create-services.js';
import { dispatch, type HandlerContext } from '../../../electron/api/dispatch.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { DEFAULT_PREVALENCE } from '../../../electron/phantom/findings.js';
import { PROJECT_ROOT } from '../../support/paths.js';
import { buildDicom } from '../dicom/builder.js';
import { callApi, untilDone } from '../../support/app-services.js';
import { bundleKey } from '../../support/bundle-key.js';
import Database from 'better-sqlite3';
import { INDEX_FILE } from '../../../electron/index/index-store.js';

const ctx: HandlerContext = { emit: () => undefined };

describe('example sets and screening with them', () => {
  let work: string;
  let folder: string;
  let services: AppServices;
  const start = () =>
    createServices({
      dataDir: path.join(work, 'data'),
      modelRoots: [path.join(PROJECT_ROOT, 'models')],
      decodeWorkers: 1,
    });
  const call = async <T>(s: AppServices, method: Parameters<typeof dispatch>[1], req: unknown): Promise<T> => {
    const out = await dispatch(s.handlers, method, req, ctx);
    if (!out.ok) throw new Error(`${method}: ${out.error.code}: ${out.error.message}`);
    return out.value as T;
  };

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-examples-'));
    folder = path.join(work, 'scans');
    writeDemo({
      dir: folder,
      count: 48,
      seed: 61,
      size: 256,
      prevalence: { ...DEFAULT_PREVALENCE, pneumothorax: 0.25 },
    });
    services = await start();
  });
  after(async () => {
    await services?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('keeps examples per folder, refuses files outside opened folders, and screens with them', async () => {
    const labels = (await readFile(path.join(folder, 'labels.csv'), 'utf8')).trim().split('\n');
    const column = labels[0]!.split(',').indexOf('pneumothorax');
    const positive = new Set(
      labels
        .slice(1)
        .filter((l) => l.split(',')[column] === '1')
        .map((l) => path.join(folder, l.split(',')[0]!)),
    );
    assert.ok(positive.size >= 6, `${positive.size} pneumothorax cases`);
    const examples = [...positive].slice(0, 3);

    await assert.rejects(call(services, 'examples.add', { scope: folder, path: examples[0] }), /FORBIDDEN/);
    await call(services, 'studies.openDropped', { paths: [folder] });
    for (const file of examples) await call(services, 'examples.add', { scope: folder, path: file });
    const set = await call<{ paths: string[]; confidentFrom: number }>(services, 'examples.add', {
      scope: folder,
      path: examples[0],
    });
    assert.deepEqual(set.paths, examples, 'each scan once');
    assert.equal(set.confidentFrom, 4);

    // Kept across a restart.
    await services.close();
    services = await start();
    assert.deepEqual((await call<{ paths: string[] }>(services, 'examples.get', { scope: folder })).paths, examples);
    await call(services, 'studies.openDropped', { paths: [folder] });

    await assert.rejects(call(services, 'screen.start', { phrases: [] }), /BAD_REQUEST/);
    await assert.rejects(
      call(services, 'screen.start', { phrases: [], exampleScope: '/nowhere' }),
      /example set is empty/,
    );
    // No dialog in this harness: the job screens the folder the examples came from through the PACS-free path.
    const job = services.screening.start(folder, [], undefined, undefined, set.paths);
    assert.equal(job.examples, 3);
    await untilDone(services, job);
    const { rows, exampleThreshold, exampleCentredOn, examplePatches, exampleCoherence } = await call<{
      rows: { path: string; exampleSimilarity: number | null; flagged: boolean }[];
      exampleThreshold: number | null;
      exampleCentredOn: number | null;
      examplePatches: boolean | null;
      exampleCoherence: ExampleCoherence | null;
    }>(services, 'screen.results', { id: job.id });
    // Three pneumothorax cases are far more alike than two scans picked at random from the folder.
    assert.ok(exampleCoherence, 'coherence measured');
    assert.ok(exampleCoherence.alike && exampleCoherence.p <= 0.05, JSON.stringify(exampleCoherence));
    assert.ok(exampleCoherence.value > exampleCoherence.random + 0.3, JSON.stringify(exampleCoherence));
    assert.ok(exampleCoherence.effect >= 0.4, JSON.stringify(exampleCoherence));
    assert.equal(rows.length, 48);
    // Similarities are centred on the mean embedding of the 48 scans screened (docs/few-shot.md).
    assert.equal(exampleCentredOn, 48);
    // The model has patch embeddings: every scan screened was stored with them max-pooled, and so compared.
    assert.equal(examplePatches, true);
    assert.ok(rows.every((r) => r.exampleSimilarity !== null));
    // Without phrases, a row is flagged exactly when it reaches the examples' cut, which the API sends.
    assert.equal(typeof exampleThreshold, 'number');
    for (const r of rows) assert.equal(r.flagged, r.exampleSimilarity! >= exampleThreshold!, r.path);
    for (const e of examples) assert.ok(rows.find((r) => r.path === e)!.flagged, 'an example is like itself');
    // Ranked by similarity to the examples, the other pneumothorax cases come before the rest on average.
    const others = rows.filter((r) => !examples.includes(r.path));
    const ranked = [...others].sort((a, b) => b.exampleSimilarity! - a.exampleSimilarity!);
    const meanRank = (pred: (p: string) => boolean) => {
      const ranks = ranked.flatMap((r, i) => (pred(r.path) ? [i] : []));
      return ranks.reduce((s, x) => s + x, 0) / ranks.length;
    };
    assert.ok(meanRank((p) => positive.has(p)) < meanRank((p) => !positive.has(p)), 'positives rank higher');

    // The examples' embeddings are stored with the job: after a restart, with an example file since
    // overwritten (moved, edited or deleted alike), the job's results are what they were.
    await services.close();
    await writeFile(examples[0]!, 'no longer a DICOM file');
    services = await start();
    const later = await call<{ rows: { path: string; exampleSimilarity: number | null }[]; exampleThreshold: number }>(
      services,
      'screen.results',
      { id: job.id },
    );
    assert.equal(later.exampleThreshold, exampleThreshold);
    assert.deepEqual(
      later.rows.map((r) => [r.path, r.exampleSimilarity]),
      rows.map((r) => [r.path, r.exampleSimilarity]),
    );
  });
  it('leaves out an example gone or unreadable and says which; a set whose every scan is gone starts no job', async () => {
    const extra = path.join(work, 'extra');
    await mkdir(extra);
    // Four scans that are still DICOM (the test above overwrote one of its examples).
    const isDicom = async (f: string) => (await readFile(f)).toString('latin1', 128, 132) === 'DICM';
    const sources: string[] = [];
    for (const l of (await readFile(path.join(folder, 'labels.csv'), 'utf8')).trim().split('\n').slice(1))
      if (sources.length < 4 && (await isDicom(path.join(folder, l.split(',')[0]!)))) sources.push(l);
    const files = sources.map((l, i) => path.join(extra, `e${i}.dcm`));
    for (const [i, l] of sources.entries()) await copyFile(path.join(folder, l.split(',')[0]!), files[i]!);
    await call(services, 'studies.openDropped', { paths: [extra] });
    // Only a file, kept in one spelling.
    await assert.rejects(call(services, 'examples.add', { scope: extra, path: extra }), /Only a scan file/);
    // Only a DICOM image: not the folder's table, nor a DICOM file without an image (a DICOMDIR, a report).
    await copyFile(path.join(folder, 'labels.csv'), path.join(extra, 'labels.csv'));
    await assert.rejects(
      call(services, 'examples.add', { scope: extra, path: path.join(extra, 'labels.csv') }),
      /Only a DICOM image can be an example: no DICM prefix/,
    );
    await writeFile(path.join(extra, 'DICOMDIR.dcm'), buildDicom({ x00041220: ['SQ', []] }));
    await assert.rejects(
      call(services, 'examples.add', { scope: extra, path: path.join(extra, 'DICOMDIR.dcm') }),
      /Only a DICOM image can be an example: it holds no image/,
    );
    assert.deepEqual((await call<{ paths: string[] }>(services, 'examples.get', { scope: extra })).paths, []);
    for (const f of ['labels.csv', 'DICOMDIR.dcm']) await rm(path.join(extra, f));
    await call(services, 'examples.add', { scope: extra, path: path.join(extra, '.', 'e0.dcm') });
    for (const f of files.slice(1, 3)) await call(services, 'examples.add', { scope: extra, path: f });
    await call(services, 'examples.add', { scope: 'only-gone', path: files[1] });
    await rm(files[1]!);
    await writeFile(files[2]!, 'no longer a DICOM file');
    const set = await call<{ paths: string[]; missing: string[] }>(services, 'examples.get', { scope: extra });
    assert.deepEqual(set.paths, files.slice(0, 3));
    assert.deepEqual(set.missing, [files[1]]);
    await assert.rejects(
      call(services, 'screen.start', { phrases: [], exampleScope: 'only-gone' }),
      /None of the example set's 1 scans can be read/,
    );
    // The job ranks by the one left, and names the two it left out and why, without their paths in the reason.
    const job = services.screening.start(extra, [], undefined, undefined, set.paths);
    await untilDone(services, job);
    const done = (await call<{ jobs: ScreenJob[] }>(services, 'screen.list', {})).jobs.find((j) => j.id === job.id)!;
    assert.equal(done.examples, 1);
    assert.deepEqual(
      done.examplesLeftOut.map((e) => e.path),
      files.slice(1, 3),
    );
    for (const e of done.examplesLeftOut) assert.ok(!e.reason.includes(extra), e.reason);
    const results = await call<{ exampleCount: number; rows: unknown[] }>(services, 'screen.results', { id: job.id });
    assert.equal(results.exampleCount, 1);
    assert.equal(results.rows.length, 3); // e1 deleted; e2 a row that failed
  });

  it('says when the examples are no more alike than scans picked at random', async () => {
    await call(services, 'studies.openDropped', { paths: [folder] });
    const names = (await readFile(path.join(folder, 'labels.csv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => path.join(folder, l.split(',')[0]!));
    const coherence = async (examples: string[]) => {
      const job = services.screening.start(folder, [], undefined, undefined, examples);
      await untilDone(services, job);
      const read = () =>
        call<{
          exampleCoherence: ExampleCoherence | null;
        }>(services, 'screen.results', { id: job.id });
      const first = (await read()).exampleCoherence;
      assert.deepEqual((await read()).exampleCoherence, first, 'the same p whenever results are read');
      return first;
    };
    // Every seventh scan of the folder: examples with nothing in particular in common.
    const picked = await coherence(names.filter((_, i) => i % 7 === 3).slice(0, 4));
    assert.ok(picked && !picked.alike && !picked.undecided && picked.p > 0.05, JSON.stringify(picked));
    assert.ok(Math.abs(picked.random) < 0.1, JSON.stringify(picked));
    // One example: nothing to compare.
    assert.equal(await coherence(names.slice(0, 1)), null);
  });

  it('a job paused while its examples are encoded stays paused, and resumes to the end', async () => {
    await call(services, 'studies.openDropped', { paths: [folder] });
    const { paths } = await call<{ paths: string[] }>(services, 'examples.get', { scope: folder });
    const usable = paths.length ? paths.slice(1) : [];
    const examples = usable.length
      ? usable
      : [path.join(folder, (await readFile(path.join(folder, 'labels.csv'), 'utf8')).split('\n')[1]!.split(',')[0]!)];
    const job = services.screening.start(folder, ['pneumothorax'], undefined, undefined, examples);
    services.screening.control(job.id, 'pause');
    // A restart waits for the run to end and reads what was stored: paused, not running (interrupted).
    await services.close();
    services = await start();
    const listed = () => call<{ jobs: ScreenJob[] }>(services, 'screen.list', {});
    assert.equal((await listed()).jobs.find((j) => j.id === job.id)!.state, 'paused');
    services.screening.control(job.id, 'resume');
    const deadline = Date.now() + 180_000;
    let state = 'running';
    while (state === 'running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await listed()).jobs.find((j) => j.id === job.id)!.state;
    }
    assert.equal(state, 'done');
    const { rows } = await call<{ rows: { status: string; exampleSimilarity: number | null }[] }>(
      services,
      'screen.results',
      { id: job.id },
    );
    assert.equal(rows.length, 48);
    // Every readable scan is scored against the examples (the file the test above overwrote is a failed row).
    const readable = rows.filter((r) => r.status === 'ok');
    assert.ok(readable.length >= 47);
    assert.ok(readable.every((r) => r.exampleSimilarity !== null));
  });

  it('a job stored before pooled vectors were kept gains them for its examples when it runs again', async () => {
    await call(services, 'studies.openDropped', { paths: [folder] });
    const { paths } = await call<{ paths: string[] }>(services, 'examples.get', { scope: folder });
    const job = services.screening.start(folder, [], undefined, undefined, paths.slice(1));
    const listed = () => call<{ jobs: ScreenJob[] }>(services, 'screen.list', {});
    const settle = async () => {
      const deadline = Date.now() + 180_000;
      let state = 'running';
      while (state === 'running' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        state = (await listed()).jobs.find((j) => j.id === job.id)!.state;
      }
      return state;
    };
    assert.equal(await settle(), 'done');
    const patches = async () =>
      (await call<{ examplePatches: boolean | null }>(services, 'screen.results', { id: job.id })).examplePatches;
    assert.equal(await patches(), true);
    // As a job of the schema before: its examples' embeddings stored without pooled vectors, and paused.
    await services.close();
    const db = new Database(path.join(work, 'data', 'index', INDEX_FILE));
    const { params } = db.prepare('SELECT params FROM jobs WHERE id = ?').get(job.id) as { params: string };
    const old = JSON.parse(params) as { exampleEmbeddings: { pooled?: unknown } };
    assert.ok(old.exampleEmbeddings.pooled, "the job stored its examples' pooled vectors");
    delete old.exampleEmbeddings.pooled;
    db.prepare("UPDATE jobs SET params = ?, state = 'paused' WHERE id = ?").run(JSON.stringify(old), job.id);
    db.close();
    services = await start();
    assert.equal(await patches(), false, 'compared by the embeddings it stored');
    services.screening.control(job.id, 'resume');
    assert.equal(await settle(), 'done');
    assert.equal(await patches(), true, 'encoded again with their pooled patch embeddings');
  });

  it('names what was opened by a stable scope: several files in any order give the same one', async () => {
    const files = (await readFile(path.join(folder, 'labels.csv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1, 3)
      .map((l) => path.join(folder, l.split(',')[0]!));
    const a = await call<{ source: string; scope: string }>(services, 'studies.openDropped', { paths: files });
    const b = await call<{ source: string; scope: string }>(services, 'studies.openDropped', {
      paths: [...files].reverse(),
    });
    const one = await call<{ scope: string }>(services, 'studies.openDropped', { paths: [files[0]!] });
    assert.equal(a.source, '2 items');
    assert.equal(a.scope, b.scope);
    assert.match(a.scope, /^items:[0-9a-f]{16}$/);
    assert.equal(one.scope, files[0]);
  });

  it('after a model switch, a job says what its results rest on: its examples as the model that ranked them could use them', async () => {
    const RARE = path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt-rare');
    const EARLIER = path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt');
    const scans = path.join(work, 'switch-scans');
    writeDemo({ dir: scans, count: 8, seed: 62, size: 256 });
    // Four examples from the first folder, copied apart: the test deletes and restores them.
    const sources = (await readFile(path.join(folder, 'labels.csv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(5, 9)
      .map((l) => path.join(folder, l.split(',')[0]!));
    const exampleDir = path.join(work, 'switch-examples');
    await mkdir(exampleDir);
    const ex = sources.map((_, i) => path.join(exampleDir, `x${i}.dcm`));
    for (const [i, f] of ex.entries()) await copyFile(sources[i]!, f);
    const events: ScreenJob[] = [];
    const open = () =>
      createServices({
        dataDir: path.join(work, 'data-switch'),
        modelRoots: [path.join(PROJECT_ROOT, 'models')],
        decodeWorkers: 1,
        broadcast: (name, job) => {
          if (name === 'screen.job') events.push(job as ScreenJob);
        },
      });
    let app = await open();
    try {
      await callApi(app, 'models.activate', { dir: RARE });
      await rm(ex[1]!);
      const job = app.screening.start(scans, [], undefined, undefined, ex);
      await untilDone(app, job);
      const view = async () =>
        (await callApi<{ jobs: ScreenJob[] }>(app, 'screen.list', {})).jobs.find((j) => j.id === job.id)!;
      const figures = async () => {
        const v = await view();
        for (const e of v.examplesLeftOut) assert.ok(!e.reason.includes(exampleDir), e.reason);
        return [v.examples, v.examplesLeftOut.map((e) => e.path), v.examplesModel, v.examplesModelActive];
      };
      const results = async () =>
        (await callApi<{ exampleCount: number | null }>(app, 'screen.results', { id: job.id })).exampleCount;
      const rare = (await view()).examplesModel!;
      assert.equal(rare, await bundleKey(RARE));
      assert.deepEqual(await figures(), [3, [ex[1]], rare, true]);

      // x1 back; x2 deleted and x3 overwritten since; then another model.
      await copyFile(sources[1]!, ex[1]!);
      await rm(ex[2]!);
      await writeFile(ex[3]!, 'no longer a DICOM file');
      await callApi(app, 'models.activate', { dir: EARLIER });
      // Until its results are read with it, the job says they rest on the first model's encoding, not the active one.
      assert.deepEqual(await figures(), [3, [ex[1]], rare, false]);
      events.length = 0;
      // Read with it, the examples are encoded again from their files: x1 counts, x2 and x3 are left out, and the
      // job's view says so at once (a screen.job event, as the card hears it).
      assert.equal(await results(), 2);
      const earlier = (await view()).examplesModel!;
      assert.match(earlier, /^radsift-phantom-convirt@/);
      assert.deepEqual(await figures(), [2, [ex[2], ex[3]], earlier, true]);
      const heard = events.filter((e) => e.id === job.id);
      assert.deepEqual(
        heard.map((e) => [e.examples, e.examplesModel, e.examplesModelActive]),
        [[2, earlier, true]],
      );
      assert.equal(await results(), 2);
      assert.equal(events.filter((e) => e.id === job.id).length, 1, 'no event when nothing changed');

      // Back to the first model: the embeddings it stored are what its results rest on again, gone files or not.
      await callApi(app, 'models.activate', { dir: RARE });
      assert.deepEqual(await figures(), [2, [ex[2], ex[3]], earlier, false]);
      assert.equal(await results(), 3);
      assert.deepEqual(await figures(), [3, [ex[1]], rare, true]);

      // After a restart, the job says what it stored; the other model encodes the files as they are then.
      await app.close();
      app = await open();
      assert.deepEqual(await figures(), [3, [ex[1]], rare, true]);
      await copyFile(sources[2]!, ex[2]!);
      await callApi(app, 'models.activate', { dir: EARLIER });
      assert.equal(await results(), 3);
      assert.deepEqual(await figures(), [3, [ex[3]], earlier, true]);
    } finally {
      await app.close();
    }
  });
});
