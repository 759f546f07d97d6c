/**
 * The bundled default model on the demo study, through the real renderer: the
 * retrieval the app is for. Skipped (with the reason) while no model is bundled.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { ARTIFACTS, expect, test } from './fixtures';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUNDLE = path.join(ROOT, 'models', 'radsift-phantom-convirt-rare', 'manifest.json');

function labelsOf(dataDir: string): Map<string, Record<string, number>> {
  const dir = path.join(dataDir, 'demo-study');
  const [head, ...rows] = readFileSync(path.join(dir, 'labels.csv'), 'utf8').trim().split('\n');
  const names = head!.split(',').slice(1);
  return new Map(
    rows.map((r) => {
      const cells = r.split(',');
      return [path.join(dir, cells[0]!), Object.fromEntries(names.map((n, i) => [n, Number(cells[i + 1])]))];
    }),
  );
}

/** The element is drawn wholly inside the viewer's viewport, and the viewport inside the window. */
function drawnInside(page: Page, testId: string): Promise<boolean> {
  return page.evaluate((id) => {
    const el = document.querySelector(`[data-testid="${id}"]`);
    const box = document.querySelector('[data-testid="viewport"]');
    if (!el || !box) return false;
    const a = el.getBoundingClientRect();
    const b = box.getBoundingClientRect();
    return (
      a.width > 0 &&
      a.left >= b.left - 1 &&
      a.top >= b.top - 1 &&
      a.right <= b.right + 1 &&
      a.bottom <= b.bottom + 1 &&
      b.bottom <= innerHeight + 1 &&
      b.right <= innerWidth + 1
    );
  }, testId);
}

test.describe('default model', () => {
  test.skip(!existsSync(BUNDLE), 'no default model bundled in models/radsift-phantom-convirt-rare');
  test.use({ bundledModels: true });

  test('"pleural effusion" ranks effusion phantoms first; its negation does not', async ({ page, bridge }) => {
    test.setTimeout(240_000);
    await page.getByRole('button', { name: 'Open demo study' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText('24 images', { timeout: 180_000 });
    await expect(page.getByTestId('status-model')).toContainText('synthetic training data', { timeout: 60_000 });
    const labels = labelsOf(bridge.dataDir);
    // The README's screenshots model good practice: identifiers hidden (synthetic as they are).
    await page.getByRole('checkbox', { name: 'Hide identifiers' }).check();
    await page.keyboard.press('2');
    // The phrase shortcuts are the findings the model was taught (its manifest), the rare ones too.
    const taught = (JSON.parse(readFileSync(BUNDLE, 'utf8')) as { zeroShot: { findings: string[] } }).zeroShot.findings;
    const shortcuts = page.getByRole('group', { name: 'Findings the model was taught' }).getByRole('button');
    await expect(shortcuts).toHaveText([...taught.map((f) => f.replace(/_/g, ' ')), 'no finding']);
    expect(taught).toContain('rib_fracture');
    const ranked = async (phrase: string) => {
      await page.getByRole('searchbox', { name: 'Report phrase' }).fill(phrase);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await expect(page.getByTestId('query-summary')).toContainText(`"${phrase}" is more likely`, { timeout: 120_000 });
      const showAll = page.getByLabel('show scans below the threshold too');
      if (await showAll.isEnabled()) await showAll.check();
      return page
        .getByTestId('query-result')
        .locator('button.thumb')
        .evaluateAll((buttons) => buttons.map((b) => (b as HTMLButtonElement).dataset.scanPath!));
    };
    const top = (await ranked('pleural effusion')).slice(0, 5);
    // The default model weighs its best region (its manifest's regionOffset and regionWeight), and says so.
    await expect(page.getByTestId('query-summary')).toContainText('(its best region)');
    const positives = [...labels.values()].filter((l) => l.pleural_effusion).length;
    const hits = top.filter((p) => labels.get(p)?.pleural_effusion).length;
    expect(hits).toBeGreaterThanOrEqual(Math.min(3, positives));
    // The thumbnails in the window have loaded (they load lazily), for the README's screenshot.
    await expect
      .poll(() =>
        page
          .getByRole('list', { name: 'Ranked scans' })
          .locator('img')
          .evaluateAll((imgs) =>
            imgs
              .filter((i) => i.getBoundingClientRect().top < innerHeight)
              .every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0),
          ),
      )
      .toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'query-default-model.png') });
    const negated = await ranked('no pleural effusion');
    expect(labels.get(negated[0]!)?.pleural_effusion).toBe(0);
    // Absence is a property of the whole image: no region is weighed for it.
    await expect(page.getByTestId('query-summary')).not.toContainText('best region');

    await page.keyboard.press('3');
    await page.getByRole('button', { name: 'Compute matrix' }).click();
    await expect(page.getByRole('table', { name: 'Scans by phrases' })).toHaveAttribute('aria-rowcount', '25', {
      timeout: 60_000,
    });
    await page.getByRole('columnheader', { name: 'cardiomegaly' }).click();
    // The thumbnails in view have loaded (they load lazily), for the README's screenshot.
    await expect
      .poll(() =>
        page
          .getByTestId('matrix-row')
          .locator('img')
          .evaluateAll((imgs) => {
            const body = document.querySelector('[data-testid="matrix-body"]')!.getBoundingClientRect();
            return imgs
              .filter((i) => i.getBoundingClientRect().bottom <= body.bottom)
              .every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0);
          }),
      )
      .toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'matrix-default-model.png') });

    // A cell opens the viewer with that phrase's heatmap (grounding) over the image.
    await page
      .getByRole('cell', { name: /^cardiomegaly:/ })
      .first()
      .click();
    await expect(page.getByTestId('heatmap-legend')).toContainText('“cardiomegaly”', { timeout: 60_000 });
    const heatmap = page.getByTestId('heatmap');
    await expect(heatmap).toBeVisible();
    // One canvas pixel per patch: the bundle's grid (14×14 at 224², 24×24 at 384²).
    const grid = (JSON.parse(readFileSync(BUNDLE, 'utf8')) as { image: { patchGrid: [number, number] } }).image
      .patchGrid;
    expect(await heatmap.evaluate((c) => [(c as HTMLCanvasElement).height, (c as HTMLCanvasElement).width])).toEqual(
      grid,
    );
    // Opacity follows the slider; unchecking hides the overlay.
    await page.getByLabel('Heatmap opacity').fill('0.8');
    await expect(heatmap).toHaveCSS('opacity', '0.8');
    // The whole phantom is in view, lower chest included.
    await expect.poll(() => drawnInside(page, 'viewer-image'), { timeout: 10_000 }).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'viewer-heatmap.png') });
    await page.getByLabel('Show phrase heatmap').uncheck();
    await expect(heatmap).toHaveCount(0);

    // The scan that matches "cardiomegaly" least: no patch matches, and the legend says so in words
    // instead of quoting a negative "cosine up to".
    await page.keyboard.press('Escape');
    await page.getByRole('columnheader', { name: 'cardiomegaly' }).click();
    await expect(page.getByRole('columnheader', { name: 'cardiomegaly' })).toHaveAttribute('aria-sort', 'ascending');
    await page
      .getByRole('cell', { name: /^cardiomegaly:/ })
      .first()
      .click();
    const legend = page.getByTestId('heatmap-legend');
    await expect(legend).toBeVisible({ timeout: 60_000 });
    const scan = (await page.getByTestId('viewer-path').getAttribute('data-path'))!;
    const highest = await page.evaluate(
      async (p) =>
        Math.max(...(await window.radsift!.call('query.heatmap', { path: p, phrase: 'cardiomegaly' })).values),
      scan,
    );
    expect(highest, 'the demo study has a scan where "cardiomegaly" matches no patch').toBeLessThan(0);
    await expect(legend).toContainText(
      `“cardiomegaly” matches nowhere on this scan (highest cosine ${highest.toFixed(2).replace('-', '−')})`,
    );
    await expect(heatmap).toHaveCount(0);
  });
});
