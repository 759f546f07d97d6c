/**
 * The Matrix view's PNG export when the image would be too large: a canvas past the browser's limits yields no
 * blob, and the click used to do nothing at all (above ~2,977 rows in Chromium). The view now says so.
 * The matrix itself is answered by the test (page.route on the bridge's invoke endpoint, matrix.run only):
 * scoring thousands of real scans would take minutes; every other call goes to the real handlers.
 */
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { CORPUS, expect, test } from './fixtures';
import { scratchDir } from '../support/scratch';

test.describe('Matrix PNG export', () => {
  // The made-up rows name files that do not exist: their thumbnails are refused.
  test.use({ expectedConsoleErrors: [/status of 403/] });

  test('too many rows for one PNG: the view says so (export CSV instead), as when the browser refuses the image', async ({
    page,
    bridge,
  }) => {
    const dir = scratchDir('radsift-e2e-matrix-png-');
    await copyFile(path.join(CORPUS, 'nema-wg04', 'REF', 'CT1_UNC'), path.join(dir, 'ct.dcm'));
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Open folder…' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText('1 image');

    let count = 3000;
    await page.route('**/__bridge/invoke', async (route) => {
      const asked = route.request().postDataJSON() as { method: string; payload: { phrases: string[] } };
      if (asked.method !== 'matrix.run') return route.continue();
      const { phrases } = asked.payload;
      const rows = Array.from({ length: count }, (_, i) => ({
        path: path.join(dir, `scan-${i}.dcm`),
        similarity: phrases.map((_p, j) => (i % 7) / 10 - j / 100),
        probability: phrases.map((_p, j) => ((i + j) % 10) / 10),
      }));
      const familiarity = phrases.map((phrase) => ({
        phrase,
        known: true,
        unknownWords: [],
        unknownWordShare: 0,
        nearest: null,
        reason: null,
      }));
      await route.fulfill({ json: { ok: true, value: { phrases, rows, failed: [], familiarity } } });
    });
    const downloads: string[] = [];
    page.on('download', (d) => downloads.push(d.suggestedFilename()));

    await page.keyboard.press('3');
    await page.getByRole('button', { name: 'Compute matrix' }).click();
    const table = page.getByRole('table', { name: 'Scans by phrases' });
    await expect(table).toHaveAttribute('aria-rowcount', '3001');
    const exportPng = page.getByRole('button', { name: 'Export PNG' });
    const alert = page.getByRole('alert');
    // 22 px a row and two heading rows: 3,002 × 22 px is past a side of 65,535 px (Chromium itself refuses it).
    await exportPng.click();
    await expect(alert).toHaveText('Too many rows for one PNG (3000; at most 2976 fit): export CSV instead.');
    expect(downloads).toEqual([]);

    // A matrix that fits is exported, and the message goes.
    count = 20;
    await page.getByRole('button', { name: 'Recompute' }).click();
    await expect(table).toHaveAttribute('aria-rowcount', '21');
    const download = page.waitForEvent('download');
    await exportPng.click();
    expect((await download).suggestedFilename()).toBe('radsift-matrix.png');
    await expect(alert).toHaveCount(0);

    // The browser's refusal (toBlob yields null: a limit lower than the one checked for) is said too: simulated
    // here by a toBlob that answers null, as Chromium's does for a canvas past its limits.
    await page.evaluate(() => {
      HTMLCanvasElement.prototype.toBlob = function (callback: BlobCallback) {
        callback(null);
      };
    });
    await exportPng.click();
    await expect(alert).toHaveText(
      /^The PNG could not be made: the browser refused a \d+ × 484 px image \(20 rows\)\. Export CSV instead\.$/,
    );
    expect(downloads).toEqual(['radsift-matrix.png']);
  });
});
