import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { ARTIFACTS, expect, test as base } from './fixtures';
import { scratchDir } from '../support/scratch';

import type * as ReviewJobModule from '../bench/review-job.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROWS = 3000;

/**
 * An app data folder whose index holds a finished phrase job of ROWS rows (random embeddings under the shipped
 * model's slot: the bench's review job) over a folder where every row is a link to one real phantom, so that
 * each row opens in the viewer. The job was started in an earlier run: nothing was opened in this one.
 */
const test = base.extend({
  // Playwright reads a fixture's dependencies from its first parameter's pattern: none here.
  // eslint-disable-next-line no-empty-pattern
  dataDir: async ({}, use) => {
    const work = scratchDir('radsift-e2e-rows-');
    const mod = (await import(path.join(ROOT, 'dist', 'test', 'bench', 'review-job.js'))) as typeof ReviewJobModule;
    const scans = path.join(work, 'scans');
    const { files } = await mod.prepareReviewJob(path.join(work, 'data'), scans, ROWS);
    const demo = path.join(work, 'demo');
    const cli = path.join(ROOT, 'dist', 'electron', 'cli', 'radsift.js');
    execFileSync(process.execPath, [cli, 'demo', demo, '--count', '1', '--seed', '5', '--size', '256'], {
      stdio: 'ignore',
    });
    const phantom = readdirSync(demo, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('.dcm'))!;
    mkdirSync(scans, { recursive: true });
    for (const f of files) linkSync(path.join(demo, phantom), f);
    jobFiles = files;
    await use(path.join(work, 'data'));
  },
});
/** The job's rows, in path order (set as the data folder is made). */
let jobFiles: string[] = [];

/**
 * The `aria-rowindex` of the first row drawn with review buttons and no mark (the job's four rows marked
 * "finding" have one) whose next row is the same.
 */
async function reviewableRow(page: Page): Promise<string> {
  const at = await page.evaluate(() => {
    const rows = Array.from(document.querySelectorAll('tr[data-row-index]'));
    const has = (tr: Element | undefined) =>
      !!tr?.querySelector('[data-testid="review-not"]') && !tr.querySelector('[aria-pressed="true"]');
    const i = rows.findIndex((tr, k) => has(tr) && has(rows[k + 1]));
    return i < 0 ? null : rows[i]!.getAttribute('aria-rowindex');
  });
  expect(at).not.toBeNull();
  return at!;
}

/** Marks the first unmarked row from the keyboard (its button focused, then Enter): its place and its scan. */
async function markFromKeyboard(page: Page, button: 'review-not' | 'review-finding') {
  const at = await reviewableRow(page);
  const row = page.locator(`tr[aria-rowindex="${at}"]`);
  const scan = (await row.locator('[data-scan-path]').getAttribute('data-scan-path'))!;
  await row.getByTestId(button).focus();
  await page.keyboard.press('Enter');
  return { at, row, scan };
}

const focusedRow = (page: Page) =>
  page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('aria-rowindex') ?? null);

test.describe('Screening results of thousands of rows', () => {
  test.use({ bundledModels: true });

  test.beforeEach(async ({ page }) => {
    test.setTimeout(180_000);
    await page.keyboard.press('4');
    await page.getByTestId('screen-job').first().getByRole('button', { name: 'Results' }).click();
    await expect(page.getByTestId('results-examples')).toContainText('4 examples', { timeout: 120_000 });
  });

  test('only the rows in view are drawn; scrolling and the keyboard reach every row', async ({ page }) => {
    expect(jobFiles).toHaveLength(ROWS);
    const table = page.locator('table.results-table');
    await expect(table).toHaveAttribute('aria-rowcount', String(ROWS + 1));
    const rows = page.getByTestId('screen-row');
    const drawn = await rows.count();
    expect(drawn).toBeGreaterThan(5);
    expect(drawn).toBeLessThan(80);
    // One height for every row: a row's place in the scroll is its index times it.
    const heights = await rows.evaluateAll((trs) => trs.map((tr) => Math.round(tr.getBoundingClientRect().height)));
    expect(new Set(heights)).toEqual(new Set([40]));
    await expect(page.getByTestId('results-rows-shown')).toContainText(`of ${ROWS}`);
    await expect(page.getByTestId('results-rows-shown')).toContainText('Rows 1–');

    // Scrolled to the end: the last row is drawn, the first is not.
    const scroll = page.getByTestId('results-scroll');
    await scroll.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect(page.locator(`tr[aria-rowindex="${ROWS + 1}"]`)).toBeVisible();
    await expect(page.locator('tr[aria-rowindex="2"]')).toHaveCount(0);
    await expect(page.getByTestId('results-rows-shown')).toContainText(`–${ROWS} of ${ROWS}`);
    await scroll.evaluate((el) => (el.scrollTop = 0));
    await expect(page.locator('tr[aria-rowindex="2"]')).toBeVisible();
    await scroll.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, 'screening-rows.png') });

    // The keyboard, from a row's scan: End, Home, ↓, Page Down move the focus row by row through all of them.
    const focused = () => focusedRow(page);
    await page.locator('tr[aria-rowindex="2"] [data-scan-path]').focus();
    await page.keyboard.press('End');
    await expect.poll(focused).toBe(String(ROWS + 1));
    await expect(page.locator(`tr[aria-rowindex="${ROWS + 1}"] [data-scan-path]`)).toBeInViewport();
    await page.keyboard.press('Home');
    await expect.poll(focused).toBe('2');
    await page.keyboard.press('ArrowDown');
    await expect.poll(focused).toBe('3');
    await page.keyboard.press('PageDown');
    const paged = Number(await focused());
    expect(paged).toBeGreaterThan(6);
    await expect(page.locator(`tr[aria-rowindex="${paged}"] [data-scan-path]`)).toBeInViewport();

    // ↓ from a row's "✗ Not it" goes to the next row's "✗ Not it" (the same column).
    const pair = await reviewableRow(page);
    await page.locator(`tr[aria-rowindex="${pair}"] [data-testid="review-not"]`).focus();
    await page.keyboard.press('ArrowDown');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null))
      .toBe('review-not');
    await expect.poll(focused).toBe(String(Number(pair) + 1));
  });

  test('a row marked from the keyboard that falls out of the rows drawn leaves the focus on the next row', async ({
    page,
  }) => {
    // Ranked by example similarity: a scan marked "Not it" falls (scans like it fall), far below the rows drawn.
    await page.getByRole('button', { name: 'example similarity' }).click();
    const { row, scan: marked } = await markFromKeyboard(page, 'review-not');
    await expect(page.getByTestId('results-examples')).toContainText('4 examples, away from 1 reviewed');
    await expect(page.locator(`[data-scan-path="${marked}"]`)).toHaveCount(0);
    // The focus stays in the table, in the same place and column: the next scan to review.
    await expect(row.getByTestId('review-not')).toBeFocused();
    await expect(row.locator('[data-scan-path]')).not.toHaveAttribute('data-scan-path', marked);

    // A scan marked "Finding" rises (it joins the examples) but stays drawn: the focus keeps its place too.
    const { at: again, row: rising, scan: risen } = await markFromKeyboard(page, 'review-finding');
    await expect(page.getByTestId('results-examples')).toContainText('5 examples');
    await expect(rising.locator('[data-scan-path]')).not.toHaveAttribute('data-scan-path', risen);
    await expect.poll(() => focusedRow(page)).toBe(again);
  });

  test('marking from the keyboard keeps the focus where it is; a row scrolled away leaves it on the list', async ({
    page,
  }) => {
    // Ranked by the phrase, a mark moves no row: the button marked keeps the focus while the mark is on its way.
    const at = await reviewableRow(page);
    const button = page.locator(`tr[aria-rowindex="${at}"]`).getByTestId('review-finding');
    await button.focus();
    await page.keyboard.press('Enter');
    await expect(button).toBeFocused();
    await expect(page.getByTestId('results-examples')).toContainText('5 examples');
    await expect(button).toBeFocused();
    // Scrolled far away with the wheel: the row is no longer drawn, the list has the focus, and ↓ goes on from
    // that row.
    await page.getByTestId('results-scroll').hover();
    await page.mouse.wheel(0, 8000);
    await expect(page.locator(`tr[aria-rowindex="${at}"]`)).toHaveCount(0);
    await expect(page.getByTestId('results-scroll')).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => focusedRow(page)).toBe(String(Number(at) + 1));
    await expect(page.locator(`tr[aria-rowindex="${Number(at) + 1}"] [data-testid="review-finding"]`)).toBeFocused();
    // A click on a row's cell (the list takes the focus) starts the keys from that row, not a row kept before.
    const scroll = page.getByTestId('results-scroll');
    await page.keyboard.press('End');
    await page.mouse.wheel(0, -200_000);
    await expect(page.locator('tr[aria-rowindex="12"]')).toBeVisible();
    await page.locator('tr[aria-rowindex="12"] td.status').click();
    await expect(scroll).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => focusedRow(page)).toBe('13');
  });

  test('the list never takes the focus or the keys from the viewer open over it', async ({ page }) => {
    await page.locator('tr[aria-rowindex="2"] [data-scan-path]').click();
    const viewer = page.getByRole('region', { name: 'Image viewer' });
    await expect(viewer.getByTestId('viewer-position')).toHaveText(`1 of ${ROWS}`);
    // The focus goes to the page (a click on plain text: the status bar's, since the views behind the viewer are
    // inert), then the viewer steps far: the row that had the focus is scrolled away behind the viewer.
    await page.locator('footer').getByText('Research use only — not for clinical decisions').click();
    for (let i = 0; i < 40; i++) await page.keyboard.press('ArrowRight');
    await expect(viewer.getByTestId('viewer-position')).toHaveText(`41 of ${ROWS}`);
    const inList = () =>
      page.evaluate(() => !!document.querySelector('[data-testid="results-scroll"]')?.contains(document.activeElement));
    expect(await inList()).toBe(false);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    expect(await inList()).toBe(false);
    await expect(viewer.getByTestId('viewer-position')).toHaveText(`41 of ${ROWS}`);
  });

  test("an export's file name says which job it is", async ({ page }) => {
    // Every job's exports were called radsift-screening.csv / .json: a second job's replaced the first's.
    for (const [button, name] of [
      ['Export CSV', 'radsift-screening-pleural-effusion.csv'],
      ['Export JSON', 'radsift-screening-pleural-effusion.json'],
    ]) {
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: button }).click();
      expect((await download).suggestedFilename()).toBe(name);
    }
  });

  test('Export JSON and Export CSV say the threshold and filter their rows were flagged and picked at', async ({
    page,
  }) => {
    // The rows' "flagged" follows the slider, but the file said only the job's own threshold (0.5).
    await page.getByRole('slider', { name: 'Flag threshold' }).focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
    const cut = Number((await page.locator('label.threshold').innerText()).replace('Threshold', '').trim());
    expect(cut).toBeLessThan(0.5);
    await page.getByRole('checkbox', { name: 'flagged only' }).check();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export JSON' }).click();
    const file = path.join(scratchDir('radsift-e2e-dl-'), 'export.json');
    await (await download).saveAs(file);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as {
      job: { threshold: number };
      shown?: { threshold: number; flaggedOnly: boolean };
      rows: { flagged: boolean }[];
    };
    expect(saved.job.threshold).toBe(0.5);
    expect(saved.shown?.threshold).toBeCloseTo(cut, 2);
    expect(saved.shown?.flaggedOnly).toBe(true);
    expect(saved.rows.every((r) => r.flagged)).toBe(true);

    // The CSV says the same on every row, in two trailing columns (it said neither: a file exported at 0.25 read as
    // flagged at the job's 0.5). No cell here holds a comma (paths of a scratch folder, no errors).
    const csvDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const csvFile = path.join(scratchDir('radsift-e2e-dl-'), 'export.csv');
    await (await csvDownload).saveAs(csvFile);
    const [head, ...lines] = readFileSync(csvFile, 'utf8').trimEnd().split('\n');
    expect(head!.split(',').slice(-4)).toEqual(['flagged', 'review', 'threshold', 'flagged_only']);
    expect(lines).toHaveLength(saved.rows.length);
    for (const line of lines) {
      const cells = line.split(',');
      expect(cells).toHaveLength(head!.split(',').length);
      expect(cells.at(-4)).toBe('1');
      expect(Number(cells.at(-2))).toBeCloseTo(cut, 2);
      expect(cells.at(-1)).toBe('1');
    }
  });

  test('a new order or filter starts at the top', async ({ page }) => {
    const scroll = page.getByTestId('results-scroll');
    await scroll.evaluate((el) => (el.scrollTop = 40_000));
    await expect(page.locator('tr[aria-rowindex="2"]')).toHaveCount(0);
    await page.locator('thead').getByRole('button', { name: 'scan', exact: true }).click();
    await expect(page.locator('tr[aria-rowindex="2"]')).toBeVisible();
    expect(await scroll.evaluate((el) => el.scrollTop)).toBe(0);
    await scroll.evaluate((el) => (el.scrollTop = 40_000));
    await page.getByRole('checkbox', { name: 'flagged only' }).check();
    await expect(page.locator('tr[aria-rowindex="2"]')).toBeVisible();
    await expect(page.getByTestId('results-rows-shown')).toContainText('Rows 1–');
  });

  test('the viewer steps past the rows drawn, the table follows, and the focus comes back to the row shown', async ({
    page,
  }) => {
    await page.locator('tr[aria-rowindex="2"] [data-scan-path]').click();
    const viewer = page.getByRole('region', { name: 'Image viewer' });
    await expect(viewer.getByTestId('viewer-position')).toHaveText(`1 of ${ROWS}`);
    // A row of a job from an earlier run opens: its folder was chosen in a dialog when the job started.
    const image = viewer.getByTestId('viewer-image');
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(256);
    for (let i = 0; i < 60; i++) await page.keyboard.press('ArrowRight');
    await expect(viewer.getByTestId('viewer-position')).toHaveText(`61 of ${ROWS}`);
    await expect(viewer.getByRole('alert')).toHaveCount(0);
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(256);
    await page.keyboard.press('Escape');
    await expect(viewer).toHaveCount(0);
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('aria-rowindex') ?? null))
      .toBe('62');
    await expect(page.locator('tr[aria-rowindex="62"] [data-scan-path]')).toBeInViewport();
  });
});
