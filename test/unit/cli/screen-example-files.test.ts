/**
 * `radsift screen`'s example files: one that cannot be decoded is refused, by the name it was given, before
 * anything is indexed (not after a whole folder's run); a path with a comma (a folder named "DOE, JANE") is
 * given through a list file, and the options add up when repeated.
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
  let doe: string[];
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-example-files-'));
    process.env.RADSIFT_DATA_DIR = path.join(work, 'data');
    cases = path.join(work, 'cases');
    writeDemo({ dir: path.join(cases, 'ROE'), count: 4, seed: 12, size: 256 });
    roe = await scansIn(path.join(cases, 'ROE'));
    writeDemo({ dir: path.join(cases, 'DOE, JANE'), count: 4, seed: 11, size: 256 });
    doe = await scansIn(path.join(cases, 'DOE, JANE'));
    assert.equal(roe.length + doe.length, 8);
    // Cut in half: the DICM prefix and header are there, the pixel data is not.
    const whole = await readFile(roe[0]!);
    await mkdir(path.join(work, 'bad'));
    await writeFile(path.join(work, 'bad', 'half.dcm'), whole.subarray(0, whole.length >> 1));
  });
  after(async () => {
    delete process.env.RADSIFT_DATA_DIR;
    await rm(work, { recursive: true, force: true });
  });
  /** `radsift screen cases …` typed in the work folder, with the small model, into the index `index`. */
  const screen = (index: string, ...args: string[]) =>
    runCli(['screen', 'cases', ...args, '--index', path.join(work, index), '--model-dir', MODEL], work);

  it('a truncated example or counter-example is refused by its given name before any indexing', async () => {
    const out = path.join(work, 'refused.csv');
    for (const [option, what] of [
      ['--examples', 'example'],
      ['--counter-examples', 'counter-example'],
    ] as const) {
      const extra =
        option === '--examples' ? [option, `${roe[1]},bad/half.dcm`] : ['--examples', roe[1]!, option, 'bad/half.dcm'];
      const r = await screen('idx-refused', '--phrases', 'pneumothorax', '--out', out, ...extra);
      assert.equal(r.code, 1, r.err);
      assert.match(r.err, new RegExp(`radsift screen: ${what} bad/half\\.dcm cannot be used: \\S`), r.err);
      // a file, not the arguments' form, is at fault: no usage text; and nothing was indexed
      assert.doesNotMatch(r.err, /usage:/);
      assert.doesNotMatch(r.err, /files · |^index: /m);
      assert.equal(existsSync(path.join(work, 'idx-refused')), false, 'no index was made');
      assert.equal(existsSync(out), false, 'no output was written');
    }
  });

  it('a path with a comma comes through --examples-from and --counter-examples-from; --examples adds up', async () => {
    const lists = path.join(work, 'lists');
    await mkdir(lists);
    const fromLists = (file: string) => path.relative(lists, file);
    // relative to the list's folder; a comment, a blank line and a CRLF line end as an editor may leave them
    await writeFile(
      path.join(lists, 'examples.txt'),
      `# pneumothorax, reviewed\n\n${fromLists(doe[0]!)}\r\n${doe[1]}\n`,
    );
    await writeFile(path.join(lists, 'not.txt'), `${fromLists(doe[2]!)}\n`);
    const out = path.join(work, 'lists.json');
    const fromCwd = (file: string) => path.relative(work, file);
    const r = await screen(
      'idx',
      ...['--examples-from', 'lists/examples.txt', '--counter-examples-from', 'lists/not.txt', '--out', out],
      ...['--examples', fromCwd(roe[1]!), '--examples', `${fromCwd(roe[2]!)},${fromCwd(roe[3]!)}`],
    );
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(await readFile(out, 'utf8')) as {
      examples: { count: number; counterExamples: number };
      rows: { path: string; example?: boolean; review?: string }[];
    };
    assert.deepEqual([json.examples.count, json.examples.counterExamples, json.rows.length], [5, 1, 8]);
    assert.deepEqual(
      json.rows
        .filter((x) => x.example)
        .map((x) => x.path)
        .sort(),
      [doe[0]!, doe[1]!, ...roe.slice(1)].sort(),
    );
    assert.deepEqual(
      json.rows.filter((x) => x.review).map((x) => [x.path, x.review]),
      [[doe[2]!, 'not']],
    );

    const refused = (...extra: string[]) => screen('idx', '--phrases', 'pneumothorax', '--out', out, ...extra);
    // on the command line a comma always separates paths
    const split = await refused('--examples', fromCwd(doe[0]!));
    assert.equal(split.code, 1);
    assert.match(split.err, /example cases\/DOE does not exist/);
    // a list's line is not taken from the current folder, and is named with its list and line
    await writeFile(path.join(lists, 'cwd.txt'), `# from the current folder: wrong\n${fromCwd(roe[0]!)}\n`);
    const wrongBase = await refused('--examples-from', 'lists/cwd.txt');
    assert.equal(wrongBase.code, 1);
    assert.match(wrongBase.err, /example cases\/ROE\/\S+ \(lists\/cwd\.txt line 2\) does not exist/);
    const noList = await refused('--counter-examples-from', 'lists/none.txt', '--examples', fromCwd(roe[0]!));
    assert.equal(noList.code, 1);
    assert.match(noList.err, /--counter-examples-from \S*lists\/none\.txt: no such file/);
  });
});
