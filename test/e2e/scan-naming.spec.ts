/**
 * Scans named as a radiologist knows them (#19): patient name and ID, study date, view, series and
 * instance, accession on Query cards and Matrix rows, the viewer's corner overlays, and the
 * "Hide identifiers" toggle that keeps patient name, ID and accession out of every view, the
 * viewer, the Studies tree and the exports (persisted across reloads). The expected names come
 * from dcmtk's reading of each file, not from the app.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { headerOf } from './dicom-header';
import { ARTIFACTS, expect, fixtureModel, test } from './fixtures';
import { scratchDir } from '../support/scratch';

/** Every text a user can see or hover in the element: its rendered text and its tooltips and image alts. */
function visibleAndHovered(page: Page, selector: string): Promise<string> {
  return page.evaluate((sel) => {
    const root = document.querySelector<HTMLElement>(sel);
    if (!root) return '';
    const attrs = Array.from(root.querySelectorAll('[title], img[alt]')).map(
      (el) => `${el.getAttribute('title') ?? ''} ${el.getAttribute('alt') ?? ''}`,
    );
    return `${root.innerText}\n${attrs.join('\n')}`;
  }, selector);
}

test.describe('scan naming', () => {
  test.use({ modelDirs: [fixtureModel()] });

  test('Query cards, Matrix rows and the viewer name patient and study; Hide identifiers hides them everywhere and is remembered', async ({
    page,
  }) => {
    test.setTimeout(300_000);
    await page.getByRole('button', { name: 'Open demo study' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText('24 images', { timeout: 180_000 });
    const privacy = page.getByRole('checkbox', { name: 'Hide identifiers' });
    await expect(privacy).not.toBeChecked();

    // Query: every card names its patient and study as the file's header says.
    await page.keyboard.press('2');
    await page.getByRole('searchbox', { name: 'Report phrase' }).fill('pleural effusion');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(page.getByTestId('query-summary')).toContainText('of 24 scans', { timeout: 120_000 });
    const showAll = page.getByLabel('show scans below the threshold too');
    if (await showAll.isEnabled()) await showAll.check();
    const cards = page.getByTestId('query-result');
    await expect(cards).toHaveCount(24);
    const paths = await cards
      .locator('button.thumb')
      .evaluateAll((bs) => bs.map((b) => (b as HTMLElement).dataset.scanPath!));
    const headers = new Map(paths.map((p) => [p, headerOf(p)]));
    for (const [i, p] of paths.entries()) {
      const h = headers.get(p)!;
      const card = cards.nth(i);
      await expect(card.getByTestId('scan-patient')).toHaveText(`${h.name} · ${h.id}`);
      await expect(card.getByTestId('scan-study')).toHaveText(
        new RegExp(`^${h.date} · (PA|AP) · S\\d/I1 · Acc ${h.accession}$`),
      );
      await expect(card).not.toContainText('^');
      // The path stays available: a muted line and the tooltip.
      await expect(card.locator('.scan-path')).toHaveText(p.split('/').slice(-3).join('/'));
      await expect(card.locator('button.thumb')).toHaveAttribute('title', p);
    }
    const identifiers = [...headers.values()].flatMap((h) => [h.raw.split('^')[0]!, h.id, h.accession]);
    const [first] = paths;
    const h0 = headers.get(first!)!;

    // The viewer's corners: patient, ID and study date top left; window, zoom and frame at the bottom.
    await cards.first().locator('button.thumb').click();
    const corner = page.getByTestId('corner-patient');
    await expect(corner).toContainText(h0.name);
    await expect(corner).toContainText(h0.id);
    await expect(corner).toContainText(h0.date);
    await expect(page.getByTestId('corner-image')).toHaveText(/^(PA|AP)S\d \/ I1$/);
    await expect(page.getByTestId('window-readout')).toHaveText(/^W \d+ · L -?\d+$/);
    await expect(page.getByTestId('corner-zoom')).toContainText('Frame 1 of 1');
    const zoom = async () => Number(/Zoom (\d+)%/.exec((await page.getByTestId('corner-zoom').textContent())!)![1]);
    await expect.poll(zoom).toBeGreaterThan(0);
    const fitted = await zoom();
    const box = (await page.getByTestId('viewport').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let k = 0; k < 3; k++) await page.mouse.wheel(0, -100);
    await expect.poll(zoom).toBeGreaterThan(fitted);
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    await expect.poll(zoom).toBe(fitted);

    // The toggle (in the status bar, usable while the viewer is open) hides the identifiers in the corner.
    await privacy.check();
    await expect(corner).toHaveText(h0.date);
    expect(await page.getByTestId('viewer-path').getAttribute('title')).not.toContain(h0.id);
    await page.screenshot({ path: path.join(ARTIFACTS, 'viewer-corners-hidden.png') });
    await privacy.uncheck();
    await expect(corner).toContainText(h0.name);
    await page.screenshot({ path: path.join(ARTIFACTS, 'viewer-corners.png') });
    await page.keyboard.press('Escape');

    // Hidden: no patient name, ID or accession on any card (text, tooltips, image alts); the dates stay.
    await privacy.check();
    await expect(cards.getByTestId('scan-patient')).toHaveCount(0);
    await expect(cards.first().getByTestId('scan-study')).toHaveText(new RegExp(`^${h0.date} · (PA|AP) · S\\d/I1$`));
    const queryText = await visibleAndHovered(page, '[aria-label="Ranked scans"]');
    for (const secret of identifiers) expect(queryText).not.toContain(secret);
    await page.screenshot({ path: path.join(ARTIFACTS, 'query-identifiers-hidden.png') });
    // …and back.
    await privacy.uncheck();
    await expect(cards.first().getByTestId('scan-patient')).toHaveText(`${h0.name} · ${h0.id}`);

    // Matrix: rows named by patient and study; hidden, neither the rows nor the CSV export carry identifiers.
    await page.keyboard.press('3');
    await page.getByRole('button', { name: 'Compute matrix' }).click();
    const table = page.getByRole('table', { name: 'Scans by phrases' });
    await expect(table).toHaveAttribute('aria-rowcount', '25', { timeout: 120_000 });
    const rows = page.getByTestId('matrix-row');
    const rowPath = (await rows.first().getByRole('rowheader').getByRole('button').getAttribute('data-scan-path'))!;
    const hr = headers.get(rowPath)!;
    await expect(rows.first().getByTestId('scan-patient')).toHaveText(`${hr.name} · ${hr.id}`);
    await expect(rows.first().getByTestId('scan-study')).toContainText(hr.date);
    await expect(rows.first().getByRole('rowheader').getByRole('button')).toHaveAttribute('title', rowPath);
    const csv = async () => {
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Export CSV' }).click();
      const file = path.join(scratchDir('radsift-e2e-dl-'), 'matrix.csv');
      await (await download).saveAs(file);
      return readFileSync(file, 'utf8');
    };
    expect(await csv()).toContain(rowPath);
    await privacy.check();
    await expect(rows.getByTestId('scan-patient')).toHaveCount(0);
    await expect(rows.first().getByTestId('scan-study')).toContainText(hr.date);
    const matrixText = await visibleAndHovered(page, '[data-testid="matrix-body"]');
    for (const secret of identifiers) expect(matrixText).not.toContain(secret);
    const hidden = await csv();
    expect(hidden.trim().split('\n')).toHaveLength(25);
    for (const secret of identifiers) expect(hidden).not.toContain(secret);
    expect(hidden).toContain('[hidden]');

    // The Studies tree: patients numbered, no names, IDs or accessions.
    await page.keyboard.press('1');
    const tree = page.getByRole('navigation', { name: 'Patients, studies and series' });
    await expect(tree.locator('.tree-patient').first()).toHaveText(/Patient 1$/);
    const treeText = await visibleAndHovered(page, 'nav.tree');
    for (const secret of identifiers) expect(treeText).not.toContain(secret);
    await page.screenshot({ path: path.join(ARTIFACTS, 'studies-identifiers-hidden.png') });
    await privacy.uncheck();
    await expect(tree).toContainText(hr.name);
    await expect(tree).toContainText(hr.id);
    await expect(tree).toContainText(`Acc ${hr.accession}`);

    // The choice outlives a reload (localStorage).
    await privacy.check();
    await page.reload();
    await expect(page.getByRole('checkbox', { name: 'Hide identifiers' })).toBeChecked();
    await page.getByRole('checkbox', { name: 'Hide identifiers' }).uncheck();
    await page.reload();
    await expect(page.getByRole('checkbox', { name: 'Hide identifiers' })).not.toBeChecked();
  });
});
