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
   * Asserts the mix's scores are (wp · z(the phrase's score) + we · z(examples alone)) / (wp + we), z over the opened
   * scans; the phrase's score by default its zero-shot logit, what the phrase alone ranks by. A part of weight 0 is
   * left out: the other ranks as it does alone, still standardised.
   */
  const assertMix = (
    alone: Query,
    byExamples: Query,
    mixed: Query,
    [wp, we]: readonly [number, number],
    phrase = logits(alone),
  ) => {
    const paths = [...phrase.keys()];
    const got = byPath(mixed);
    const zPhrase = standardised(paths.map((p) => phrase.get(p)!));
    const zExamples = standardised(paths.map((p) => byPath(byExamples).get(p)!));
    paths.forEach((p, i) => {
      const want = (wp * zPhrase[i]! + we * zExamples[i]!) / (wp + we);
      assert.ok(Math.abs(got.get(p)! - want) < 1e-6, `${path.basename(p)}: ${got.get(p)} vs ${want}`);
    });
  };

  /** How high scores rank each of `ranked` among the scans not in `apart` (ties half), averaged: an ROC AUC. */
  const rankedAuc = (scores: Map<string, number>, ranked: string[], apart: string[]) => {
    const others = [...scores.keys()].filter((p) => !apart.includes(p));
    const share = (x: number) =>
      others.reduce((a, o) => a + (scores.get(o)! < x ? 1 : scores.get(o)! === x ? 0.5 : 0), 0);
    return ranked.reduce((a, p) => a + share(scores.get(p)!) / others.length, 0) / ranked.length;
  };
  const skill = (auc: number) => Math.max(0, 2 * auc - 1);
  /**
   * What a mix weighs its parts by (docs/few-shot.md, "Each part weighed by how it ranks the examples"): `base`
   * (the phrases' weight, the examples' mean weight) times each part's skill on the like examples: the phrase's
   * scores ranking them, and each one ranked by a query of the other examples alone (through the view itself);
   * `base` as it is with fewer than two like examples or both skills 0.
   */
  const mixWeights = async (
    phrase: Map<string, number>,
    given: { path: string; weight: number }[],
    base: readonly [number, number],
  ): Promise<readonly [number, number]> => {
    const likes = given.filter((e) => e.weight > 0).map((e) => e.path);
    if (likes.length < 2) return base;
    const all = given.map((e) => e.path);
    let byOthers = 0;
    for (const left of likes)
      byOthers += rankedAuc(
        byPath(
          await query(
            [],
            given.filter((e) => e.path !== left),
          ),
        ),
        [left],
        all,
      );
    // Both against the scans that are no example, like or unlike.
    const [sp, se] = [skill(rankedAuc(phrase, likes, all)), skill(byOthers / likes.length)];
    return sp + se > 0 ? [base[0] * sp, base[1] * se] : base;
  };
  const ratio = (w: readonly [number, number]) => w.map((x) => Number(x.toFixed(2))).join(' : ');

  it('mixes a phrase and examples by their standard scores, each weighed by how it ranks the examples', async () => {
    await call('studies.openDropped', { paths: [folder] });
    const picked = examples();
    const phrase = [{ text: 'pleural effusion', weight: 1 }];
    const ex = picked.map((p) => ({ path: p, weight: 1 }));
    const [alone, byExamples, mixed] = [await query(phrase, []), await query([], ex), await query(phrase, ex)];
    assert.equal(mixed.mixed, true);
    // Four examples weigh their mean weight, 1, not their sum (docs/few-shot.md, "How much examples weigh …"), each
    // part times its skill on them.
    const w = await mixWeights(logits(alone), ex, [1, 1]);
    assert.ok(w[0] > 0 && w[1] > 0 && w[0] !== w[1], ratio(w));
    assert.equal(
      mixed.rule,
      `its zero-shot score for the phrase (its best region) and its similarity to the example scans (as Screening compares scans, centred on these scans), each standardised over these scans and weighed ${ratio(w)} (each as high as it ranks the example scans themselves), stands out from this collection (robust z ≥ 3)`,
    );
    assert.ok(mixed.rows.every((r) => r.probability === null));
    assertMix(alone, byExamples, mixed, w);
    assert.throws(() => assertMix(alone, byExamples, mixed, [1, 1]), /vs/);
    assert.throws(() => assertMix(alone, byExamples, mixed, [1, 4]), /vs/);
    // Not the phrase's whole-image cosine (what a mix's phrase part was before "The phrase's part of a mix").
    assert.throws(() => assertMix(alone, byExamples, mixed, w, byPath(alone)), /vs/);
    // One example cannot vouch for itself: a phrase and it weigh 1 : 1.
    const one = [ex[0]!];
    const [byOne, mixedOne] = [await query([], one), await query(phrase, one)];
    assert.match(mixedOne.rule, /weighed 1 : 1, stands out/);
    assertMix(alone, byOne, mixedOne, [1, 1]);
    // A shape of the whole thorax is scored by the whole image, and the rule says so; two phrases add their scores.
    const heart = [{ text: 'cardiomegaly', weight: 1 }];
    const [heartAlone, heartMixed] = [await query(heart, []), await query(heart, ex)];
    assert.match(heartMixed.rule, /^its zero-shot score for the phrase \(whole image\) and /);
    assertMix(heartAlone, byExamples, heartMixed, await mixWeights(logits(heartAlone), ex, [1, 1]));
    const two = await query([...phrase, ...heart], ex);
    const [l1, l2] = [logits(alone), logits(heartAlone)];
    const summed = new Map([...l1].map(([p, v]) => [p, v + l2.get(p)!]));
    const wTwo = await mixWeights(summed, ex, [2, 1]);
    assert.match(
      two.rule,
      new RegExp(
        `^its zero-shot scores for the phrases \\(its best region; the whole image for a shape of the whole thorax\\) and .* weighed ${ratio(wTwo)} \\(`,
      ),
    );
    assertMix(alone, byExamples, two, wTwo, summed);
    // The same two the other way round: each phrase is read with its own margins.
    assertMix(alone, byExamples, await query([...heart, ...phrase], ex), wTwo, summed);
    // A phrase of weight 0 beside them changes nothing; one marked − ranks away from what it says, and the rule says so.
    const withZero = await query([...phrase, { text: 'edema', weight: 0 }], ex);
    assert.deepEqual([withZero.rule, withZero.rows], [mixed.rule, mixed.rows]);
    const against = await query([{ text: 'pleural effusion', weight: -1 }], ex);
    assert.match(against.rule, /^its zero-shot score for the phrase \(its best region\), reversed, and its similarity/);
    const reversed = new Map([...l1].map(([p, v]) => [p, -v]));
    const wAgainst = await mixWeights(reversed, ex, [1, 1]);
    // Reversed, the phrase ranks the effusions last: it has no skill, and the examples lead alone.
    assert.equal(wAgainst[0], 0);
    assertMix(alone, byExamples, against, wAgainst, reversed);
    // A phrase never typed alone before: the mix itself asks for its best-region margins.
    const fresh = [{ text: 'small left pleural effusion', weight: 1 }];
    const freshAlone = await query(fresh, []);
    const freshMixed = await query(fresh, ex);
    assertMix(freshAlone, byExamples, freshMixed, await mixWeights(logits(freshAlone), ex, [1, 1]));
    // A scan marked unlike beside them pushes away as a review's counter-example does, and weighs half.
    const other = [...effusion].find(([p, y]) => !y && !picked.includes(p))![0];
    const withUnlike = [...ex, { path: other, weight: -1 }];
    const [byBoth, mixedBoth] = [await query([], withUnlike), await query(phrase, withUnlike)];
    const wBoth = await mixWeights(l1, withUnlike, [1, 1.5]);
    assert.match(
      mixedBoth.rule,
      new RegExp(
        `those marked unlike counted against at half weight\\), each standardised .* weighed ${ratio(wBoth)} \\(`,
      ),
    );
    assertMix(alone, byBoth, mixedBoth, wBoth);
  });

  it('Screening scores one phrase beside the same examples as the Query view mixes them, skills and all', async () => {
    await call('studies.openDropped', { paths: [folder] });
    const picked = examples();
    const mixed = await query(
      [{ text: 'pleural effusion', weight: 1 }],
      picked.map((p) => ({ path: p, weight: 1 })),
    );
    const job = services.screening.start(folder, ['pleural effusion'], undefined, undefined, picked);
    await untilDone(services, job);
    const screened = await call<Results>('screen.results', { id: job.id });
    // Every example is among the scans screened: the parts weigh their skills, the Query view's weights.
    const w = screened.phraseAndExamplesWeights!;
    assert.equal(w.bySkill, true);
    assert.ok(mixed.rule.includes(`weighed ${ratio([w.phrase, w.examples])} (each as high`), mixed.rule);
    const q = byPath(mixed);
    assert.equal(screened.rows!.length, q.size);
    for (const r of screened.rows!)
      assert.ok(Math.abs(r.phraseAndExamples! - q.get(r.path)!) < 1e-6, `${r.phraseAndExamples} vs ${q.get(r.path)}`);
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
