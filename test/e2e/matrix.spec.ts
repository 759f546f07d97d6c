import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { ARTIFACTS, CORPUS, expect, fixtureModel, test } from './fixtures';
import { scratchDir } from '../support/scratch';

test.describe('Matrix view', () => {
  test.use({ modelDirs: [fixtureModel()] });

  test('rows × phrases with values; sorting by a column orders rows by that score; add and remove phrases', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    await page.getByRole('button', { name: 'Open demo study' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText('24 images', { timeout: 180_000 });
    await page.keyboard.press('3');
    // The toolbar stays still when the button's label turns into "Recompute": the button keeps its place and width
    // (the phrase box, which takes the room left, grew and moved "Add" and the button along), and so does what follows.
    const toolbar = page
      .locator('form.toolbar')
      .filter({ has: page.getByRole('button', { name: 'Add', exact: true }) });
    const boxes = () =>
      toolbar.locator(':scope > *').evaluateAll((els) =>
        els.map((e) => {
          const r = e.getBoundingClientRect();
          return [Math.round(r.x), Math.round(r.y), Math.round(r.width)];
        }),
      );
    const before = await boxes();
    await page.getByRole('button', { name: 'Compute matrix' }).click();
    const table = page.getByRole('table', { name: 'Scans by phrases' });
    await expect(table).toBeVisible({ timeout: 120_000 });
    await expect(page.getByRole('button', { name: 'Recompute', exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Compute matrix' })).toHaveCount(0);
    expect(await boxes()).toEqual(before);
    await expect(table).toHaveAttribute('aria-rowcount', '25');
    const headers = table.getByRole('columnheader');
    // A header, a scan and a cell are each a table role holding a button: a screen reader says where it is and that
    // it can be pressed (with the role on the button itself, the button was announced as a plain cell).
    await expect(headers.nth(1).getByRole('button')).toHaveCount(1, { timeout: 120_000 });
    await expect(table.getByRole('rowheader').first().getByRole('button')).toHaveCount(1);
    await expect(
      table
        .getByRole('cell')
        .first()
        .getByRole('button', { name: /^pleural effusion: \d\.\d{3}$/ }),
    ).toHaveCount(1);
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

    // The rows below the fold are counted, and the count follows the scroll.
    const shown = page.getByTestId('matrix-rows-shown');
    await expect(shown).toHaveText(/^Showing rows 1–\d+ of 24: scroll for \d+ more\.$/);
    const [, last, more] = /1–(\d+) of 24: scroll for (\d+)/.exec((await shown.textContent())!)!.map(Number);
    expect(last! + more!).toBe(24);
    await page.getByTestId('matrix-body').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect(shown).toHaveText(/^Showing rows \d+–24 of 24 \(the end\)\.$/);
    await page.getByTestId('matrix-body').evaluate((el) => (el.scrollTop = 0));

    // The keyboard moves row by row in the same column, scrolling the rows below the fold into view.
    const focusedCell = () =>
      page.evaluate(() => {
        const row = document.activeElement?.closest('[role="row"]');
        const cells = row ? Array.from(row.querySelectorAll('button')) : [];
        return row
          ? `${row.getAttribute('aria-rowindex')}:${cells.indexOf(document.activeElement as HTMLButtonElement)}`
          : null;
      });
    await page.locator('[role="row"][aria-rowindex="2"]').getByRole('cell').nth(1).getByRole('button').focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(focusedCell).toBe('3:2');
    await page.keyboard.press('End');
    await expect.poll(focusedCell).toBe('25:2');
    await expect(page.locator('[role="row"][aria-rowindex="25"]').getByRole('cell').nth(1)).toBeInViewport();
    await page.keyboard.press('Home');
    await expect.poll(focusedCell).toBe('2:2');
    // ← / → along the row, stopping at its ends (the scan's button is the first).
    await page.keyboard.press('ArrowRight');
    await expect.poll(focusedCell).toBe('2:3');
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowLeft');
    await expect.poll(focusedCell).toBe('2:0');
    await page.keyboard.press('ArrowDown');
    await expect.poll(focusedCell).toBe('3:0');
    // A cell opens the viewer with its phrase's heatmap; closed, the focus is back on that cell, not the row's first.
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect.poll(focusedCell).toBe('3:2');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('viewer-overlay')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('viewer-overlay')).toHaveCount(0);
    await expect.poll(focusedCell).toBe('3:2');

    // The scan column sorts by the names shown, A to Z first, then Z to A; its header is a button, so the keyboard
    // sorts it too, and it says its order (aria-sort) as the phrase columns do.
    const scanHead = headers.filter({ hasText: 'scan' });
    const names = () =>
      page
        .getByTestId('matrix-row')
        .getByRole('rowheader')
        .evaluateAll((hs) => hs.map((h) => (h as HTMLElement).innerText.replace(/\s*\n\s*/g, ' · ')));
    const byName = new Intl.Collator(undefined, { numeric: true }).compare;
    await expect(scanHead).toHaveAttribute('aria-sort', 'none');
    await scanHead.getByRole('button').focus();
    await page.keyboard.press('Enter');
    await expect(scanHead).toHaveAttribute('aria-sort', 'ascending');
    await expect(scanHead).toHaveText('scan ▲');
    await expect(headers.filter({ hasText: 'cardiomegaly' })).toHaveAttribute('aria-sort', 'none');
    const az = await names();
    expect(az.length).toBeGreaterThan(5);
    expect([...az].sort(byName)).toEqual(az);
    await page.keyboard.press('Space');
    await expect(scanHead).toHaveAttribute('aria-sort', 'descending');
    const za = await names();
    expect([...za].sort(byName).reverse()).toEqual(za);
    expect(za[0]).not.toBe(az[0]);

    await page.getByRole('combobox', { name: 'Score type' }).selectOption('similarity');
    await page.getByRole('textbox', { name: 'Add a phrase' }).fill('nodule');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(headers).toHaveCount(6, { timeout: 60_000 });
    await page.getByRole('button', { name: 'Remove pneumothorax' }).click();
    await expect(headers).toHaveText(['scan', 'pleural effusion', 'cardiomegaly', 'edema', 'nodule'], {
      timeout: 60_000,
    });
    // Another view and back: the phrases, the matrix, its score and its sort are still there (no new computation).
    await headers.nth(4).click();
    await page.getByTestId('matrix-body').evaluate((el) => (el.scrollTop = 0));
    const rows = page.getByTestId('matrix-row');
    const order = await rows.allTextContents();
    await page.keyboard.press('1');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Studies');
    await page.keyboard.press('3');
    await expect(headers).toHaveText(['scan', 'pleural effusion', 'cardiomegaly', 'edema', 'nodule ▼']);
    await expect(page.getByRole('combobox', { name: 'Score type' })).toHaveValue('similarity');
    await expect(rows).toHaveText(order);
  });
});

test("the Matrix's phrase chips are bordered, as the Query terms are", async ({ page, bridge }) => {
  // Any opened scan shows the Matrix's toolbar; no model is needed to see its phrases.
  const dir = scratchDir('radsift-e2e-matrix-chips-');
  copyFileSync(path.join(CORPUS, 'nema-wg04', 'REF', 'CT1_UNC'), path.join(dir, 'ct.dcm'));
  bridge.dialog.answer([dir]);
  await page.getByRole('button', { name: 'Open folder…' }).click();
  await expect(page.getByTestId('catalog-summary')).toContainText('1 image');
  await page.keyboard.press('3');
  const remove = page.getByRole('button', { name: 'Remove pleural effusion' });
  await expect(remove).toBeVisible();
  // The chip is the × button's parent: "pleural effusion ×".
  const chip = remove.locator('xpath=..');
  await expect(chip).toHaveClass(/\bchip\b/);
  const border = await chip.evaluate((e) => {
    const s = getComputedStyle(e);
    return { style: s.borderTopStyle, width: parseFloat(s.borderTopWidth), colour: s.borderTopColor };
  });
  expect(border.style).toBe('solid');
  expect(border.width).toBeGreaterThanOrEqual(1);
  expect(border.colour).not.toBe('rgba(0, 0, 0, 0)');
  await chip.locator('..').screenshot({ path: path.join(ARTIFACTS, 'matrix-chips.png') });
});
