import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FINDINGS } from '../../../electron/phantom/findings.js';
import { EVERYDAY_SYNONYMS, REPORT_SENTENCES } from '../../../electron/scoring/report-language-set.js';
import { labelSentence } from '../../../electron/scoring/report-sentence-labels.js';

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
});
