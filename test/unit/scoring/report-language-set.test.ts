import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FINDINGS } from '../../../electron/phantom/findings.js';
import {
  EVERYDAY_SYNONYMS,
  REPORT_SENTENCES,
  type LanguageSentence,
} from '../../../electron/scoring/report-language-set.js';
import { VALIDATION_SENTENCES, VALIDATION_SYNONYMS } from '../../../electron/scoring/report-language-validation.js';
import { labelSentence } from '../../../electron/scoring/report-sentence-labels.js';
import { wordingsIn } from '../phantom/report-language-checks.js';
import { PROJECT_ROOT } from '../../support/paths.js';
import { pythonMissing, runPython } from '../../support/python.js';

/** Lower case, no trailing full stop or space: how sentences and prompts are compared. */
const norm = (t: string) =>
  t
    .toLowerCase()
    .replace(/[.\s]+$/, '')
    .trim();

/** Every training prompt of the recipe (base and extended wordings, statements), from its own Python. */
const trainingPrompts = (): string[] =>
  JSON.parse(
    runPython(
      'import json, sys; sys.path.insert(0, sys.argv[1]); from radsift_train import prompts; import fake_data; ' +
        'print(json.dumps(prompts.all_prompt_texts(list(fake_data.ALL_FINDINGS), True)))',
      [path.join(PROJECT_ROOT, 'models', 'train')],
    ),
  ) as string[];

/** The sentences that are training prompts (compared as `norm` does), once the prompts were read at all. */
function amongTrainingPrompts(sentences: readonly LanguageSentence[], prompts: readonly string[]): string[] {
  const trained = new Set(prompts.map(norm));
  assert.ok(trained.size > 1000, `${trained.size} prompts`);
  return sentences.filter((s) => trained.has(norm(s.text))).map((s) => s.text);
}

/**
 * Two independent readings of the same sentences, the hand label and the rule labeller's where it is sure: a
 * disagreement is a bug in one of them. Returns how many the labeller was sure of.
 */
function assertLabellerAgrees(sentences: readonly LanguageSentence[]): number {
  let sure = 0;
  for (const s of sentences) {
    const polarity = labelSentence(s.text)?.get(s.finding);
    if (!polarity) continue;
    sure++;
    assert.equal(polarity, s.polarity, s.text);
  }
  return sure;
}

describe('the held-out report-language set', () => {
  it('covers every phantom finding: synonyms, and 8 positive and 8 negated sentences each', () => {
    assert.deepEqual(Object.keys(EVERYDAY_SYNONYMS).sort(), [...FINDINGS].sort());
    for (const f of FINDINGS) {
      const own = REPORT_SENTENCES.filter((s) => s.finding === f);
      assert.equal(own.filter((s) => s.polarity === 'positive').length, 8, f);
      assert.equal(own.filter((s) => s.polarity === 'negated').length, 8, f);
      assert.ok(EVERYDAY_SYNONYMS[f]!.length >= 5, f);
      // a synonym is a wording, never the label phrase itself
      assert.ok(!EVERYDAY_SYNONYMS[f]!.includes(f.replace(/_/g, ' ')), f);
    }
    const all = Object.values(EVERYDAY_SYNONYMS).flat();
    assert.equal(new Set(all).size, all.length, 'a synonym listed under two findings');
    assert.equal(new Set(REPORT_SENTENCES.map((s) => s.text)).size, REPORT_SENTENCES.length);
  });

  it('where the rule labeller is sure of a sentence, it agrees with the hand label', () => {
    const sure = assertLabellerAgrees(REPORT_SENTENCES);
    assert.ok(sure > 100, `${sure} sentences labelled`);
  });

  it(
    'no held-out sentence is one of the training prompts (base or extended wordings, statements)',
    {
      skip: pythonMissing(['re']) ?? false,
    },
    () => assert.deepEqual(amongTrainingPrompts(REPORT_SENTENCES, trainingPrompts()), []),
  );
});

describe('the validation report-language set', () => {
  it('covers every phantom finding: synonyms, and 8 positive and 8 negated sentences each', () => {
    assert.deepEqual(Object.keys(VALIDATION_SYNONYMS).sort(), [...FINDINGS].sort());
    assert.equal(VALIDATION_SENTENCES.length, FINDINGS.length * 16);
    for (const f of FINDINGS) {
      const own = VALIDATION_SENTENCES.filter((s) => s.finding === f);
      assert.equal(own.filter((s) => s.polarity === 'positive').length, 8, f);
      assert.equal(own.filter((s) => s.polarity === 'negated').length, 8, f);
      assert.ok(VALIDATION_SYNONYMS[f]!.length >= 4, f);
      // a synonym is a wording, never the label phrase itself
      assert.ok(!VALIDATION_SYNONYMS[f]!.map(norm).includes(f.replace(/_/g, ' ')), f);
    }
    const all = Object.values(VALIDATION_SYNONYMS).flat().map(norm);
    assert.equal(new Set(all).size, all.length, 'a synonym listed twice');
    assert.equal(new Set(VALIDATION_SENTENCES.map((s) => norm(s.text))).size, VALIDATION_SENTENCES.length);
  });

  it('shares no sentence and no everyday wording with the held-out set', () => {
    // Choices made on the validation set must not have seen the held-out one.
    const heldOut = new Set(REPORT_SENTENCES.map((s) => norm(s.text)));
    assert.deepEqual(
      VALIDATION_SENTENCES.filter((s) => heldOut.has(norm(s.text))).map((s) => s.text),
      [],
    );
    const heldOutWordings = new Set(Object.values(EVERYDAY_SYNONYMS).flat().map(norm));
    assert.deepEqual(
      Object.values(VALIDATION_SYNONYMS)
        .flat()
        .filter((w) => heldOutWordings.has(norm(w))),
      [],
    );
  });

  it('where the rule labeller is sure of a sentence, it agrees with the hand label', () => {
    const sure = assertLabellerAgrees(VALIDATION_SENTENCES);
    assert.ok(sure > 100, `${sure} sentences labelled`);
  });

  it(
    'no validation sentence is one of the training prompts, and no prompt uses a validation wording',
    {
      skip: pythonMissing(['re']) ?? false,
    },
    () => {
      const prompts = trainingPrompts();
      assert.deepEqual(amongTrainingPrompts(VALIDATION_SENTENCES, prompts), []);
      // nor does a training prompt use a validation wording: the model has not been taught them
      const validationWordings = wordingsIn(VALIDATION_SYNONYMS);
      assert.deepEqual([...new Set(prompts.flatMap(validationWordings))], []);
    },
  );
});
