/**
 * Reviewing a screening job's results through the API, with the shipped model on real phantoms: "finding"
 * marks join the examples the rows are ranked by (a phrase-only job gains examples), "not" marks push the
 * ranking away from the scans marked (counter-examples), marks are kept with the job across a restart, and
 * bad marks are refused with a reason.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ScreenJob } from '../../../electron/api/contract.js';
import type { AppIndex } from '../../../electron/api/app-index.js';
import type { AppServices } from '../../../electron/api/create-services.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { DEFAULT_PREVALENCE } from '../../../electron/phantom/findings.js';
import { phraseAndExampleScores } from '../../../electron/scoring/query-mix.js';
import { callApi, startServices, untilDone } from '../../support/app-services.js';

interface Results {
  rows: {
    path: string;
    scores?: { probability: number }[];
    exampleSimilarity: number | null;
    phraseAndExamples?: number | null;
    flagged: boolean;
    review?: string | null;
    example?: boolean;
  }[];
  exampleCount: number | null;
  counterExamples: number;
  exampleThreshold: number | null;
  phraseAndExamplesWeights?: { phrase: number; examples: number; bySkill: boolean } | null;
}

describe('reviewing screening results', () => {
  let work: string;
  let folder: string;
  let services: AppServices;
  let positive: Set<string>;
  const start = () => startServices(path.join(work, 'data'));
  const call = <T>(method: Parameters<typeof callApi>[1], req: unknown) => callApi<T>(services, method, req);
  const finished = (job: ScreenJob) => untilDone(services, job);
  const results = (id: string) => call<Results>('screen.results', { id });
  const rank = (r: Results, file: string) =>
    [...r.rows].sort((a, b) => b.exampleSimilarity! - a.exampleSimilarity!).findIndex((x) => x.path === file);

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-review-'));
    folder = path.join(work, 'scans');
    writeDemo({
      dir: folder,
      count: 48,
      seed: 64,
      size: 256,
      prevalence: { ...DEFAULT_PREVALENCE, pneumothorax: 0.25 },
    });
    const labels = (await readFile(path.join(folder, 'labels.csv'), 'utf8')).trim().split('\n');
    const column = labels[0]!.split(',').indexOf('pneumothorax');
    positive = new Set(
      labels
        .slice(1)
        .filter((l) => l.split(',')[column] === '1')
        .map((l) => path.join(folder, l.split(',')[0]!)),
    );
    assert.ok(positive.size >= 6, `${positive.size} pneumothorax cases`);
    services = await start();
    await call('studies.openDropped', { paths: [folder] });
  });
  after(async () => {
    await services?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('"not the finding" pushes the ranking away from the scan marked, and the marks outlive a restart', async () => {
    const examples = [...positive].slice(0, 2);
    const job = services.screening.start(folder, [], undefined, undefined, examples);
    await finished(job);
    const before = await results(job.id);
    assert.equal(before.exampleCount, 2);
    assert.equal(before.counterExamples, 0);
    assert.ok(before.rows.every((r) => r.review === null));
    // the job's own examples are marked as such among its rows, and only they
    assert.deepEqual(
      before.rows
        .filter((r) => r.example)
        .map((r) => r.path)
        .sort(),
      [...examples].sort(),
    );
    // The scan without a pneumothorax that the two examples rank highest: the reviewer's first false hit.
    const falseHit = [...before.rows]
      .filter((r) => !positive.has(r.path))
      .sort((a, b) => b.exampleSimilarity! - a.exampleSimilarity!)[0]!;
    const counts = await call<{ finding: number; not: number }>('screen.review', {
      id: job.id,
      path: falseHit.path,
      mark: 'not',
    });
    assert.deepEqual(counts, { finding: 0, not: 1 });
    const hits = services.screening.scopeReads.hits;
    const after = await results(job.id);
    // Nothing but the marks changed: the folder's scans, embeddings and descriptors are the ones read a
    // moment ago (the restart below reads them afresh and must rank the same).
    assert.equal(services.screening.scopeReads.hits, hits + 1, 'the review ranks again from the kept read');
    assert.equal(after.counterExamples, 1);
    assert.equal(after.rows.find((r) => r.path === falseHit.path)!.review, 'not');
    const was = falseHit.exampleSimilarity!;
    const now = after.rows.find((r) => r.path === falseHit.path)!.exampleSimilarity!;
    assert.ok(now < was - 0.1, `the marked scan's similarity ${was} → ${now}`);
    assert.ok(rank(after, falseHit.path) > rank(before, falseHit.path), 'it falls in the ranking');
    for (const e of examples) assert.ok(after.rows.find((r) => r.path === e)!.flagged, 'the examples stay flagged');
    // A counter-example takes flags away, never adds them.
    const flags = (r: Results) => new Set(r.rows.filter((x) => x.flagged).map((x) => x.path));
    for (const p of flags(after)) assert.ok(flags(before).has(p), `${p} flagged only after a "not" mark`);
    // "Not it" on one of the job's own examples contradicts them: refused. "Finding" on one counts it once.
    await assert.rejects(
      call('screen.review', { id: job.id, path: examples[0], mark: 'not' }),
      /BAD_REQUEST: That scan is one of the job's examples/,
    );
    await call('screen.review', { id: job.id, path: examples[0], mark: 'finding' });
    assert.equal((await results(job.id)).exampleCount, 2);
    await call('screen.review', { id: job.id, path: examples[0], mark: null });

    // Kept with the job: a restart reads the same ranking.
    await services.close();
    services = await start();
    const again = await results(job.id);
    assert.equal(again.counterExamples, 1);
    assert.deepEqual(
      again.rows.map((r) => [r.path, r.exampleSimilarity, r.review]),
      after.rows.map((r) => [r.path, r.exampleSimilarity, r.review]),
    );
    // Cleared: as before the review.
    assert.deepEqual(await call('screen.review', { id: job.id, path: falseHit.path, mark: null }), {
      finding: 0,
      not: 0,
    });
    const cleared = await results(job.id);
    assert.equal(cleared.counterExamples, 0);
    assert.deepEqual(
      cleared.rows.map((r) => r.exampleSimilarity),
      before.rows.map((r) => r.exampleSimilarity),
    );
  });

  it('"finding" marks give a phrase-only job examples to rank by', async () => {
    await call('studies.openDropped', { paths: [folder] });
    const job = services.screening.start(folder, ['pleural effusion'], undefined, undefined, []);
    await finished(job);
    const plain = await results(job.id);
    assert.equal(plain.exampleCount, null);
    assert.ok(plain.rows.every((r) => r.exampleSimilarity === null));
    // A "not" mark alone has no examples to push away from: nothing changes but the mark.
    const negative = plain.rows.find((r) => !positive.has(r.path))!.path;
    await call('screen.review', { id: job.id, path: negative, mark: 'not' });
    assert.equal((await results(job.id)).exampleCount, null);
    const [a, b, c] = [...positive];
    await call('screen.review', { id: job.id, path: a, mark: 'finding' });
    await call('screen.review', { id: job.id, path: b, mark: 'finding' });
    const reviewed = await results(job.id);
    assert.equal(reviewed.exampleCount, 2);
    assert.equal(reviewed.counterExamples, 1);
    assert.ok(reviewed.rows.every((r) => r.exampleSimilarity !== null));
    assert.ok(reviewed.rows.find((r) => r.path === a)!.flagged, 'a scan marked as the finding is flagged');
    // the third pneumothorax ranks above the scan marked "not"
    assert.ok(rank(reviewed, c!) < rank(reviewed, negative), `${rank(reviewed, c!)} vs ${rank(reviewed, negative)}`);
  });

  it('a mark on a row the index no longer has is dropped, not counted', async () => {
    await call('studies.openDropped', { paths: [folder] });
    const job = services.screening.start(folder, [], undefined, undefined, [...positive].slice(0, 2));
    await finished(job);
    const others = (await results(job.id)).rows.filter((r) => !positive.has(r.path)).map((r) => r.path);
    await call('screen.review', { id: job.id, path: others[0], mark: 'not' });
    // the file goes, and another job over the folder prunes it from the index
    await rm(others[0]!);
    await finished(services.screening.start(folder, ['pneumothorax'], undefined, undefined, []));
    assert.deepEqual(await call('screen.review', { id: job.id, path: others[1], mark: 'not' }), { finding: 0, not: 1 });
    assert.equal((await results(job.id)).counterExamples, 1);
  });

  it('a re-read with the rows held gets only what a review changes, which makes the same rows as a full read', async () => {
    const job = services.screening.start(folder, ['pneumothorax'], undefined, undefined, []);
    await finished(job);
    type Read = {
      rows: Results['rows'] | null;
      ranking: {
        exampleSimilarity: (number | null)[];
        exampleFlagged: (boolean | null)[];
        phraseAndExamples: (number | null)[] | null;
        flagged: boolean[];
        example: boolean[];
        review: (string | null)[];
      } | null;
      rowsToken: string;
    };
    const read = (since?: string) => call<Read>('screen.results', { id: job.id, ...(since ? { since } : {}) });
    const first = await read();
    assert.ok(first.rows && first.ranking === null);
    // No examples yet: no phrase-and-examples score either.
    assert.ok(first.rows.every((r) => !('phraseAndExamples' in r)));
    const [marked] = [...positive];
    await call('screen.review', { id: job.id, path: marked, mark: 'finding' });
    const update = await read(first.rowsToken);
    assert.equal(update.rows, null);
    assert.equal(update.rowsToken, first.rowsToken);
    const merged = first.rows.map((r, i) => ({
      ...r,
      exampleSimilarity: update.ranking!.exampleSimilarity[i]!,
      exampleFlagged: update.ranking!.exampleFlagged[i]!,
      // One phrase now beside an example: both scored together (as the view merges it).
      ...(update.ranking!.phraseAndExamples ? { phraseAndExamples: update.ranking!.phraseAndExamples[i]! } : {}),
      flagged: update.ranking!.flagged[i]!,
      example: update.ranking!.example[i]!,
      review: update.ranking!.review[i]!,
    }));
    const fullRead = await call<Results>('screen.results', { id: job.id });
    const full = fullRead.rows!;
    // One reviewed example cannot vouch for itself: the service weighs the parts 1 : 1 and says it is no skill.
    assert.deepEqual(fullRead.phraseAndExamplesWeights, { phrase: 1, examples: 1, bySkill: false });
    // Field by field, in one order; "not an example" may come as false or as no field.
    const plain = (rows: Results['rows']) =>
      rows.map((r) =>
        JSON.stringify(Object.entries({ ...r, example: !!r.example }).sort(([a], [b]) => a.localeCompare(b))),
      );
    assert.deepEqual(plain(merged), plain(full));
    const { scores: want } = phraseAndExampleScores(
      full.map((r) => ({ probability: r.scores![0]!.probability, exampleSimilarity: r.exampleSimilarity })),
      { likes: 1, unlikes: 0 },
    );
    assert.deepEqual(
      full.map((r) => r.phraseAndExamples),
      want,
    );
    assert.ok(want.every((x) => x !== null && Number.isFinite(x)));
    assert.equal(merged.find((r) => r.path === marked)!.review, 'finding');
    assert.ok(
      merged.some((r) => r.exampleSimilarity !== null),
      'the mark gave the job an example',
    );
    // Rows that are no longer those held (another token, or the index written since): every row comes.
    const other = await read('not-a-token');
    assert.equal(other.rows!.length, full.length);
    await call('screen.review', { id: job.id, path: marked, mark: null });
  });

  it("a review click ranks again from the phrase's scores already made, and reads a margin written since", async () => {
    const job = services.screening.start(folder, ['pneumothorax'], undefined, undefined, []);
    await finished(job);
    const first = await results(job.id);
    // The service's own index (a private field: the test writes a margin as a run would, with the read kept).
    const index = (services.screening as unknown as { index: AppIndex }).index;
    const store = index.store();
    let regionReads = 0;
    const regions = store.regions.bind(store);
    store.regions = (...args) => (regionReads++, regions(...args));
    const [marked] = [...positive];
    const rejected = first.rows.find((r) => !positive.has(r.path))!.path;
    try {
      // The first example makes the job compare pooled patch embeddings too: a read of its own, kept from then on.
      await call('screen.review', { id: job.id, path: marked, mark: 'finding' });
      await results(job.id);
      regionReads = 0;
      await call('screen.review', { id: job.id, path: rejected, mark: 'not' });
      const hits = services.screening.scopeReads.hits;
      const clicked = await call<Results & { rowsToken: string }>('screen.results', { id: job.id });
      assert.equal(services.screening.scopeReads.hits, hits + 1, 'ranked again from the kept read');
      assert.equal(regionReads, 0, 'no margin read again');
      assert.deepEqual(
        clicked.rows.map((r) => r.scores),
        first.rows.map((r) => r.scores),
      );
      // A margin written while the read is kept (the run's own writes do not change it): read, as a fresh read has it.
      const row = clicked.rows.find((r) => r.path !== marked && r.path !== rejected && r.scores?.length)!;
      store.putRegions(store.scanByPath(row.path)!.id, await index.slot(), ['pneumothorax'], [0.9]);
      // A reader holding the rows from before is sent every row again: their scores changed.
      const since = await call<{ rows: unknown[] | null }>('screen.results', { id: job.id, since: clicked.rowsToken });
      assert.ok(since.rows, 'the rows token names the margins too');
      const written = await results(job.id);
      assert.equal(regionReads, 1);
      const now = written.rows.find((r) => r.path === row.path)!.scores![0]!.probability;
      assert.notEqual(now, row.scores![0]!.probability, 'the new margin moves its probability');
      services.screening.scopeReads.clear();
      const fresh = await results(job.id);
      assert.deepEqual(
        written.rows.map((r) => [r.path, r.scores, r.exampleSimilarity, r.phraseAndExamples, r.flagged]),
        fresh.rows.map((r) => [r.path, r.scores, r.exampleSimilarity, r.phraseAndExamples, r.flagged]),
      );
    } finally {
      store.regions = regions;
      for (const file of [marked, rejected]) await call('screen.review', { id: job.id, path: file, mark: null });
    }
  });

  it('refuses a scan that is not a row of the job, and a job that does not exist', async () => {
    const job = (await call<{ jobs: ScreenJob[] }>('screen.list', {})).jobs[0]!;
    await assert.rejects(
      call('screen.review', { id: job.id, path: path.join(work, 'elsewhere.dcm'), mark: 'not' }),
      /BAD_REQUEST: That scan is not one of the rows/,
    );
    await assert.rejects(call('screen.review', { id: job.id, path: folder, mark: 'not' }), /BAD_REQUEST/);
    // a second name for a row (a doubled separator) and a file the index never met are no rows either
    const row = [...positive][0]!;
    const doubled = row.replace(`${path.sep}PH`, `${path.sep}${path.sep}PH`);
    await assert.rejects(call('screen.review', { id: job.id, path: doubled, mark: 'not' }), /not one of the rows/);
    await assert.rejects(
      call('screen.review', { id: job.id, path: path.join(folder, 'nope.dcm'), mark: 'not' }),
      /not one of the rows/,
    );
    await assert.rejects(
      call('screen.review', { id: 'no-such-job', path: [...positive][0], mark: 'finding' }),
      /NOT_FOUND/,
    );
    await assert.rejects(
      call('screen.review', { id: job.id, path: [...positive][0], mark: 'maybe' }),
      /BAD_REQUEST|INVALID/,
    );
  });
});
