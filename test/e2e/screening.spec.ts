import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from '@playwright/test';
import { headerOf } from './dicom-header';
import { ARTIFACTS, expect, fixtureModel, test } from './fixtures';
import { scratchDir } from '../support/scratch';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A folder of 6 phantoms (DICOM only) and one file that is not DICOM. */
/**
 * Screens `dir` (the phrases typed already) once per line of `counts`, a first run and then reruns: each job is
 * listed first, runs to done and shows its line. The jobs' list, for what the test does next.
 */
async function screenRuns(
  page: Page,
  bridge: { dialog: { answer(paths: string[]): void } },
  dir: string,
  counts: readonly string[],
): Promise<Locator> {
  const jobs = page.getByTestId('screen-job');
  for (const [i, line] of counts.entries()) {
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Choose folder and start…' }).click();
    await expect(jobs).toHaveCount(i + 1);
    // The newest job is listed first.
    await expect(jobs.first().getByTestId('job-state')).toHaveText('done', { timeout: 180_000 });
    await expect(jobs.first().getByTestId('job-counts')).toContainText(line);
  }
  return jobs;
}

function folderToScreen(): { dir: string; dicom: string[] } {
  const work = scratchDir('radsift-e2e-screen-');
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'dist', 'electron', 'cli', 'radsift.js'),
      'demo',
      path.join(work, 'scans'),
      '--count',
      '6',
      '--seed',
      '9',
      '--size',
      '256',
    ],
    {
      stdio: 'ignore',
    },
  );
  const dir = path.join(work, 'scans');
  // Keep the studies, drop the generator's sidecars, add a non-DICOM file (skipped) and a broken scan (failed).
  for (const f of ['masks', 'labels.csv', 'reports.jsonl']) rmSync(path.join(dir, f), { recursive: true, force: true });
  writeFileSync(path.join(dir, 'notes.txt'), 'not a scan');
  writeFileSync(path.join(dir, 'broken.dcm'), 'named like a scan, but not one');
  const dicom = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.dcm') && f !== 'broken.dcm',
  );
  return { dir, dicom };
}

test.describe('Screening view', () => {
  test.use({ modelDirs: [fixtureModel()] });

  test('a job runs to completion with progress, lists failures, and exports a CSV row per file', async ({
    page,
    bridge,
  }) => {
    test.setTimeout(240_000);
    const { dir, dicom } = folderToScreen();
    expect(dicom).toHaveLength(6);
    await page.keyboard.press('4');
    await page.getByRole('textbox', { name: 'Phrases to screen for' }).fill('pneumothorax, pleural effusion');
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Choose folder and start…' }).click();
    const job = page.getByTestId('screen-job').first();
    await expect(job.getByTestId('job-state')).toHaveText('done', { timeout: 180_000 });
    await expect(job.getByTestId('job-counts')).toContainText(
      '8 / 8 files · 6 encoded · 0 unchanged · 1 failed · 1 not DICOM (skipped)',
    );
    await expect(job.getByTestId('job-flagged')).toContainText('flagged');
    // The counts appear once per card, and a finished job says what it took, not "ETA 0 s".
    expect((await job.textContent())!.match(/encoded/g)).toHaveLength(1);
    await expect(job.getByTestId('job-counts')).not.toContainText('ETA');
    await expect(job.getByTestId('job-counts')).not.toContainText(' left');
    await job.getByRole('button', { name: 'Results' }).click();
    await expect(page.getByTestId('screen-row')).toHaveCount(7);
    await expect(page.getByTestId('screen-row').filter({ hasText: 'broken.dcm' })).toContainText('failed: ');
    await expect(page.getByTestId('screen-row').filter({ hasText: 'notes.txt' })).toHaveCount(0);

    // Sortable columns carry ▲ / ▼ and aria-sort; a second click reverses the order.
    const table = page.locator('table.results-table');
    const head = (name: string) => table.getByRole('columnheader', { name, exact: true });
    const column = (i: number) =>
      table
        .locator('tbody tr')
        .evaluateAll((trs, k) => trs.map((tr) => (tr as HTMLTableRowElement).cells[k]!.textContent!.trim()), i);
    const numbers = (cells: string[]) => cells.filter((c) => c !== '—').map(Number);
    await expect(head('pneumothorax')).toHaveAttribute('aria-sort', 'descending');
    await expect(head('pneumothorax')).toContainText('▼');
    await expect(head('pleural effusion')).toHaveAttribute('aria-sort', 'none');
    const down = numbers(await column(1));
    expect(down).toEqual([...down].sort((x, y) => y - x));
    await head('pneumothorax').getByRole('button').click();
    await expect(head('pneumothorax')).toHaveAttribute('aria-sort', 'ascending');
    await expect(head('pneumothorax')).toContainText('▲');
    const up = numbers(await column(1));
    expect(up).toEqual([...up].sort((x, y) => x - y));
    // The scan column sorts by the names shown (patient, then study), A to Z first.
    await head('scan').getByRole('button').click();
    await expect(head('scan')).toHaveAttribute('aria-sort', 'ascending');
    await expect(head('pneumothorax')).toHaveAttribute('aria-sort', 'none');
    const names = await table
      .locator('tbody tr button.link')
      .evaluateAll((links) => links.map((l) => (l as HTMLElement).innerText.replace(/\s*\n\s*/g, ' · ')));
    expect(names).toEqual([...names].sort((x, y) => x.localeCompare(y)));
    await page.screenshot({ path: path.join(ARTIFACTS, 'screening.png') });

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = path.join(scratchDir('radsift-e2e-dl-'), 'results.csv');
    await (await download).saveAs(file);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(
      'path,sop_instance_uid,series_instance_uid,study_instance_uid,status,error,pneumothorax score,pneumothorax probability,pleural effusion score,pleural effusion probability,flagged,review,threshold,flagged_only',
    );
    // Every row says the threshold its "flagged" is at (the slider's, here the job's own 0.5) and that all rows were
    // written, not only those flagged.
    for (const line of lines.slice(1)) expect(line).toMatch(/,0\.5,0$/);
    const paths = lines.slice(1).map((l) => l.split(',')[0]!);
    expect(paths.sort()).toEqual([...dicom.map((f) => path.join(dir, f)), path.join(dir, 'broken.dcm')].sort());
  });

  test('the state badge does not flicker to "interrupted" while a job starts and runs', async ({ page, bridge }) => {
    // ScreeningService used to store and announce a starting job before counting it as running in this
    // process, so the first screen.job event read "interrupted".
    test.setTimeout(120_000);
    const { dir } = folderToScreen();
    await page.keyboard.press('4');
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { badgeStates: string[] }).badgeStates = seen;
      new MutationObserver(() =>
        document.querySelectorAll('[data-testid="job-state"]').forEach((b) => seen.push(b.textContent ?? '')),
      ).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Choose folder and start…' }).click();
    await expect(page.getByTestId('job-state').first()).toHaveText('done', { timeout: 100_000 });
    const states = await page.evaluate(() => (window as unknown as { badgeStates: string[] }).badgeStates);
    expect(states).toContain('done');
    expect(states).not.toContain('interrupted');
  });

  test('result rows are named by patient and study, not by path; hidden identifiers stay out of rows, viewer and exports', async ({
    page,
    bridge,
  }) => {
    test.setTimeout(240_000);
    const { dir, dicom } = folderToScreen();
    // A broken file in a folder named after a patient: it has no names of its own, and its path and reason must
    // still lose that patient's identifiers.
    const brokenInPatient = path.join(path.dirname(path.join(dir, dicom[0]!)), 'broken-too.dcm');
    writeFileSync(brokenInPatient, 'named like a scan, but not one');
    await page.keyboard.press('4');
    await page.getByRole('textbox', { name: 'Phrases to screen for' }).fill('pneumothorax');
    bridge.dialog.answer([dir]);
    await page.getByRole('button', { name: 'Choose folder and start…' }).click();
    const job = page.getByTestId('screen-job').first();
    await expect(job.getByTestId('job-state')).toHaveText('done', { timeout: 180_000 });
    await job.getByRole('button', { name: 'Results' }).click();
    const rows = page.getByTestId('screen-row');
    await expect(rows).toHaveCount(8);
    const rowOf = (file: string) => rows.filter({ has: page.locator(`button[data-scan-path="${file}"]`) });
    const headers = dicom.map((f) => ({ file: path.join(dir, f), ...headerOf(path.join(dir, f)) }));
    for (const h of headers) {
      const row = rowOf(h.file);
      // "Family, Given · ID" then "date · view · S/I · Acc …": no DICOM ^, no file path.
      await expect(row.getByTestId('scan-patient')).toHaveText(`${h.name} · ${h.id}`);
      await expect(row.getByTestId('scan-study')).toContainText(h.date);
      await expect(row.getByTestId('scan-study')).toContainText(`Acc ${h.accession}`);
      await expect(row.getByTestId('scan-study')).toHaveText(/ · (PA|AP) · S\d\/I1 · /);
      await expect(row).not.toContainText('.dcm');
      await expect(row).not.toContainText('^');
      await expect(row.locator('button.link')).toHaveAttribute('title', h.file);
    }
    // A file that could not be read has no names: its path names it.
    await expect(rowOf(path.join(dir, 'broken.dcm'))).toContainText('broken.dcm');

    // The viewer opened from a row names the scan in its corner, though the folder was never opened in Studies.
    const first = headers[0]!;
    await rowOf(first.file).locator('button.link').click();
    await expect(page.getByTestId('corner-patient')).toContainText(first.name);
    await expect(page.getByTestId('corner-patient')).toContainText(first.id);
    await expect(page.getByTestId('corner-patient')).toContainText(first.date);
    await page.keyboard.press('Escape');

    // Hide identifiers: no patient name, ID or accession in the rows, the viewer or the exports.
    await page.getByRole('checkbox', { name: 'Hide identifiers' }).check();
    const identifiers = headers.flatMap((h) => [h.name.split(', ')[0]!, h.id, h.accession]);
    const table = page.locator('table.results-table');
    for (const h of headers) {
      await expect(rowOf(h.file).getByTestId('scan-patient')).toHaveCount(0);
      await expect(rowOf(h.file).getByTestId('scan-study')).toContainText(h.date);
    }
    const shown =
      (await table.innerText()) +
      (await table.locator('[title]').evaluateAll((els) => els.map((e) => e.getAttribute('title')).join('\n')));
    for (const secret of identifiers) expect(shown).not.toContain(secret);
    await rowOf(first.file).locator('button.link').click();
    await expect(page.getByTestId('corner-patient')).toHaveText(first.date);
    expect(await page.getByTestId('viewer-path').getAttribute('title')).not.toContain(first.id);
    await page.keyboard.press('Escape');

    const saved = async (button: string) => {
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: button }).click();
      const file = path.join(scratchDir('radsift-e2e-dl-'), 'export');
      await (await download).saveAs(file);
      return readFileSync(file, 'utf8');
    };
    const csv = await saved('Export CSV');
    const json = await saved('Export JSON');
    expect(csv.trim().split('\n')).toHaveLength(9);
    expect(csv).toContain('broken-too.dcm');
    for (const secret of identifiers) {
      expect(csv).not.toContain(secret);
      expect(json).not.toContain(secret);
    }
    expect(json).not.toContain('"naming"');
    // The paths stay, with the patient's ID cut out of them (the demo names folders after it).
    expect(csv).toContain(path.join(dir, '[hidden]'));
    expect(csv).toContain(path.join(dir, 'broken.dcm'));
  });

  test('running the same job again: unchanged files are unchanged, a broken file fails again', async ({
    page,
    bridge,
  }) => {
    test.setTimeout(240_000);
    const { dir } = folderToScreen();
    await page.keyboard.press('4');
    await page.getByRole('textbox', { name: 'Phrases to screen for' }).fill('pneumothorax');
    const jobs = await screenRuns(page, bridge, dir, [
      '8 / 8 files · 6 encoded · 0 unchanged · 1 failed · 1 not DICOM (skipped)',
      '8 / 8 files · 0 encoded · 6 unchanged · 1 failed · 1 not DICOM (skipped)',
    ]);
    await jobs.first().getByRole('button', { name: 'Results' }).click();
    await expect(page.getByTestId('screen-row')).toHaveCount(7);
    await expect(page.getByTestId('screen-row').filter({ hasText: 'broken.dcm' })).toContainText('failed: ');
    await expect(page.getByTestId('screen-row').filter({ hasText: 'failed: ' })).toHaveCount(1);
  });

  test('a job says what it skipped: a DICOMDIR and a structured report are no "not DICOM" files', async ({
    page,
    bridge,
  }) => {
    test.setTimeout(240_000);
    // As on a CD: two images under DICOM/ and the DICOMDIR (dcmtk's dcmmkdir) beside them; a report made from an
    // image (dcmodify: its Pixel Data removed, an Enhanced SR's class) and a note.
    const { dir: demo, dicom } = folderToScreen();
    const dir = path.join(scratchDir('radsift-e2e-skipped-'), 'media');
    mkdirSync(path.join(dir, 'DICOM'), { recursive: true });
    for (const [i, f] of dicom.slice(0, 2).entries())
      copyFileSync(path.join(demo, f), path.join(dir, 'DICOM', `IM${i + 1}`));
    execFileSync('dcmmkdir', ['--output-file', 'DICOMDIR', 'DICOM/IM1', 'DICOM/IM2'], { cwd: dir, stdio: 'ignore' });
    const report = path.join(dir, 'report.dcm');
    copyFileSync(path.join(dir, 'DICOM', 'IM1'), report);
    execFileSync('dcmodify', ['-nb', '-ea', '(7fe0,0010)', '-m', '(0008,0016)=1.2.840.10008.5.1.4.1.1.88.22', report], {
      stdio: 'ignore',
    });
    writeFileSync(path.join(dir, 'notes.txt'), 'not a scan');
    await page.keyboard.press('4');
    await page.getByRole('textbox', { name: 'Phrases to screen for' }).fill('pneumothorax');
    // The second run reads what each skipped file is from the index, as the first read it from the file.
    const skipped = '3 skipped: 1 not DICOM, 1 DICOMDIR, 1 not an image (structured report)';
    const jobs = await screenRuns(page, bridge, dir, [
      `5 / 5 files · 2 encoded · 0 unchanged · 0 failed · ${skipped}`,
      `5 / 5 files · 0 encoded · 2 unchanged · 0 failed · ${skipped}`,
    ]);
    await jobs.first().getByRole('button', { name: 'Results' }).click();
    await expect(page.getByTestId('screen-row')).toHaveCount(2);
  });
});
