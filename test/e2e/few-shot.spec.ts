/**
 * The rare-finding (few-shot) workflow with the bundled default model: scans that show pneumothorax
 * (known from the phantoms' labels.csv) are marked "Use as example" in the viewer, the Examples panel lists
 * them (named like every scan, identifiers hidden with the toggle) and warns while they are fewer than 4,
 * the set outlives a reload of the window (the main process keeps it), and the Screening view screens a
 * folder with the set: the job says how many examples it rests on, the results have an example-similarity
 * column, and the examples flag themselves. Skipped (with the reason) while no model is bundled.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from '@playwright/test';
import type * as ExportModuleType from '../../electron/phantom/export.js';
import type * as FindingsModuleType from '../../electron/phantom/findings.js';
import { headerOf } from './dicom-header';
import { ARTIFACTS, expect, test } from './fixtures';
import { scratchDir } from '../support/scratch';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUNDLE = path.join(ROOT, 'models', 'radsift-phantom-convirt', 'manifest.json');
const PHANTOMS = 16;
const WARNING = 'Fewer than 4 examples: results rest on little.';

/** Phantoms with pneumothorax raised from rare to one in four; the paths of those that show it, from labels.csv. */
async function phantomFolder(): Promise<{ dir: string; positives: string[] }> {
  const dir = path.join(scratchDir('radsift-e2e-fewshot-'), 'scans');
  const { writeDemo } = (await import(
    path.join(ROOT, 'dist', 'electron', 'phantom', 'export.js')
  )) as typeof ExportModuleType;
  const { DEFAULT_PREVALENCE } = (await import(
    path.join(ROOT, 'dist', 'electron', 'phantom', 'findings.js')
  )) as typeof FindingsModuleType;
  writeDemo({ dir, count: PHANTOMS, seed: 61, size: 256, prevalence: { ...DEFAULT_PREVALENCE, pneumothorax: 0.25 } });
  const [head, ...lines] = (await readFile(path.join(dir, 'labels.csv'), 'utf8')).trim().split('\n');
  const column = head!.split(',').indexOf('pneumothorax');
  const positives = lines
    .map((l) => l.split(','))
    .filter((cells) => cells[column] === '1')
    .map((cells) => path.join(dir, cells[0]!));
  return { dir, positives };
}

/** Opens the scan in the Studies view's viewer: its series (one per phantom) chosen in the tree. */
/** How many lines an element's text runs over: the distinct tops of its text's boxes (a few pixels apart is one line). */
async function textLines(element: Locator): Promise<number> {
  return element.evaluate((root) => {
    const tops: number[] = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const box of Array.from(range.getClientRects())) if (box.width > 0) tops.push(box.top);
    }
    tops.sort((a, b) => a - b);
    return tops.filter((top, i) => i === 0 || top - tops[i - 1]! > 4).length;
  });
}

async function openInViewer(page: Page, file: string): Promise<void> {
  const tree = page.getByRole('navigation', { name: 'Patients, studies and series' });
  const series = tree.locator('.tree-series');
  const thumbs = page.getByRole('list', { name: 'Images in the series' });
  const count = await series.count();
  for (let i = 0; i < count; i++) {
    await series.nth(i).click();
    const thumb = thumbs.locator(`button[data-scan-path="${file}"]`);
    await expect(thumbs.getByRole('button').first()).toBeVisible();
    if (await thumb.count()) {
      await thumb.click();
      await expect(page.getByTestId('viewer-path')).toHaveAttribute('data-path', file);
      return;
    }
  }
  throw new Error(`${file} is in no series of the tree`);
}

test.describe('few-shot screening with an example set', () => {
  test.skip(!existsSync(BUNDLE), 'no default model bundled in models/radsift-phantom-convirt');
  test.use({ bundledModels: true });

  test('"Use as example" on 3 pneumothorax scans, the set kept across a reload, screening flags the examples', async ({
    page,
    bridge,
  }) => {
    test.setTimeout(300_000);
    const { dir, positives } = await phantomFolder();
    expect(positives.length, 'phantoms with pneumothorax').toBeGreaterThanOrEqual(4);
    const examples = positives.slice(0, 3);

    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Open folder…' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText(`${PHANTOMS} patients, ${PHANTOMS} images`, {
      timeout: 60_000,
    });
    const panel = page.getByTestId('examples-panel');
    // The heading names the set once: "Examples (none yet)", then "Examples (1 scan)" (it read "Examples 0 examples").
    await expect(panel.getByRole('heading', { level: 2 })).toHaveText('Examples (none yet)');
    await expect(panel.getByTestId('examples-count')).toHaveText('none yet');
    await expect(panel.getByTestId('examples-warning')).toHaveCount(0);

    // Each scan opened in the viewer joins the set with one click; the button then says so.
    const toggle = page.getByTestId('example-toggle');
    for (const [i, file] of examples.entries()) {
      await openInViewer(page, file);
      await expect(toggle).toHaveText('Use as example');
      await expect(toggle).toHaveAttribute('aria-pressed', 'false');
      await toggle.click();
      await expect(toggle).toHaveText('✓ Example');
      await expect(toggle).toHaveAttribute('aria-pressed', 'true');
      await expect(panel.getByTestId('examples-count')).toHaveText(i === 0 ? '1 scan' : `${i + 1} scans`);
      await expect(panel.getByRole('heading', { level: 2 })).toHaveText(
        `Examples (${i === 0 ? '1 scan' : `${i + 1} scans`})`,
      );
      if (i === examples.length - 1) await page.screenshot({ path: path.join(ARTIFACTS, 'few-shot-viewer.png') });
      await page.getByRole('button', { name: 'Close viewer' }).click();
    }
    const items = panel.getByTestId('example-item');
    await expect(items).toHaveCount(3);
    await expect(panel.getByTestId('examples-warning')).toHaveText(`⚠ ${WARNING}`);
    // Named like every scan: patient, then study; no file path.
    const headers = examples.map(headerOf);
    for (const [i, h] of headers.entries()) {
      await expect(items.nth(i).getByTestId('scan-patient')).toHaveText(`${h.name} · ${h.id}`);
      await expect(items.nth(i).getByTestId('scan-study')).toContainText(h.date);
    }
    await page.screenshot({ path: path.join(ARTIFACTS, 'few-shot-examples.png') });

    // A fourth example silences the warning; taking it out again (from the panel) brings it back, and the
    // viewer's button follows.
    await openInViewer(page, positives[3]!);
    await toggle.click();
    await expect(panel.getByTestId('examples-count')).toHaveText('4 scans');
    await expect(panel.getByTestId('examples-warning')).toHaveCount(0);
    await items
      .nth(3)
      .getByRole('button', { name: /^Remove .* from the examples$/ })
      .click();
    await expect(panel.getByTestId('examples-count')).toHaveText('3 scans');
    await expect(panel.getByTestId('examples-warning')).toBeVisible();
    await expect(toggle).toHaveText('Use as example');
    await page.getByRole('button', { name: 'Close viewer' }).click();

    // Hide identifiers: no patient name or ID in the panel, its titles or its buttons' names.
    await page.getByRole('checkbox', { name: 'Hide identifiers' }).check();
    await expect(items.first().getByTestId('scan-patient')).toHaveCount(0);
    const shown =
      (await panel.innerText()) +
      (await panel
        .locator('[title], [aria-label]')
        .evaluateAll((els) =>
          els.map((e) => `${e.getAttribute('title') ?? ''} ${e.getAttribute('aria-label') ?? ''}`).join('\n'),
        ));
    for (const h of headers) {
      expect(shown).not.toContain(h.name.split(', ')[0]!);
      expect(shown).not.toContain(h.id);
    }
    await page.getByRole('checkbox', { name: 'Hide identifiers' }).uncheck();

    // The set is the main process's: a reload of the window finds it again for the folder.
    await page.reload();
    await page.getByLabel('Open a recent folder or file').selectOption(dir);
    await expect(page.getByTestId('catalog-summary')).toContainText(`${PHANTOMS} images`);
    await expect(panel.getByTestId('examples-count')).toHaveText('3 scans');
    await expect(items).toHaveCount(3);
    expect(await page.evaluate((scope) => window.radsift!.call('examples.get', { scope }), dir)).toEqual({
      scope: dir,
      paths: examples,
      confidentFrom: 4,
      missing: [],
      warning: null,
    });

    // Screening with the set alone (no phrase), on the folder chosen in the dialog.
    await page.keyboard.press('4');
    const option = page.getByRole('checkbox', { name: 'Screen with the example set (3 examples)' });
    await option.check();
    await expect(page.getByTestId('screen-examples-warning')).toHaveText(`⚠ ${WARNING}`);
    // The phrase box's placeholder phrase goes: it would flag scans for a finding not asked about.
    await expect(page.getByRole('textbox', { name: 'Phrases to screen for' })).toHaveValue('');
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Choose folder and start…' }).click();
    const job = page.getByTestId('screen-job').first();
    await expect(job.getByTestId('job-state')).toHaveText('done', { timeout: 200_000 });
    await expect(job.getByTestId('job-examples')).toHaveText('3 examples');
    await expect(job.getByTestId('job-examples-warning')).toHaveText(`⚠ ${WARNING}`);
    await expect(job.getByTestId('job-flagged')).toContainText('flagged');
    await job.getByRole('button', { name: 'Results' }).click();

    const rows = page.getByTestId('screen-row');
    await expect(rows).toHaveCount(PHANTOMS);
    await expect(page.getByTestId('results-examples')).toHaveText('by 3 examples');
    await expect(page.getByTestId('results-examples-warning')).toHaveText(`⚠ ${WARNING}`);
    // 16 scans are too few for a mean to centre on (20): the view says the similarity is plain.
    await expect(page.getByTestId('results-examples-rule')).toContainText(
      'too few scans screened to centre on their mean: compared as they are',
    );
    await expect(page.getByTestId('results-examples-rule')).toContainText('its patch embeddings max-pooled');
    // How alike the examples are needs scans centred on their mean: 16 are too few to tell (docs/few-shot.md).
    await expect(page.getByTestId('results-examples-coherence')).toHaveText(
      'Too few scans screened to tell how alike the examples are.',
    );
    const table = page.locator('table.results-table');
    const head = table.getByRole('columnheader', { name: 'example similarity' });
    // Sorted by it first, most similar at the top; a click reverses the order.
    await expect(head).toHaveAttribute('aria-sort', 'descending');
    const similarities = () =>
      table
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => Number((tr as HTMLTableRowElement).cells[1]!.textContent)));
    const down = await similarities();
    expect(down.every((v) => Number.isFinite(v) && v >= -1 && v <= 1)).toBe(true);
    expect(down).toEqual([...down].sort((a, b) => b - a));
    for (const file of examples) {
      const row = rows.filter({ has: page.locator(`button[data-scan-path="${file}"]`) });
      await expect(row, 'an example is like itself').toHaveClass(/flagged/);
      await expect(row.locator('td').nth(-2)).toHaveText('flagged');
      // an example is marked as one, with no review marks to contradict it
      await expect(row.getByTestId('review-example')).toHaveText('example');
      await expect(row.getByTestId('review-not')).toHaveCount(0);
    }
    // The JSON export says what its example similarities mean: the count, the cut, (here) no centring, and
    // that the pooled patch embeddings count beside the global ones (the model has them).
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export JSON' }).click();
    const file = path.join(scratchDir('radsift-e2e-dl-'), 'export.json');
    await (await download).saveAs(file);
    const exported = JSON.parse(await readFile(file, 'utf8')) as {
      examples: {
        count: number;
        counterExamples: number;
        reviewed: number;
        threshold: number;
        centredOn: number | null;
        patches: boolean | null;
        coherence: { value: number; random: number; effect: number; p: number; alike: boolean } | null;
      };
    };
    expect(exported.examples.count).toBe(3);
    expect(exported.examples.counterExamples).toBe(0);
    expect(exported.examples.reviewed).toBe(0);
    expect(typeof exported.examples.threshold).toBe('number');
    expect(exported.examples.centredOn).toBeNull();
    expect(exported.examples.patches).toBe(true);
    expect(exported.examples.coherence).toBeNull();
    // The CSV's review column names the job's own examples, as the JSON's rows do.
    const csvDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const csvFile = path.join(path.dirname(file), 'export.csv');
    await (await csvDownload).saveAs(csvFile);
    const [csvHead, ...csvLines] = (await readFile(csvFile, 'utf8')).trim().split('\n');
    const reviewAt = csvHead!.split(',').indexOf('review');
    expect(reviewAt).toBeGreaterThan(0);
    const reviewCells = csvLines.map((l) => l.split(',')[reviewAt]);
    expect(reviewCells.filter((c) => c === 'example')).toHaveLength(3);
    expect(reviewCells.filter((c) => c !== 'example' && c !== '')).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'few-shot-screening.png') });

    // Review: the first scan that is not an example marked "Not it" falls, and the header says what the
    // ranking now rests on; the mark cleared, it is back.
    await expect(page.getByTestId('review-hint')).toBeVisible();
    const firstOther = rows
      .filter({ hasNot: page.locator(examples.map((f) => `button[data-scan-path="${f}"]`).join(',')) })
      .first();
    const marked = (await firstOther.locator('button[data-scan-path]').getAttribute('data-scan-path'))!;
    const markedRow = rows.filter({ has: page.locator(`button[data-scan-path="${marked}"]`) });
    const before = Number(await markedRow.locator('td').nth(1).textContent());
    await markedRow.getByTestId('review-not').click();
    await expect(page.getByTestId('results-examples')).toHaveText(
      'by 3 examples, away from 1 reviewed as not the finding',
    );
    // The toolbar's count and controls each keep one line (as flex items they once shrank: "8 flagged" and
    // "flagged only" broke over two lines); a narrow window moves them to the next row instead.
    for (const item of await page.locator('.screen-results .toolbar > :is(.results-count, label, button)').all())
      expect(await textLines(item), (await item.textContent()) ?? '').toBe(1);
    await expect(markedRow.getByTestId('review-not')).toHaveAttribute('aria-pressed', 'true');
    await expect(markedRow.getByTestId('review-finding')).toHaveAttribute('aria-pressed', 'false');
    expect(Number(await markedRow.locator('td').nth(1).textContent())).toBeLessThan(before - 0.05);
    await page.screenshot({ path: path.join(ARTIFACTS, 'few-shot-review.png') });
    await markedRow.getByTestId('review-not').click();
    await expect(page.getByTestId('results-examples')).toHaveText('by 3 examples');
    await expect(markedRow.locator('td').nth(1)).toHaveText(before.toFixed(3));

    // Review in the viewer: a result opened from the table is marked where it is seen; N marks it "Not it"
    // and steps on to the next scan of the list, and the table follows.
    await markedRow.locator('button[data-scan-path]').click();
    const viewerPath = page.getByTestId('viewer-path');
    await expect(viewerPath).toHaveAttribute('data-path', marked);
    await expect(page.getByTestId('viewer-review-not')).toHaveAttribute('aria-pressed', 'false');
    await page.keyboard.press('n');
    await expect(viewerPath).not.toHaveAttribute('data-path', marked);
    await page.getByRole('button', { name: 'Close viewer' }).click();
    await expect(page.getByTestId('results-examples')).toHaveText(
      'by 3 examples, away from 1 reviewed as not the finding',
    );
    // The toolbar's count and controls each keep one line (as flex items they once shrank: "8 flagged" and
    // "flagged only" broke over two lines); a narrow window moves them to the next row instead.
    for (const item of await page.locator('.screen-results .toolbar > :is(.results-count, label, button)').all())
      expect(await textLines(item), (await item.textContent()) ?? '').toBe(1);
    await expect(markedRow.getByTestId('review-not')).toHaveAttribute('aria-pressed', 'true');
    // Opened again, the viewer shows the mark, and its button clears it.
    await markedRow.locator('button[data-scan-path]').click();
    await expect(page.getByTestId('viewer-review-not')).toHaveAttribute('aria-pressed', 'true');
    await page.screenshot({ path: path.join(ARTIFACTS, 'few-shot-viewer-review.png') });
    await page.getByTestId('viewer-review-not').click();
    await expect(page.getByTestId('viewer-review-not')).toHaveAttribute('aria-pressed', 'false');
    await page.getByRole('button', { name: 'Close viewer' }).click();
    await expect(page.getByTestId('results-examples')).toHaveText('by 3 examples');
    await expect(markedRow.getByTestId('review-not')).toHaveAttribute('aria-pressed', 'false');
    // From here each call to the main process is counted, and each mark held up on its way for a second.
    const calls: string[] = [];
    await page.route('**/__bridge/invoke', async (route) => {
      const { method } = route.request().postDataJSON() as { method: string };
      calls.push(method);
      if (method === 'screen.review') await new Promise((r) => setTimeout(r, 1000));
      await route.continue();
    });
    const count = (method: string) => calls.filter((m) => m === method).length;
    let reviewsDone = 0;
    page.on('requestfinished', (request) => {
      if (request.url().endsWith('/__bridge/invoke') && request.postDataJSON()?.method === 'screen.review')
        reviewsDone++;
    });
    const reviewsBefore = reviewsDone;
    // One of the job's examples shows as one in the viewer and takes no mark: Y and N leave it where it is.
    await rows
      .filter({ has: page.locator(`button[data-scan-path="${examples[0]}"]`) })
      .locator('button[data-scan-path]')
      .click();
    await expect(page.getByTestId('viewer-review-example')).toHaveText('example');
    await expect(page.getByTestId('viewer-review-not')).toHaveCount(0);
    await page.keyboard.press('y');
    await page.keyboard.press('n');
    await expect(viewerPath).toHaveAttribute('data-path', examples[0]!);
    expect(count('screen.review')).toBe(0);
    await page.getByRole('button', { name: 'Close viewer' }).click();
    // Marks in quick succession all count, each on its own scan, shown as made while on their way, and the
    // rows are ranked once, after the last: N three times from the first other row.
    await firstOther.locator('button[data-scan-path]').click();
    await expect(viewerPath).toHaveAttribute('data-path', marked);
    // (from the mark's own button: the keys step on, and the focus goes to the viewer, not with the buttons)
    await page.getByTestId('viewer-review-not').focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('n');
    await expect(page.getByTestId('viewer-position')).toHaveText('7 of 16');
    await expect(page.getByRole('region', { name: 'Image viewer' })).toBeFocused();
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByTestId('viewer-review-not')).toHaveAttribute('aria-pressed', 'true');
    // Kept, and still no ranking: the rows under the viewer are ranked again when it closes.
    await expect.poll(() => reviewsDone, { timeout: 10_000 }).toBe(reviewsBefore + 3);
    await page.waitForTimeout(300); // what a kept mark would set off, it would have by now
    expect(count('screen.results'), 'no ranking while the viewer is open').toBe(0);
    await page.getByRole('button', { name: 'Close viewer' }).click();
    await expect(page.getByTestId('results-examples')).toHaveText(
      'by 3 examples, away from 3 reviewed as not the finding',
    );
    expect(count('screen.review')).toBe(3);
    expect(count('screen.results'), 'the rows ranked once, after the last mark').toBe(1);
    // A held key marks once; with the shortcuts dialog open, even unfocused, the keys are not the viewer's.
    await markedRow.locator('button[data-scan-path]').click();
    const position = page.getByTestId('viewer-position');
    const at = Number((await position.textContent())!.split(' ')[0]);
    await page.keyboard.down('n');
    await page.keyboard.down('n'); // a repeat, as a held key sends
    await page.keyboard.up('n');
    await expect(position).toHaveText(`${at + 1} of 16`);
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.getByRole('heading').click();
    await page.keyboard.press('n');
    await expect(help).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(help).toHaveCount(0);
    await expect(position).toHaveText(`${at + 1} of 16`);
    await page.getByRole('button', { name: 'Close viewer' }).click();
    await expect(page.getByTestId('results-examples')).toHaveText(
      'by 3 examples, away from 3 reviewed as not the finding',
    );
    expect(count('screen.review'), 'one mark for the held key, none behind the dialog').toBe(4);
    await expect.poll(() => count('screen.results'), 'ranked again after that mark').toBe(2);
    await page.unroute('**/__bridge/invoke');
    await expect(markedRow.getByTestId('review-not')).toHaveAttribute('aria-pressed', 'true');

    await head.getByRole('button').click();
    await expect(head).toHaveAttribute('aria-sort', 'ascending');
    const up = await similarities();
    expect(up).toEqual([...up].sort((a, b) => a - b));

    // The Query view's results show which scans are examples, and list the set too.
    await page.keyboard.press('2');
    await expect(page.getByTestId('examples-panel').getByTestId('examples-count')).toHaveText('3 scans');
    await page.getByRole('searchbox', { name: 'Report phrase' }).fill('pneumothorax');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(page.getByTestId('query-summary')).toBeVisible({ timeout: 60_000 });
    // Every scan listed, the example among them (when nothing matches, the closest are listed anyway).
    const all = page.getByRole('checkbox', { name: 'show scans below the threshold too' });
    if (await all.isEnabled()) await all.check();
    const result = page
      .getByTestId('query-result')
      .filter({ has: page.locator(`button[data-scan-path="${examples[0]}"]`) });
    await expect(result.getByTestId('example-toggle')).toHaveText('✓ Example');
    await expect(result.getByTestId('example-toggle')).toHaveAttribute('aria-pressed', 'true');
    await page.screenshot({ path: path.join(ARTIFACTS, 'few-shot-query.png') });
    // The result's button takes it out of the set and puts it back.
    const queryCount = page.getByTestId('examples-panel').getByTestId('examples-count');
    await result.getByTestId('example-toggle').click();
    await expect(result.getByTestId('example-toggle')).toHaveText('Use as example');
    await expect(queryCount).toHaveText('2 scans');
    await result.getByTestId('example-toggle').click();
    await expect(result.getByTestId('example-toggle')).toHaveText('✓ Example');
    await expect(queryCount).toHaveText('3 scans');

    // A phrase and the set together: both columns; at a threshold no phrase reaches, the examples still
    // flag themselves.
    await page.keyboard.press('4');
    await page.getByRole('checkbox', { name: 'Screen with the example set (3 examples)' }).check();
    await page.getByRole('textbox', { name: 'Phrases to screen for' }).fill('pneumothorax');
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Choose folder and start…' }).click();
    const jobs = page.getByTestId('screen-job');
    await expect(jobs).toHaveCount(2);
    await expect(jobs.first().getByTestId('job-state')).toHaveText('done', { timeout: 120_000 });
    await expect(jobs.first().getByTestId('job-examples')).toHaveText('+ 3 examples');
    await jobs.first().getByRole('button', { name: 'Results' }).click();
    await expect(page.getByTestId('results-examples')).toHaveText('by the phrases and 3 examples');
    // One phrase beside the set: a column scoring both together, standardised, which the table opens sorted by.
    const mixHead = table.getByRole('columnheader', { name: 'pneumothorax + examples' });
    await expect(mixHead).toHaveAttribute('aria-sort', 'descending');
    await expect(table.getByRole('columnheader', { name: 'pneumothorax', exact: true })).toHaveAttribute(
      'aria-sort',
      'none',
    );
    await expect(head).toHaveAttribute('aria-sort', 'none');
    // The three examples are among the scans screened: each part weighs its skill at ranking them.
    await expect(page.getByTestId('results-mix-rule')).toContainText(
      /weighed \d+(\.\d+)? : \d+(\.\d+)?, each as high as it ranks the examples among them \(it flags nothing of its own\)\.$/,
    );
    const mixed = (await page.getByTestId('mix-score').allTextContents()).map(Number);
    expect(mixed.length).toBeGreaterThan(3);
    expect(mixed).toEqual([...mixed].sort((a, b) => b - a));
    // The phrase's own order is a click away.
    const phraseHead = table.getByRole('columnheader', { name: 'pneumothorax', exact: true });
    await phraseHead.getByRole('button').click();
    await expect(phraseHead).toHaveAttribute('aria-sort', 'descending');
    await expect(mixHead).toHaveAttribute('aria-sort', 'none');
    await page.getByRole('slider', { name: 'Flag threshold' }).fill('1');
    for (const file of examples)
      await expect(rows.filter({ has: page.locator(`button[data-scan-path="${file}"]`) })).toHaveClass(/flagged/);
  });

  test('a phrase-only job gains its "phrase + examples" column with a row reviewed "✓ Finding", and loses it with the mark', async ({
    page,
    bridge,
  }) => {
    test.setTimeout(300_000);
    const { dir } = await phantomFolder();
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Open folder…' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText(`${PHANTOMS} images`, { timeout: 60_000 });
    await page.keyboard.press('4');
    await page.getByRole('textbox', { name: 'Phrases to screen for' }).fill('pneumothorax');
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Choose folder and start…' }).click();
    const job = page.getByTestId('screen-job').first();
    await expect(job.getByTestId('job-state')).toHaveText('done', { timeout: 200_000 });
    await job.getByRole('button', { name: 'Results' }).click();
    const table = page.locator('table.results-table');
    const phraseHead = table.getByRole('columnheader', { name: 'pneumothorax', exact: true });
    const mixHead = table.getByRole('columnheader', { name: 'pneumothorax + examples' });
    await expect(phraseHead).toHaveAttribute('aria-sort', 'descending');
    await expect(mixHead).toHaveCount(0);
    // The top row reviewed as the finding: the job now has an example, and its column comes; the order stays.
    const top = (await page
      .getByTestId('screen-row')
      .first()
      .locator('button[data-scan-path]')
      .getAttribute('data-scan-path'))!;
    const topRow = page.getByTestId('screen-row').filter({ has: page.locator(`button[data-scan-path="${top}"]`) });
    await topRow.getByTestId('review-finding').click();
    await expect(mixHead).toHaveCount(1);
    await expect(phraseHead).toHaveAttribute('aria-sort', 'descending');
    // Sorted by it, then the mark cleared: the column goes with the example, and the table is the phrase's again.
    await mixHead.getByRole('button').click();
    await expect(mixHead).toHaveAttribute('aria-sort', 'descending');
    await topRow.getByTestId('review-finding').click();
    await expect(mixHead).toHaveCount(0);
    await expect(phraseHead).toHaveAttribute('aria-sort', 'descending');
    await expect(page.getByTestId('mix-score')).toHaveCount(0);
  });

  test('after a switch to another model, the job card and its export say what the results rest on', async ({
    page,
    bridge,
  }) => {
    test.setTimeout(300_000);
    const { dir, positives } = await phantomFolder();
    const examples = positives.slice(0, 3);
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Open folder…' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText(`${PHANTOMS} images`, { timeout: 60_000 });
    // The set as "Use as example" makes it (the test above clicks it), read by the window as it loads the folder.
    for (const file of examples)
      await page.evaluate(([scope, p]) => window.radsift!.call('examples.add', { scope, path: p }), [dir, file]);
    await page.reload();
    await page.getByLabel('Open a recent folder or file').selectOption(dir);
    await expect(page.getByTestId('examples-panel').getByTestId('examples-count')).toHaveText('3 scans');
    await page.keyboard.press('4');
    await page.getByRole('checkbox', { name: 'Screen with the example set (3 examples)' }).check({ timeout: 30_000 });
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Choose folder and start…' }).click();
    const job = page.getByTestId('screen-job').first();
    await expect(job.getByTestId('job-state')).toHaveText('done', { timeout: 200_000 });
    await expect(job.getByTestId('job-examples')).toHaveText('3 examples');
    await expect(job.getByTestId('job-examples-model')).toHaveCount(0);

    // An example file deleted, then the other bundled model chosen in the Models view.
    await rm(examples[2]!);
    await page.keyboard.press('5');
    const earlier = page
      .getByTestId('model-card')
      .filter({ has: page.getByRole('heading', { name: /^RadSift phantom ConVIRT 0\.6/ }) });
    await earlier.getByRole('button', { name: 'Use this model' }).click();
    await expect(earlier.getByRole('button', { name: 'Use this model' })).toHaveCount(0, { timeout: 60_000 });
    await page.keyboard.press('4');
    // Until the results are read with it, the card says whose count it shows.
    await expect(job.getByTestId('job-examples-model')).toContainText(
      /Examples counted as another model encoded them \(not the active one\)/,
    );
    await expect(job.getByTestId('job-examples')).toHaveText('3 examples');
    await expect(job.getByTestId('job-examples-left-out')).toHaveCount(0);

    // Opened, the results encode the examples with the active model: the deleted one is left out, and the card
    // and the header agree on what the ranking rests on.
    await job.getByRole('button', { name: 'Results' }).click();
    await expect(page.getByTestId('screen-row')).toHaveCount(PHANTOMS);
    await expect(page.getByTestId('results-examples')).toHaveText('by 2 examples');
    await expect(job.getByTestId('job-examples')).toHaveText('2 examples');
    await expect(job.getByTestId('job-examples-left-out')).toContainText(
      '1 of its example scans could not be used and were left out',
    );
    await expect(job.getByTestId('job-examples-model')).toHaveCount(0);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export JSON' }).click();
    const file = path.join(scratchDir('radsift-e2e-dl-'), 'switched.json');
    await (await download).saveAs(file);
    const exported = JSON.parse(await readFile(file, 'utf8')) as {
      job: {
        examples: number;
        examplesLeftOut: { path: string; reason: string }[];
        examplesModel: string;
        examplesModelActive: boolean;
      };
      examples: { count: number };
    };
    expect(exported.examples.count).toBe(2);
    expect(exported.job.examples).toBe(2);
    expect(exported.job.examplesLeftOut.map((e) => e.path)).toEqual([examples[2]]);
    expect(exported.job.examplesModel).toMatch(/^radsift-phantom-convirt@/);
    expect(exported.job.examplesModelActive).toBe(true);
  });
});
