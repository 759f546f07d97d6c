/**
 * Every model command as a user runs it from a shell: a 64 KB argument list (a glob of a few hundred
 * files; onnxruntime's telemetry crashed the encoder worker on such command lines, see
 * electron/inference/ort-environment.ts) and 5,000 paths through --files-from (a file and standard
 * input). The inputs are a `radsift demo` folder's scans mixed with non-DICOM files, which are
 * skipped and counted, never failures: every run must exit 0.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { walkFiles } from '../../../electron/dicom/catalog.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const CLI = path.join(PROJECT_ROOT, 'dist', 'electron', 'cli', 'radsift.js');
const ARGV_BYTES = 64 * 1024;
const LISTED = 5000;

interface Run {
  pid: number;
  status: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

describe('long command lines and --files-from', () => {
  let work: string;
  let demo: string;
  let scans: string[];
  let notes: string[];
  const cli = (args: string[], input?: string): Run => {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      cwd: work,
      input,
      encoding: 'utf8',
      env: { ...process.env, RADSIFT_DATA_DIR: path.join(work, 'data') },
      maxBuffer: 64 << 20,
    });
    return { pid: r.pid, status: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
  };
  const ok = (r: Run) => {
    assert.equal(r.signal, null, `killed by ${r.signal}: ${r.err.slice(-2000)}`);
    assert.equal(r.status, 0, r.err.slice(-2000));
  };

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'radsift-long-'));
    demo = path.join(work, 'demo');
    writeDemo({ dir: demo, count: 5, seed: 11, size: 256 });
    scans = [];
    for await (const f of walkFiles(demo)) if (f.endsWith('.dcm')) scans.push(f);
    assert.equal(scans.length, 5);
    // Non-DICOM files with long names, as hard links to one small text file: a big command line is cheap.
    const many = path.join(work, 'many');
    mkdirSync(many);
    const note = path.join(work, 'note.txt');
    writeFileSync(note, 'reading notes, not a scan\n');
    notes = Array.from({ length: LISTED }, (_, i) => path.join(many, `note-${i}-${'x'.repeat(140)}.txt`));
    for (const n of notes) linkSync(note, n);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  /** The scans, then non-DICOM files until the arguments take ARGV_BYTES. */
  function longArgs(): { args: string[]; skipped: number } {
    const args = [...scans];
    let bytes = args.reduce((n, a) => n + a.length + 1, 0);
    let skipped = 0;
    while (bytes < ARGV_BYTES) {
      bytes += notes[skipped]!.length + 1;
      args.push(notes[skipped++]!);
    }
    return { args, skipped };
  }

  function listFile(): string {
    const file = path.join(work, 'list.txt');
    writeFileSync(file, [...scans, ...notes.slice(0, LISTED - scans.length)].join('\n') + '\n');
    return file;
  }

  it('embed', () => {
    const { args, skipped } = longArgs();
    assert.ok(args.join(' ').length >= ARGV_BYTES);
    const long = cli(['embed', ...args, '--out', 'a.npy']);
    ok(long);
    const a = JSON.parse(long.out) as { count: number; failed: unknown[]; skipped: string[] };
    assert.deepEqual([a.count, a.failed.length, a.skipped.length], [5, 0, skipped]);
    assert.match(long.err, new RegExp(`skipped ${skipped} non-DICOM files`));
    // onnxruntime's telemetry is off: it no longer leaves a file behind per process.
    assert.equal(existsSync(`/tmp/mat-debug-${long.pid}.log`), false);

    const listed = cli(['embed', '--files-from', listFile(), '--out', 'b.npy']);
    ok(listed);
    const b = JSON.parse(listed.out) as { count: number; skipped: string[] };
    assert.deepEqual([b.count, b.skipped.length], [5, LISTED - 5]);
  });

  it('query (its list on standard input)', () => {
    const { args, skipped } = longArgs();
    const long = cli(['query', ...args, 'pleural effusion', '--json']);
    ok(long);
    assert.deepEqual(
      [
        (JSON.parse(long.out) as { scans: number }).scans,
        (JSON.parse(long.out) as { skipped: string[] }).skipped.length,
      ],
      [5, skipped],
    );
    const listed = cli(['query', '--files-from', '-', 'pleural effusion', '--json'], readFileSync(listFile(), 'utf8'));
    ok(listed);
    const q = JSON.parse(listed.out) as { scans: number; skipped: string[]; failed: unknown[] };
    assert.deepEqual([q.scans, q.skipped.length, q.failed.length], [5, LISTED - 5, 0]);
  });

  it('matrix', () => {
    const { args } = longArgs();
    ok(cli(['matrix', ...args, '--phrases', 'cardiomegaly,pneumothorax', '--out', 'a.csv']));
    ok(cli(['matrix', '--files-from', listFile(), '--phrases', 'cardiomegaly', '--out', 'b.csv']));
    for (const f of ['a.csv', 'b.csv'])
      assert.equal(readFileSync(path.join(work, f), 'utf8').trim().split('\n').length, 1 + 5);
  });

  it('screen', () => {
    const { args, skipped } = longArgs();
    const long = cli(['screen', ...args, '--phrases', 'pleural effusion', '--out', 'a.json', '--index', 'idx-a']);
    ok(long);
    const a = JSON.parse(readFileSync(path.join(work, 'a.json'), 'utf8')) as { rows: unknown[]; skipped: string[] };
    assert.deepEqual([a.rows.length, a.skipped.length], [5, skipped]);
    const listed = cli([
      'screen',
      '--files-from',
      listFile(),
      '--phrases',
      'nodule',
      '--out',
      'b.json',
      '--index',
      'idx-b',
    ]);
    ok(listed);
    const b = JSON.parse(readFileSync(path.join(work, 'b.json'), 'utf8')) as { rows: unknown[]; skipped: string[] };
    assert.deepEqual([b.rows.length, b.skipped.length], [5, LISTED - 5]);
  });

  it('screen: a listed file that does not exist is a failure row with its reason; a file listed twice is one row', () => {
    const list = path.join(work, 'odd-list.txt');
    const gone = path.join(work, 'gone', 'IM9.dcm');
    writeFileSync(list, [scans[0], scans[0], scans[1], gone].join('\n'));
    const r = cli(['screen', '--files-from', list, '--phrases', 'nodule', '--out', 'odd.json', '--index', 'idx-odd']);
    assert.equal(r.signal, null);
    assert.equal(r.status, 2, r.err);
    assert.match(r.err, /failed: .*gone\/IM9\.dcm: no such file/);
    const out = JSON.parse(readFileSync(path.join(work, 'odd.json'), 'utf8')) as {
      rows: { path: string; status: string; error: string | null }[];
    };
    assert.deepEqual(
      out.rows.map((row) => [row.path, row.status, row.error]),
      [
        [scans[0], 'ok', null],
        [scans[1], 'ok', null],
        [gone, 'failed', 'no such file'],
      ],
    );
  });

  it('eval', () => {
    const labels = path.join(demo, 'labels.csv');
    const { args } = longArgs();
    const long = cli(['eval', ...args, '--labels', labels, '--json']);
    ok(long);
    const listed = cli(['eval', '--files-from', listFile(), '--labels', labels, '--json']);
    ok(listed);
    for (const r of [long, listed]) assert.equal((JSON.parse(r.out) as { failed: unknown[] }).failed.length, 0);
  });

  it('a demo folder as it is: masks, labels and reports are skipped, not failures', () => {
    const r = cli(['query', demo, 'cardiomegaly', '--json']);
    ok(r);
    const q = JSON.parse(r.out) as { scans: number; skipped: string[]; failed: unknown[] };
    const sidecars = readdirSync(path.join(demo, 'masks'), { recursive: true }).filter((f) =>
      String(f).endsWith('.png'),
    ).length;
    assert.deepEqual([q.scans, q.failed.length], [5, 0]);
    assert.equal(q.skipped.length, sidecars + 2); // the masks, labels.csv and reports.jsonl
  });

  it('a text longer than the model context is cut to it, and says so', () => {
    const text = 'small left pleural effusion '.repeat(1100); // 30 KB of real words
    const r = cli(['embed', '--text', text, '--text', 'no pneumothorax', '--out', 't.npy']);
    ok(r);
    assert.deepEqual((JSON.parse(r.out) as { truncated: number[] }).truncated, [0]);
    assert.match(r.err, /text 1 \(30800 characters\) was cut to the model's context/);
  });

  it('query says whether the model knows the phrase: "banana" is flagged, a finding and its synonym are not', () => {
    const known = (phrase: string) => {
      const r = cli(['query', demo, phrase, '--json', '--top', '1']);
      ok(r);
      return JSON.parse(r.out) as {
        familiarity: { known: boolean; reason: string | null; nearest: { finding: string } };
      };
    };
    const banana = known('banana');
    assert.equal(banana.familiarity.known, false);
    assert.match(banana.familiarity.reason!, /new to the model \(banana\)/);
    for (const [phrase, finding] of [
      ['pleural effusion', 'pleural_effusion'],
      ['enlarged heart', 'cardiomegaly'],
    ]) {
      const f = known(phrase!).familiarity;
      assert.equal(f.known, true, phrase);
      assert.equal(f.nearest.finding, finding);
    }
    const text = cli(['query', demo, 'banana']);
    assert.match(text.out, /warning: the model does not know "banana" well/);
  });
});
