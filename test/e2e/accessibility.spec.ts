/**
 * Accessibility: axe-core's WCAG 2.0/2.1 A and AA rules on every view as a user sees it (a folder opened, results,
 * the viewer), and the contrast of the colours the renderer computes.
 */
import AxeBuilder from '@axe-core/playwright';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { contrast, textOn, viridis } from '../../renderer/src/colormap';
import { expect, fixtureModel, test } from './fixtures';
import { scratchDir } from '../support/scratch';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Small phantoms (DICOM only; four by default): enough for every view to show results, quick to index and screen. */
function phantoms(count = 4): string {
  const dir = path.join(scratchDir('radsift-e2e-a11y-'), 'scans');
  const cli = path.join(ROOT, 'dist', 'electron', 'cli', 'radsift.js');
  execFileSync(process.execPath, [cli, 'demo', dir, '--count', String(count), '--seed', '3', '--size', '256'], {
    stdio: 'ignore',
  });
  for (const f of ['masks', 'labels.csv', 'reports.jsonl']) rmSync(path.join(dir, f), { recursive: true, force: true });
  return dir;
}

/**
 * axe-core's WCAG 2.0/2.1 A and AA rules on what the page shows now. Serious and critical violations are
 * collected for the test to fail on; the minor and moderate ones are printed (to be judged, not to fail CI).
 */
async function audit(page: Page, where: string, serious: string[]): Promise<void> {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  for (const v of violations) {
    // Each node with axe's reason (for contrast: the colours and the ratio found), the first few only.
    const nodes = v.nodes
      .slice(0, 4)
      .map((n) => `\n    ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`)
      .join('');
    const more = v.nodes.length > 4 ? `\n    (+${v.nodes.length - 4} more)` : '';
    const line = `${where}: [${v.impact}] ${v.id}: ${v.help}${nodes}${more}`;
    if (v.impact === 'serious' || v.impact === 'critical') serious.push(line);
    else console.log(`axe ${line}`);
  }
}

test('numbers on a heatmap colour read at 4.5:1 or more anywhere on the scale (WCAG AA)', () => {
  const worst = Array.from({ length: 1001 }, (_, i) => {
    const bg = viridis(i / 1000);
    const fg = textOn(bg) === '#000' ? ([0, 0, 0] as const) : ([255, 255, 255] as const);
    return contrast(bg, [...fg]);
  }).reduce((a, b) => Math.min(a, b));
  expect(worst).toBeGreaterThanOrEqual(4.5);
});

test.describe('accessibility', () => {
  test.use({ modelDirs: [fixtureModel()] });

  test('every view, with results and the viewer open, has no serious or critical axe violations', async ({
    page,
    bridge,
  }) => {
    test.setTimeout(90_000);
    const dir = phantoms();
    const serious: string[] = [];
    const heading = page.getByRole('heading', { level: 1 });

    // Studies: a folder opened, a series picked and its image in the viewer.
    await audit(page, 'Studies (empty)', serious);
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Open folder…' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText('4 images', { timeout: 30_000 });
    await page
      .getByRole('navigation', { name: 'Patients, studies and series' })
      .locator('.tree-series')
      .first()
      .click();
    await page.getByRole('list', { name: 'Images in the series' }).getByRole('button').first().click();
    await expect(page.getByTestId('viewer-image')).toBeVisible();
    await audit(page, 'Studies (viewer)', serious);
    await page.getByRole('tab', { name: 'PACS' }).click();
    await audit(page, 'Studies (PACS tab)', serious);
    await page.getByRole('tab', { name: 'Local files' }).click();

    // Query: a phrase's ranking, every scan shown; then a result in the viewer overlay with its heatmap.
    await page.keyboard.press('2');
    await expect(heading).toHaveText('Query');
    await page.getByRole('searchbox', { name: 'Report phrase' }).fill('pleural effusion');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(page.getByTestId('query-summary')).toContainText('of 4 scans', { timeout: 30_000 });
    const all = page.getByRole('checkbox', { name: 'show scans below the threshold too' });
    if (await all.isEnabled()) await all.check();
    await expect(page.getByTestId('query-result')).toHaveCount(4);
    await page.getByTestId('query-result').first().getByRole('button', { name: '✓ positive' }).click();
    await audit(page, 'Query (results)', serious);
    await page.getByTestId('query-result').first().locator('[data-scan-path]').click();
    await expect(page.getByTestId('viewer-overlay')).toBeVisible();
    await audit(page, 'Query (viewer overlay)', serious);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('viewer-overlay')).toHaveCount(0);

    // Matrix: the default phrases over the scans.
    await page.keyboard.press('3');
    await page.getByRole('button', { name: 'Compute matrix' }).click();
    await expect(page.getByRole('table', { name: 'Scans by phrases' })).toBeVisible({ timeout: 30_000 });
    await audit(page, 'Matrix (results)', serious);
    // A focused cell's ring stands out from the cell's own colour at 3:1 or more (WCAG 1.4.11), in one of its
    // colours, on every cell (axe does not judge focus rings).
    const cells = page.locator('.matrix-cell');
    await cells.first().focus();
    await page.keyboard.press('ArrowLeft'); // a key: the focus is the keyboard's (:focus-visible)
    await page.keyboard.press('ArrowRight');
    for (let i = 0; i < (await cells.count()); i++) {
      const { bg, rings } = await cells.nth(i).evaluate((cell: HTMLElement) => {
        cell.focus();
        const rgb = (s: string) => (s.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number) as [number, number, number];
        const style = getComputedStyle(cell);
        const shadow = /rgba?\([^)]*\)/.exec(style.boxShadow)?.[0];
        return {
          bg: rgb(style.backgroundColor),
          rings: [style.outlineStyle === 'none' ? null : style.outlineColor, shadow ?? null].flatMap((c) =>
            c ? [rgb(c)] : [],
          ),
        };
      });
      const best = Math.max(0, ...rings.map((c) => contrast(c, bg)));
      expect(best, `focus ring on cell ${i} (background rgb(${bg.join(', ')}))`).toBeGreaterThanOrEqual(3);
    }

    // Screening: a finished job and its results.
    await page.keyboard.press('4');
    await expect(heading).toHaveText('Screening');
    await audit(page, 'Screening (empty)', serious);
    await page.getByRole('textbox', { name: 'Phrases to screen for' }).fill('pneumothorax');
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Choose folder and start…' }).click();
    const job = page.getByTestId('screen-job').first();
    await expect(job.getByTestId('job-state')).toHaveText('done', { timeout: 30_000 });
    await job.getByRole('button', { name: 'Results' }).click();
    await expect(page.getByTestId('screen-row')).toHaveCount(4);
    // The badges of the states this run does not reach, beside its own (their colours are the stylesheet's).
    await job.getByTestId('job-state').evaluate((done) => {
      for (const state of ['running', 'paused', 'interrupted', 'failed', 'cancelled']) {
        const badge = done.cloneNode() as HTMLElement;
        badge.className = `badge state-${state}`;
        badge.textContent = state;
        badge.dataset.testid = 'a11y-badge';
        done.after(badge);
      }
    });
    await audit(page, 'Screening (results)', serious);
    await page.getByTestId('a11y-badge').evaluateAll((badges) => badges.forEach((b) => b.remove()));
    await page.getByTestId('screen-row').first().locator('button.link').click();
    await expect(page.getByTestId('viewer-overlay')).toBeVisible();
    await audit(page, 'Screening (viewer overlay)', serious);
    await page.keyboard.press('Escape');

    // Models, with the PACS connection form open.
    await page.keyboard.press('5');
    await expect(heading).toHaveText('Models');
    await page.getByRole('button', { name: 'Add connection…' }).click();
    await audit(page, 'Models (PACS form)', serious);

    // The dialogs over it all.
    await page.keyboard.press('?');
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
    await audit(page, 'Keyboard shortcuts', serious);
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'About' }).click();
    await expect(page.getByRole('dialog', { name: 'About RadSift' })).toBeVisible();
    await audit(page, 'About', serious);

    expect(serious, 'serious or critical axe violations').toEqual([]);
  });

  test('the viewer zooms and pans from the keyboard, not only with the wheel and a Shift-drag', async ({
    page,
    bridge,
  }) => {
    bridge.dialog.answer([phantoms(1)]);
    await page.getByRole('button', { name: 'Open folder…' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText('1 image', { timeout: 30_000 });
    await page
      .getByRole('navigation', { name: 'Patients, studies and series' })
      .locator('.tree-series')
      .first()
      .click();
    await page.getByRole('list', { name: 'Images in the series' }).getByRole('button').first().click();
    const zoom = async () =>
      Number(/Zoom (\d+)%/.exec((await page.getByTestId('corner-zoom').textContent()) ?? '')?.[1]);
    await expect.poll(zoom).toBeGreaterThan(0);
    const fitted = await zoom();
    const stage = page.locator('.viewer-stage');
    await page.getByRole('button', { name: 'Fit', exact: true }).focus();
    await page.keyboard.press('+');
    await expect.poll(zoom).toBe(Math.round(fitted * 1.25));
    await page.keyboard.press('-');
    await page.keyboard.press('-');
    await expect.poll(zoom).toBe(Math.round(fitted / 1.25));
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowDown');
    await expect(stage).toHaveCSS('transform', /^matrix\(0\.8, 0, 0, 0\.8, [1-9]\d*(\.\d+)?, [1-9]\d*(\.\d+)?\)$/);
    await page.keyboard.press('f');
    await expect.poll(zoom).toBe(fitted);
  });

  test('a dialog closed gives the focus back to what had it', async ({ page }) => {
    await page.keyboard.press('5');
    const add = page.getByRole('button', { name: 'Add connection…' });
    await add.focus();
    await page.keyboard.press('?');
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(add).toBeFocused();
    const about = page.getByRole('button', { name: 'About' });
    await about.focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('dialog', { name: 'About RadSift' })).toBeVisible();
    await page.keyboard.press('Enter'); // on Close, where the dialog puts the focus
    await expect(page.getByRole('dialog', { name: 'About RadSift' })).toHaveCount(0);
    await expect(about).toBeFocused();
  });
});
