/**
 * `radsift screen`'s example files: one that cannot be decoded is refused, by the name it was given, before
 * anything is indexed (not after a whole folder's run).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeDemo } from '../../../electron/phantom/export.js';
import { runCli } from '../../support/cli.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const MODEL = path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt');

/** The demo's scans under `dir`, sorted. */
async function scansIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.dcm') && !e.parentPath.includes('masks'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

describe('radsift screen: example files', () => {
  let work: string;
  let cases: string;
  let roe: string[];
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-example-files-'));
    process.env.RADSIFT_DATA_DIR = path.join(work, 'data');
    cases = path.join(work, 'cases');
    writeDemo({ dir: path.join(cases, 'ROE'), count: 4, seed: 12, size: 256 });
    roe = await scansIn(path.join(cases, 'ROE'));
    assert.equal(roe.length, 4);
    // Cut in half: the DICM prefix and header are there, the pixel data is not.
    const whole = await readFile(roe[0]!);
    await mkdir(path.join(work, 'bad'));
    await writeFile(path.join(work, 'bad', 'half.dcm'), whole.subarray(0, whole.length >> 1));
  });
  after(async () => {
    delete process.env.RADSIFT_DATA_DIR;
    await rm(work, { recursive: true, force: true });
  });

  it('a truncated example or counter-example is refused by its given name before any indexing', async () => {
    const index = path.join(work, 'idx-refused');
    const out = path.join(work, 'refused.csv');
    const screen = (...extra: string[]) =>
      runCli(
        ['screen', cases, '--phrases', 'pneumothorax', '--out', out, '--index', index, '--model-dir', MODEL, ...extra],
        work,
      );
    for (const [option, what] of [
      ['--examples', 'example'],
      ['--counter-examples', 'counter-example'],
    ] as const) {
      const extra =
        option === '--examples' ? [option, `${roe[1]},bad/half.dcm`] : ['--examples', roe[1]!, option, 'bad/half.dcm'];
      const r = await screen(...extra);
      assert.equal(r.code, 1, r.err);
      assert.match(r.err, new RegExp(`radsift screen: ${what} bad/half\\.dcm cannot be used: \\S`), r.err);
      // a file, not the arguments' form, is at fault: no usage text; and nothing was indexed
      assert.doesNotMatch(r.err, /usage:/);
      assert.doesNotMatch(r.err, /files · |^index: /m);
      assert.equal(existsSync(index), false, 'no index was made');
      assert.equal(existsSync(out), false, 'no output was written');
    }
  });
});
