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
    // relative to the list's folder; a comment, a blank line, a CRLF line end and a byte-order mark (before a
    // comment, and before a path) as an editor may leave them
    await writeFile(
      path.join(lists, 'examples.txt'),
      `\uFEFF# pneumothorax, reviewed\n\n${fromLists(doe[0]!)}\r\n${doe[1]}\n`,
    );
    await writeFile(path.join(lists, 'not.txt'), `\uFEFF${fromLists(doe[2]!)}\n`);
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
    // A list saved as UTF-16 (Windows PowerShell 5's ">") is refused by name, not read as garbled paths.
    await writeFile(path.join(lists, 'utf16.txt'), Buffer.from(`\uFEFF${doe[0]}\n`, 'utf16le'));
    const utf16 = await refused('--examples-from', 'lists/utf16.txt');
    assert.equal(utf16.code, 1);
    assert.match(utf16.err, /--examples-from .*utf16\.txt: written as UTF-16; save it as UTF-8/);
    // on the command line a comma always separates paths
    const split = await refused('--examples', fromCwd(doe[0]!));
    assert.equal(split.code, 1);
    assert.match(split.err, /example cases\/DOE does not exist/);
    // a list's line is not taken from the current folder, and is named with its list and line
    await writeFile(path.join(lists, 'cwd.txt'), `# from the current folder: wrong\n${fromCwd(roe[0]!)}\n`);
    const wrongBase = await refused('--examples-from', 'lists/cwd.txt');
    assert.equal(wrongBase.code, 1);
    assert.match(
      wrongBase.err,
      /--examples-from lists\/cwd\.txt: no relative path in it \(1 checked\) exists from the list's folder/,
    );
    // One that names nothing from either folder is named with its list and line.
    await writeFile(path.join(lists, 'gone.txt'), `gone/${path.basename(roe[0]!)}\n`);
    const gone = await refused('--examples-from', 'lists/gone.txt');
    assert.equal(gone.code, 1);
    assert.match(gone.err, /example gone\/\S+ \(lists\/gone\.txt line 1\) does not exist/);
    const noList = await refused('--counter-examples-from', 'lists/none.txt', '--examples', fromCwd(roe[0]!));
    assert.equal(noList.code, 1);
    assert.match(noList.err, /--counter-examples-from \S*lists\/none\.txt: no such file/);
  });

  it('- reads any one list from standard input; every list takes relative paths from its folder, stdin from here', async () => {
    const elsewhere = path.join(work, 'elsewhere');
    await mkdir(elsewhere);
    const fromThere = (files: string[]) => files.map((f) => path.relative(elsewhere, f)).join('\n') + '\n';
    const fromHere = (files: string[]) => files.map((f) => path.relative(work, f)).join('\n') + '\n';
    const index = path.join(work, 'idx-stdin');
    const run = (stdin: string | undefined, ...args: string[]) =>
      runCli(['screen', ...args, '--index', index, '--model-dir', MODEL], work, stdin);
    const read = async (out: string) =>
      JSON.parse(await readFile(out, 'utf8')) as {
        examples: { count: number; counterExamples: number };
        rows: { path: string; example?: boolean; review?: string }[];
      };
    const marked = (rows: { path: string; example?: boolean; review?: string }[]) =>
      rows.flatMap((x) => (x.example ? [[x.path, 'example']] : x.review ? [[x.path, x.review]] : [])).sort();

    // The files from a list in another folder (its lines relative to it); the examples piped, as `find` run here
    // writes them (relative to the current folder), with a comment line.
    await writeFile(path.join(elsewhere, 'files.txt'), fromThere([...roe, ...doe]));
    const one = path.join(work, 'stdin-examples.json');
    const r1 = await run(
      `# picked\n${fromHere([doe[0]!, roe[1]!])}`,
      ...['--files-from', 'elsewhere/files.txt', '--examples-from', '-', '--out', one],
    );
    assert.equal(r1.code, 0, r1.err);
    const j1 = await read(one);
    assert.deepEqual([j1.examples.count, j1.rows.length], [2, 8]);
    assert.deepEqual(
      marked(j1.rows),
      [
        [doe[0]!, 'example'],
        [roe[1]!, 'example'],
      ].sort(),
    );

    // The other way round: the files piped (relative to here), the examples and counter-examples from lists in
    // another folder (relative to it).
    await writeFile(path.join(elsewhere, 'examples.txt'), fromThere([doe[1]!, doe[2]!]));
    await writeFile(path.join(elsewhere, 'not.txt'), fromThere([roe[3]!]));
    const two = path.join(work, 'stdin-files.json');
    const r2 = await run(
      fromHere([...roe, ...doe]),
      ...['--files-from', '-', '--examples-from', 'elsewhere/examples.txt'],
      ...['--counter-examples-from', 'elsewhere/not.txt', '--out', two],
    );
    assert.equal(r2.code, 0, r2.err);
    const j2 = await read(two);
    assert.deepEqual([j2.examples.count, j2.examples.counterExamples, j2.rows.length], [2, 1, 8]);
    assert.deepEqual(
      marked(j2.rows),
      [
        [doe[1]!, 'example'],
        [doe[2]!, 'example'],
        [roe[3]!, 'not'],
      ].sort(),
    );
    // Counter-examples piped too, named by their line of standard input when one cannot be used.
    const r3 = await run(
      `${path.relative(work, roe[0]!)}\nnot-here.dcm\n`,
      ...['cases', '--examples', path.relative(work, roe[2]!), '--counter-examples-from', '-', '--out', two],
    );
    assert.equal(r3.code, 1);
    assert.match(r3.err, /counter-example not-here\.dcm \(standard input line 2\) does not exist/);

    // Standard input feeds one list a run: asking for it twice is refused before anything is read or indexed.
    const refusedIndex = path.join(work, 'idx-refused-stdin');
    for (const [a, b, said] of [
      ['--files-from', '--examples-from', '--files-from - and --examples-from - both ask for it'],
      ['--examples-from', '--counter-examples-from', '--examples-from - and --counter-examples-from - both ask for it'],
      ['--examples-from', '--examples-from', '--examples-from - is given twice'],
    ] as const) {
      const r = await runCli(
        ['screen', 'cases', a, '-', b, '-', '--out', one, '--index', refusedIndex, '--model-dir', MODEL],
        work,
        fromHere([doe[0]!]),
      );
      assert.equal(r.code, 1, r.err);
      assert.ok(r.err.includes(`standard input can feed one list only: ${said}; save the other list in a file`), r.err);
      assert.equal(existsSync(refusedIndex), false, 'nothing indexed');
    }
    const none = await run(undefined, 'cases', '--examples-from', '-', '--out', one);
    assert.equal(none.code, 1);
    assert.match(none.err, /--examples-from -: no standard input/);

    // A list written from the current folder into another (find cases > elsewhere/here.txt): its relative lines
    // name nothing from its own folder. Refused as such before anything is indexed, not read as missing files.
    const stale = path.join(work, 'idx-stale-list');
    await writeFile(path.join(elsewhere, 'here.txt'), fromHere([...roe, ...doe]));
    for (const option of ['--files-from', '--examples-from']) {
      const inputs = option === '--files-from' ? [] : ['cases'];
      const r = await runCli(
        ['screen', ...inputs, option, 'elsewhere/here.txt', '--out', one, '--index', stale, '--model-dir', MODEL],
        work,
      );
      assert.equal(r.code, 1, r.err);
      assert.match(
        r.err,
        new RegExp(
          `${option} elsewhere/here\\.txt: no relative path in it \\(8 checked\\) exists from the list's folder.*pipe it`,
        ),
      );
      assert.equal(existsSync(stale), false, 'nothing indexed');
    }
  });
});
