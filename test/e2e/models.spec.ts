import { appendFileSync, copyFileSync, cpSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ARTIFACTS, CORPUS, ROOT, expect, test } from './fixtures';
import { scratchDir } from '../support/scratch';

test('Models view: adding a folder that is not a model says why', async ({ page, bridge }) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'radsift-not-a-model-'));
  await writeFile(path.join(dir, 'notes.txt'), 'hello');
  try {
    await page.keyboard.press('5');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Models');
    await expect(page.getByTestId('model-state')).toBeVisible();
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Add model folder…' }).click();
    await expect(page.getByRole('alert')).toContainText('is not a model folder RadSift knows');
    bridge.dialog.answer([]); // the user cancels: no error shown
    await page.getByRole('button', { name: 'Add model folder…' }).click();
    await expect(page.getByRole('alert')).toHaveCount(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'models.png') });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.describe('a model that fails to load', () => {
  // 0.6.0's bundle with its card altered: its manifest's checksum no longer matches, so loading it is refused.
  const altered = path.join(tmpdir(), `radsift-e2e-altered-model-${process.pid}`);
  test.beforeAll(() => {
    cpSync(path.join(ROOT, 'models', 'radsift-phantom-convirt'), altered, { recursive: true });
    appendFileSync(path.join(altered, 'card.md'), '\nEdited by hand.\n');
  });
  test.afterAll(() => rm(altered, { recursive: true, force: true }));
  test.use({ modelDirs: [altered] });

  test('the status bar says so at once and leads to the Models view, which says why', async ({ page }) => {
    const status = page.getByTestId('status-model');
    await status.getByRole('button', { name: 'The model failed to load — see Models' }).click({ timeout: 60_000 });
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Models');
    await expect(page.getByTestId('model-state')).toContainText(
      'card.md does not match the checksum in its manifest (altered or incomplete copy)',
    );
  });
});

test.describe('bundled models', () => {
  test.use({ bundledModels: true });

  test('Models view: each bundled model says how its zero-shot scores are made', async ({ page }) => {
    await page.keyboard.press('5');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Models');
    const card = (name: RegExp) => page.getByTestId('model-card').filter({ has: page.getByRole('heading', { name }) });
    // The default model's manifest sets regionOffset; 0.6.0's does not.
    // 0.7.18 and later weigh the best region alone (its manifest's regionWeight 1).
    await expect(card(/rare findings/).getByTestId('model-zero-shot')).toContainText('from its best region');
    await expect(card(/^RadSift phantom ConVIRT 0\.6/).getByTestId('model-zero-shot')).toHaveText(
      'from the whole image',
    );
  });

  test('another model chosen: Query and Matrix drop the last model’s result, keep the phrases, say why and run them again in one click', async ({
    page,
    bridge,
  }) => {
    test.setTimeout(120_000);
    const dir = scratchDir('radsift-e2e-model-switch-');
    for (const name of ['a', 'b'])
      copyFileSync(path.join(CORPUS, 'nema-wg04', 'REF', 'CT1_UNC'), path.join(dir, `${name}.dcm`));
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Open folder…' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText('2 images');
    await page.keyboard.press('2');
    const box = page.getByRole('searchbox', { name: 'Report phrase' });
    await box.fill('pleural effusion');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(page.getByTestId('query-summary')).toContainText('(its best region)', { timeout: 60_000 });

    await page.keyboard.press('5');
    const earlier = page
      .getByTestId('model-card')
      .filter({ has: page.getByRole('heading', { name: /^RadSift phantom ConVIRT 0\.6/ }) });
    await earlier.getByRole('button', { name: 'Use this model' }).click();
    await expect(earlier.getByRole('button', { name: 'Use this model' })).toHaveCount(0, { timeout: 60_000 });
    await page.keyboard.press('2');
    // The rare model's scores are not shown as the active model's; the phrase is kept, to be searched again.
    await expect(page.getByTestId('query-summary')).toHaveCount(0);
    await expect(box).toHaveValue('pleural effusion');
    // It says why, and runs the same query again with the model now loaded in one click.
    const changed = page.locator('.model-changed');
    await expect(changed).toContainText('RadSift phantom ConVIRT 0.6.0 is loaded now');
    await changed.getByRole('button', { name: 'Search again' }).click();
    await expect(page.getByTestId('query-summary')).toContainText('of 2 scans', { timeout: 60_000 });
    await expect(page.getByTestId('query-summary')).not.toContainText('best region');
    await expect(changed).toHaveCount(0);

    // The Matrix likewise: a matrix computed before another model is loaded goes, saying why.
    await page.keyboard.press('3');
    await page.getByRole('button', { name: 'Compute matrix' }).click();
    await expect(page.getByRole('table', { name: 'Scans by phrases' })).toBeVisible({ timeout: 60_000 });
    await page.keyboard.press('5');
    const rare = page
      .getByTestId('model-card')
      .filter({ has: page.getByRole('heading', { name: /^RadSift phantom ConVIRT, rare findings/ }) });
    await rare.getByRole('button', { name: 'Use this model' }).click();
    await expect(rare.getByRole('button', { name: 'Use this model' })).toHaveCount(0, { timeout: 60_000 });
    await page.keyboard.press('3');
    await expect(page.getByRole('table', { name: 'Scans by phrases' })).toHaveCount(0);
    await expect(changed).toContainText('RadSift phantom ConVIRT, rare findings 0.7.21 is loaded now');
    await changed.getByRole('button', { name: 'Compute again' }).click();
    await expect(page.getByRole('table', { name: 'Scans by phrases' })).toBeVisible({ timeout: 60_000 });
    await expect(changed).toHaveCount(0);
  });
});
