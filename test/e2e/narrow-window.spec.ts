/**
 * A laptop's window (1024 × 700): the status bar stays one line with the research-use notice whole, and the
 * Matrix's phrase headers stay inside their columns, its two exports on one line.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { CORPUS, expect, ROOT, test } from './fixtures';
import { scratchDir } from '../support/scratch';

const BUNDLE = path.join(ROOT, 'models', 'radsift-phantom-convirt-rare', 'manifest.json');

test.describe('a narrow window', () => {
  test.skip(!existsSync(BUNDLE), 'no default model bundled in models/radsift-phantom-convirt-rare');
  test.use({ bundledModels: true, viewport: { width: 1024, height: 700 } });

  test('the status bar keeps one line and the notice whole; Matrix headers stay in their columns', async ({
    page,
    bridge,
  }) => {
    test.setTimeout(120_000);
    // The default model's long name and the provider's detail are what filled the bar.
    await expect(page.getByTestId('status-model')).toContainText('synthetic training data', { timeout: 60_000 });
    const bar = await page.locator('footer.statusbar').boundingBox();
    for (const item of [
      page.getByTestId('status-model'),
      page.getByTestId('status-provider'),
      page.getByText('Research use only — not for clinical decisions', { exact: true }),
    ]) {
      const box = (await item.boundingBox())!;
      const what = (await item.textContent()) ?? '';
      expect(box.y, what).toBeGreaterThanOrEqual(bar!.y);
      expect(box.y + box.height, what).toBeLessThanOrEqual(bar!.y + bar!.height + 0.5);
      // One line: no taller than a line of its own font.
      const lines = await item.evaluate(
        (e) => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).fontSize),
      );
      expect(lines, what).toBeLessThan(2);
    }
    // What gives way is shortened with an ellipsis and whole in its tooltip; the notice never is.
    const notice = page.getByText('Research use only — not for clinical decisions', { exact: true });
    expect(await notice.evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
    const model = page.getByTestId('status-model');
    await expect(model).toHaveAttribute('title', /synthetic training data/);

    const dir = path.join(scratchDir('radsift-e2e-narrow-'), 'scans');
    execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'dist', 'electron', 'cli', 'radsift.js'),
        'demo',
        dir,
        '--count',
        '2',
        '--seed',
        '5',
        '--size',
        '256',
      ],
      { stdio: 'ignore' },
    );
    for (const f of ['masks', 'labels.csv', 'reports.jsonl'])
      rmSync(path.join(dir, f), { recursive: true, force: true });
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Open folder…' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText('2 images', { timeout: 30_000 });
    await page.keyboard.press('3');
    await page.getByRole('button', { name: 'Compute matrix' }).click();
    await expect(page.getByRole('table', { name: 'Scans by phrases' })).toBeVisible({ timeout: 60_000 });
    const headers = page.getByRole('columnheader').filter({ has: page.getByRole('button') });
    expect(await headers.count()).toBeGreaterThan(1);
    const boxes = await headers.evaluateAll((slots) =>
      slots.map((slot) => {
        const text = slot.querySelector('.matrix-phrase') ?? slot;
        const range = document.createRange();
        range.selectNodeContents(text);
        return {
          phrase: slot.textContent,
          slot: slot.getBoundingClientRect().right,
          text: range.getBoundingClientRect().right,
        };
      }),
    );
    // Each phrase's visible text ends inside its own column (a long word once ran into the next one's).
    for (const b of boxes) expect(b.text, b.phrase ?? '').toBeLessThanOrEqual(b.slot + 0.5);
    for (const header of await headers.all()) await expect(header.getByRole('button')).toHaveAttribute('title', /\S/);
    // A long phrase takes three lines at most: the header row stays a header.
    const long = 'subcutaneous emphysema tracking along the chest wall into the neck and the axillae';
    await page.getByRole('textbox', { name: 'Add a phrase' }).fill(long);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const longHead = page.locator('.matrix-phrase').filter({ hasText: long });
    await expect(longHead).toHaveCount(1, { timeout: 60_000 });
    const { height, line } = await longHead.evaluate((e) => ({
      height: e.getBoundingClientRect().height,
      line: parseFloat(getComputedStyle(e).lineHeight) || parseFloat(getComputedStyle(e).fontSize) * 1.2,
    }));
    expect(height / line).toBeLessThanOrEqual(3.05);
  });

  test("the Matrix's two exports stay together on one line", async ({ page, bridge }) => {
    const dir = scratchDir('radsift-e2e-narrow-exports-');
    copyFileSync(path.join(CORPUS, 'nema-wg04', 'REF', 'CT1_UNC'), path.join(dir, 'ct.dcm'));
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Open folder…' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText('1 image');
    await page.keyboard.press('3');
    const csv = (await page.getByRole('button', { name: 'Export CSV' }).boundingBox())!;
    const png = (await page.getByRole('button', { name: 'Export PNG' }).boundingBox())!;
    expect(png.y).toBe(csv.y);
    expect(png.x).toBeGreaterThan(csv.x);
  });
});
