/** Zero-shot from the whole image and its best region: the margins, the rule, and who it applies to. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describesWholeThorax, promptPair, scoresWholeImageOnly } from '../../../electron/scoring/prompts.js';
import { EVERYDAY_SYNONYMS } from '../../../electron/scoring/report-language-set.js';
import {
  regionMargins,
  regionPhrases,
  regionRuleWords,
  zeroShotProbability,
} from '../../../electron/scoring/region-score.js';
import { pairProbability } from '../../../electron/scoring/zero-shot.js';

const phrase = (text: string, positive: number[], negative: number[]) => ({
  pair: promptPair(text),
  positive: Float32Array.from(positive),
  negative: Float32Array.from(negative),
});
// Three cells of a 2-d grid: the second leans towards the phrase, the third away from it.
const patches = Float32Array.from([0.6, 0.8, 1, 0, 0, 1]);

describe('region scores', () => {
  it("takes each phrase's best cell: its cosine with the phrase less that with the negation", () => {
    const effusion = phrase('pleural effusion', [1, 0], [0, 1]);
    const other = phrase('nodule', [0, 1], [1, 0]);
    const margins = regionMargins(patches, [effusion, other]);
    assert.ok(Math.abs(margins[0]! - 1) < 1e-6, 'cell 2: 1 - 0');
    assert.ok(Math.abs(margins[1]! - 1) < 1e-6, 'cell 3: 1 - 0');
    assert.throws(() => regionMargins(Float32Array.from([1, 2, 3]), [effusion]), /not cells × 2/);
  });

  it('gives no region to a phrase of absence, and scores none for a model without an offset', () => {
    const none = phrase('no pleural effusion', [0, 1], [1, 0]);
    const normal = phrase('normal', [0, 1], [1, 0]);
    const some = phrase('pleural effusion', [1, 0], [0, 1]);
    const margins = regionMargins(patches, [none, normal, some]);
    assert.ok(Number.isNaN(margins[0]!) && Number.isNaN(margins[1]!));
    assert.ok(Number.isFinite(margins[2]!));
    assert.deepEqual(
      regionPhrases({ regionOffset: 0.5 }, [none, normal, some]).map((p) => p.pair.phrase),
      ['pleural effusion'],
    );
    assert.deepEqual(regionPhrases({ regionOffset: null }, [some]), []);
  });

  it('averages the whole image and the best region less the offset; the whole image alone without them', () => {
    const rule = { logitScale: 10, regionOffset: 0.5, regionWeight: 0.5 };
    // Whole image margin 0.2, region margin 0.9: (0.2 + 0.9 - 0.5) / 2 = 0.3.
    assert.ok(Math.abs(zeroShotProbability(0.5, 0.3, 0.9, rule, 'nodule') - pairProbability(0.3, 0, 10)) < 1e-9);
    for (const region of [null, undefined, NaN])
      assert.equal(zeroShotProbability(0.5, 0.3, region, rule, 'nodule'), pairProbability(0.5, 0.3, 10));
    assert.equal(
      zeroShotProbability(0.5, 0.3, 0.9, { logitScale: 10, regionOffset: null, regionWeight: 0.5 }, 'nodule'),
      pairProbability(0.5, 0.3, 10),
    );
    // A strong region lifts a scan the whole image ranks lower; the offset moves both alike.
    const weakWhole = (offset: number) =>
      zeroShotProbability(0.1, 0.1, 1.2, { logitScale: 10, regionOffset: offset, regionWeight: 0.5 }, 'nodule');
    const strongWhole = (offset: number) =>
      zeroShotProbability(0.4, 0.1, 0.3, { logitScale: 10, regionOffset: offset, regionWeight: 0.5 }, 'nodule');
    for (const offset of [0, 0.58, 1]) assert.ok(weakWhole(offset) > strongWhole(offset));
  });

  it("weighs the best region by the model's regionWeight: the whole image alone at 0, the region alone at 1", () => {
    const at = (regionWeight: number, region: number) =>
      zeroShotProbability(0.5, 0.3, region, { logitScale: 10, regionOffset: 0.5, regionWeight }, 'nodule');
    // Whole image margin 0.2, region margin 0.9 less the offset 0.5 = 0.4.
    assert.ok(Math.abs(at(1, 0.9) - pairProbability(0.4, 0, 10)) < 1e-9);
    assert.ok(Math.abs(at(0.75, 0.9) - pairProbability(0.25 * 0.2 + 0.75 * 0.4, 0, 10)) < 1e-9);
    assert.ok(Math.abs(at(0, 0.9) - pairProbability(0.2, 0, 10)) < 1e-9);
    // At 1 the whole image no longer moves the score; at 0 the region does not.
    assert.equal(at(0, 0.9), at(0, 0.1));
    const w1 = (whole: number) =>
      zeroShotProbability(whole, 0, 0.9, { logitScale: 10, regionOffset: 0.5, regionWeight: 1 }, 'nodule');
    assert.ok(Math.abs(w1(0.1) - w1(0.4)) < 1e-12);
    // What the app says it weighed, for each weight.
    assert.deepEqual(
      [0, 0.5, 1].map((regionWeight) => regionRuleWords({ regionWeight })),
      ['whole image', 'whole image and its best region', 'its best region'],
    );
    // A shape of the whole thorax keeps the whole image whatever the weight.
    assert.equal(
      zeroShotProbability(0.5, 0.3, 0.9, { logitScale: 10, regionOffset: 0.5, regionWeight: 1 }, 'scoliosis'),
      pairProbability(0.5, 0.3, 10),
    );
  });

  it('weighs the whole image alone for a shape of the whole thorax, in the wordings radiologists use', () => {
    const thorax = [
      'scoliosis',
      'Dextroscoliosis',
      'mild levoscoliosis of the thoracic spine',
      'curvature of the spine',
      'S-shaped spine',
      'cardiomegaly',
      'moderate cardiomegaly',
      'enlarged cardiac silhouette',
      'big heart',
      'the heart is enlarged',
      'heart size is enlarged',
      'the cardiac silhouette is moderately enlarged',
      'cardiac silhouette enlarged',
      'slight enlargement of the cardiac silhouette',
      'increased cardiothoracic ratio',
      'widened mediastinum',
      'broad mediastinum',
      'mediastinal widening',
      'the mediastinum is widened to 11.2 cm',
      'widening of the upper mediastinum',
      'widening of the mediastinal silhouette',
      'abnormal mediastinal width',
      'elevated right hemidiaphragm',
      'elevated hemidiaphragms',
      'elevation of the left hemidiaphragm',
      'elevation of right hemi-diaphragm',
      'the right hemidiaphragm is elevated',
      'left hemidiaphragm elevation of about 6 cm',
      'high-riding diaphragm',
      'diaphragmatic eventration',
    ];
    for (const text of thorax) {
      const { phrase: normalised } = promptPair(text);
      assert.ok(describesWholeThorax(normalised) && scoresWholeImageOnly(normalised), text);
    }
    const others = [
      'rib fracture',
      'nodule',
      'pleural effusion',
      'spinal fracture',
      'hiatal hernia',
      'heart',
      'pneumomediastinum',
      'mediastinal mass',
      'enlarged hilar lymph nodes',
      'kyphosis',
      'tortuous aorta',
      'the heart is not enlarged',
      // More than one thing named: the other may be small, so the best region stays in the score.
      'scoliosis with rib fracture',
      'cardiomegaly and a nodule',
      'cardiomegaly, pleural effusion',
    ];
    for (const text of others) assert.ok(!scoresWholeImageOnly(promptPair(text).phrase), text);
    // Nothing any other finding is called by in the held-out everyday wordings (report-language-set.ts).
    const four = ['cardiomegaly', 'widened_mediastinum', 'scoliosis', 'elevated_hemidiaphragm'];
    for (const [finding, wordings] of Object.entries(EVERYDAY_SYNONYMS))
      if (!four.includes(finding))
        for (const w of wordings) assert.ok(!describesWholeThorax(promptPair(w).phrase), `${finding}: ${w}`);
    assert.ok(scoresWholeImageOnly('no pleural effusion') && !describesWholeThorax('no pleural effusion'));

    const scoliosis = phrase('scoliosis', [1, 0], [0, 1]);
    const nodule = phrase('nodule', [1, 0], [0, 1]);
    const margins = regionMargins(patches, [scoliosis, nodule]);
    assert.ok(Number.isNaN(margins[0]!) && Number.isFinite(margins[1]!));
    assert.deepEqual(
      regionPhrases({ regionOffset: 0.5 }, [scoliosis, nodule]).map((p) => p.pair.phrase),
      ['nodule'],
    );
    // A margin an index kept for the phrase before is not read: the whole image alone.
    const rule = { logitScale: 10, regionOffset: 0.5, regionWeight: 0.5 };
    assert.equal(zeroShotProbability(0.5, 0.3, 0.9, rule, 'scoliosis'), pairProbability(0.5, 0.3, 10));
    assert.notEqual(zeroShotProbability(0.5, 0.3, 0.9, rule, 'nodule'), pairProbability(0.5, 0.3, 10));
  });
});
