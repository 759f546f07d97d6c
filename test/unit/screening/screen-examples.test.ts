/**
 * `radsift screen --examples` with the bundled default model on phantoms: the example similarity compares
 * the embeddings and pooled patch embeddings centred on the scans screened (said on stderr), every example is
 * flagged, and the other cases of the examples' finding rank above the rest; with too few scans to centre on
 * it says so and compares them as they are. One phrase beside examples is also scored with them together, as the
 * app ranks them.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliIO } from '../../../electron/cli/command.js';
import { main } from '../../../electron/cli/radsift.js';
import { scoreFolder } from '../../../electron/cli/folder-scores.js';
import { openSession } from '../../../electron/cli/session.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { DEFAULT_PREVALENCE } from '../../../electron/phantom/findings.js';
import {
  exampleProfile,
  exampleSimilarity,
  exampleSpace,
  MIN_CENTRING_SCANS,
  type ExampleScan,
} from '../../../electron/scoring/example-profile.js';
import { probabilityLogit, standardised } from '../../../electron/scoring/query-mix.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const MODEL = path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt');

async function run(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd };
  return { code: await main(args, io), out, err };
}

describe('radsift screen --examples', () => {
  let work: string;
  let folder: string;
  let positive: string[];
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-screen-examples-'));
    process.env.RADSIFT_DATA_DIR = path.join(work, 'data');
    folder = path.join(work, 'scans');
    writeDemo({
      dir: folder,
      count: 40,
      seed: 63,
      size: 256,
      prevalence: { ...DEFAULT_PREVALENCE, pneumothorax: 0.3 },
    });
    const [head, ...rows] = (await readFile(path.join(folder, 'labels.csv'), 'utf8')).trim().split('\n');
    const column = head!.split(',').indexOf('pneumothorax');
    positive = rows.filter((l) => l.split(',')[column] === '1').map((l) => path.join(folder, l.split(',')[0]!));
    assert.ok(positive.length >= 8, `${positive.length} pneumothorax cases`);
  });
  /** `radsift screen <inputs> --examples … --out <out>` with the default model, on one index. */
  const screen = (inputs: string[], examples: string[], out: string) =>
    run(
      [
        'screen',
        ...inputs,
        '--examples',
        examples.join(','),
        '--out',
        out,
        '--index',
        path.join(work, 'idx'),
        '--model-dir',
        MODEL,
      ],
      work,
    );
  after(async () => {
    delete process.env.RADSIFT_DATA_DIR;
    await rm(work, { recursive: true, force: true });
  });

  it('centres on the scans screened, flags the examples and ranks their finding first', async () => {
    // Six: in 40 scans of which 30 % are pneumothorax, a random set of four often holds two or three, and four
    // cases are not significantly more alike than such sets (p 0.055 on these phantoms: "too few examples").
    const examples = positive.slice(0, 6);
    const out = path.join(work, 'examples.csv');
    const r = await screen([folder], examples, out);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.err,
      /examples: 6, compared by their embedding and pooled patch embeddings centred on the mean of the 40 scans screened/,
    );
    // Six pneumothorax cases are far more alike than scans picked at random: no warning about them.
    const alike =
      /examples alike: mean cosine (-?[\d.]+) \(random pairs of scans screened: (-?[\d.]+); (-?[\d.]+) standard deviations above, p = ([\d.]+)\)/.exec(
        r.err,
      );
    assert.ok(alike, r.err);
    assert.ok(
      Number(alike[1]) > Number(alike[2]) + 0.3 && Number(alike[3]) >= 0.4 && Number(alike[4]) <= 0.05,
      alike[0],
    );
    assert.doesNotMatch(r.err, /no more alike than/);
    const [head, ...lines] = (await readFile(out, 'utf8')).trim().split('\n');
    const cols = head!.split(',');
    const at = {
      path: cols.indexOf('path'),
      sim: cols.indexOf('example similarity'),
      flagged: cols.indexOf('flagged'),
      review: cols.indexOf('review'),
    };
    assert.ok(at.sim > 0, head);
    const rows = lines
      .map((l) => l.split(','))
      .map((c) => ({
        path: c[at.path]!,
        sim: Number(c[at.sim]),
        flagged: c[at.flagged] === '1',
        review: c[at.review],
      }));
    assert.equal(rows.length, 40);
    // The examples' rows say so, as the app's export does; no other row has a mark.
    assert.deepEqual(
      rows
        .filter((x) => x.review === 'example')
        .map((x) => x.path)
        .sort(),
      [...examples].sort(),
    );
    assert.ok(rows.every((x) => x.review === 'example' || x.review === ''));
    for (const e of examples) assert.ok(rows.find((x) => x.path === e)!.flagged, `example ${e} is like itself`);
    const ranked = rows.filter((x) => !examples.includes(x.path)).sort((a, b) => b.sim - a.sim);
    const meanRank = (pred: (p: string) => boolean) => {
      const ranks = ranked.flatMap((x, i) => (pred(x.path) ? [i] : []));
      return ranks.reduce((s, x) => s + x, 0) / ranks.length;
    };
    assert.ok(meanRank((p) => positive.includes(p)) < meanRank((p) => !positive.includes(p)), 'positives rank higher');

    // Each similarity is the one with pooled patches, centred, recomputed here from the same scans encoded
    // afresh (not read back from the index the command wrote).
    const quiet: CliIO = { stdout: () => {}, stderr: () => {}, cwd: work };
    const session = await openSession({ 'model-dir': [MODEL] }, quiet);
    const scores = await scoreFolder(session, [folder], [], quiet, { poolPatches: true }).finally(() =>
      session.close(),
    );
    const dim = scores.images.dim;
    assert.ok(scores.pooled, 'the default model has patch embeddings');
    const scanOf = (p: string): ExampleScan => {
      const i = scores.paths.indexOf(p);
      return {
        embedding: scores.images.data.slice(i * dim, (i + 1) * dim),
        pooled: scores.pooled!.data.slice(i * dim, (i + 1) * dim),
      };
    };
    const { space } = exampleSpace(scores.paths.map(scanOf), dim);
    const profile = exampleProfile(examples.map(scanOf), space);
    assert.ok(profile.space.centre && profile.space.patches);
    for (const x of rows) assert.ok(Math.abs(x.sim - exampleSimilarity(profile, scanOf(x.path))) < 1e-5, x.path);
    for (const other of [
      exampleProfile(examples.map(scanOf)),
      exampleProfile(examples.map(scanOf), { ...space, pooledCentre: null, patches: false }),
    ])
      assert.ok(
        rows.some((x) => Math.abs(x.sim - exampleSimilarity(other, scanOf(x.path))) > 0.05),
        'neither uncentred nor by the global embedding alone',
      );
  });

  it("marks the examples' rows when the folder is screened through a link and the examples by their real paths", async () => {
    const link = path.join(work, 'linked-scans');
    await symlink(folder, link);
    const examples = positive.slice(0, 2);
    const out = path.join(work, 'linked.csv');
    const r = await screen([link], examples, out);
    assert.equal(r.code, 0, r.err);
    const [head, ...lines] = (await readFile(out, 'utf8')).trim().split('\n');
    const cols = head!.split(',');
    const marked = lines
      .map((l) => l.split(','))
      .filter((c) => c[cols.indexOf('review')] === 'example')
      .map((c) => c[cols.indexOf('path')]);
    assert.deepEqual(marked.sort(), examples.map((e) => path.join(link, path.relative(folder, e))).sort());
  });

  it('with fewer scans than a mean needs, compares the embeddings as they are and says so', async () => {
    const few = positive.slice(0, MIN_CENTRING_SCANS - 12);
    const out = path.join(work, 'few.csv');
    const r = await screen(few, few.slice(0, 2), out);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.err,
      new RegExp(
        `examples: 2, compared by their embedding and pooled patch embeddings as they are: ${few.length} scans screened, too few`,
      ),
    );
    assert.match(r.err, /warning: 2 example scans/);
    // 8 scans: too few to centre on, so too few to say how alike the examples are
    assert.match(r.err, /examples: too few scans screened \(fewer than 20\) to say how alike the examples are/);
  });

  it('a file given twice counts once; counter-examples push the ranking away from them', async () => {
    const examples = positive.slice(0, 3);
    const twice = await screen([folder], [...examples, examples[0]!], path.join(work, 'twice.csv'));
    assert.equal(twice.code, 0, twice.err);
    assert.match(twice.err, /examples: 3, compared/);
    const json = async (file: string) =>
      JSON.parse(await readFile(file, 'utf8')) as {
        examples: { count: number; counterExamples: number };
        rows: { path: string; exampleSimilarity: number | null; example?: boolean; review?: string }[];
      };
    const plainOut = path.join(work, 'plain.json');
    assert.equal((await screen([folder], examples, plainOut)).code, 0);
    const plain = await json(plainOut);
    // the scan without a pneumothorax the examples rank first: a reviewer's first false hit
    const falseHit = plain.rows
      .filter((r) => !positive.includes(r.path))
      .sort((a, b) => b.exampleSimilarity! - a.exampleSimilarity!)[0]!;
    const reviewedOut = path.join(work, 'reviewed.json');
    const r = await run(
      [
        'screen',
        folder,
        '--examples',
        examples.join(','),
        '--counter-examples',
        falseHit.path,
        '--out',
        reviewedOut,
      ].concat(['--index', path.join(work, 'idx'), '--model-dir', MODEL]),
      work,
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /counter-examples: 1: the examples' direction is pushed away from theirs/);
    const reviewed = await json(reviewedOut);
    assert.deepEqual([reviewed.examples.count, reviewed.examples.counterExamples], [3, 1]);
    const after = reviewed.rows.find((x) => x.path === falseHit.path)!.exampleSimilarity!;
    // the counter-example's row is marked "not", the examples' rows as examples (the app's JSON fields)
    assert.deepEqual(
      reviewed.rows.filter((x) => x.review).map((x) => [x.path, x.review]),
      [[falseHit.path, 'not']],
    );
    assert.deepEqual(
      reviewed.rows
        .filter((x) => x.example)
        .map((x) => x.path)
        .sort(),
      [...examples].sort(),
    );
    assert.ok(after < falseHit.exampleSimilarity! - 0.1, `${falseHit.exampleSimilarity} -> ${after}`);
    // refused: counter-examples alone, and a scan among both lists
    const alone = await run(['screen', folder, '--counter-examples', falseHit.path, '--out', reviewedOut], work);
    assert.equal(alone.code, 1);
    assert.match(alone.err, /give --examples too/);
    const both = await run(
      ['screen', folder, '--examples', examples.join(','), '--counter-examples', examples[1]!, '--out', reviewedOut],
      work,
    );
    assert.equal(both.code, 1);
    assert.match(both.err, /is among both --examples and --counter-examples/);
  });

  it('one phrase beside examples is also scored with them together, in both exports, the skipped files said once', async () => {
    const examples = positive.slice(0, 4);
    type Row = {
      path: string;
      status: string;
      scores: { probability: number }[];
      exampleSimilarity: number | null;
      phraseAndExamples?: number | null;
    };
    type Out = {
      examples: { phraseAndExamples: { weights: [number, number]; bySkill: boolean } | null };
      rows: Row[];
      skipped: string[];
    };
    const screenWith = async (inputs: string[], phrases: string, out: string, extra: string[] = []) => {
      const r = await run(
        ['screen', ...inputs, '--phrases', phrases, '--examples', examples.join(','), '--out', out, ...extra].concat([
          '--index',
          path.join(work, 'idx'),
          '--model-dir',
          MODEL,
        ]),
        work,
      );
      assert.equal(r.code, 0, r.err);
      return r;
    };
    /** Asserts each row's score is (wp · z(logit) + we · z(similarity)) / (wp + we) over the rows. */
    const assertMix = (rows: Row[], [wp, we]: readonly [number, number]) => {
      const zPhrase = standardised(rows.map((x) => probabilityLogit(x.scores[0]!.probability)));
      const zExamples = standardised(rows.map((x) => x.exampleSimilarity!));
      rows.forEach((x, i) =>
        assert.ok(Math.abs(x.phraseAndExamples! - (wp * zPhrase[i]! + we * zExamples[i]!) / (wp + we)) < 1e-9, x.path),
      );
    };
    const jsonOut = path.join(work, 'mix.json');
    const r = await screenWith([folder], 'pneumothorax', jsonOut);
    const mix = JSON.parse(await readFile(jsonOut, 'utf8')) as Out;
    // The four examples are among the scans screened: each part weighs its skill at ranking them.
    const { weights, bySkill } = mix.examples.phraseAndExamples!;
    assert.equal(bySkill, true);
    assert.ok(weights[0] > 0 && weights[1] > 0 && weights[0] !== weights[1], String(weights));
    assert.ok(
      r.err.includes(
        `“pneumothorax” + examples: the phrase's zero-shot score and the example similarity, each standardised over the scans screened and weighed ${Number(weights[0].toFixed(2))} : ${Number(weights[1].toFixed(2))} (each as high as it ranks the examples among them), as the app's Screening view scores them`,
      ),
      r.err,
    );
    assert.equal(mix.rows.length, 40);
    assert.ok(mix.rows.every((x) => x.status === 'ok' && typeof x.phraseAndExamples === 'number'));
    assertMix(mix.rows, weights);
    assert.throws(() => assertMix(mix.rows, [1, 1]));
    // The first pass reads the rows too: a file that is not DICOM is still said once.
    assert.deepEqual(mix.skipped, [...new Set(mix.skipped)]);
    assert.ok(
      mix.skipped.some((s) => s.endsWith('labels.csv')),
      JSON.stringify(mix.skipped),
    );

    // The CSV has the column where the app's export puts it, with the same values.
    const csvOut = path.join(work, 'mix.csv');
    await screenWith([folder], 'pneumothorax', csvOut);
    const [head, ...lines] = (await readFile(csvOut, 'utf8')).trim().split('\n');
    const cols = head!.split(',');
    assert.deepEqual(cols.slice(-4), ['example similarity', 'phrase + examples score', 'flagged', 'review']);
    const byPath = new Map(mix.rows.map((x) => [x.path, x.phraseAndExamples!]));
    for (const l of lines) {
      const c = l.split(',');
      assert.ok(Math.abs(Number(c[cols.indexOf('phrase + examples score')]) - byPath.get(c[0]!)!) < 1e-6, c[0]);
    }

    // Examples outside the scans screened: their zero-shot scores are not at hand, so 1 : 1, and 1 : 1.5 beside a
    // counter-example; two phrases get no such score (they flag any of several findings).
    const others = mix.rows.map((x) => x.path).filter((p) => !examples.includes(p));
    const outsideOut = path.join(work, 'mix-outside.json');
    const outside = await screenWith(others, 'pneumothorax', outsideOut);
    assert.match(outside.err, /weighed 1 : 1, as the app's Screening view/);
    const apart = JSON.parse(await readFile(outsideOut, 'utf8')) as Out;
    assert.deepEqual(apart.examples.phraseAndExamples, { weights: [1, 1], bySkill: false });
    assertMix(apart.rows, [1, 1]);
    const falseHit = others.find((p) => !positive.includes(p))!;
    const reviewedOut = path.join(work, 'mix-reviewed.json');
    const reviewed = await screenWith(others, 'pneumothorax', reviewedOut, ['--counter-examples', falseHit]);
    assert.match(reviewed.err, /weighed 1 : 1\.5, as/);
    const withCounter = JSON.parse(await readFile(reviewedOut, 'utf8')) as Out;
    assert.deepEqual(withCounter.examples.phraseAndExamples, { weights: [1, 1.5], bySkill: false });
    const twoOut = path.join(work, 'two.json');
    const two = await screenWith([folder], 'pneumothorax,pleural effusion', twoOut);
    assert.doesNotMatch(two.err, /\+ examples:/);
    const twoPhrases = JSON.parse(await readFile(twoOut, 'utf8')) as Out;
    assert.equal(twoPhrases.examples.phraseAndExamples, null);
    assert.ok(twoPhrases.rows.every((x) => !('phraseAndExamples' in x)));
  });
});
