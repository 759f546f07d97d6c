import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelReports, labelSentence, splitSentences } from '../../../electron/scoring/report-sentence-labels.js';
import { parseCsv } from '../../../electron/util/csv.js';

const labels = (s: string) => {
  const m = labelSentence(s);
  return m ? Object.fromEntries(m) : null;
};

describe('report sentence labels (the rule labeller for real report corpora)', () => {
  it('a grouped negation reaches every finding after it', () => {
    assert.deepEqual(labels('No pleural effusion, pneumothorax or focal consolidation.'), {
      pleural_effusion: 'negated',
      pneumothorax: 'negated',
      consolidation: 'negated',
    });
    assert.deepEqual(labels('Lungs are clear without effusion.'), { pleural_effusion: 'negated' });
    assert.deepEqual(labels('Pneumothorax is not seen.'), { pneumothorax: 'negated' });
  });

  it('states positives with their qualifiers', () => {
    assert.deepEqual(labels('Small left pleural effusion.'), { pleural_effusion: 'positive' });
    assert.deepEqual(labels('Stable calcified granuloma in the right upper lobe.'), {
      calcified_granuloma: 'positive',
    });
    assert.deepEqual(labels('Thoracolumbar levoscoliosis.'), { scoliosis: 'positive' });
    assert.deepEqual(labels('Median sternotomy wires are intact.'), { sternotomy_wires: 'positive' });
  });

  it('reads the heart the ways reports write it', () => {
    for (const s of ['Heart size is normal.', 'Normal heart size.', 'The heart is not enlarged.', 'No cardiomegaly.'])
      assert.deepEqual(labels(s), { cardiomegaly: 'negated' }, s);
    for (const s of ['Cardiomegaly.', 'The cardiac silhouette is enlarged.', 'Stable enlarged cardiac silhouette.'])
      assert.deepEqual(labels(s), { cardiomegaly: 'positive' }, s);
    // "heart" named without a size judgement is no label
    assert.equal(labels('The heart and lungs have the same appearance as before.'), null);
  });

  it('leaves out what a rule cannot be sure of', () => {
    assert.equal(labels('Possible small left effusion.'), null); // hedged
    assert.equal(labels('Cannot exclude a small pneumothorax.'), null);
    assert.equal(labels('The right pneumothorax has resolved.'), null); // change over time
    assert.equal(labels('Cardiomegaly without pleural effusion.'), null); // both polarities in one sentence
    assert.equal(labels('Pericardial effusion.'), null); // not a pleural effusion
    assert.equal(labels('Lungs are clear.'), null); // no finding named
  });

  it('follow-up wording, comma lists, negations inside a mention, alternatives (review cases)', () => {
    // "no change" is about time, not absence
    assert.equal(labels('No significant change in small left pleural effusion.'), null);
    assert.equal(labels('No interval change in moderate cardiomegaly.'), null);
    assert.equal(labels('Left pleural effusion is not significantly changed.'), null);
    // a comma item after a negation that may be a positive of its own: no label
    assert.equal(labels('No pneumothorax, small left pleural effusion.'), null);
    assert.equal(labels('Lungs are clear, mild cardiomegaly.'), null);
    assert.equal(labels('No acute process, heart size stable.'), null);
    assert.deepEqual(labels('No focal consolidation, pleural effusion, or pneumothorax.'), {
      pleural_effusion: 'negated',
      pneumothorax: 'negated',
      consolidation: 'negated',
    });
    for (const s of ['The ribs are intact without fracture.', 'Ribs: no fracture.', 'The ribs are not fractured.'])
      assert.deepEqual(labels(s), { rib_fracture: 'negated' }, s);
    assert.deepEqual(labels('The heart is enlarged but the mediastinum is normal.'), { cardiomegaly: 'positive' });
    assert.deepEqual(labels('Heart size and mediastinal contours are normal.'), { cardiomegaly: 'negated' });
    assert.equal(labels('No evidence of heart failure.'), null);
    // a device whose tip is out of view is still there
    assert.deepEqual(labels('The tip of the PICC line is not visualized.'), { support_devices: 'positive' });
    assert.equal(labels('Bibasilar atelectasis or infiltrate.'), null);
    assert.equal(labels('Left basilar atelectasis/scarring.'), null);
  });

  it('the negation stops at a clause break', () => {
    assert.equal(labels('No focal consolidation, but there is a left effusion.'), null); // mixed
    assert.deepEqual(labels('No acute osseous abnormality, but old left rib fractures are seen.'), {
      rib_fracture: 'positive',
    });
  });

  it('splits reports into sentences, numbered impressions included, and keeps each labelled sentence once', () => {
    assert.deepEqual(splitSentences('1. Small effusion. 2. No pneumothorax.'), ['Small effusion.', 'No pneumothorax.']);
    const out = labelReports(['No pneumothorax. Small right effusion.', 'No pneumothorax.']);
    assert.deepEqual(
      out.map((s) => [s.finding, s.polarity]),
      [
        ['pneumothorax', 'negated'],
        ['pleural_effusion', 'positive'],
      ],
    );
  });
});

describe('parseCsv', () => {
  it('reads quoted cells with commas, quotes and line breaks (RFC 4180)', () => {
    assert.deepEqual(parseCsv('a,b\r\n"x, y","say ""no""\nthen"\n1,\n'), [
      ['a', 'b'],
      ['x, y', 'say "no"\nthen'],
      ['1', ''],
    ]);
    assert.deepEqual(parseCsv(''), []);
    assert.deepEqual(parseCsv('last,row'), [['last', 'row']]);
  });
});
