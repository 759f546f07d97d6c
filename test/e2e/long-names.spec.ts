/**
 * Real files at their longest: a patient name with all five PN components and a study description past LO's 64
 * characters (real files do that) stay two lines each in the Studies tree, whole in the tooltip and the accessible
 * name, the patient ID and accession still shown; the viewer's corner texts do not run into each other in a
 * laptop's window (1024 × 700).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Locator } from '@playwright/test';
import { ARTIFACTS, expect, ROOT, test } from './fixtures';
import { headerOf } from './dicom-header';
import { scratchDir } from '../support/scratch';

const dcmodify = spawnSync('dcmodify', ['--version'], { stdio: 'ignore' }).status === 0;

const LONG_PN = 'Vanderbilt-Schwarzenegger-Montgomery^Maximiliana Alexandrina Josephine^Quintessa^Dr.^PhD';
const LONG_NAME = 'Vanderbilt-Schwarzenegger-Montgomery, Maximiliana Alexandrina Josephine Quintessa (Dr. PhD)';
const LONG_STUDY = 'XR CHEST PA AND LATERAL TWO VIEWS WITH COMPARISON TO PRIOR STUDY FROM OUTSIDE HOSPITAL';

/**
 * Three phantoms (DICOM only): the first one's patient name and study description made as long as above, the last
 * one's name as short as "Doe, Jo".
 */
function longNamedPhantoms(): { dir: string; file: string; shortFile: string } {
  const dir = path.join(scratchDir('radsift-e2e-long-names-'), 'scans');
  const cli = path.join(ROOT, 'dist', 'electron', 'cli', 'radsift.js');
  execFileSync(process.execPath, [cli, 'demo', dir, '--count', '3', '--seed', '3', '--size', '256'], {
    stdio: 'ignore',
  });
  for (const f of ['masks', 'labels.csv', 'reports.jsonl']) rmSync(path.join(dir, f), { recursive: true, force: true });
  const patients = readdirSync(dir).sort();
  const fileOf = (patient: string) =>
    readdirSync(path.join(dir, patient), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.dcm'))
      .map((f) => path.join(dir, patient, f))[0]!;
  const [file, shortFile] = [fileOf(patients[0]!), fileOf(patients.at(-1)!)];
  execFileSync('dcmodify', ['-nb', '-m', `(0010,0010)=${LONG_PN}`, '-m', `(0008,1030)=${LONG_STUDY}`, file], {
    stdio: 'ignore',
  });
  execFileSync('dcmodify', ['-nb', '-m', '(0010,0010)=Doe^Jo', shortFile], { stdio: 'ignore' });
  return { dir, file, shortFile };
}

/** How many lines of its own line height an element's content box takes (padding and border left out). */
const linesOf = (el: Locator) =>
  el.evaluate((e) => {
    const style = getComputedStyle(e);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
    const frame = ['paddingTop', 'paddingBottom', 'borderTopWidth', 'borderBottomWidth'] as const;
    const extra = frame.reduce((sum, p) => sum + parseFloat(style[p]), 0);
    return (e.getBoundingClientRect().height - extra) / line;
  });

/** Whether the element is drawn whole inside `box` (not cut by its parent's clamp, not out of the pane). */
async function inside(el: Locator, box: Locator): Promise<boolean> {
  const a = (await el.boundingBox())!;
  const b = (await box.boundingBox())!;
  return (
    a.x >= b.x - 0.5 &&
    a.y >= b.y - 0.5 &&
    a.x + a.width <= b.x + b.width + 0.5 &&
    a.y + a.height <= b.y + b.height + 0.5
  );
}

test.describe('long names', () => {
  test.skip(!dcmodify, 'dcmtk (dcmodify) is not installed: scripts/setup-debian.sh installs it');
  test.use({ viewport: { width: 1024, height: 700 } });

  test('a long patient name and study description take two lines each in the tree; ID and accession stay', async ({
    page,
    bridge,
  }) => {
    const { dir, file, shortFile } = longNamedPhantoms();
    const header = headerOf(file);
    expect(header.raw).toBe(LONG_PN);
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Open folder…' }).click();
    await expect(page.getByTestId('catalog-summary')).toContainText('3 patients, 3 images');
    const tree = page.getByRole('navigation', { name: 'Patients, studies and series' });

    // The patient: the whole name in its accessible name and tooltip, two lines of it shown, the ID after them.
    const wholePatient = `${LONG_NAME} · ${header.id}`;
    const patient = tree.getByRole('button', { name: wholePatient, exact: true });
    // Three lines in all, two of the name and one of the ID (the name alone took five).
    expect(await linesOf(patient)).toBeLessThanOrEqual(3.2);
    await expect(patient).toHaveAttribute('title', wholePatient);
    const name = patient.locator('.tree-text');
    expect(await linesOf(name)).toBeLessThanOrEqual(2.05);
    // Shortened, not just short: the text runs on past what is shown.
    expect(await name.evaluate((e) => e.scrollHeight > e.clientHeight + 1)).toBe(true);
    const id = patient.locator('.tree-id');
    await expect(id).toHaveText(`· ${header.id}`);
    expect(await inside(id, patient)).toBe(true);
    expect(await inside(patient, tree)).toBe(true);

    // The study likewise, its accession whole.
    const study = tree.locator('.tree-study', { hasText: LONG_STUDY });
    const wholeStudy = `${header.date} ${LONG_STUDY} · Acc ${header.accession}`;
    expect(await linesOf(study)).toBeLessThanOrEqual(3.2);
    await expect(study).toHaveAttribute('title', wholeStudy);
    await expect(tree.getByRole('button', { name: wholeStudy, exact: true })).toHaveCount(1);
    const description = study.locator('.tree-text');
    expect(await linesOf(description)).toBeLessThanOrEqual(2.05);
    expect(await description.evaluate((e) => e.scrollHeight > e.clientHeight + 1)).toBe(true);
    const accession = study.locator('.tree-id');
    await expect(accession).toHaveText(`· Acc ${header.accession}`);
    expect(await inside(accession, study)).toBe(true);
    expect(await inside(study, tree)).toBe(true);
    // A short name keeps its ID on the same line.
    const short = tree.getByRole('button', { name: `Doe, Jo · ${headerOf(shortFile).id}`, exact: true });
    const lineBottom = async (el: Locator) => {
      const box = (await el.boundingBox())!;
      return box.y + box.height;
    };
    expect(
      Math.abs((await lineBottom(short.locator('.tree-text'))) - (await lineBottom(short.locator('.tree-id')))),
    ).toBeLessThan(3);
    await tree.screenshot({ path: path.join(ARTIFACTS, 'long-names-tree.png') });

    // The viewer's corner shows the whole name (it may take three lines) without running into the other corners.
    await tree.locator('.tree-series').first().click();
    await page.getByRole('list', { name: 'Images in the series' }).getByRole('button').first().click();
    const corner = page.getByTestId('corner-patient');
    await expect(corner).toContainText(LONG_NAME);
    await expect(page.getByTestId('corner-zoom')).toContainText('Zoom');
    const boxes = await page.locator('.corner').evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { name: e.className, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
      }),
    );
    for (const a of boxes)
      for (const b of boxes) {
        if (a === b) continue;
        const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        expect(overlap, `${a.name} overlaps ${b.name}`).toBe(false);
      }
    await page.screenshot({ path: path.join(ARTIFACTS, 'long-names-viewer.png') });
  });
});
