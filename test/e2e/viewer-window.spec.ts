/**
 * The viewer's window: a scan is first shown with its own grey levels (its window, VOI LUT or value range) as the
 * main process renders them, once, and the readout says what those are; a window chosen on one scan never goes
 * with a step to the next. (It used to ask for the full range of the stored bits after the first render: a
 * second render, and a grey wash for a CT without a window.)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { CORPUS, expect, test } from './fixtures';
import { scratchDir } from '../support/scratch';

const dcmodify = spawnSync('dcmodify', ['--version'], { stdio: 'ignore' }).status === 0;

/** Two copies of a CT without a window, as one series of two images (dcmtk gives each its own instance UID). */
async function windowlessSeries(): Promise<string[]> {
  const dir = scratchDir('radsift-e2e-window-');
  const files = [1, 2].map((n) => path.join(dir, `ct${n}.dcm`));
  for (const [i, file] of files.entries()) {
    await copyFile(path.join(CORPUS, 'nema-wg04', 'REF', 'CT1_UNC'), file);
    execFileSync('dcmodify', ['-nb', '-gin', '-m', `(0020,0013)=${i + 1}`, file], { stdio: 'ignore' });
  }
  return files;
}

/** Display renders asked of the main process, by file, with the query each was asked with. */
function recordRenders(page: Page): { file: string; query: URLSearchParams }[] {
  const seen: { file: string; query: URLSearchParams }[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.searchParams.get('kind') !== 'display') return;
    seen.push({ file: path.basename(decodeURIComponent(url.pathname)), query: url.searchParams });
  });
  return seen;
}

const readoutOf = (w: { center: number; width: number }) => `W ${Math.round(w.width)} · L ${Math.round(w.center)}`;

test.describe('viewer window', () => {
  test.skip(!dcmodify, 'dcmtk (dcmodify) is not installed: scripts/setup-debian.sh installs it');

  test('a CT without a window opens at its value range, rendered once; r goes back to it', async ({ page, bridge }) => {
    const [first] = await windowlessSeries();
    const renders = recordRenders(page);
    bridge.dialog.answer([path.dirname(first!)]);
    await page.getByRole('button', { name: 'Open folder…' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText('2 images');
    await page.locator('.tree-series').first().click();
    // A thumbnail's caption says its number is the instance number ("#1" read as either), and is said once.
    const thumbs = page.getByRole('list', { name: 'Images in the series' });
    await expect(thumbs.getByTestId('thumb-caption')).toHaveText(['Instance 1', 'Instance 2']);
    await expect(thumbs.getByRole('button', { name: 'Instance 1', exact: true })).toHaveCount(1);
    await thumbs.getByRole('button').first().click();
    const image = page.getByTestId('viewer-image');
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(512);
    // The heatmap's opacity slider has a visible label, which its accessible name holds (WCAG 2.5.3).
    const opacity = page.getByRole('slider', { name: 'Heatmap opacity' });
    const opacityLabel = page.locator('label').filter({ has: opacity });
    await expect(opacityLabel).toHaveText('Opacity');
    expect((await opacityLabel.innerText()).trim()).toBe('Opacity'); // rendered, not only in the DOM
    const own = await page.evaluate(
      (file) => window.radsift!.call('studies.displayWindow', { path: file }),
      (await page.getByTestId('viewer-path').getAttribute('data-path'))!,
    );
    expect(own.voi).toBe('range');
    expect(own.window!.width).toBeLessThan(65536 / 4);
    const readout = page.getByTestId('window-readout');
    await expect(readout).toHaveText(readoutOf(own.window!));
    // Shown as rendered: no second render with a window of the viewer's own.
    await page.waitForTimeout(600);
    // (The next scan of the series is asked for too, ahead of a step: not counted here.)
    expect(renders.filter((r) => r.file === path.basename(first!)).map((r) => r.query.has('wc'))).toEqual([false]);

    // A drag sets a window from the one shown; r restores the file's own.
    const box = (await page.getByTestId('viewport').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2 + 20, { steps: 4 });
    await page.mouse.up();
    await expect(image).toHaveAttribute('src', /wc=.*ww=/);
    await expect(readout).not.toHaveText(readoutOf(own.window!));
    await page.keyboard.press('r');
    await expect(image).not.toHaveAttribute('src', /wc=/);
    await expect(readout).toHaveText(readoutOf(own.window!));
  });

  test('a window chosen on one scan does not go with a step to the next', async ({ page, bridge }) => {
    const files = await windowlessSeries();
    const renders = recordRenders(page);
    bridge.dialog.answer([path.dirname(files[0]!)]);
    await page.getByRole('button', { name: 'Open folder…' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText('2 images');
    await page.locator('.tree-series').first().click();
    await page.getByRole('list', { name: 'Images in the series' }).getByRole('button').first().click();
    const image = page.getByTestId('viewer-image');
    await expect(page.getByTestId('viewer-position')).toHaveText('1 of 2');
    await expect(page.getByTestId('window-readout')).toHaveText(/^W \d+ · L -?\d+$/);
    const box = (await page.getByTestId('viewport').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 60, box.y + box.height / 2 - 30, { steps: 4 });
    await page.mouse.up();
    await expect(image).toHaveAttribute('src', /wc=.*ww=/);
    const shownFirst = (await page.getByTestId('viewer-path').getAttribute('data-path'))!;
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('viewer-position')).toHaveText('2 of 2');
    await expect(image).not.toHaveAttribute('src', /wc=/);
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(512);
    await page.waitForTimeout(600);
    const second = renders.filter((r) => r.file !== path.basename(shownFirst));
    expect(second.length).toBe(1);
    expect(second[0]!.query.has('wc'), 'the first scan’s window did not go along').toBe(false);
  });

  test('the Studies viewer shows the scan as it was left after a switch to another view and back', async ({
    page,
    bridge,
  }) => {
    const files = await windowlessSeries();
    bridge.dialog.answer([path.dirname(files[0]!)]);
    await page.getByRole('button', { name: 'Open folder…' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText('2 images');
    await page.locator('.tree-series').first().click();
    await page.getByRole('list', { name: 'Images in the series' }).getByRole('button').first().click();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('viewer-position')).toHaveText('2 of 2');
    const image = page.getByTestId('viewer-image');
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(512);
    const readout = page.getByTestId('window-readout');
    await expect(readout).toHaveText(/^W \d+ · L -?\d+$/);
    const box = (await page.getByTestId('viewport').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 50, box.y + box.height / 2 - 25, { steps: 4 });
    await page.mouse.up();
    await expect(image).toHaveAttribute('src', /wc=.*ww=/);
    const zoom = page.getByTestId('corner-zoom');
    const fitted = await zoom.textContent();
    await page.keyboard.press('+');
    await expect(zoom).not.toHaveText(fitted!);
    const [windowShown, zoomShown, src] = [
      await readout.textContent(),
      await zoom.textContent(),
      await image.getAttribute('src'),
    ];

    await page.keyboard.press('2');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Query');
    await page.keyboard.press('1');
    await expect(page.getByTestId('viewer-position')).toHaveText('2 of 2');
    await expect(readout).toHaveText(windowShown!);
    await expect(zoom).toHaveText(zoomShown!);
    await expect(image).toHaveAttribute('src', src!);
    // A step still starts the next scan afresh.
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByTestId('viewer-position')).toHaveText('1 of 2');
    await expect(image).not.toHaveAttribute('src', /wc=/);
    await expect(zoom).toHaveText(fitted!);
  });

  test('a colour image has no window: no readout, no presets, a drag asks for nothing', async ({ page, bridge }) => {
    const dir = scratchDir('radsift-e2e-colour-');
    const name = 'testImages_encapsulated_multi-frame_IM00001.implicit_little_endian.dcm';
    await copyFile(path.join(CORPUS, 'dicomparser', name), path.join(dir, 'rgb.dcm'));
    const renders = recordRenders(page);
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Open folder…' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText('1 image');
    await page.locator('.tree-series').first().click();
    await page.getByRole('list', { name: 'Images in the series' }).getByRole('button').first().click();
    const image = page.getByTestId('viewer-image');
    await expect
      .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBeGreaterThan(0);
    // The frame is said alike above the image and in its corner.
    const frameIs = async (n: number) => {
      await expect(page.locator('.frame-slider')).toHaveText(`Frame ${n} of 8`);
      await expect(page.getByTestId('corner-zoom')).toContainText(`Frame ${n} of 8`);
    };
    await frameIs(1);
    const box = (await page.getByTestId('viewport').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2 + 20, { steps: 4 });
    await page.mouse.up();
    await page.keyboard.press('ArrowDown'); // the next frame
    await frameIs(2);
    await expect.poll(() => renders.filter((r) => r.query.get('frame') === '1').length).toBe(1);
    await page.waitForTimeout(300);
    await expect(page.getByTestId('window-readout')).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Full range' })).toHaveCount(0);
    expect(renders.some((r) => r.query.has('wc'))).toBe(false);
    // On the frame slider the keys mean the same: ↑ the previous frame, ↓ the next.
    const slider = page.getByRole('slider', { name: 'Frame' });
    await slider.focus();
    await page.keyboard.press('ArrowUp');
    await frameIs(1);
    await page.keyboard.press('ArrowDown');
    await frameIs(2);
  });
});

test.describe('a scan the viewer cannot show', () => {
  // The refused image requests, as the browser logs them.
  test.use({ expectedConsoleErrors: [/status of (422|403)/] });

  /** Opens `file`'s folder (it alone) in the Studies view. */
  async function openAlone(page: Page, bridge: { dialog: { answer(paths: string[]): void } }, file: string) {
    bridge.dialog.answer([path.dirname(file)]);
    await page.getByRole('button', { name: 'Open folder…' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText('1 image');
  }
  async function openViewer(page: Page) {
    await page.locator('.tree-series').first().click();
    await page.getByRole('list', { name: 'Images in the series' }).getByRole('button').first().click();
    await expect(page.getByTestId('viewer-image')).toBeAttached();
  }
  /** The header panel, opened (the viewer in the Studies view is too narrow for it to start open). */
  async function openHeader(page: Page) {
    await page.getByRole('button', { name: /^Header/ }).click();
    return page.getByRole('complementary', { name: 'Image header' });
  }

  test('says why it could not be rendered (JPEG XL: no decoder), no zoom over an empty viewport', async ({
    page,
    bridge,
  }) => {
    const file = path.join(scratchDir('radsift-e2e-jxl-'), 'will-jxl.dcm');
    await copyFile(path.join(CORPUS, 'dcm4che', 'will-jxl.dcm'), file);
    await openAlone(page, bridge, file);
    await openViewer(page);
    // The reason the main process gave (the scan protocol's 422 body), not "see the header panel".
    await expect(page.getByTestId('viewer-image-error')).toHaveText(
      'This image could not be rendered: no decoder for transfer syntax 1.2.840.10008.1.2.4.111 (JPEG XL JPEG Recompression)',
    );
    await expect(await openHeader(page)).toContainText('JPEG XL JPEG Recompression (not supported: no decoder)');
    await expect(page.getByTestId('corner-zoom')).toHaveText('Frame 1 of 27');
  });

  test('a file deleted after its folder was opened: "no longer exists", in the header panel too', async ({
    page,
    bridge,
  }) => {
    const file = path.join(scratchDir('radsift-e2e-gone-'), 'ct.dcm');
    await copyFile(path.join(CORPUS, 'nema-wg04', 'REF', 'CT1_UNC'), file);
    await openAlone(page, bridge, file);
    await page.locator('.tree-series').first().click();
    await rm(file);
    await page.getByRole('list', { name: 'Images in the series' }).getByRole('button').first().click();
    const gone = 'That file no longer exists (moved or deleted since it was opened)';
    await openHeader(page);
    await expect(page.getByTestId('viewer-header-error')).toHaveText(`Header could not be read: ${gone}`);
    await expect(page.getByTestId('viewer-image-error')).toHaveText(`This image could not be rendered: ${gone}`);
    await expect(page.getByTestId('corner-zoom')).toHaveText('Frame 1 of 1');
    // Only a path inside an opened folder is said to be gone: outside them, whether it exists is not told.
    const answers = await page.evaluate(
      async (paths) =>
        Promise.all(
          paths.map((p) =>
            window.radsift!.call('studies.fileInfo', { path: p }).then(
              () => 'ok',
              (e: { code: string; message: string }) => `${e.code}: ${e.message}`,
            ),
          ),
        ),
      [file, '/etc/no-such-file', '/etc/passwd', path.join(path.dirname(file), '..', 'no-such-file')],
    );
    expect(answers).toEqual([
      `NOT_FOUND: ${gone}`,
      ...Array(3).fill('FORBIDDEN: That file is not in a folder you opened'),
    ]);
  });
});
