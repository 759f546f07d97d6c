import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FINDINGS } from '../../../electron/phantom/findings.js';
import { EVERYDAY_SYNONYMS, REPORT_SENTENCES } from '../../../electron/scoring/report-language-set.js';
import { labelSentence } from '../../../electron/scoring/report-sentence-labels.js';
import { PROJECT_ROOT } from '../../support/paths.js';
import { pythonMissing, runPython } from '../../support/python.js';

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
    // Two independent readings of the same sentences: a disagreement is a bug in one of them.
    let sure = 0;
    for (const s of REPORT_SENTENCES) {
      const labels = labelSentence(s.text);
      const polarity = labels?.get(s.finding);
      if (!polarity) continue;
      sure++;
      assert.equal(polarity, s.polarity, s.text);
    }
    assert.ok(sure > 100, `${sure} sentences labelled`);
  });

  it(
    'no held-out sentence is one of the training prompts (base or extended wordings, statements)',
    {
      skip: pythonMissing(['re']) ?? false,
    },
    () => {
      const prompts = JSON.parse(
        runPython(
          'import json, sys; sys.path.insert(0, sys.argv[1]); from radsift_train import prompts; import fake_data; ' +
            'print(json.dumps(prompts.all_prompt_texts(list(fake_data.ALL_FINDINGS), True)))',
          [path.join(PROJECT_ROOT, 'models', 'train')],
        ),
      ) as string[];
      const norm = (t: string) =>
        t
          .toLowerCase()
          .replace(/[.\s]+$/, '')
          .trim();
      const trained = new Set(prompts.map(norm));
      assert.ok(trained.size > 1000, `${trained.size} prompts`);
      assert.deepEqual(
        REPORT_SENTENCES.filter((s) => trained.has(norm(s.text))).map((s) => s.text),
        [],
      );
    },
  );
});
