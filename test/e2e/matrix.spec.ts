import path from 'node:path';
import { ARTIFACTS, expect, fixtureModel, test } from './fixtures';

test.describe('Matrix view', () => {
  test.use({ modelDirs: [fixtureModel()] });

  test('rows × phrases with values; sorting by a column orders rows by that score; add and remove phrases', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    await page.getByRole('button', { name: 'Open demo study' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText('24 images', { timeout: 180_000 });
    await page.keyboard.press('3');
    await page.getByRole('button', { name: 'Compute matrix' }).click();
    const table = page.getByRole('table', { name: 'Scans by phrases' });
    await expect(table).toBeVisible({ timeout: 120_000 });
    await expect(table).toHaveAttribute('aria-rowcount', '25');
    const headers = table.getByRole('columnheader');
    await expect(headers).toHaveText(['scan', 'pleural effusion', 'cardiomegaly', 'pneumothorax', 'edema']);

    await headers.filter({ hasText: 'cardiomegaly' }).click();
    const column = async () =>
      (await page.getByTestId('matrix-row').all()).length &&
      Promise.all(
        (await page.getByTestId('matrix-row').all()).map(async (row) =>
          Number(await row.getByRole('cell').nth(1).textContent()),
        ),
      );
    const sorted = (await column()) as number[];
    expect(sorted.length).toBeGreaterThan(5);
    expect([...sorted].sort((a, b) => b - a)).toEqual(sorted);
    await page.screenshot({ path: path.join(ARTIFACTS, 'matrix.png') });

    await page.getByRole('combobox', { name: 'Score type' }).selectOption('similarity');
    await page.getByRole('textbox', { name: 'Add a phrase' }).fill('nodule');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(headers).toHaveCount(6, { timeout: 60_000 });
    await page.getByRole('button', { name: 'Remove pneumothorax' }).click();
    await expect(headers).toHaveText(['scan', 'pleural effusion', 'cardiomegaly', 'edema', 'nodule'], {
      timeout: 60_000,
    });
  });
});
