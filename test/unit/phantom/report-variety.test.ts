import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { sampleCase, type PhantomCase } from '../../../electron/phantom/case.js';
import { FINDINGS, isRareFinding, type FindingName } from '../../../electron/phantom/findings.js';
import { writeReport, type Report } from '../../../electron/phantom/report.js';
import { REPORT_SENTENCES } from '../../../electron/scoring/report-language-set.js';
import { VALIDATION_SENTENCES, VALIDATION_SYNONYMS } from '../../../electron/scoring/report-language-validation.js';
import { foreignWords, form, heldOutWordings, wordingsIn } from './report-language-checks.js';

/** Every finding at raised prevalence: each of the twenty is present in hundreds of the cases. */
const RAISED = Object.fromEntries(FINDINGS.map((f) => [f, isRareFinding(f) ? 0.12 : 0.3]));
const N = 2000;

interface Sample {
  c: PhantomCase;
  varied: Report;
  /** The same case without the language stream: generator 1.1's report. */
  canonical: Set<string>;
}
const samples: Sample[] = [];
for (let i = 0; i < N; i++) {
  const c = sampleCase(71 + (i % 4), i, i % 4 === 3 ? {} : { prevalence: RAISED });
  samples.push({
    c,
    varied: writeReport(c),
    canonical: new Set(writeReport(c, { variety: false }).sentences.map((s) => s.text)),
  });
}
const sentences = samples.flatMap((x) => x.varied.sentences.map((s) => ({ ...s, x, isNew: !x.canonical.has(s.text) })));

/**
 * Held-out everyday wordings that generator 1.1 already wrote, in its canonical sentences, and that varied
 * reports still write where they keep a canonical sentence (1.8's varied hiatal hernia sentences keep neither
 * "hiatus hernia" nor "retrocardiac air-fluid level"). Fixed: the test below fails if the canonical writer
 * uses another one, and the varied sentences may use none.
 */
const CANONICAL_HELD_OUT_WORDINGS: readonly string[] = [
  'air bronchograms',
  'cardiac enlargement',
  'cavitating lesion',
  'cavitation',
  'continuous diaphragm sign',
  'dextroscoliosis',
  'et tube',
  'free air under the diaphragm',
  'free intraperitoneal air',
  'hilar lymphadenopathy',
  'levoscoliosis',
  'lung mass',
  'median sternotomy',
  'mediastinal widening',
  'pacemaker',
  'phrenic nerve palsy',
  'pneumonia',
  'spiculated mass',
  'surgical emphysema',
  'thick-walled cavity',
  'volume loss',
];
/** Held-out sentences generator 1.1 wrote verbatim (fixed, as above). */
const CANONICAL_HELD_OUT_SENTENCES: readonly string[] = ['The cardiac silhouette is markedly enlarged.'];
/**
 * Words of another finding in generator 1.1's canonical sentences, as `word: labels` (fixed): a
 * paratracheal stripe's widening, a granuloma's calcified hilar node, mediastinal shift of a
 * tension pneumothorax, "possibly lymphadenopathy" of a widened mediastinum, ….
 */
const CANONICAL_FOREIGN_WORDS: readonly string[] = [
  'elevation: atelectasis',
  'hilar: calcified_granuloma',
  'lymph: calcified_granuloma',
  'node: calcified_granuloma',
  'nodule: calcified_granuloma',
  'lymphadenopathy: widened_mediastinum',
  'mediastinal: ',
  'mediastinal: pneumothorax',
  'mediastinal: sternotomy_wires',
  'widening: hilar_adenopathy',
];

test('without the language stream a report is generator 1.1’s, word for word (recorded)', () => {
  const raised = Object.fromEntries(FINDINGS.map((f) => [f, 0.25]));
  const h = createHash('sha256');
  for (let i = 0; i < 400; i++)
    h.update(writeReport(sampleCase(61, i, i % 2 ? { prevalence: raised } : {}), { variety: false }).text + '\n');
  assert.equal(h.digest('hex').slice(0, 16), '9c0b08ccbf3d070d');
});

test('the leak checks see what they must', () => {
  assert.deepEqual(heldOutWordings('Small left apical PTX.'), ['ptx']);
  assert.deepEqual(heldOutWordings('NG tube in the stomach; CHF.').sort(), ['chf', 'ng tube']);
  assert.deepEqual(heldOutWordings('Spiculated masses.'), []);
  assert.deepEqual(foreignWords('Lung lesion in the left upper zone.', ['nodule']), [['lesion', ['cavitary_lesion']]]);
  assert.equal(foreignWords('Air under the right hemidiaphragm.', ['pneumothorax']).length, 1);
  assert.equal(foreignWords('Small hernia.', ['nodule']).length, 1);
  assert.equal(foreignWords('Consolidation with air bronchograms.', ['consolidation']).length, 0);
  assert.equal(foreignWords('No pleural effusion; left hemidiaphragm is sharp.', ['pleural_effusion']).length, 0);
  assert.equal(form('A 2.5 cm nodule, 14 mm.'), 'a # cm nodule, # mm.');
});

test('no varied sentence uses a held-out everyday wording; canonical ones only those they always did', () => {
  const canonicalUse = new Set<string>();
  for (const s of sentences) {
    const found = heldOutWordings(s.text);
    if (!found.length) continue;
    assert.ok(!s.isNew, `case ${s.x.c.index}: "${s.text}" uses held-out ${found.join(', ')}`);
    for (const w of found) {
      assert.ok(CANONICAL_HELD_OUT_WORDINGS.includes(w), `canonical "${s.text}" uses held-out "${w}"`);
      canonicalUse.add(w);
    }
  }
  // The list holds only what is still written: a wording no longer used comes off it.
  assert.deepEqual([...canonicalUse].sort(), [...CANONICAL_HELD_OUT_WORDINGS].sort());
});

test('no generated sentence is a held-out sentence (but the one generator 1.1 wrote)', () => {
  const heldOut = new Map(REPORT_SENTENCES.map((s) => [s.text.toLowerCase().trim(), s.text]));
  for (const s of sentences) {
    const hit = heldOut.get(s.text.toLowerCase().trim());
    if (!hit) continue;
    assert.ok(!s.isNew && CANONICAL_HELD_OUT_SENTENCES.includes(s.text), `"${s.text}" is held out`);
  }
});

test('no generated sentence is a validation sentence or uses a validation everyday wording', () => {
  // The validation set chooses prompt templates and stops training: the generator's text must not hold it,
  // canonical sentences included (generator 1.1 predates it, so no exceptions are needed).
  const validationWordings = wordingsIn(VALIDATION_SYNONYMS);
  const validation = new Set(VALIDATION_SENTENCES.map((s) => s.text.toLowerCase().trim()));
  for (const s of sentences) {
    assert.ok(
      !validation.has(s.text.toLowerCase().trim()),
      `case ${s.x.c.index}: "${s.text}" is a validation sentence`,
    );
    assert.deepEqual(validationWordings(s.text), [], `case ${s.x.c.index}: "${s.text}" uses validation wordings`);
  }
});

test('a sentence uses no word of a finding it is not labelled with (but the canonical ones listed)', () => {
  for (const s of sentences) {
    const foreign = foreignWords(s.text, s.findings);
    if (!foreign.length) continue;
    assert.ok(
      !s.isNew,
      `case ${s.x.c.index}: "${s.text}" [${s.findings.join(', ')}] uses ${foreign.map((f) => `"${f[0]}" (${f[1].join('/')})`).join(', ')}`,
    );
    for (const [word] of foreign)
      assert.ok(CANONICAL_FOREIGN_WORDS.includes(`${word}: ${s.findings.join(',')}`), `canonical "${s.text}": ${word}`);
  }
});

const NO_PRIOR = new Set(['None.', 'None available.', 'No prior studies.', 'None on file.']);
const COMPARING =
  /\b(unchanged|stable|new|newly|increased|decreased|improving|interval|previously|resolved|residual|as before|since the prior|removed)\b/i;

test('sentences compare with a prior only when the comparison names one', () => {
  let comparing = 0;
  let priors = 0;
  for (const { c, varied } of samples) {
    const none = NO_PRIOR.has(varied.sections.comparison);
    if (!none) priors++;
    for (const s of varied.sentences)
      if (s.section !== 'comparison' && COMPARING.test(s.text)) {
        comparing++;
        assert.ok(!none, `case ${c.index}: "${s.text}" with comparison "${varied.sections.comparison}"`);
      }
  }
  assert.ok(priors > N * 0.3 && priors < N * 0.6, `${priors} priors`);
  assert.ok(comparing > N * 0.15, `${comparing} comparing sentences`);
});

test('comparisons keep their labels: "resolved" is negated, unchanged/new/increased/decreased positive', () => {
  const kinds = new Map<string, number>();
  for (const s of sentences) {
    if (!s.isNew) continue;
    const m =
      /^(Unchanged|Stable|New|Newly seen|Increased|Decreased|Improving|Interval increase)\b|, (unchanged|new|increased) since|(has resolved|No residual|Interval resolution)/.exec(
        s.text,
      );
    if (!m) continue;
    // "Unchanged normal heart size." denies cardiomegaly.
    const kind = m[3] ? 'resolved' : /\bnormal\b/.test(s.text) ? 'still normal' : 'changed';
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    assert.equal(s.polarity, kind === 'changed' ? 'positive' : 'negated', s.text);
  }
  assert.ok((kinds.get('resolved') ?? 0) > 20 && (kinds.get('changed') ?? 0) > 200, JSON.stringify([...kinds]));
});

test('a finding is not both new and unchanged in one report', () => {
  for (const { c, varied } of samples)
    for (const f of FINDINGS) {
      const about = varied.sentences
        .filter((s) => s.polarity === 'positive' && s.findings.includes(f))
        .map((s) => s.text);
      const isNew = about.some((t) => /^(New|Newly seen)\b|, new since/.test(t));
      const same = about.some((t) => /^(Unchanged|Stable)\b|, unchanged|not significantly changed/.test(t));
      assert.ok(!(isNew && same), `case ${c.index} ${f}: ${about.join(' | ')}`);
    }
});

test('grouped negations stay negated, never mix in present findings, and list rare air leaks', () => {
  let leaksListed = 0;
  for (const s of sentences) {
    if (s.findings.length < 2) continue;
    assert.equal(s.polarity, 'negated', s.text);
    for (const f of s.findings) assert.ok(!s.x.c.findings[f], `"${s.text}" lists present ${f}`);
    if (s.isNew && s.findings.includes('pneumothorax') && s.findings.some((f) => isRareFinding(f))) leaksListed++;
  }
  assert.ok(leaksListed > 10, `${leaksListed} varied pneumothorax + air leak lists`);
});

test('excluded findings stay unnamed with the language stream on', () => {
  const exclude = [
    'pneumomediastinum',
    'pneumoperitoneum',
    'subcutaneous_emphysema',
    'scoliosis',
    'calcified_granuloma',
  ] as const;
  for (let i = 0; i < 800; i++) {
    const r = writeReport(sampleCase(75, i, { prevalence: RAISED, exclude }));
    for (const s of r.sentences) {
      for (const x of exclude) assert.ok(!s.findings.includes(x), `"${s.text}" names excluded ${x}`);
      const words = foreignWords(s.text, []).filter(([, owners]) =>
        owners.every((o) => (exclude as readonly string[]).includes(o)),
      );
      assert.deepEqual(words, [], `"${s.text}" carries words of excluded findings`);
    }
  }
});

test('every finding gets varied wordings, positive and negated; about a third to a half of sentences vary', () => {
  const positive = new Map<FindingName, Set<string>>();
  const negated = new Map<FindingName, Set<string>>();
  let labelled = 0;
  let varied = 0;
  for (const s of sentences) {
    if (!s.findings.length) continue;
    labelled++;
    if (!s.isNew) continue;
    varied++;
    const by = s.polarity === 'positive' ? positive : s.polarity === 'negated' ? negated : null;
    for (const f of s.findings) {
      if (!by) continue;
      if (!by.has(f)) by.set(f, new Set());
      by.get(f)!.add(form(s.text));
    }
  }
  for (const f of FINDINGS) {
    assert.ok((positive.get(f)?.size ?? 0) >= 3, `${f}: ${positive.get(f)?.size ?? 0} varied positive forms`);
    assert.ok((negated.get(f)?.size ?? 0) >= 1, `${f}: ${negated.get(f)?.size ?? 0} varied negated forms`);
  }
  const share = varied / labelled;
  assert.ok(share > 0.3 && share < 0.55, `share varied ${share.toFixed(2)}`);
});

test('measurements where radiologists give them', () => {
  const texts = sentences.filter((s) => s.isNew && s.polarity === 'positive').map((s) => s.text);
  for (const re of [
    /\bCTR 0\.\d\d\b|cardiothoracic ratio of approximately 0\.\d\d/, // cardiomegaly
    /\bETT\b.* \d(\.5)? cm above the carina/, // tube tip
    /pneumothorax.*\d(\.\d)? cm|\d(\.\d)? cm apical rim/, // apical rim
    /\d+ mm (pulmonary )?nodule|nodule measuring \d+ mm/, // nodule size
    /reaching the (lower third of the|mid|upper) hemithorax/, // effusion height
    /Cobb angle approximately \d+ degrees/,
  ])
    assert.ok(
      texts.some((t) => re.test(t)),
      `no ${String(re)}`,
    );
});

test('hedges stay uncertain, about absent findings the report does not otherwise mention', () => {
  let hedges = 0;
  for (const { c, varied } of samples)
    for (const s of varied.sentences) {
      if (s.polarity !== 'uncertain') continue;
      hedges++;
      assert.ok(
        /cannot be excluded|not excluded|possib|questionable|may (represent|be)|suggestive|equivocal|cannot exclude/i.test(
          s.text,
        ),
        s.text,
      );
      for (const f of s.findings) {
        assert.ok(!c.findings[f], `"${s.text}" hedges present ${f}`);
        const other = varied.sentences.filter((o) => o !== s && o.findings.includes(f) && o.polarity !== 'negated');
        assert.deepEqual(
          other.map((o) => o.text),
          [],
          `case ${c.index}: "${s.text}" beside`,
        );
      }
    }
  assert.ok(hedges > N * 0.1, `${hedges} hedges`);
});

test('the degree words of hedges also state present findings (1.9): none is a sign of doubt alone', () => {
  // Words that size or describe an opacity, not words of doubt: a model trained while they appeared in hedges
  // only could read "Trace left pleural effusion." as uncertain.
  const DEGREE = ['trace', 'minimal', 'tiny', 'thin', 'patchy', 'hazy', 'streaky', 'subtle', 'slight', 'mild', 'minor'];
  const inHedges = new Set<string>();
  const inPositives = new Map<string, number>();
  for (const s of sentences) {
    const words = new Set(s.text.toLowerCase().match(/[a-z]+/g) ?? []);
    for (const w of DEGREE) {
      if (!words.has(w)) continue;
      if (s.polarity === 'uncertain') inHedges.add(w);
      if (s.polarity === 'positive') inPositives.set(w, (inPositives.get(w) ?? 0) + 1);
    }
  }
  assert.ok(inHedges.size >= 8, `hedges use ${[...inHedges].join(', ')}`);
  for (const w of inHedges)
    assert.ok((inPositives.get(w) ?? 0) >= 5, `"${w}" states a present finding ${inPositives.get(w) ?? 0} times`);
});

test('no report hedges a finding it denies (but "No displaced rib fracture." beside a possible nondisplaced one)', () => {
  let checked = 0;
  for (const { c, varied } of samples)
    for (const f of FINDINGS) {
      const about = varied.sentences.filter((s) => s.findings.includes(f));
      const denied = about.filter((s) => s.polarity === 'negated' && !/^No displaced\b/.test(s.text));
      const hedged = about.filter((s) => s.polarity === 'uncertain');
      if (hedged.length) checked++;
      assert.ok(
        !(denied.length && hedged.length),
        `case ${c.index} ${f}: ${[...denied, ...hedged].map((s) => s.text).join(' | ')}`,
      );
    }
  assert.ok(checked > N * 0.1, `${checked} hedged findings`);
});

test('the denial frames real reports use beside a leading "No" (1.10), each with its finding', () => {
  // Each frame must deny its finding (negated, the finding absent); a frame a model never reads in training it
  // reads by its words alone ("intact", "free", "resolved" read as statements).
  const frames: { name: string; re: RegExp; finding?: FindingName }[] = [
    {
      name: 'mid-sentence "without"',
      re: /^\S.* without (?!evidence|significant|displacement)/,
      finding: 'consolidation',
    },
    { name: '"free of" (lungs)', re: /^The lungs are free of / },
    { name: '"free of" (pleural spaces)', re: /^The pleural spaces are free of / },
    { name: '"free of" (devices)', re: /free of (catheters|indwelling)/, finding: 'support_devices' },
    { name: 'ribs "intact"', re: /ribs (appear )?(are )?intact/, finding: 'rib_fracture' },
    {
      name: 'one hemidiaphragm not elevated',
      re: /^(The (right|left) hemidiaphragm is (at a normal|normal)|Normal height of the)/,
      finding: 'elevated_hemidiaphragm',
    },
    {
      name: 'a resolved nodule',
      re: /nodul.*(resolved|cleared|no longer seen)|(resolution|clearing|disappearance|residual).*nodul/i,
      finding: 'nodule',
    },
  ];
  for (const fr of frames) {
    const hits = sentences.filter(
      (s) => fr.re.test(s.text) && s.findings.length > 0 && (!fr.finding || s.findings.includes(fr.finding)),
    );
    assert.ok(hits.length >= 3, `${fr.name}: ${hits.length} sentences`);
    for (const s of hits) {
      assert.equal(s.polarity, 'negated', `"${s.text}"`);
      for (const f of s.findings) assert.ok(!s.x.c.findings[f], `"${s.text}" denies present ${f}`);
    }
  }
});

test('a scoliotic curve may progress between studies (1.10), and is never new', () => {
  const about = sentences.filter((s) => s.findings.includes('scoliosis') && s.polarity === 'positive');
  const progressed = about.filter((s) => /progressed|increase|worsening/i.test(s.text));
  assert.ok(progressed.length >= 3, `${progressed.length} progressed curves`);
  for (const s of progressed) assert.ok(s.x.c.findings.scoliosis, s.text);
  assert.deepEqual(
    about.filter((s) => /\bnew(ly)?\b/i.test(s.text)).map((s) => s.text),
    [],
  );
});

test('no report calls a hemidiaphragm normal where its own effusion hides it (1.11)', () => {
  // A moderate or large effusion obscures the hemidiaphragm on its side: its height cannot be read there, nor
  // either's where both sides have one (generator 1.1's canonical sentences, which name no side, are left as they were).
  const names = (t: string) => /\b(left|right) hemidiaphragm\b/i.exec(t)?.[1]?.toLowerCase();
  let otherSide = 0;
  let bilateral = 0;
  for (let i = 0; i < 6000; i++) {
    const c = sampleCase(83, i, { prevalence: { pleural_effusion: 0.9, elevated_hemidiaphragm: 0 } });
    const eff = c.findings.pleural_effusion;
    if (!eff || eff.size === 'small') continue;
    const canonical = new Set(writeReport(c, { variety: false }).sentences.map((s) => s.text));
    if (eff.side === 'bilateral') bilateral++;
    for (const s of writeReport(c).sentences) {
      if (s.polarity !== 'negated' || !s.findings.includes('elevated_hemidiaphragm')) continue;
      const where = `case ${i}: "${s.text}" beside a ${eff.size} ${eff.side} effusion`;
      if (eff.side === 'bilateral') assert.ok(canonical.has(s.text), where);
      const side = names(s.text);
      if (!side) continue;
      assert.ok(eff.side !== 'bilateral' && eff.side !== side, where);
      otherSide++;
    }
  }
  assert.ok(otherSide >= 3, `${otherSide} side-named denials beside an effusion on the other side`);
  assert.ok(bilateral >= 300, `${bilateral} cases with moderate or large bilateral effusions`);
});
