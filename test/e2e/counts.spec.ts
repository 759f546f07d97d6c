/**
 * Counts as the app's English text writes them, with thousands separators: "1,500 patients", never "1500
 * patients" (a folder of 1500 scans and 4502 other files read as a run of digits).
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { counted } from '../../renderer/src/format';
import { CORPUS, expect, test } from './fixtures';
import { scratchDir } from '../support/scratch';

test('counted writes 1,500 with its noun in the number it takes', () => {
  expect(counted(1500, 'patient')).toBe('1,500 patients');
  expect(counted(4502, 'non-DICOM file')).toBe('4,502 non-DICOM files');
  expect(counted(1234567, 'image')).toBe('1,234,567 images');
  expect(counted(999, 'image')).toBe('999 images');
  expect(counted(1, 'image')).toBe('1 image');
  expect(counted(0, 'scan')).toBe('0 scans');
});

test('a folder with a thousand other files: "1,000 non-DICOM files skipped"', async ({ page, bridge }) => {
  const dir = scratchDir('radsift-e2e-thousand-');
  copyFileSync(path.join(CORPUS, 'nema-wg04', 'REF', 'CT1_UNC'), path.join(dir, 'ct.dcm'));
  for (let i = 0; i < 1000; i++) writeFileSync(path.join(dir, `note${i}.txt`), 'not an image');
  bridge.dialog.answer([dir]);
  await page.getByRole('button', { name: 'Open folder…' }).click();
  await expect(page.getByTestId('catalog-summary')).toContainText('1 patient, 1 image, 1,000 non-DICOM files skipped', {
    timeout: 30_000,
  });
  await expect(page.getByTestId('catalog-skipped').locator('summary')).toHaveText(
    '1,000 files are not DICOM (skipped)',
  );
});
