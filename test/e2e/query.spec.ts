import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARTIFACTS, CORPUS, expect, fixtureModel, test } from './fixtures';
import { scratchDir } from '../support/scratch';
import type { Locator } from '@playwright/test';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

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
      /^(\d+ of 24 scans match(es)?\.|None of 24 scans matches; the closest are shown below for inspection\.) A scan matches when "pleural effusion" is more likely than "no pleural effusion" with probability ≥ 0\.5\.$/,
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
    // Another view and back: the phrase, its ranking and the labels are still there (the view was unmounted).
    const summary = await page.getByTestId('query-summary').textContent();
    await page.keyboard.press('1');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Studies');
    await page.keyboard.press('2');
    await expect(page.getByTestId('query-summary')).toHaveText(summary!);
    await expect(box).toHaveValue('pleural effusion');
    await expect(page.getByTestId('label-counts')).toHaveText('2 positive, 3 negative');
    await page.getByRole('button', { name: 'Train linear probe' }).click();
    await expect(page.getByTestId('probe-auc')).toContainText('on 5 labels (2 positive, 3 negative)', {
      timeout: 60_000,
    });
    await expect(page.getByTestId('probe-result')).toHaveCount(24);
    // It reads what Screening's example sets compare (docs/few-shot.md): this fixture model has no patch embeddings.
    await expect(page.getByTestId('probe-features')).toContainText(
      "It reads each scan's embedding, centred on the 24 scans it ranks, as Screening's example sets compare scans.",
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'probe.png') });
    // The probe outlives a switch to another view, as the labels do; it says nothing of labels it was not trained on.
    await page.keyboard.press('1');
    await page.keyboard.press('2');
    await expect(page.getByTestId('probe-auc')).toContainText('on 5 labels (2 positive, 3 negative)');
    await cards.nth(13).getByRole('button', { name: '✗ negative' }).click();
    await expect(page.getByTestId('probe-auc')).toHaveCount(0);
    await expect(page.getByTestId('probe-stale')).toContainText('train it again');
    await cards.nth(13).getByRole('button', { name: '✗ negative' }).click(); // taken back: the labels it rests on
    await expect(page.getByTestId('probe-auc')).toContainText('on 5 labels (2 positive, 3 negative)');
    await page.getByRole('button', { name: 'Clear labels' }).click();
    await cards.nth(0).getByRole('button', { name: '✓ positive' }).click();
    await expect(page.getByTestId('label-counts')).toHaveText('1 positive, 0 negative');
    await expect(page.getByTestId('probe-auc')).toHaveCount(0);
    await expect(page.getByTestId('probe-stale')).toHaveCount(0);
    await page.getByRole('button', { name: 'Clear labels' }).click();

    // Example scans: + like the first result → the query becomes a mix of the phrase and the example, each
    // standardised over the scans (docs/few-shot.md, "The Query view's example scans"; this fixture model scores no
    // regions, so the phrase's zero-shot score is its whole image's), judged by the robust cut.
    await page.getByTestId('query-result').first().getByRole('button', { name: '+ like' }).click();
    await expect(page.getByTestId('query-terms')).toContainText('+');
    await expect(page.getByTestId('query-summary')).toContainText(
      'its zero-shot score for the phrase (whole image) and its similarity to the example scans (as Screening compares scans, centred on these scans), each standardised over these scans and weighed 1 : 1, stands out',
    );
    await expect(page.getByTestId('query-result').first().locator('.scores')).toContainText(/score -?\d+\.\d\d/);
    // The terms read as what they are (they were plain lines of text): a labelled list of chips, each with its sign
    // shown ("+ pleural effusion", "− pneumothorax") and said ("plus", "minus"); an example scan says it is one.
    await page.getByRole('searchbox', { name: 'Report phrase' }).fill('pneumothorax');
    await page.getByRole('button', { name: '− phrase' }).click();
    const termList = page.getByRole('list', { name: 'Query terms' });
    const termItems = termList.getByRole('listitem');
    await expect(termItems).toHaveCount(3);
    await expect(termItems.locator('.term-sign')).toHaveText(['+', '−', '+']);
    await expect(termList).toMatchAriaSnapshot(`
      - list "Query terms":
        - listitem: plus pleural effusion
        - listitem: minus pneumothorax
        - listitem: /plus scan .+/
    `);
    for (const item of await termItems.all())
      expect(await item.evaluate((e) => getComputedStyle(e).borderTopStyle)).toBe('solid');
    await expect(page.getByRole('button', { name: 'Search', exact: true })).toBeEnabled({ timeout: 60_000 }); // ran

    // Search is disabled while a query runs, but the threshold is not: moved twice, the first answer held up on
    // its way back, the view shows the last threshold's answer, not the one that came last.
    await page.getByRole('searchbox', { name: 'Report phrase' }).fill('cardiomegaly');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(page.getByTestId('query-summary')).toContainText('probability ≥ 0.5.', { timeout: 60_000 });
    let held = false;
    await page.route('**/__bridge/invoke', async (route) => {
      const { method } = route.request().postDataJSON() as { method: string };
      if (method === 'query.run' && !held) {
        held = true;
        await new Promise((r) => setTimeout(r, 3000));
      }
      await route.continue();
    });
    const slider = page.getByRole('slider', { name: 'Probability threshold' });
    await slider.focus();
    await page.keyboard.press('End'); // threshold 1: this answer is held
    await page.keyboard.press('Home'); // threshold 0
    await expect(page.getByTestId('query-summary')).toHaveText(/probability ≥ 0\.$/, { timeout: 60_000 });
    await page.waitForTimeout(4000); // the held answer has come back by now
    await expect(page.getByTestId('query-summary')).toHaveText(/probability ≥ 0\.$/);
    await page.unroute('**/__bridge/invoke');
    // Tabbing onto the slider, or a key that moves nothing, runs nothing again.
    const runs: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/__bridge/invoke') && (r.postDataJSON() as { method: string }).method === 'query.run')
        runs.push(r.url());
    });
    await page.getByRole('button', { name: '− phrase' }).focus();
    await page.keyboard.press('Tab');
    await expect(slider).toBeFocused();
    await page.keyboard.press('Shift');
    await page.keyboard.press('Home'); // already at 0
    await page.waitForTimeout(500);
    expect(runs).toEqual([]);
    await page.keyboard.press('ArrowRight'); // 0.05: one run
    await expect.poll(() => runs.length).toBe(1);
    // A view key pressed on the slider is the app's (a slider has no use for it).
    await page.keyboard.press('1');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Studies');
  });
});

test.describe('Query view, many scans', () => {
  test.use({ modelDirs: [fixtureModel()] });

  test('a ranking longer than a page says how much is shown and shows more on asking', async ({ page, bridge }) => {
    test.setTimeout(300_000);
    const dir = path.join(scratchDir('radsift-e2e-query-many-'), 'scans');
    const cli = path.join(ROOT, 'dist', 'electron', 'cli', 'radsift.js');
    execFileSync(process.execPath, [cli, 'demo', dir, '--count', '70', '--seed', '4', '--size', '256'], {
      stdio: 'ignore',
    });
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Open folder…' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText('70 images', { timeout: 180_000 });
    await page.keyboard.press('2');
    await page.getByRole('searchbox', { name: 'Report phrase' }).fill('pleural effusion');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(page.getByTestId('query-summary')).toContainText('of 70 scans', { timeout: 180_000 });
    // Every scan, ranked: 60 cards, and the line that says so.
    const all = page.getByRole('checkbox', { name: 'show scans below the threshold too' });
    if (await all.isEnabled()) await all.check();
    const cards = page.getByTestId('query-result');
    await expect(cards).toHaveCount(60);
    await expect(page.getByTestId('query-more')).toContainText('Showing the first 60 of 70.');
    await page.getByTestId('query-more').getByRole('button', { name: 'Show 10 more' }).click();
    await expect(cards).toHaveCount(70);
    // The button is gone with the last page: the focus is on the first card added, not lost to the page.
    await expect(cards.nth(60).locator('[data-scan-path]')).toBeFocused();
    await expect(page.getByTestId('query-more')).toHaveCount(0);
    // The same order as before, extended: the probabilities still fall.
    const values = (await page.getByTestId('probability').allTextContents()).map((t) => Number(t.replace('p ', '')));
    expect(values).toHaveLength(70);
    expect([...values].sort((a, b) => b - a)).toEqual(values);

    // The probe's ranking: 24 at first, of all 70.
    for (const i of [0, 1]) await cards.nth(i).getByRole('button', { name: '✓ positive' }).click();
    for (const i of [68, 69]) await cards.nth(i).getByRole('button', { name: '✗ negative' }).click();
    await page.getByRole('button', { name: 'Train linear probe' }).click();
    const probed = page.getByTestId('probe-result');
    await expect(probed).toHaveCount(24, { timeout: 60_000 });
    await expect(page.getByTestId('probe-more')).toContainText('Showing the first 24 of 70.');
    await page.getByTestId('probe-more').getByRole('button', { name: 'Show 24 more' }).click();
    await expect(probed).toHaveCount(48);
    // The viewer steps through the whole ranking, past the scans shown: they are shown up to it, and the focus
    // comes back to the card of the scan last seen.
    const viewer = page.getByRole('region', { name: 'Image viewer' });
    /** Opens the last card shown (of `shown`), steps one past it, closes: all 70 shown, the focus on that card. */
    const stepPastShown = async (list: Locator, shown: number) => {
      await list
        .nth(shown - 1)
        .locator('[data-scan-path]')
        .click();
      await expect(viewer.getByTestId('viewer-position')).toHaveText(`${shown} of 70`);
      await page.keyboard.press('ArrowRight');
      await expect(viewer.getByTestId('viewer-position')).toHaveText(`${shown + 1} of 70`);
      await expect(list).toHaveCount(70);
      await page.keyboard.press('Escape');
      await expect(viewer).toHaveCount(0);
      await expect(list.nth(shown).locator('[data-scan-path]')).toBeFocused();
    };
    await stepPastShown(probed, 48);

    // A new search starts at one page again.
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(cards).toHaveCount(60);
    // The query's viewer too steps past its cards shown.
    await stepPastShown(cards, 60);
  });

  test('the viewer over a result is modal: Tab stays in it and the status bar, never the views behind', async ({
    page,
    bridge,
  }) => {
    const dir = scratchDir('radsift-e2e-query-modal-');
    for (const name of ['a', 'b'])
      copyFileSync(path.join(CORPUS, 'nema-wg04', 'REF', 'CT1_UNC'), path.join(dir, `${name}.dcm`));
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Open folder…' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText('2 images');
    await page.keyboard.press('2');
    await page.getByRole('searchbox', { name: 'Report phrase' }).fill('pleural effusion');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('checkbox', { name: 'show scans below the threshold too' }).check();
    const card = page.getByTestId('query-result').first().locator('[data-scan-path]');
    await card.click();
    await expect(page.getByTestId('viewer-overlay')).toBeVisible();
    const where: string[] = [];
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      where.push(
        await page.evaluate(() => {
          const el = document.activeElement;
          if (!el || el === document.body) return 'body';
          return el.closest('[data-testid="viewer-overlay"]') ? 'viewer' : el.closest('footer') ? 'footer' : 'behind';
        }),
      );
    }
    expect(where.filter((w) => w === 'behind')).toEqual([]);
    expect(where).toContain('viewer');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('viewer-overlay')).toHaveCount(0);
    await expect(card).toBeFocused();
  });

  test('another collection opened starts the query afresh; the same one opened again keeps it', async ({
    page,
    bridge,
  }) => {
    const folders = ['a', 'b'].map((name) => {
      const dir = scratchDir(`radsift-e2e-query-${name}-`);
      copyFileSync(path.join(CORPUS, 'nema-wg04', 'REF', 'CT1_UNC'), path.join(dir, 'ct.dcm'));
      return dir;
    });
    const open = async (dir: string) => {
      await page.keyboard.press('1');
      bridge.dialog.answer([dir]);
      await page.getByRole('button', { name: 'Open folder…' }).click();
      await expect(page.getByTestId('catalog-summary')).toContainText('1 patient, 1 image');
      await page.keyboard.press('2');
    };
    const box = page.getByRole('searchbox', { name: 'Report phrase' });
    await open(folders[0]!);
    await box.fill('cardiomegaly');
    await box.blur();
    await open(folders[0]!);
    await expect(box).toHaveValue('cardiomegaly');
    await open(folders[1]!);
    await expect(box).toHaveValue('');
  });
});
