import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nonImageObject } from '../../../electron/dicom/non-image.js';

describe('nonImageObject', () => {
  it('names the classes that hold no image, and no image class', () => {
    assert.equal(nonImageObject('1.2.840.10008.5.1.4.1.1.88.11'), 'structured-report');
    assert.equal(nonImageObject('1.2.840.10008.5.1.4.1.1.88.59'), 'key-object-selection');
    assert.equal(nonImageObject('1.2.840.10008.5.1.4.1.1.11.1\0'), 'presentation-state');
    assert.equal(nonImageObject('1.2.840.10008.5.1.4.1.1.104.1'), 'encapsulated-document');
    assert.equal(nonImageObject('1.2.840.10008.5.1.4.1.1.66'), 'raw-data');
    // Classes that hold pixels: CR, DX, CT, a segmentation (66.4, not raw data's 66), RT Dose and RT Image.
    for (const uid of [
      '1.2.840.10008.5.1.4.1.1.1',
      '1.2.840.10008.5.1.4.1.1.1.1',
      '1.2.840.10008.5.1.4.1.1.2',
      '1.2.840.10008.5.1.4.1.1.66.4',
      '1.2.840.10008.5.1.4.1.1.481.1',
      '1.2.840.10008.5.1.4.1.1.481.2',
      '1.2.840.10008.5.1.4.1.1.481.30',
    ])
      assert.equal(nonImageObject(uid), null, uid);
    assert.equal(nonImageObject(undefined), null);
    assert.equal(nonImageObject(' '), null);
  });
});
