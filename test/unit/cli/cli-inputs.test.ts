/**
 * Bad or odd command-line input gets a clear refusal before any work, never a quiet wrong result: found by
 * exercising the CLI as a researcher would (help on every command, an empty or zero option value, an index
 * that is not there, an output name that lies about its format, labels that match no input, a folder's masks
 * and tables met by `info`, relative paths under `npm run radsift`).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { parsePrevalence } from '../../../electron/phantom/findings.js';
import { DEFAULT_MODEL_ID } from '../../../electron/api/model-service.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { runCli } from '../../support/cli.js';
import { PROJECT_ROOT } from '../../support/paths.js';
import { csvCell } from '../../../electron/util/csv.js';

describe('radsift: bad input refused up front', () => {
  let work: string;
  let scans: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-cli-inputs-'));
    process.env.RADSIFT_DATA_DIR = path.join(work, 'data');
    scans = path.join(work, 'scans');
    writeDemo({ dir: scans, count: 4, seed: 3, size: 128 });
  });
  after(async () => {
    delete process.env.RADSIFT_DATA_DIR;
    await rm(work, { recursive: true, force: true });
  });

  it('--help on any command prints its usage; help on an unknown one is an error', async () => {
    for (const name of ['screen', 'query', 'eval', 'info']) {
      const r = await runCli([name, '--help'], work);
      assert.equal(r.code, 0, `${name}: ${r.err}`);
      assert.match(r.out, new RegExp(`radsift ${name}`));
    }
    const bogus = await runCli(['help', 'bogus'], work);
    assert.equal(bogus.code, 1);
    assert.match(bogus.err, /unknown command "bogus"/);
  });

  it('screen: a batch that is not a count, an empty threshold, a missing example or output folder', async () => {
    const index = path.join(work, 'idx');
    const screen = (...extra: string[]) =>
      runCli(
        ['screen', scans, '--phrases', 'pneumothorax', '--out', path.join(work, 'r.csv'), '--index', index, ...extra],
        work,
      );
    for (const batch of ['0', '-5', 'abc', '1.5', '']) {
      const r = await screen(`--batch=${batch}`);
      assert.equal(r.code, 1, `--batch ${batch}`);
      assert.match(r.err, /--batch must be a whole number from 1 to 256/);
    }
    for (const threshold of ['', ' ']) {
      const r = await screen(`--threshold=${threshold}`);
      assert.equal(r.code, 1);
      assert.match(r.err, /--threshold must be between 0 and 1/);
    }
    const missing = await screen('--examples', path.join(work, 'nowhere.dcm'));
    assert.equal(missing.code, 1);
    assert.match(missing.err, /example .*nowhere\.dcm does not exist/);
    const outDir = await runCli(
      ['screen', scans, '--phrases', 'pneumothorax', '--out', path.join(work, 'no', 'r.csv'), '--index', index],
      work,
    );
    assert.equal(outDir.code, 1);
    assert.match(outDir.err, /--out: the folder .* does not exist/);
    // Refused before anything was indexed: no index was made.
    assert.equal(existsSync(index), false);
  });

  it('screen --index-only with an option for results it never writes (--out, --examples, …) is refused', async () => {
    const index = path.join(work, 'idx-index-only');
    const example = path.join(
      scans,
      (await readFile(path.join(scans, 'labels.csv'), 'utf8')).split('\n')[1]!.split(',')[0]!,
    );
    for (const [extra, named] of [
      [['--out', path.join(work, 'r.csv')], '--out'],
      [['--examples', example], '--examples'],
      [['--threshold', '0.9', '--hide-identifiers'], '--threshold, --hide-identifiers'],
    ] as const) {
      const r = await runCli(['screen', scans, '--index-only', '--index', index, '--phrases', 'edema', ...extra], work);
      assert.equal(r.code, 1, r.err);
      assert.match(r.err, new RegExp(`--index-only writes no results, so ${named} would do nothing`));
    }
    assert.equal(existsSync(path.join(work, 'r.csv')), false);
    assert.equal(existsSync(index), false);
  });

  it('a --model-dir that is not there, not a folder or not a model: exit 1 before any work', async () => {
    const index = path.join(work, 'idx-model-dir');
    const cases: [string, RegExp][] = [
      [path.join(work, 'nowhere'), /--model-dir .*nowhere: no such folder/],
      [path.join(scans, 'labels.csv'), /--model-dir .*labels\.csv: not a folder/],
      [scans, /--model-dir: .*scans is not a model folder RadSift knows/],
    ];
    for (const [dir, message] of cases)
      for (const args of [
        ['screen', scans, '--phrases', 'edema', '--out', path.join(work, 'r.csv'), '--index', index],
        ['query', scans, 'edema'],
        ['embed', scans, '--out', path.join(work, 'e.npy')],
      ]) {
        const r = await runCli([...args, '--model-dir', dir], work);
        assert.equal(r.code, 1, `${args[0]} --model-dir ${dir}: ${r.err}`);
        assert.match(r.err, message);
      }
    assert.equal(existsSync(index), false);
  });

  it('demo: a prevalence without a value or a name, or a folder that is not empty, is refused', async () => {
    for (const bad of ['rib_fracture=', '=0.3', 'rib_fracture=0.2=9'])
      assert.throws(() => parsePrevalence(bad), /is not finding=prevalence/, bad);
    assert.equal(parsePrevalence('rib_fracture=0.2, ').rib_fracture, 0.2);
    const r = await runCli(['demo', path.join(work, 'd'), '--count', '2', '--prevalence', 'rib_fracture='], work);
    assert.equal(r.code, 1);
    assert.match(r.err, /not finding=prevalence/);
    // a second set written over the first would leave labels for only part of the scans
    const over = await runCli(['demo', scans, '--count', '2', '--seed', '9'], work);
    assert.equal(over.code, 1);
    assert.match(over.err, /is not empty: choose a new folder/);
    // one stopped before its end (no labels.csv yet) says so
    const stopped = path.join(work, 'stopped-demo');
    mkdirSync(stopped);
    writeFileSync(path.join(stopped, 'IM0001.dcm'), 'a phantom written before the stop');
    const again = await runCli(['demo', stopped, '--count', '2'], work);
    assert.equal(again.code, 1);
    assert.match(again.err, /holds no labels\.csv \(a demo run stopped before its end leaves it so\): delete it/);
  });

  it('query --index: no index there is an error that creates none; a folder beside it is refused', async () => {
    const none = path.join(work, 'no-index');
    const r = await runCli(['query', '--index', none, 'rib fracture'], work);
    assert.equal(r.code, 1);
    assert.match(r.err, /holds no RadSift index/);
    assert.equal(existsSync(none), false);
    const both = await runCli(['query', '--index', none, scans, 'rib fracture'], work);
    assert.equal(both.code, 1);
    assert.match(both.err, /give the phrase alone/);
    // an empty folder: nothing to rank, said so, rather than "the closest ones follow" over an empty table
    const empty = path.join(work, 'empty');
    await mkdir(empty);
    const nothing = await runCli(['query', empty, 'rib fracture'], work);
    assert.equal(nothing.code, 0, nothing.err);
    assert.match(nothing.out, /no scan to rank/);
    assert.doesNotMatch(nothing.out, /closest ones follow/);
  });

  it('models --no-load still marks the model that would be used', async () => {
    const r = await runCli(['models', '--no-load'], work);
    assert.equal(r.code, 0, r.err);
    const marked = r.out.split('\n').filter((l) => l.startsWith('* '));
    assert.equal(marked.length, 1, r.out);
    assert.match(marked[0]!, new RegExp(`^\\* ${DEFAULT_MODEL_ID} `));
  });

  it('embed writes NumPy arrays, so an output named .csv or .json is refused', async () => {
    for (const name of ['e.csv', 'e.json', 'e']) {
      const r = await runCli(['embed', scans, '--out', path.join(work, name)], work);
      assert.equal(r.code, 1, `${name}: ${r.err}`);
      assert.match(r.err, /--out must end in \.npy/);
      assert.equal(existsSync(path.join(work, name)), false);
    }
  });

  it('embed --text needs a phrase, as every command does: an empty or punctuation-only text is refused', async () => {
    for (const text of ['', '   ', '...']) {
      const r = await runCli(['embed', '--text', 'nodule', '--text', text, '--out', path.join(work, 't.npy')], work);
      assert.equal(r.code, 1, `"${text}": ${r.err}`);
      assert.match(r.err, /is not a phrase: it needs a letter or digit/);
      assert.equal(existsSync(path.join(work, 't.npy')), false);
    }
  });

  it('matrix writes CSV, so an output named .json is refused', async () => {
    const r = await runCli(['matrix', scans, '--phrases', 'pneumothorax', '--out', path.join(work, 'm.json')], work);
    assert.equal(r.code, 1);
    assert.match(r.err, /--out must end in \.csv/);
  });

  it('eval: labels that name none of the inputs are an error; a folder given through a link is matched', async () => {
    const other = path.join(work, 'other');
    writeDemo({ dir: other, count: 2, seed: 4, size: 128 });
    const r = await runCli(['eval', other, '--labels', path.join(scans, 'labels.csv')], work);
    assert.equal(r.code, 1);
    assert.match(r.err, /none of the 4 scans labels\.csv labels is among the inputs/);
    const link = path.join(work, 'link');
    await symlink(scans, link);
    const linked = await runCli(['eval', link, '--labels', path.join(scans, 'labels.csv'), '--json'], work);
    assert.equal(linked.code, 0, linked.err);
    assert.equal((JSON.parse(linked.out) as { scans: number }).scans, 4);
  });

  it('eval: labels.csv is read as CSV: a path with a comma, quoted, names its scan', async () => {
    const comma = path.join(work, 'DOE, JANE');
    await cp(scans, comma, { recursive: true });
    const [head, ...rows] = (await readFile(path.join(scans, 'labels.csv'), 'utf8')).trim().split('\n');
    const quoted = rows.map((r) => {
      const [file, ...labels] = r.split(',');
      return [csvCell(`DOE, JANE/${file}`), ...labels].join(',');
    });
    const labels = path.join(work, 'labels-comma.csv');
    await writeFile(labels, [head, ...quoted].join('\r\n') + '\r\n');
    const r = await runCli(['eval', comma, '--labels', labels, '--json'], work);
    assert.equal(r.code, 0, r.err);
    assert.equal((JSON.parse(r.out) as { scans: number }).scans, 4);
  });

  it('info on a demo folder skips its masks, labels and reports instead of failing on them', async () => {
    const r = await runCli(['info', '--header-only', scans], work);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /skipped \d+ non-DICOM files/);
    const described = JSON.parse(r.out) as { file: string }[];
    assert.equal(described.length, 4);
    // Progress on stderr (a folder of full-size scans takes minutes), ending on the final count: every file met.
    const skipped = Number(/skipped (\d+) non-DICOM files/.exec(r.err)![1]);
    const lines = r.err
      .split(/[\r\n]/) // a terminal's progress is rewritten in place
      .map((l) => l.replace('\x1b[K', ''))
      .filter((l) => l.startsWith('read '));
    assert.equal(lines.at(-1), `read ${4 + skipped} files · 0 with errors · ${skipped} skipped`, r.err);
    assert.ok(
      described.every((d) => d.file.endsWith('.dcm') || !path.extname(d.file)),
      JSON.stringify(described),
    );
    // As the README says: info's JSON is the summaries alone, an array here (no `skipped` list: there is no room for
    // one), and a file it would skip is described, with its reason, when named.
    assert.ok(Array.isArray(described));
    const named = await runCli(['info', '--header-only', path.join(scans, 'labels.csv')], work);
    assert.equal(named.code, 0, named.err);
    assert.equal((JSON.parse(named.out) as { errors: { code: string }[] }).errors[0]!.code, 'NOT_DICOM');
  });

  it('under `npm run radsift`, relative paths mean the folder it was typed in', async () => {
    const sub = path.join(work, 'typed-here');
    await mkdir(sub);
    const rel = path.relative(sub, path.join(scans, 'labels.csv'));
    const cli = path.join(PROJECT_ROOT, 'dist', 'electron', 'cli', 'radsift.js');
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'info', '--header-only', rel], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, npm_lifecycle_event: 'radsift', INIT_CWD: sub },
    }).catch((e: { stdout: string }) => e);
    assert.match(stdout, /NOT_DICOM/, 'the file was found (and described as not DICOM), not missing');
  });
});
