import assert from 'node:assert/strict';
import { test } from 'node:test';
import { skippedText } from '../../../electron/api/skipped-text.js';

test('skippedText: nothing, only files that are not DICOM, and each kind counted with what the reports are', () => {
  const none = { notDicom: 0, dicomdirs: 0, notImages: 0, notImageKinds: [] };
  assert.equal(skippedText(none), '');
  assert.equal(skippedText({ ...none, notDicom: 182 }), '182 not DICOM (skipped)');
  assert.equal(
    skippedText({ notDicom: 3, dicomdirs: 1, notImages: 1, notImageKinds: ['structured report'] }),
    '3 skipped: 1 not DICOM, 1 DICOMDIR, 1 not an image (structured report)',
  );
  // No plain non-DICOM file among them, plurals, and an older index's rows that do not say what they are.
  assert.equal(
    skippedText({ notDicom: 4, dicomdirs: 2, notImages: 2, notImageKinds: [] }),
    '4 skipped: 2 DICOMDIRs, 2 not images',
  );
});

test('skippedText writes thousands as the rest of the line does: "4,502 not DICOM"', () => {
  const none = { notDicom: 0, dicomdirs: 0, notImages: 0, notImageKinds: [] };
  assert.equal(skippedText({ ...none, notDicom: 4502 }), '4,502 not DICOM (skipped)');
  assert.equal(
    skippedText({ notDicom: 12001, dicomdirs: 1, notImages: 1000, notImageKinds: ['waveform'] }),
    '12,001 skipped: 11,000 not DICOM, 1 DICOMDIR, 1,000 not images (waveform)',
  );
});
