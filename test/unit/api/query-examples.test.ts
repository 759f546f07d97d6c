/**
 * The Query view's example scans with the default model (docs/few-shot.md, "The Query view's example scans"):
 * examples alone rank the opened scans as a Screening example set of them does, and a query of a phrase and
 * examples is the weighted mean of what each ranks by alone (the phrase: its zero-shot score), standardised over
 * the scans.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Response } from '../../../electron/api/contract.js';
import type { AppServices } from '../../../electron/api/create-services.js';
import { MIN_CENTRING_SCANS } from '../../../electron/scoring/example-profile.js';
import { standardised } from '../../../electron/scoring/query-mix.js';
import { dot } from '../../../electron/scoring/vectors.js';
import { callApi, startServices, untilDone } from '../../support/app-services.js';
import { labelledDemo } from '../../support/labelled-demo.js';

type Query = Response<'query.run'>;
type Results = Response<'screen.results'>;

describe('example scans in the Query view', () => {
  let work: string;
  let folder: string;
  let services: AppServices;
  let effusion: Map<string, number>;
  const call = <T>(method: Parameters<typeof callApi>[1], req: unknown) => callApi<T>(services, method, req);
  const query = (phrases: { text: string; weight: number }[], examples: { path: string; weight: number }[]) =>
    call<Query>('query.run', { phrases, examples });
  const byPath = (q: Query) => new Map(q.rows.map((r) => [r.path, r.similarity]));

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-query-examples-'));
    folder = path.join(work, 'scans');
    effusion = await labelledDemo(folder, { count: 30, seed: 64, finding: 'pleural_effusion', prevalence: 0.5 });
    services = await startServices(path.join(work, 'data'));
  });
  after(async () => {
    await services?.close();
    await rm(work, { recursive: true, force: true });
  });

  const examples = () => {
    const pos = [...effusion].filter(([, y]) => y).map(([p]) => p);
    assert.ok(pos.length >= 6, `${pos.length} effusions of ${effusion.size}`);
    return pos.slice(0, 4);
  };

  it("ranks by examples as Screening's example set of them does, and says so", async () => {
    await call('studies.openDropped', { paths: [folder] });
    const picked = examples();
    const q = await query(
      [],
      picked.map((p) => ({ path: p, weight: 1 })),
    );
    assert.equal(q.mixed, false);
    assert.equal(q.rows.length, effusion.size);
    assert.match(
      q.rule,
      /^its similarity to the example scans \(as Screening compares scans, centred on these scans\) stands/,
    );
    // A Screening job of the same folder and examples ranks the scans in the same order.
    const job = services.screening.start(folder, [], undefined, undefined, picked);
    await untilDone(services, job);
    const screened = await call<Results>('screen.results', { id: job.id });
    const screening = [...screened.rows!]
      .sort((a, b) => b.exampleSimilarity! - a.exampleSimilarity!)
      .map((r) => r.path);
    assert.deepEqual(
      q.rows.map((r) => r.path),
      screening,
    );
    // Not the plain embeddings' order (what the view ranked by before): the descriptor counts.
    const { rows } = await services.collection.ensureIndexed(() => undefined);
    const plain = [...rows.keys()]
      .map((p) => [p, picked.reduce((a, e) => a + dot(rows.get(p)!, rows.get(e)!), 0)] as const)
      .sort((a, b) => b[1] - a[1])
      .map(([p]) => p);
    assert.notDeepEqual(screening, plain);
  });

  /** A phrase alone's zero-shot score per scan, back from its probability: the margin times the logit scale. */
  const logits = (q: Query) => new Map(q.rows.map((r) => [r.path, Math.log(r.probability! / (1 - r.probability!))]));

  /**
   * Asserts the mix's scores are (1 · z(the phrase's score) + w · z(examples alone)) / (1 + w), z over the opened
   * scans; the phrase's score by default its zero-shot logit, what the phrase alone ranks by.
   */
  const assertMix = (alone: Query, byExamples: Query, mixed: Query, w: number, phrase = logits(alone)) => {
    const paths = [...phrase.keys()];
    const zPhrase = standardised(paths.map((p) => phrase.get(p)!));
    const zExamples = standardised(paths.map((p) => byPath(byExamples).get(p)!));
    const got = byPath(mixed);
    paths.forEach((p, i) => {
      const want = (zPhrase[i]! + w * zExamples[i]!) / (1 + w);
      assert.ok(Math.abs(got.get(p)! - want) < 1e-6, `${path.basename(p)}: ${got.get(p)} vs ${want}`);
    });
  };

  it('mixes a phrase and examples by their standard scores, weighed', async () => {
    await call('studies.openDropped', { paths: [folder] });
    const picked = examples().slice(0, 2);
    const phrase = [{ text: 'pleural effusion', weight: 1 }];
    const ex = picked.map((p) => ({ path: p, weight: 1 }));
    const [alone, byExamples, mixed] = [await query(phrase, []), await query([], ex), await query(phrase, ex)];
    assert.equal(mixed.mixed, true);
    assert.match(
      mixed.rule,
      /^its zero-shot score for the phrase \(its best region\) and its similarity to the example scans \(as Screening compares scans, centred on these scans\), each standardised over these scans and weighed 1 : 1, stands out/,
    );
    assert.ok(mixed.rows.every((r) => r.probability === null));
    // Two examples weigh their mean weight, 1, not their sum (docs/few-shot.md, "How much examples weigh …").
    assertMix(alone, byExamples, mixed, 1);
    assert.throws(() => assertMix(alone, byExamples, mixed, 2), /vs/);
    // Not the phrase's whole-image cosine (what a mix's phrase part was before "The phrase's part of a mix").
    assert.throws(() => assertMix(alone, byExamples, mixed, 1, byPath(alone)), /vs/);
    // A shape of the whole thorax is scored by the whole image, and the rule says so; two phrases add their scores.
    const heart = [{ text: 'cardiomegaly', weight: 1 }];
    const [heartAlone, heartMixed] = [await query(heart, []), await query(heart, ex)];
    assert.match(heartMixed.rule, /^its zero-shot score for the phrase \(whole image\) and /);
    assertMix(heartAlone, byExamples, heartMixed, 1);
    const two = await query([...phrase, ...heart], ex);
    assert.match(
      two.rule,
      /^its zero-shot scores for the phrases \(its best region; the whole image for a shape of the whole thorax\) and .* weighed 2 : 1,/,
    );
    const [l1, l2] = [logits(alone), logits(heartAlone)];
    const summed = new Map([...l1].map(([p, v]) => [p, v + l2.get(p)!]));
    assertMix(alone, byExamples, two, 0.5, summed);
    // The same two the other way round: each phrase is read with its own margins.
    assertMix(alone, byExamples, await query([...heart, ...phrase], ex), 0.5, summed);
    // A phrase of weight 0 beside them changes nothing; one marked − ranks away from what it says, and the rule says so.
    const withZero = await query([...phrase, { text: 'edema', weight: 0 }], ex);
    assert.deepEqual([withZero.rule, withZero.rows], [mixed.rule, mixed.rows]);
    const against = await query([{ text: 'pleural effusion', weight: -1 }], ex);
    assert.match(against.rule, /^its zero-shot score for the phrase \(its best region\), reversed, and its similarity/);
    assertMix(alone, byExamples, against, 1, new Map([...l1].map(([p, v]) => [p, -v])));
    // A phrase never typed alone before: the mix itself asks for its best-region margins.
    const fresh = [{ text: 'small left pleural effusion', weight: 1 }];
    const freshMixed = await query(fresh, ex);
    assertMix(await query(fresh, []), byExamples, freshMixed, 1);
    // A scan marked unlike beside them pushes away as a review's counter-example does, and weighs half.
    const other = [...effusion].find(([p, y]) => !y && !picked.includes(p))![0];
    const withUnlike = [...ex, { path: other, weight: -1 }];
    const [byBoth, mixedBoth] = [await query([], withUnlike), await query(phrase, withUnlike)];
    assert.match(
      mixedBoth.rule,
      /those marked unlike counted against at half weight\), each standardised .* weighed 1 : 1\.5,/,
    );
    assertMix(alone, byBoth, mixedBoth, 1.5);
  });

  it('ranks away from scans marked unlike alone, and keeps the probability when examples weigh 0', async () => {
    await call('studies.openDropped', { paths: [folder] });
    const [first] = examples();
    const like = await query([], [{ path: first!, weight: 1 }]);
    const unlike = await query([], [{ path: first!, weight: -1 }]);
    assert.match(unlike.rule, /^its distance away from the scans marked unlike \(as Screening compares scans/);
    assert.deepEqual(
      unlike.rows.map((r) => r.path),
      like.rows.map((r) => r.path).reverse(),
    );
    // An example of weight 0 (or one given twice, last weight 0) leaves a single phrase's zero-shot rule as it is.
    const phrase = [{ text: 'pleural effusion', weight: 1 }];
    const alone = await query(phrase, []);
    const zero = await query(phrase, [
      { path: first!, weight: 1 },
      { path: first!, weight: 0 },
    ]);
    assert.equal(zero.rule, alone.rule);
    assert.deepEqual(zero.rows, alone.rows);
  });

  it('refuses a query whose every term weighs 0, and an example that is not opened', async () => {
    await call('studies.openDropped', { paths: [folder] });
    const [first] = examples();
    await assert.rejects(
      query([{ text: 'pleural effusion', weight: 0 }], [{ path: first!, weight: 0 }]),
      /BAD_REQUEST: Every phrase and example has weight 0/,
    );
    await call('studies.openDropped', { paths: [...effusion.keys()].filter((p) => p !== first) });
    await assert.rejects(
      query([], [{ path: first!, weight: 1 }]),
      /NOT_FOUND: .* is not among the opened, encoded scans/,
    );
  });

  it('compares examples whose centred descriptors cancel out as they are, and says so', async () => {
    // Copies of one scan: each centred descriptor is zero, so centred examples have no direction.
    const [first] = examples();
    const copies = path.join(work, 'copies');
    await mkdir(copies);
    const paths = Array.from({ length: MIN_CENTRING_SCANS + 1 }, (_, i) => path.join(copies, `copy-${i}.dcm`));
    for (const p of paths) await copyFile(first!, p);
    await call('studies.openDropped', { paths: [copies] });
    const q = await query([], [{ path: paths[0]!, weight: 1 }]);
    assert.equal(q.rows.length, paths.length);
    assert.match(q.rule, /^its similarity to the example scans \(as Screening compares scans\) stands out/);
    // Uncentred, every copy is the example itself: cosine 1, not the NaN or 0 of a zero direction.
    for (const r of q.rows) assert.ok(Math.abs(r.similarity - 1) < 1e-5, `${r.similarity}`);
  });

  it('compares fewer scans than a mean needs as they are, and says so', async () => {
    const few = [...effusion.keys()].slice(0, MIN_CENTRING_SCANS - 1);
    await call('studies.openDropped', { paths: few });
    const q = await query([], [{ path: few[0]!, weight: 1 }]);
    assert.equal(q.rows.length, few.length);
    assert.match(q.rule, /^its similarity to the example scans \(as Screening compares scans\) stands out/);
  });
});
