/**
 * `radsift eval-language` with the bundled 0.6.0 model (which lists no training wordings and sees every finding
 * it names): the built-in synonym list and held-out sentences, a
 * sentence file, a report corpus in both layouts, a bundle's never-seen findings, and bad inputs.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EVERYDAY_SYNONYMS, REPORT_SENTENCES } from '../../../electron/scoring/report-language-set.js';
import { VALIDATION_SENTENCES, VALIDATION_SYNONYMS } from '../../../electron/scoring/report-language-validation.js';
import { PROJECT_ROOT } from '../../support/paths.js';
import { runCli } from '../../support/cli.js';

const MODEL = path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt');

interface Summary {
  set: string;
  neverSeen: string[];
  synonyms: {
    total: number;
    mapped: number;
    fraction: number;
    neverSeen: { total: number; mapped: number };
    notInTraining: { total: number; mapped: number } | null;
    familiar: { total: number; mapped: number };
    unfamiliar: { total: number; mapped: number };
    findings: {
      finding: string;
      total: number;
      mapped: number;
      inTraining: number;
      misses: { synonym: string; nearest: string; warned: boolean }[];
    }[];
  };
  polarity: {
    name: string;
    sentences: number;
    meanAccuracy: number | null;
    findings: {
      finding: string;
      positives: number;
      negated: number;
      counted: boolean;
      accuracy: number | null;
      ordering: number | null;
      wrong?: unknown[];
    }[];
  }[];
}

const run = runCli;

describe('radsift eval-language', () => {
  let work: string;
  let builtIn: Summary;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-language-'));
    process.env.RADSIFT_DATA_DIR = path.join(work, 'data');
    const r = await run(['eval-language', '--json', '--model-dir', MODEL], work);
    assert.equal(r.code, 0, r.err);
    builtIn = JSON.parse(r.out) as Summary;
  });
  after(async () => {
    delete process.env.RADSIFT_DATA_DIR;
    await rm(work, { recursive: true, force: true });
  });

  it('maps the built-in synonyms and measures the held-out sentences of every finding', () => {
    const all = Object.values(EVERYDAY_SYNONYMS).flat().length;
    assert.equal(builtIn.synonyms.total + builtIn.synonyms.neverSeen.total, all);
    assert.equal(builtIn.synonyms.notInTraining, null, 'the bundled model lists no training wordings');
    const heart = builtIn.synonyms.findings.find((f) => f.finding === 'cardiomegaly')!;
    // the bundled model was taught "enlarged heart" as a wording of cardiomegaly
    assert.ok(!heart.misses.some((m) => m.synonym === 'enlarged heart'), JSON.stringify(heart.misses));
    const [held] = builtIn.polarity;
    assert.equal(held!.name, 'held-out (built-in)');
    assert.equal(held!.sentences, REPORT_SENTENCES.length);
    assert.equal(held!.findings.length, 20);
    // the eight findings the bundled model knows: their sentences are mostly on the right side
    const known = held!.findings.slice(0, 8).map((f) => f.accuracy!);
    assert.ok(known.reduce((a, b) => a + b, 0) / 8 > 0.75, JSON.stringify(known));
  });

  it("splits the synonyms by the app's own unfamiliar-phrase warning, and the warned ones map worse", () => {
    const { familiar, unfamiliar, total, mapped, findings } = builtIn.synonyms;
    assert.equal(familiar.total + unfamiliar.total, total);
    assert.equal(familiar.mapped + unfamiliar.mapped, mapped);
    assert.ok(familiar.total > 0 && unfamiliar.total > 0, JSON.stringify({ familiar, unfamiliar }));
    const warnedMisses = findings.flatMap((f) => f.misses).filter((m) => m.warned).length;
    assert.equal(warnedMisses, unfamiliar.total - unfamiliar.mapped);
    // 0.6.0 reads "hepatization" or "ghon focus" as pieces of other words: the warning is where it fails
    assert.ok(
      familiar.mapped / familiar.total > unfamiliar.mapped / unfamiliar.total + 0.2,
      JSON.stringify({ familiar, unfamiliar }),
    );
  });

  it('--set validation measures the validation synonyms and sentences instead of the held-out ones', async () => {
    assert.equal(builtIn.set, 'held-out');
    const r = await run(['eval-language', '--json', '--set', 'validation', '--model-dir', MODEL], work);
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out) as Summary;
    assert.equal(s.set, 'validation');
    assert.equal(s.synonyms.total, Object.values(VALIDATION_SYNONYMS).flat().length);
    assert.notEqual(s.synonyms.total, builtIn.synonyms.total);
    const [own] = s.polarity;
    assert.equal(own!.name, 'validation (built-in)');
    assert.equal(own!.sentences, VALIDATION_SENTENCES.length);
    // the listed misses are the validation set's own sentences, never held-out ones
    const listed = own!.findings.flatMap((f) => (f.wrong ?? []) as { text: string }[]).map((w) => w.text);
    assert.ok(listed.length > 0, 'the bundled model places some validation sentence wrongly');
    assert.ok(listed.every((t) => VALIDATION_SENTENCES.some((v) => v.text === t)));
  });

  it('a sentence file with every polarity flipped scores the complement', async () => {
    const effusion = REPORT_SENTENCES.filter((s) => s.finding === 'pleural_effusion');
    const flipped = effusion.map((s) => ({ ...s, polarity: s.polarity === 'positive' ? 'negated' : 'positive' }));
    await writeFile(path.join(work, 'flipped.jsonl'), flipped.map((s) => JSON.stringify(s)).join('\n'));
    const r = await run(
      ['eval-language', '--json', '--findings', 'pleural_effusion', '--sentences', 'flipped.jsonl'],
      work,
    );
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out) as Summary;
    const [own, mine] = s.polarity.map((p) => p.findings[0]!);
    assert.equal(s.synonyms.total, EVERYDAY_SYNONYMS.pleural_effusion!.length);
    assert.ok(Math.abs(mine!.accuracy! - (1 - own!.accuracy!)) < 0.002, `${mine!.accuracy} vs ${own!.accuracy}`);
    assert.ok(Math.abs(mine!.ordering! - (1 - own!.ordering!)) < 0.002);
  });

  it('labels a report corpus, CSV (findings/impression columns) or blank-line separated text', async () => {
    await writeFile(
      path.join(work, 'reports.csv'),
      'uid,findings,impression\n' +
        '1,"No pleural effusion, pneumothorax or consolidation. Heart size is normal.",No acute process.\n' +
        '2,"Small left pleural effusion.","Possible pneumonia. Cardiomegaly."\n',
    );
    await writeFile(
      path.join(work, 'reports.txt'),
      'No pneumothorax.\n\nSmall left pleural effusion.\nNo pneumothorax.\n',
    );
    const r = await run(
      ['eval-language', '--json', '--model-dir', MODEL, '--reports', 'reports.csv', '--reports', 'reports.txt'],
      work,
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /reports\.csv: 2 reports, 6 labelled sentences/);
    const s = JSON.parse(r.out) as Summary;
    const csv = s.polarity[1]!;
    const count = (f: string) => csv.findings.find((x) => x.finding === f)!;
    assert.deepEqual([count('pleural_effusion').positives, count('pleural_effusion').negated], [1, 1]);
    assert.deepEqual([count('cardiomegaly').positives, count('cardiomegaly').negated], [1, 1]);
    assert.equal(count('consolidation').positives, 0); // "possible pneumonia" is hedged, left out
    assert.equal(s.polarity[2]!.sentences, 2); // the repeated sentence counts once
    // a corpus's sentences are counted, never printed; two sentences of a finding are too few for the means
    assert.ok(csv.findings.every((f) => f.wrong === undefined && !f.counted));
    assert.equal(csv.meanAccuracy, null);
    assert.ok(s.polarity[0]!.findings.every((f) => Array.isArray(f.wrong) && f.counted));
  });

  it("reports a bundle's never-seen findings apart and leaves them out of the means", async () => {
    const bundle = path.join(work, 'bundle');
    await cp(MODEL, bundle, { recursive: true });
    const manifestFile = path.join(bundle, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { zeroShot?: Record<string, unknown> };
    const taughtWording = EVERYDAY_SYNONYMS.cardiomegaly![0]!;
    manifest.zeroShot = {
      ...manifest.zeroShot,
      neverSeen: ['pneumoperitoneum', 'scoliosis'],
      prompts: { wordings: { cardiomegaly: ['cardiomegaly', taughtWording.toUpperCase()] } },
    };
    await writeFile(manifestFile, JSON.stringify(manifest));
    const r = await run(['eval-language', '--json', '--model-dir', bundle], work);
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out) as Summary;
    assert.deepEqual(s.neverSeen, ['pneumoperitoneum', 'scoliosis']);
    const apart = EVERYDAY_SYNONYMS.pneumoperitoneum!.length + EVERYDAY_SYNONYMS.scoliosis!.length;
    assert.equal(s.synonyms.neverSeen.total, apart);
    assert.equal(s.synonyms.total, builtIn.synonyms.total - apart);
    // the one synonym among the training wordings (case aside) is counted apart
    assert.equal(s.synonyms.notInTraining!.total, s.synonyms.total - 1);
    assert.equal(s.synonyms.findings.find((f) => f.finding === 'cardiomegaly')!.inTraining, 1);
    const taught = s.polarity[0]!.findings.filter((f) => !['pneumoperitoneum', 'scoliosis'].includes(f.finding));
    const mean = taught.reduce((a, f) => a + f.accuracy!, 0) / taught.length;
    assert.ok(Math.abs(mean - s.polarity[0]!.meanAccuracy!) < 0.002);
    const text = await run(['eval-language', '--model-dir', bundle], work);
    assert.match(text.out, /scoliosis \*/);
    assert.match(text.out, /never seen in training/);
  });

  it('refuses bad input with a usage error that says where', async () => {
    await writeFile(path.join(work, 'bad.jsonl'), '{"text":"x.","finding":"pleural_effusion","polarity":"maybe"}\n');
    await writeFile(path.join(work, 'nocol.csv'), 'uid,text\n1,No effusion.\n');
    for (const [args, message] of [
      [['--findings', 'banana'], /--findings: "banana" is not one of/],
      [['--sentences', 'bad.jsonl'], /bad\.jsonl:1: "polarity" must be/],
      [['--sentences', 'missing.jsonl'], /missing\.jsonl: no such file/],
      [['--reports', '.'], /--reports .*: a folder, not a file/],
      [['--reports', 'nocol.csv'], /no "findings" or "impression" column/],
      [['extra'], /unexpected argument "extra"/],
      [['--set', 'test'], /--set: "test" is not one of held-out, validation/],
    ] as const) {
      const r = await run(['eval-language', ...args], work);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.err, message);
    }
  });
});
