/**
 * `radsift screen` over folders whose entries a walk meets but cannot take by name: a file whose name is not
 * valid UTF-8 (a Latin-1 name on a Linux disk) is a failed row saying why, not a file gone without a trace; a
 * link the walk does not follow keeps what the index holds by its name (screening the parent pruned it), and
 * those rows are the linked folder's, not the parent's.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { catalogFolder } from '../../../electron/dicom/catalog.js';
import { summarizeFile } from '../../../electron/dicom/summary.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { UNREADABLE_NAME } from '../../../electron/dicom/errors.js';
import { runCli } from '../../support/cli.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const MODEL = path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt');

describe('radsift screen: names a walk cannot take', () => {
  let work: string;
  let demo: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-file-names-'));
    process.env.RADSIFT_DATA_DIR = path.join(work, 'data');
    demo = path.join(work, 'demo');
    writeDemo({ dir: demo, count: 2, seed: 21, size: 256 });
  });
  after(async () => {
    delete process.env.RADSIFT_DATA_DIR;
    await rm(work, { recursive: true, force: true });
  });
  /** `radsift screen <folder> --phrases pneumothorax` into `out`, with the small model. */
  const screen = (folder: string, out: string, index: string) =>
    runCli(['screen', folder, '--phrases', 'pneumothorax', '--out', out, '--index', index, '--model-dir', MODEL], work);
  const scans = async (dir: string) =>
    (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile() && e.name.endsWith('.dcm') && !e.parentPath.includes('masks'))
      .map((e) => path.join(e.parentPath, e.name))
      .sort();

  /** A folder of "ok.dcm" and, in Latin-1, "café.dcm" and "cafè.dcm": each accent one byte that is no UTF-8. */
  const latinFolder = async (name: string) => {
    const [a, b] = await scans(demo);
    const folder = path.join(work, name);
    mkdirSync(folder);
    copyFileSync(a!, path.join(folder, 'ok.dcm'));
    const latin1 = (byte: number) =>
      Buffer.concat([Buffer.from(path.join(folder, 'caf')), Buffer.from([byte, 0x2e, 0x64, 0x63, 0x6d])]);
    copyFileSync(b!, latin1(0xe9));
    copyFileSync(b!, latin1(0xe8));
    return folder;
  };

  // macOS (APFS) refuses such names; Linux keeps the bytes as written.
  it(
    'a file named in another encoding is a failed row that says why',
    { skip: process.platform !== 'linux' },
    async () => {
      // Both names read the same ("caf\uFFFD.dcm"): one failed row for the two, not a crash.
      const folder = await latinFolder('latin');
      const out = path.join(work, 'latin.json');
      const r = await screen(folder, out, path.join(work, 'idx'));
      assert.equal(r.code, 2, 'some input failed');
      const json = JSON.parse(await readFile(out, 'utf8')) as {
        rows: { path: string; status: string; error: string | null }[];
      };
      assert.deepEqual(
        json.rows.map((x) => [path.basename(x.path), x.status, x.error]),
        [
          ['caf\uFFFD.dcm', 'failed', UNREADABLE_NAME],
          ['ok.dcm', 'ok', null],
        ],
      );
    },
  );

  it(
    'query, info and the Studies view say the same of it, and no reason repeats the path',
    { skip: process.platform !== 'linux' },
    async () => {
      const folder = await latinFolder('latin-views');
      const odd = path.join(folder, 'caf\uFFFD.dcm');
      // A folder named so: the walk cannot open it by the name read either.
      const oddFolder = Buffer.concat([Buffer.from(path.join(folder, 'r')), Buffer.from([0xe9])]);
      mkdirSync(oddFolder);
      copyFileSync(path.join(folder, 'ok.dcm'), Buffer.concat([oddFolder, Buffer.from('/IM1.dcm')]));
      const query = await runCli(['query', folder, 'pneumothorax', '--json', '--model-dir', MODEL], work);
      assert.equal(query.code, 2, 'some input failed');
      const failed = (JSON.parse(query.out) as { failed: { path: string; reason: string }[] }).failed;
      assert.deepEqual(failed.map((f) => [f.path, f.reason]).sort(), [
        [odd, UNREADABLE_NAME],
        [odd, UNREADABLE_NAME],
        [path.join(folder, 'r\uFFFD'), UNREADABLE_NAME],
      ]);
      const info = await runCli(['info', folder, '--header-only'], work);
      const summaries = JSON.parse(info.out) as { file: string; errors: { message: string }[] }[];
      assert.deepEqual(
        summaries.filter((x) => x.file === odd).map((x) => x.errors.map((e) => e.message)),
        [[UNREADABLE_NAME], [UNREADABLE_NAME]],
      );
      const catalog = await catalogFolder(folder);
      assert.deepEqual(catalog.failed.map((f) => [f.path, f.reason]).sort(), [
        [odd, UNREADABLE_NAME],
        [odd, UNREADABLE_NAME],
        [path.join(folder, 'r\uFFFD'), UNREADABLE_NAME],
      ]);
      assert.equal(catalog.patients.length, 1, 'ok.dcm is listed');
      // Any other file that cannot be opened: the reason without libuv's quoted path.
      const gone = await summarizeFile(path.join(folder, 'gone.dcm'), 0);
      assert.deepEqual(
        gone.errors.map((e) => e.message),
        ['cannot read file: no such file or directory (ENOENT)'],
      );
    },
  );

  it('a linked subfolder screened by its name keeps its rows when its parent is screened', async () => {
    const [a, b] = await scans(demo);
    const parent = path.join(work, 'parent');
    const target = path.join(work, 'elsewhere');
    mkdirSync(parent);
    mkdirSync(target);
    copyFileSync(a!, path.join(parent, 'own.dcm'));
    copyFileSync(b!, path.join(target, 'linked.dcm'));
    symlinkSync(target, path.join(parent, 'link'));
    const index = path.join(work, 'idx-links');
    const screenInto = (folder: string) => screen(folder, path.join(work, 'links.csv'), index);
    const counts = (err: string) =>
      /index: (\d+) encoded, (\d+) unchanged, (\d+) failed, (\d+) pruned/.exec(err)!.slice(1).map(Number);
    const rows = async () =>
      (await readFile(path.join(work, 'links.csv'), 'utf8'))
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => path.relative(work, line.split(',')[0]!));
    const byLink = await screenInto(path.join(parent, 'link'));
    assert.deepEqual(counts(byLink.err), [1, 0, 0, 0], byLink.err);
    assert.deepEqual(await rows(), [path.join('parent', 'link', 'linked.dcm')]);
    const byParent = await screenInto(parent);
    assert.equal(byParent.code, 0, byParent.err);
    assert.deepEqual(counts(byParent.err), [1, 0, 0, 0], 'its own file encoded, nothing pruned');
    assert.deepEqual(await rows(), [path.join('parent', 'own.dcm')], "the link's rows are not the parent's");
    const again = await screenInto(path.join(parent, 'link'));
    assert.deepEqual(counts(again.err), [0, 1, 0, 0], 'the linked folder still indexed: nothing to encode again');
    assert.deepEqual(await rows(), [path.join('parent', 'link', 'linked.dcm')]);
  });
});
