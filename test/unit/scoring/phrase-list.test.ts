import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { distinctPhrases } from '../../../electron/scoring/phrase-list.js';

describe('distinctPhrases', () => {
  it('keeps each phrase once, whatever its case or spacing, as first written with spaces collapsed', () => {
    assert.deepEqual(
      distinctPhrases(['Pleural effusion', 'pleural  effusion', ' PLEURAL EFFUSION ', 'no pleural effusion', 'edema']),
      ['Pleural effusion', 'no pleural effusion', 'edema'],
    );
    assert.deepEqual(distinctPhrases([]), []);
  });
});
