import path from 'node:path';
import { ARTIFACTS, expect, fixtureModel, test } from './fixtures';

test.describe('Query view', () => {
  test.use({ modelDirs: [fixtureModel()] });

  test('a phrase ranks the opened scans with probabilities; a mix steers by examples', async ({ page }) => {
    test.setTimeout(240_000);
    await page.getByRole('button', { name: 'Open demo study' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText('24 images', { timeout: 180_000 });
    await page.keyboard.press('2');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Query');
    // A pasted paragraph stops at the API's phrase limit, and the box says so.
    const box = page.getByRole('searchbox', { name: 'Report phrase' });
    await box.fill('small left pleural effusion '.repeat(1100));
    expect((await box.inputValue()).length).toBe(500);
    await expect(page.getByTestId('phrase-limit')).toBeVisible();
    await box.fill('pleural effusion');
    await expect(page.getByTestId('phrase-limit')).toHaveCount(0);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(page.getByTestId('query-summary')).toContainText('of 24 scans', { timeout: 120_000 });
    await expect(page.getByTestId('query-summary')).toContainText('is more likely than "no pleural effusion"');
    // Two sentences: how many match, then the rule a match follows.
    await expect(page.getByTestId('query-summary')).toHaveText(
      /^(\d+ of 24 scans match\.|None of 24 scans matches; the closest are shown below for inspection\.) A scan matches when "pleural effusion" is more likely than "no pleural effusion" with probability ≥ 0\.5\.$/,
    );
    const probabilities = await page.getByTestId('probability').allTextContents();
    expect(probabilities.length).toBeGreaterThan(0);
    const values = probabilities.map((t) => Number(t.replace('p ', '')));
    expect([...values].sort((a, b) => b - a)).toEqual(values);
    await page.screenshot({ path: path.join(ARTIFACTS, 'query.png') });

    // Labels → a linear probe with its cross-validated AUC and the number of labels it rests on.
    const cards = page.getByTestId('query-result');
    for (const i of [0, 1]) await cards.nth(i).getByRole('button', { name: '✓ positive' }).click();
    for (const i of [10, 11, 12]) await cards.nth(i).getByRole('button', { name: '✗ negative' }).click();
    await expect(page.getByTestId('label-counts')).toHaveText('2 positive, 3 negative');
    await page.getByRole('button', { name: 'Train linear probe' }).click();
    await expect(page.getByTestId('probe-auc')).toContainText('on 5 labels (2 positive, 3 negative)', {
      timeout: 60_000,
    });
    await expect(page.getByTestId('probe-result')).toHaveCount(24);
    await page.screenshot({ path: path.join(ARTIFACTS, 'probe.png') });
    await page.getByRole('button', { name: 'Clear labels' }).click();

    // Example scans: + like the first result → the query becomes a mix, judged by the robust cut.
    await page.getByTestId('query-result').first().getByRole('button', { name: '+ like' }).click();
    await expect(page.getByTestId('query-terms')).toContainText('+');
    await expect(page.getByTestId('query-summary')).toContainText('similarity stands out');
  });
});
