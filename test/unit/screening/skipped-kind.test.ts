/**
 * What a skipped file is comes from the code it was skipped with and that code's detail (a NonImageKind, stored by
 * the index in its own column), never from the message, which is for people and may be reworded.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NON_IMAGE_KINDS, nonImageError } from '../../../electron/dicom/non-image.js';
import { skippedKind, tallySkipped, type SkippedTally } from '../../../electron/screening/skipped-kind.js';

describe('skippedKind', () => {
  it('reads the kind from the stored code', () => {
    assert.deepEqual(skippedKind('NOT_DICOM', null), { kind: 'not DICOM' });
    assert.deepEqual(skippedKind('NOT_AN_IMAGE', 'dicomdir'), { kind: 'DICOMDIR' });
    assert.deepEqual(skippedKind('NOT_AN_IMAGE', 'structured-report'), {
      kind: 'not an image',
      what: 'structured report',
    });
    assert.deepEqual(skippedKind('NOT_AN_IMAGE', 'rt-plan'), { kind: 'not an image', what: 'radiotherapy plan' });
    // A code this RadSift does not know (an index a later one wrote), or none: an object that holds no image, unnamed.
    assert.deepEqual(skippedKind('NOT_AN_IMAGE', 'hologram'), { kind: 'not an image', what: null });
    assert.deepEqual(skippedKind('NOT_AN_IMAGE', null), { kind: 'not an image', what: null });
  });

  it('every kind the decoder skips with carries its code, and a count names it', () => {
    const tally: SkippedTally = { notDicom: 0, dicomdirs: 0, notImages: 0, notImageKinds: [] };
    for (const kind of NON_IMAGE_KINDS) {
      const error = nonImageError(kind);
      assert.equal(error.code, 'NOT_AN_IMAGE');
      assert.equal(error.detail, kind);
      tallySkipped(tally, error.code, error.detail);
    }
    tallySkipped(tally, 'NOT_DICOM', undefined);
    assert.equal(tally.notDicom, NON_IMAGE_KINDS.length + 1);
    assert.equal(tally.dicomdirs, 1);
    assert.equal(tally.notImages, NON_IMAGE_KINDS.length - 1);
    assert.ok(tally.notImageKinds.includes('encapsulated document'), tally.notImageKinds.join(', '));
    assert.ok(tally.notImageKinds.includes('raw data'), tally.notImageKinds.join(', '));
  });
});
