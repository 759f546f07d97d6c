/**
 * The viewer as a radiologist opens it (#19): the whole scan fitted in the viewport — lower chest
 * included — at common window sizes, for portrait, landscape and square scans, in the Studies
 * view and in the overlay opened from Query and Matrix; the overlay hides what is under it;
 * the keyboard steps through the scans and Esc closes from anywhere.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { ARTIFACTS, CORPUS, expect, fixtureModel, test } from './fixtures';

const REF = path.join(CORPUS, 'nema-wg04', 'REF');

/** Real files of each shape (columns × rows): a CR chest 1760 × 2140, a CR 1760 × 1760 (MONOCHROME1), an US 640 × 480. */
const SCANS = [
  { file: 'portrait.dcm', from: 'RG2_UNC', width: 1760, height: 2140 },
  { file: 'square.dcm', from: 'RG3_UNC', width: 1760, height: 1760 },
  { file: 'landscape.dcm', from: 'US1_UNC', width: 640, height: 480 },
] as const;

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

interface Fit {
  loaded: boolean;
  /** The drawn image lies inside the viewport, and the viewport inside the window. */
  inside: boolean;
  inWindow: boolean;
  /** Fitted: the image touches the viewport on one axis (it is as large as it can be whole). */
  fills: boolean;
  /** Drawn with the scan's own aspect ratio. */
  aspect: boolean;
  /** What is seen at the image's centre is the image (nothing covers the viewer). */
  onTop: boolean;
  detail: string;
}

function measureFit(page: Page): Promise<Fit> {
  return page.evaluate(() => {
    const img = document.querySelector<HTMLImageElement>('[data-testid="viewer-image"]');
    const box = img?.closest<HTMLElement>('[data-testid="viewport"]');
    if (!img || !box)
      return {
        loaded: false,
        inside: false,
        inWindow: false,
        fills: false,
        aspect: false,
        onTop: false,
        detail: 'no viewer',
      };
    const a = img.getBoundingClientRect();
    const b = box.getBoundingClientRect();
    const eps = 1;
    const centre = document.elementFromPoint(a.x + a.width / 2, a.y + a.height / 2);
    const detail = `image ${[a.x, a.y, a.width, a.height].map(Math.round).join(',')} in viewport ${[b.x, b.y, b.width, b.height].map(Math.round).join(',')} of window ${innerWidth}×${innerHeight}, natural ${img.naturalWidth}×${img.naturalHeight}`;
    return {
      loaded: img.complete && img.naturalWidth > 0,
      inside: a.left >= b.left - eps && a.top >= b.top - eps && a.right <= b.right + eps && a.bottom <= b.bottom + eps,
      inWindow: b.left >= 0 && b.top >= 0 && b.right <= innerWidth + eps && b.bottom <= innerHeight + eps,
      fills: Math.abs(a.width - b.width) <= 2 || Math.abs(a.height - b.height) <= 2,
      aspect: img.naturalWidth > 0 && Math.abs(a.width / a.height - img.naturalWidth / img.naturalHeight) < 0.01,
      onTop: !!centre && box.contains(centre),
      detail,
    };
  });
}

const FITTED = { loaded: true, inside: true, inWindow: true, fills: true, aspect: true, onTop: true };

async function expectFitted(page: Page, name: string): Promise<void> {
  await expect(page.getByTestId('viewer-path')).toContainText(name);
  await expect.poll(() => measureFit(page), { message: `${name} drawn whole in the viewport` }).toMatchObject(FITTED);
}

/** Every point of the overlay's box hits the overlay: no result card, button or thumbnail shows through. */
async function expectOpaqueOverlay(page: Page): Promise<void> {
  const overlay = page.getByTestId('viewer-overlay');
  await expect(overlay).toBeVisible();
  expect(await overlay.evaluate((el) => getComputedStyle(el).backgroundColor)).toMatch(/^rgb\(/);
  const leaks = await overlay.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const out: string[] = [];
    for (let i = 0; i <= 20; i++)
      for (let j = 0; j <= 20; j++) {
        const x = r.left + 1 + ((r.width - 2) * i) / 20;
        const y = r.top + 1 + ((r.height - 2) * j) / 20;
        const hit = document.elementFromPoint(x, y);
        if (!hit || !el.contains(hit)) out.push(`${Math.round(x)},${Math.round(y)}: ${hit?.outerHTML.slice(0, 60)}`);
      }
    return out;
  });
  expect(leaks, 'nothing under the overlay shows through it').toEqual([]);
}

test.describe('viewer fit', () => {
  test.use({ modelDirs: [fixtureModel()] });
  let dir = '';
  test.beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'radsift-fit-'));
    for (const s of SCANS) await copyFile(path.join(REF, s.from), path.join(dir, s.file));
  });
  test.afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const size of SIZES) {
    test(`${size.width}×${size.height}: every scan opens fitted in the Studies view and in the overlay from Query and Matrix`, async ({
      page,
      bridge,
    }) => {
      test.setTimeout(180_000);
      await page.setViewportSize(size);
      const tag = `${size.width}x${size.height}`;
      bridge.dialog.answer([dir]);
      await page.getByRole('button', { name: 'Open folder…' }).click();
      await expect(page.getByTestId('catalog-summary')).toContainText('3 images');

      // Studies view: each series' image, fitted; Esc goes back to the thumbnails, focus on the one viewed.
      const tree = page.getByRole('navigation', { name: 'Patients, studies and series' });
      const series = tree.locator('.tree-series');
      await expect(series).toHaveCount(3);
      const seen = new Set<string>();
      for (let i = 0; i < 3; i++) {
        await series.nth(i).click();
        const thumb = page.getByRole('list', { name: 'Images in the series' }).getByRole('button').first();
        const file = path.basename((await thumb.getAttribute('title'))!);
        seen.add(file);
        await thumb.click();
        await expectFitted(page, file);
        if (file === 'portrait.dcm') await page.screenshot({ path: path.join(ARTIFACTS, `fit-studies-${tag}.png`) });
        await page.keyboard.press('Escape');
        await expect(page.getByTestId('viewer-image')).toHaveCount(0);
        await expect(thumb).toBeFocused();
      }
      expect([...seen].sort()).toEqual(SCANS.map((s) => s.file).sort());

      // Query: every scan in the list, opened in the overlay; → steps to the next, each one fitted.
      await page.keyboard.press('2');
      await page.getByRole('searchbox', { name: 'Report phrase' }).fill('pleural effusion');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await expect(page.getByTestId('query-summary')).toContainText('of 3 scans', { timeout: 120_000 });
      const showAll = page.getByLabel('show scans below the threshold too');
      if (await showAll.isEnabled()) await showAll.check();
      const cards = page.getByTestId('query-result');
      await expect(cards).toHaveCount(3);
      const order = await cards
        .locator('button.thumb')
        .evaluateAll((bs) => bs.map((b) => (b as HTMLElement).title.split('/').pop()!));
      await cards.first().locator('button.thumb').click();
      await expectOpaqueOverlay(page);
      for (const [i, file] of order.entries()) {
        await expect(page.getByTestId('viewer-position')).toHaveText(`${i + 1} of 3`);
        await expectFitted(page, file);
        if (file === 'portrait.dcm') await page.screenshot({ path: path.join(ARTIFACTS, `fit-query-${tag}.png`) });
        await page.keyboard.press('ArrowRight');
      }
      // ← goes back; the last → at the end of the list stays there.
      await expect(page.getByTestId('viewer-position')).toHaveText('3 of 3');
      await page.keyboard.press('ArrowLeft');
      await expect(page.getByTestId('viewer-position')).toHaveText('2 of 3');
      await expectFitted(page, order[1]!);

      // Zoomed in, then Fit: whole again. The window grows or shrinks while fitted: still whole.
      const viewport = page.getByTestId('viewport');
      const vbox = (await viewport.boundingBox())!;
      await page.mouse.move(vbox.x + vbox.width / 2, vbox.y + vbox.height / 2);
      for (let k = 0; k < 4; k++) await page.mouse.wheel(0, -100);
      await expect.poll(async () => (await measureFit(page)).inside).toBe(false);
      await page.getByRole('button', { name: 'Fit', exact: true }).click();
      await expectFitted(page, order[1]!);
      const other = SIZES.find((s) => s !== size)!;
      await page.setViewportSize(other);
      await expectFitted(page, order[1]!);
      await page.setViewportSize(size);
      await expectFitted(page, order[1]!);

      // The shortcuts dialog opens above the overlay; Esc closes the dialog, not the viewer.
      await page.getByRole('button', { name: 'Fit', exact: true }).focus();
      await page.keyboard.press('?');
      const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await expect(help).toBeVisible();
      await expect(help).toContainText('previous / next scan');
      const onTop = await help.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
      });
      expect(onTop).toBe(true);
      await page.keyboard.press('Escape');
      await expect(help).toBeHidden();
      await expect(page.getByTestId('viewer-image')).toHaveCount(1);

      // Esc closes the overlay even from a text field inside it; the keyboard is back on that scan's card.
      await page.getByRole('textbox', { name: 'Heatmap phrase' }).focus();
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('viewer-overlay')).toHaveCount(0);
      const card = cards.locator('button.thumb').nth(1);
      await expect(card).toBeFocused();
      // Arrow keys move between the result cards; Enter opens the focused one.
      await page.keyboard.press('ArrowRight');
      await expect(cards.locator('button.thumb').nth(2)).toBeFocused();
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
      await expect(cards.locator('button.thumb').nth(0)).toBeFocused();
      await page.keyboard.press('Enter');
      await expectFitted(page, order[0]!);
      await page.keyboard.press('Escape');

      // Matrix: a cell opens the overlay, fitted, with the scans in the matrix's order.
      await page.keyboard.press('3');
      await page.getByRole('button', { name: 'Compute matrix' }).click();
      await expect(page.getByRole('table', { name: 'Scans by phrases' })).toHaveAttribute('aria-rowcount', '4', {
        timeout: 120_000,
      });
      await expect(page.getByTestId('matrix-rows-shown')).toHaveText('Showing all 3 rows.');
      const rows = page.getByTestId('matrix-row');
      for (let i = 0; i < 3; i++) {
        const file = path.basename(
          (await rows.nth(i).getByRole('rowheader').getByRole('button').getAttribute('title'))!,
        );
        await rows.nth(i).getByRole('cell').first().click();
        await expectOpaqueOverlay(page);
        await expectFitted(page, file);
        await expect(page.getByTestId('viewer-position')).toHaveText(`${i + 1} of 3`);
        await page.getByRole('button', { name: 'Close viewer' }).click();
        await expect(page.getByTestId('viewer-overlay')).toHaveCount(0);
      }
    });
  }
});

test.describe('viewer controls', () => {
  test.use({ modelDirs: [fixtureModel()] });

  test('Heatmap without a phrase says what to type; the placeholder fits; the header panel folds', async ({
    page,
    bridge,
  }) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'radsift-heat-'));
    try {
      await copyFile(path.join(REF, 'RG2_UNC'), path.join(dir, 'portrait.dcm'));
      bridge.dialog.answer([dir]);
      await page.getByRole('button', { name: 'Open folder…' }).click();
      await page.getByRole('list', { name: 'Images in the series' }).getByRole('button').first().click();
      await expectFitted(page, 'portrait.dcm');

      const box = page.getByRole('textbox', { name: 'Heatmap phrase' });
      const placeholderFits = await box.evaluate((input: HTMLInputElement) => {
        const style = getComputedStyle(input);
        const ctx = document.createElement('canvas').getContext('2d')!;
        ctx.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return ctx.measureText(input.placeholder).width <= room;
      });
      expect(placeholderFits, 'the whole placeholder is visible').toBe(true);

      await page.getByLabel('Show phrase heatmap').check();
      await expect(page.getByTestId('heatmap-hint')).toContainText('Type a report phrase');
      await expect(box).toBeFocused();
      await box.fill('pleural effusion');
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('heatmap-hint')).toHaveCount(0);
      // The fixture model answers with a map or a reason; either way the viewer says which, and the image stays whole.
      await expect(page.getByTestId('heatmap-legend').or(page.getByRole('alert'))).toBeVisible({ timeout: 60_000 });
      await expectFitted(page, 'portrait.dcm');

      // The header panel folds and unfolds; the image refits to the room it leaves.
      const header = page.getByRole('button', { name: /^Header/ });
      const expanded = await header.getAttribute('aria-expanded');
      await header.click();
      await expect(header).toHaveAttribute('aria-expanded', expanded === 'true' ? 'false' : 'true');
      await expect(page.getByRole('complementary', { name: 'Image header' })).toHaveCount(expanded === 'true' ? 0 : 1);
      await expectFitted(page, 'portrait.dcm');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
