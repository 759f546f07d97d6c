/**
 * A folder copied from a CD or a PACS export holds a DICOMDIR beside its images: a directory of them, no image of
 * its own. Screening skips it (as the Studies view notes it) instead of failing it with "no Pixel Data" on every
 * run, which made every such folder exit 2. The DICOMDIR is written by dcmtk's dcmmkdir from demo phantoms. So
 * are the objects that hold no image by design (a structured report, a presentation state, a key object
 * selection), made here with dcmtk's dcmodify from a phantom: the same header, no Pixel Data, their SOP class.
 * The count line says what each skipped file is, not "non-DICOM" for them all.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { EXIT } from '../../../electron/cli/command.js';
import { INDEX_FILE } from '../../../electron/index/index-store.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { runCli } from '../../support/cli.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const dcmmkdir = spawnSync('dcmmkdir', ['--version']).error ? 'dcmmkdir (dcmtk) is not installed' : false;

describe('screening a folder with a DICOMDIR', { skip: dcmmkdir }, () => {
  let work: string;
  let media: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-dicomdir-'));
    process.env.RADSIFT_DATA_DIR = path.join(work, 'data');
    const demo = path.join(work, 'demo');
    writeDemo({ dir: demo, count: 3, seed: 6, size: 128 });
    const scans = readFileSync(path.join(demo, 'labels.csv'), 'utf8').trim().split('\n').slice(1);
    // As on a CD: 8-character names in one folder, the DICOMDIR at the top.
    media = path.join(work, 'media');
    await mkdir(path.join(media, 'DICOM'), { recursive: true });
    const names = scans.map((row, i) => {
      copyFileSync(path.join(demo, row.split(',')[0]!), path.join(media, 'DICOM', `IM${i + 1}`));
      return `DICOM/IM${i + 1}`;
    });
    execFileSync('dcmmkdir', ['--output-file', 'DICOMDIR', ...names], { cwd: media, stdio: 'ignore' });
  });
  after(async () => {
    delete process.env.RADSIFT_DATA_DIR;
    await rm(work, { recursive: true, force: true });
  });

  it('skips the DICOMDIR: every image screened, no failure, exit 0', async () => {
    const out = path.join(work, 'r.json');
    const r = await runCli(['screen', media, '--phrases', 'edema', '--out', out], work);
    assert.equal(r.code, EXIT.OK, r.err);
    const result = JSON.parse(readFileSync(out, 'utf8')) as {
      rows: { path: string; status: string }[];
      skipped: string[];
    };
    assert.deepEqual(
      result.rows.map((row) => [path.relative(media, row.path), row.status]),
      [
        ['DICOM/IM1', 'ok'],
        ['DICOM/IM2', 'ok'],
        ['DICOM/IM3', 'ok'],
      ],
    );
    assert.deepEqual(result.skipped, [path.join(media, 'DICOMDIR')]);
    const rerun = await runCli(['screen', media, '--phrases', 'edema', '--out', out], work);
    assert.equal(rerun.code, EXIT.OK, rerun.err);
    // Counted as what it is: a DICOMDIR, not a file that is not DICOM.
    assert.match(rerun.err, /index: 0 encoded, 3 unchanged, 0 failed, 0 pruned; skipped 1 file: 1 DICOMDIR\n/);
  });

  it('skips reports, presentation states and key objects whatever their name; an image without pixels fails', async () => {
    const folder = path.join(work, 'export');
    await mkdir(folder);
    const image = path.join(media, 'DICOM', 'IM1');
    copyFileSync(image, path.join(folder, 'image.dcm'));
    const objects: [name: string, sopClass: string][] = [
      ['report.dcm', '1.2.840.10008.5.1.4.1.1.88.22'], // Enhanced SR
      ['state.dcm', '1.2.840.10008.5.1.4.1.1.11.1'], // Grayscale Softcopy Presentation State
      ['KO000001', '1.2.840.10008.5.1.4.1.1.88.59'], // Key Object Selection
      ['no-pixels.dcm', ''], // the image's own class: broken, not a report
    ];
    for (const [name, sopClass] of objects) {
      const file = path.join(folder, name);
      copyFileSync(image, file);
      // dcmodify writes the file meta's Media Storage SOP Class UID from it.
      const set = sopClass ? ['-m', `(0008,0016)=${sopClass}`] : [];
      execFileSync('dcmodify', ['-nb', '-ea', '(7fe0,0010)', ...set, file], { stdio: 'ignore' });
    }
    const out = path.join(work, 'export.json');
    const r = await runCli(['screen', folder, '--phrases', 'edema', '--out', out], work);
    assert.equal(r.code, EXIT.PARTIAL, r.err);
    const result = JSON.parse(readFileSync(out, 'utf8')) as {
      rows: { path: string; status: string; errorCode?: string }[];
      skipped: string[];
    };
    assert.deepEqual(
      result.rows.map((row) => [path.basename(row.path), row.status]),
      [
        ['image.dcm', 'ok'],
        ['no-pixels.dcm', 'failed'],
      ],
    );
    assert.deepEqual(result.skipped.map((f) => path.basename(f)).sort(), ['KO000001', 'report.dcm', 'state.dcm']);
    assert.match(r.err, /failed: .*no-pixels\.dcm: NO_PIXEL_DATA/);
    assert.match(
      r.err,
      /; skipped 3 files: 3 not images \(key object selection, presentation state, structured report\) → /,
    );
  });

  /** The CD's folder with a note and a structured report beside its images and DICOMDIR. */
  async function mixedFolder(name: string): Promise<string> {
    const folder = path.join(work, name);
    await mkdir(folder);
    for (const name of ['DICOMDIR', 'DICOM'])
      cpSync(path.join(media, name), path.join(folder, name), { recursive: true });
    writeFileSync(path.join(folder, 'notes.txt'), 'not a scan');
    const report = path.join(folder, 'report.dcm');
    copyFileSync(path.join(media, 'DICOM', 'IM1'), report);
    execFileSync('dcmodify', ['-nb', '-ea', '(7fe0,0010)', '-m', '(0008,0016)=1.2.840.10008.5.1.4.1.1.88.22', report], {
      stdio: 'ignore',
    });
    return folder;
  }
  const cli = path.join(PROJECT_ROOT, 'dist', 'electron', 'cli', 'radsift.js');
  const radsift = (...args: string[]) => {
    const r = spawnSync(process.execPath, [cli, ...args], { cwd: work, encoding: 'utf8', env: process.env });
    assert.equal(r.status, EXIT.OK, `${args.join(' ')}: ${r.stderr}`);
    return r.stderr;
  };
  const line = 'skipped 3 files: 1 not DICOM, 1 DICOMDIR, 1 not an image (structured report)';

  it('the count line says what was skipped: not DICOM, a DICOMDIR, a report (each command, run as a process)', async () => {
    const folder = await mixedFolder('mixed');
    const screened = radsift('screen', folder, '--phrases', 'edema', '--out', 'mixed.csv', '--index', 'idx-mixed');
    assert.match(screened, new RegExp(`^index: 3 encoded, 0 unchanged, 0 failed, 0 pruned; ${escape(line)}$`, 'm'));
    assert.match(screened, new RegExp(`^3 files, \\d+ flagged, 0 failed; ${escape(line)} → `, 'm'));
    // The progress lines count them as skipped too, not as "not DICOM" (a DICOMDIR and a report are DICOM).
    assert.match(screened, /^\d+\/\d+ files · .* · 3 skipped · /m);
    assert.doesNotMatch(screened, /not DICOM ·/);
    // A rerun reads what was skipped from the index, and says it the same way.
    const rerun = radsift('screen', folder, '--phrases', 'edema', '--out', 'mixed.csv', '--index', 'idx-mixed');
    assert.match(rerun, new RegExp(`^index: 0 encoded, 3 unchanged, 0 failed, 0 pruned; ${escape(line)}$`, 'm'));
    for (const args of [
      ['matrix', folder, '--phrases', 'edema', '--out', 'mixed-m.csv'],
      ['embed', folder, '--out', 'mixed.npy'],
      ['query', folder, 'edema'],
      ['info', '--header-only', folder],
    ])
      assert.match(radsift(...args), new RegExp(`^${escape(line)}$`, 'm'), args[0]);
  });

  it('an index written before the kind was stored as a code (schema 5: the message only) says the same', async () => {
    const folder = await mixedFolder('mixed-old');
    const index = path.join(work, 'idx-old');
    radsift('screen', folder, '--phrases', 'edema', '--out', 'old.csv', '--index', index);
    // Back to schema 5's format, which kept a skipped file's error code and message only: what RadSift wrote then
    // (the messages are the same words), with no error_detail column.
    const db = new Database(path.join(index, INDEX_FILE));
    const stored = db.prepare("SELECT error_detail FROM scans WHERE error_code = 'NOT_AN_IMAGE' ORDER BY path").all();
    assert.deepEqual(stored, [{ error_detail: 'dicomdir' }, { error_detail: 'structured-report' }]);
    db.exec("ALTER TABLE scans DROP COLUMN error_detail; UPDATE meta SET value = '5' WHERE key = 'schema'");
    db.close();
    // Updated when opened, the kinds come from its messages once; the rerun's count lines (the index's, and the
    // results' read back from it) say the same as a run on a new index.
    const rerun = radsift('screen', folder, '--phrases', 'edema', '--out', 'old.csv', '--index', index);
    assert.match(rerun, new RegExp(`^index: 0 encoded, 3 unchanged, 0 failed, 0 pruned; ${escape(line)}$`, 'm'));
    assert.match(rerun, new RegExp(`^3 files, \\d+ flagged, 0 failed; ${escape(line)} → `, 'm'));
  });
});
