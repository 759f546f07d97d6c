/**
 * The Matrix view's PNG export when the image would be too large: a canvas past the browser's limits yields no
 * blob, and the click used to do nothing at all (above ~2,977 rows in Chromium). The view now says so.
 * The matrix itself is answered by the test (page.route on the bridge's invoke endpoint, matrix.run only):
 * scoring thousands of real scans would take minutes; every other call goes to the real handlers.
 */
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { CORPUS, expect, test, type Bridge } from './fixtures';
import { scratchDir } from '../support/scratch';

/**
 * A folder of one real scan opened, and a matrix of `rows()` made-up rows answered for every matrix.run (the
 * rows name files that do not exist); every other call goes to the real handlers.
 */
async function madeUpMatrix(page: Page, bridge: Bridge, rows: () => number): Promise<void> {
  const dir = scratchDir('radsift-e2e-matrix-png-');
  await copyFile(path.join(CORPUS, 'nema-wg04', 'REF', 'CT1_UNC'), path.join(dir, 'ct.dcm'));
  bridge.dialog.answer([dir]);
  await page.getByRole('button', { name: 'Open folder…' }).click();
  await expect(page.getByTestId('catalog-summary')).toContainText('1 image');
  await page.route('**/__bridge/invoke', async (route) => {
    const asked = route.request().postDataJSON() as { method: string; payload: { phrases: string[] } };
    if (asked.method !== 'matrix.run') return route.continue();
    const { phrases } = asked.payload;
    const made = Array.from({ length: rows() }, (_, i) => ({
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
    await route.fulfill({ json: { ok: true, value: { phrases, rows: made, failed: [], familiarity } } });
  });
}

test.describe('Matrix PNG export', () => {
  // The made-up rows name files that do not exist: their thumbnails are refused.
  test.use({ expectedConsoleErrors: [/status of 403/] });

  test('too many rows for one PNG: the view says so (export CSV instead), as when the browser refuses the image', async ({
    page,
    bridge,
  }) => {
    let count = 3000;
    await madeUpMatrix(page, bridge, () => count);
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
  test('the PNG phrase headings stay in their columns: widened to fit, a longer one cut with an ellipsis', async ({
    page,
    bridge,
  }) => {
    await madeUpMatrix(page, bridge, () => 3);
    // What the export draws: each text, where, and how wide with the canvas' font.
    await page.evaluate(() => {
      const drawn: { text: string; x: number; width: number }[] = [];
      (window as unknown as { drawn: typeof drawn }).drawn = drawn;
      const fillText = CanvasRenderingContext2D.prototype.fillText;
      CanvasRenderingContext2D.prototype.fillText = function (text: string, x: number, y: number) {
        drawn.push({ text, x, width: this.measureText(text).width });
        fillText.call(this, text, x, y);
      };
    });
    await page.keyboard.press('3');
    const long = 'subcutaneous emphysema tracking along the chest wall and the neck';
    for (const phrase of ['subcutaneous emphysema', long]) {
      await page.getByRole('textbox', { name: 'Add a phrase' }).fill(phrase);
      await page.getByRole('button', { name: 'Add', exact: true }).click();
    }
    // Adding a phrase computes the matrix with it.
    const table = page.getByRole('table', { name: 'Scans by phrases' });
    await expect(table).toHaveAttribute('aria-rowcount', '4');
    await expect(table.getByRole('columnheader')).toHaveCount(7);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export PNG' }).click();
    await download;
    const drawn = await page.evaluate(
      () => (window as unknown as { drawn: { text: string; x: number; width: number }[] }).drawn,
    );
    // The headings are the texts drawn on the second line, left to right: pleural effusion … the long one.
    const phrases = ['pleural effusion', 'cardiomegaly', 'pneumothorax', 'edema', 'subcutaneous emphysema'];
    const heads = drawn.filter((d) => phrases.includes(d.text) || d.text.startsWith('subcutaneous emphysema tracking'));
    expect(heads.map((d) => d.text.replace(/…$/, ''))).toEqual([
      ...phrases,
      expect.stringMatching(/^subcutaneous emphysema tracking/),
    ]);
    expect(heads.at(-1)!.text).toMatch(/…$/);
    for (let j = 0; j + 1 < heads.length; j++)
      expect(heads[j]!.x + heads[j]!.width, heads[j]!.text).toBeLessThanOrEqual(heads[j + 1]!.x - 4);
  });
});
