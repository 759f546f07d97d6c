import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARTIFACTS, expect, fixtureModel, test } from './fixtures';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A folder of 6 phantoms (DICOM only) and one file that is not DICOM. */
function folderToScreen(): { dir: string; dicom: string[] } {
  const work = mkdtempSync(path.join(tmpdir(), 'radsift-e2e-screen-'));
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
    await job.getByRole('button', { name: 'Results' }).click();
    await expect(page.getByTestId('screen-row')).toHaveCount(7);
    await expect(page.getByTestId('screen-row').filter({ hasText: 'broken.dcm' })).toContainText('failed: ');
    await expect(page.getByTestId('screen-row').filter({ hasText: 'notes.txt' })).toHaveCount(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'screening.png') });

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'radsift-e2e-dl-')), 'results.csv');
    await (await download).saveAs(file);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(
      'path,sop_instance_uid,series_instance_uid,study_instance_uid,status,error,pneumothorax score,pneumothorax probability,pleural effusion score,pleural effusion probability,flagged',
    );
    const paths = lines.slice(1).map((l) => l.split(',')[0]!);
    expect(paths.sort()).toEqual([...dicom.map((f) => path.join(dir, f)), path.join(dir, 'broken.dcm')].sort());
  });
});
