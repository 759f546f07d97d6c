import { mkdtemp, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ARTIFACTS, CORPUS, expect, test } from './fixtures';

test('open the demo study, view an image and change its window', async ({ page }) => {
  test.setTimeout(180_000);
  await page.getByRole('button', { name: 'Open demo study' }).click();
  await expect(page.getByTestId('catalog-summary')).toContainText(
    'Demo study (synthetic phantoms): 24 patients, 24 images',
    {
      timeout: 150_000,
    },
  );
  await expect(page.getByTestId('catalog-summary')).not.toContainText('skipped');

  // The tree starts at its top edge (no blank band), and patients and studies fold and unfold,
  // with the mouse or with Enter / Space on the focused node.
  const tree = page.getByRole('navigation', { name: 'Patients, studies and series' });
  const gap = await tree.evaluate(
    (nav) => nav.firstElementChild!.getBoundingClientRect().top - nav.getBoundingClientRect().top,
  );
  expect(gap).toBeLessThanOrEqual(10);
  const series = tree.locator('.tree-series');
  await expect(series).toHaveCount(24);
  const patient = tree.locator('.tree-patient').first();
  await expect(patient).toHaveAttribute('aria-expanded', 'true');
  await patient.focus();
  await page.keyboard.press('Enter');
  await expect(patient).toHaveAttribute('aria-expanded', 'false');
  await expect(series).toHaveCount(23);
  await page.keyboard.press('Space');
  await expect(patient).toHaveAttribute('aria-expanded', 'true');
  const study = tree.locator('.tree-study').first();
  await study.click();
  await expect(study).toHaveAttribute('aria-expanded', 'false');
  await expect(series).toHaveCount(23);
  await study.focus();
  await page.keyboard.press('Space');
  await expect(study).toHaveAttribute('aria-expanded', 'true');
  await expect(series).toHaveCount(24);
  // The demo has its own button: it is not added to the recent list.
  expect(await page.evaluate(() => window.radsift!.call('studies.recent', {}))).toEqual({ paths: [] });
  const thumbs = page.getByRole('list', { name: 'Images in the series' }).getByRole('img');
  await expect(thumbs.first()).toBeVisible();
  await expect.poll(() => thumbs.first().evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  await page.screenshot({ path: path.join(ARTIFACTS, 'studies.png') });

  await page.getByRole('list', { name: 'Images in the series' }).getByRole('button').first().click();
  const image = page.getByTestId('viewer-image');
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(500);
  const before = await page.getByTestId('window-readout').textContent();
  const firstSrc = await image.getAttribute('src');
  const box = (await page.getByTestId('viewport').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 60, { steps: 6 });
  await page.mouse.up();
  await expect(page.getByTestId('window-readout')).not.toHaveText(before!);
  // The main process re-renders the frame with the new window.
  await expect.poll(() => image.getAttribute('src')).not.toBe(firstSrc);
  await expect(image).toHaveAttribute('src', /wc=.*ww=/);
  await expect
    .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(500);
  await page.screenshot({ path: path.join(ARTIFACTS, 'viewer.png') });
  // Another view and back: the same scan is still open in the viewer.
  const scanOf = async () => (await image.getAttribute('src'))!.split('?')[0];
  const shown = await scanOf();
  await page.keyboard.press('2');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Query');
  await page.keyboard.press('1');
  await expect(image).toBeVisible();
  expect(await scanOf()).toBe(shown);
});

test('a folder with unreadable files lists each with its reason', async ({ page, bridge }) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'radsift-open-'));
  try {
    await copyFile(path.join(CORPUS, 'nema-wg04', 'REF', 'CT1_UNC'), path.join(dir, 'ct.dcm'));
    await writeFile(path.join(dir, 'notes.txt'), 'not an image');
    const truncated = Buffer.alloc(300);
    truncated.write('DICM', 128);
    await writeFile(path.join(dir, 'broken.dcm'), truncated);
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Open folder…' }).click();
    // notes.txt is not DICOM at all: skipped. broken.dcm claims to be DICOM: unreadable, with its reason.
    const summary = '1 patient, 1 image, 1 unreadable, 1 non-DICOM file skipped';
    await expect(page.getByTestId('catalog-summary')).toContainText(summary);
    await page.getByText('1 DICOM file could not be read').click();
    await expect(page.getByText(/broken\.dcm — /)).toBeVisible();
    await page.getByText('1 file is not DICOM (skipped)').click();
    await expect(page.getByTestId('catalog-skipped')).toContainText('notes.txt');

    // The folder is offered again after a restart of the window, without a dialog.
    await page.reload();
    const recent = page.getByLabel('Open a recent folder or file');
    await expect(recent.locator('option', { hasText: dir })).toHaveCount(1);
    await recent.selectOption(dir);
    await expect(page.getByTestId('catalog-summary')).toContainText(summary);
    // Only paths on the list can be reopened this way.
    const code = await page.evaluate(async () =>
      window.radsift!.call('studies.openRecent', { path: '/etc' }).then(
        () => 'ok',
        (e: { code: string }) => e.code,
      ),
    );
    expect(code).toBe('FORBIDDEN');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the Studies tabs are one tab stop: arrow keys, Home and End move between them', async ({ page }) => {
  const local = page.getByRole('tab', { name: 'Local files' });
  const pacs = page.getByRole('tab', { name: 'PACS' });
  await local.click();
  await expect(local).toHaveAttribute('aria-selected', 'true');
  await expect(local).toHaveAttribute('tabindex', '0');
  await expect(pacs).toHaveAttribute('tabindex', '-1');
  await local.press('ArrowRight');
  await expect(pacs).toHaveAttribute('aria-selected', 'true');
  await expect(pacs).toBeFocused();
  await expect(page.getByRole('tabpanel')).toHaveAttribute('aria-labelledby', 'studies-tab-pacs');
  await pacs.press('ArrowRight'); // wraps round
  await expect(local).toBeFocused();
  await expect(local).toHaveAttribute('aria-selected', 'true');
  await local.press('End');
  await expect(pacs).toBeFocused();
  await pacs.press('Home');
  await expect(local).toHaveAttribute('aria-selected', 'true');
  await expect(local).toBeFocused();
});

test.describe('first start', () => {
  test.use({ firstRun: true });

  test('a new user finds the demo study already open', async ({ page }) => {
    test.setTimeout(180_000);
    await expect(page.getByTestId('catalog-summary')).toContainText('Demo study (synthetic phantoms): 24 patients', {
      timeout: 150_000,
    });
  });
});

test('files dropped on the Studies view open; the page cannot name paths itself', async ({ page, bridge }) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'radsift-drop-'));
  try {
    await copyFile(path.join(CORPUS, 'nema-wg04', 'REF', 'CT1_UNC'), path.join(dir, 'ct.dcm'));
    // What the OS would report for the dropped item (Electron: webUtils.getPathForFile).
    bridge.drop.answer([dir]);
    const dataTransfer = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['x'], 'ct.dcm'));
      return dt;
    });
    await page.getByTestId('studies-drop-zone').dispatchEvent('dragover', { dataTransfer });
    await expect(page.getByTestId('studies-drop-zone')).toHaveClass(/dropping/);
    await page.getByTestId('studies-drop-zone').dispatchEvent('drop', { dataTransfer });
    await expect(page.getByTestId('catalog-summary')).toContainText('1 patient, 1 image');
    await expect(page.getByTestId('studies-drop-zone')).not.toHaveClass(/dropping/);

    const code = await page.evaluate(async (target) => {
      const api = window.radsift! as unknown as { call: (m: string, p: unknown) => Promise<unknown> };
      return api.call('studies.openDropped', { paths: [target] }).then(
        () => 'ok',
        (e: { code: string }) => e.code,
      );
    }, '/etc');
    expect(code).toBe('FORBIDDEN');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('File ▸ Open Folder… in the application menu opens through the same dialog', async ({ page, bridge }) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'radsift-menu-'));
  try {
    await copyFile(path.join(CORPUS, 'nema-wg04', 'REF', 'CT1_UNC'), path.join(dir, 'ct.dcm'));
    bridge.dialog.answer([dir]);
    await page.keyboard.press('2'); // from another view: the menu brings Studies forward
    bridge.emit('app.command', { command: 'openFolder' });
    await expect(page.getByTestId('catalog-summary')).toContainText('1 patient, 1 image');
    // Leaving Studies and coming back does not carry the command out again.
    await page.keyboard.press('2');
    await page.keyboard.press('1');
    await expect(page.getByTestId('catalog-summary')).toBeVisible();
    expect(bridge.dialog.opened).toBe(1);
    bridge.emit('app.command', { command: 'shortcuts' });
    await expect(page.getByRole('dialog', { name: /Keyboard shortcuts/ })).toBeVisible();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an ACR-NEMA date (1994.01.30) reads as every other date: 1994-01-30, in the tree and the viewer', async ({
  page,
  bridge,
}) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'radsift-e2e-old-date-'));
  try {
    // dcm4che's palette-colour echo holds Study Date "1994.01.30", as files written before DICOM 3.0 did.
    await copyFile(path.join(CORPUS, 'dcm4che', 'jpeg-ls-Palette.dcm'), path.join(dir, 'echo.dcm'));
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Open folder…' }).click();
    const tree = page.getByRole('navigation', { name: 'Patients, studies and series' });
    await expect(tree.locator('.tree-study')).toContainText('1994-01-30 Echocardiogram');
    await tree.locator('.tree-series').click();
    await page.locator('.thumb').click();
    await expect(page.getByTestId('corner-patient')).toContainText('1994-01-30');
    await expect(page.getByTestId('corner-patient')).not.toContainText('1994.01.30');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a series without a number or description is named once, without a gap: "US series (1)"', async ({
  page,
  bridge,
}) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'radsift-e2e-no-series-number-'));
  try {
    // dicomParser's multi-frame echo has an empty Series Number and no Series Description.
    await copyFile(
      path.join(
        CORPUS,
        'dicomparser',
        'testImages_encapsulated_multi-frame_IM00001.fragmented_no_bot_jpeg_baseline.50.dcm',
      ),
      path.join(dir, 'echo.dcm'),
    );
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Open folder…' }).click();
    const tree = page.getByRole('navigation', { name: 'Patients, studies and series' });
    await expect(tree.locator('.tree-series')).toHaveCount(1);
    // As written (toHaveText would fold a double space).
    expect(await tree.locator('.tree-series').textContent()).toBe('US series (1)');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
