/**
 * A phrase the bundled model does not know (#19, docs/phrase-familiarity.md): "banana" ranks scans
 * like any phrase, so Query, Matrix and Screening say that the model does not know it well, why,
 * and what it is closest to; known findings and their everyday synonyms show nothing. Skipped
 * (with the reason) while no model is bundled.
 */
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARTIFACTS, expect, test } from './fixtures';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUNDLE = path.join(ROOT, 'models', 'radsift-phantom-convirt', 'manifest.json');
const WARNING = "RadSift's model does not know this phrase well";

test.describe('phrases the default model does not know', () => {
  test.skip(!existsSync(BUNDLE), 'no default model bundled in models/radsift-phantom-convirt');
  test.use({ bundledModels: true });

  test('"banana" is flagged in Query, Matrix and Screening; known findings and synonyms are not', async ({
    page,
    bridge,
  }) => {
    test.setTimeout(300_000);
    await page.getByRole('button', { name: 'Open demo study' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText('24 images', { timeout: 180_000 });
    await expect(page.getByTestId('status-model')).toContainText('synthetic training data', { timeout: 60_000 });
    // What the main process says about banana: the view must show its reason and its closest finding.
    const [banana] = (await page.evaluate(() => window.radsift!.call('phrases.check', { phrases: ['banana'] })))
      .familiarity;
    expect(banana!.known).toBe(false);
    const closest = banana!.nearest!.finding.replace(/_/g, ' ');

    // Query: the warning sits with the summary, for banana only.
    await page.keyboard.press('2');
    const search = async (phrase: string) => {
      await page.getByRole('searchbox', { name: 'Report phrase' }).fill(phrase);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await expect(page.getByTestId('query-summary')).toContainText(`"${phrase}" is more likely`, {
        timeout: 120_000,
      });
    };
    const warnings = page.getByTestId('phrase-warning');
    await search('banana');
    await expect(warnings).toHaveCount(1);
    await expect(warnings).toContainText('“banana”');
    await expect(warnings).toContainText(WARNING);
    await expect(warnings).toContainText(banana!.reason!);
    await expect(warnings).toContainText(closest);
    // ... and what to do instead: example scans
    await expect(warnings).toContainText('“Use as example” on them, then screen with the example set');
    await expect(warnings).toBeVisible();
    // Next to the summary: between it and the results.
    const [summaryBox, warningBox, resultsBox] = await Promise.all([
      page.getByTestId('query-summary').boundingBox(),
      warnings.boundingBox(),
      page.getByRole('list', { name: 'Ranked scans' }).boundingBox(),
    ]);
    expect(warningBox!.y).toBeGreaterThan(summaryBox!.y);
    expect(warningBox!.y).toBeLessThan(resultsBox!.y);
    await page.screenshot({ path: path.join(ARTIFACTS, 'familiarity-query.png') });
    for (const known of ['pleural effusion', 'enlarged heart']) {
      await search(known);
      await expect(warnings).toHaveCount(0);
      await expect(page.getByText(WARNING)).toHaveCount(0);
    }

    // Matrix with "banana" and "cardiomegaly": only banana's column is marked, with the reason as its
    // tooltip and as a visible line the header points to (aria-describedby).
    await page.keyboard.press('3');
    await page.getByRole('textbox', { name: 'Add a phrase' }).fill('banana');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    for (const other of ['pleural effusion', 'pneumothorax', 'edema'])
      await page.getByRole('button', { name: `Remove ${other}` }).click();
    const headers = page.getByRole('table', { name: 'Scans by phrases' }).getByRole('columnheader');
    await expect(headers).toHaveCount(3, { timeout: 120_000 });
    // Each header's button carries the warning (the header role is its wrapper's).
    const bananaHead = headers.filter({ hasText: 'banana' }).getByRole('button');
    const cardioHead = headers.filter({ hasText: 'cardiomegaly' }).getByRole('button');
    await expect(bananaHead.getByTestId('unfamiliar-mark')).toHaveText('⚠');
    await expect(page.getByTestId('unfamiliar-mark')).toHaveCount(1);
    await expect(bananaHead).toHaveAttribute('title', new RegExp(`^“banana”: ${WARNING}`));
    await expect(cardioHead).toHaveAttribute('title', 'cardiomegaly'); // the phrase alone (it may be cut short), no warning
    await expect(cardioHead).not.toHaveAttribute('aria-describedby', /.+/);
    const described = (await bananaHead.getAttribute('aria-describedby'))!;
    const note = page.locator(`[id="${described}"]`);
    await expect(note).toBeVisible();
    await expect(note).toContainText('“banana”');
    await expect(note).toContainText(WARNING);
    await expect(warnings).toHaveCount(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'familiarity-matrix.png') });

    // Screening: the job card says it for banana, not for pneumothorax.
    const dir = await mkdtemp(path.join(tmpdir(), 'radsift-e2e-familiar-'));
    try {
      const demo = path.join(bridge.dataDir, 'demo-study');
      const scan = (await readdir(demo, { recursive: true, encoding: 'utf8' })).find((f) => f.endsWith('.dcm'))!;
      await copyFile(path.join(demo, scan), path.join(dir, 'scan.dcm'));
      await page.keyboard.press('4');
      await page.getByRole('textbox', { name: 'Phrases to screen for' }).fill('banana, pneumothorax');
      bridge.dialog.answer([dir]);
      await page.getByRole('button', { name: 'Choose folder and start…' }).click();
      const job = page.getByTestId('screen-job').first();
      await expect(job.getByTestId('job-state')).toHaveText('done', { timeout: 120_000 });
      const jobWarnings = job.getByTestId('job-phrase-warning');
      await expect(jobWarnings).toHaveCount(1);
      await expect(jobWarnings).toContainText('“banana”');
      await expect(jobWarnings).toContainText(WARNING);
      await expect(jobWarnings).toContainText(closest);
      await expect(jobWarnings).not.toContainText('pneumothorax');
      await page.screenshot({ path: path.join(ARTIFACTS, 'familiarity-screening.png') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
