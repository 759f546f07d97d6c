/**
 * Output files are written aside and renamed into place (util/durable-file.ts), never written over the previous
 * one in place: a run that fails while writing (a full disk, a kill, Ctrl+C) leaves the previous good file, not
 * one cut short.
 *
 * Two checks. A write that fails for real: the file-size limit (`ulimit -f`, RLIMIT_FSIZE, which binds root too)
 * makes the output's write fail with EFBIG partway, as a full disk would; written in place, the old file was
 * truncated and cut short. The commands that load nothing big write little else (the data folder's small JSON).
 * `screen` also writes its index, whose pages lie beyond any such limit, so it is checked the second way, as are
 * the others: a hard link to the old file keeps the old contents after a rerun (the output is a new file, renamed
 * over the name; written in place, the link would show the new text), and no aside file is left. An aside file a
 * killed run left (kill -9 while it wrote) is removed by the next run of any command writing that output. An
 * output named through a symbolic link is written to the link's target, and the link stays.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeDemo } from '../../../electron/phantom/export.js';
import { runCli } from '../../support/cli.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const CLI = path.join(PROJECT_ROOT, 'dist', 'electron', 'cli', 'radsift.js');
/** The file-size limit of the failing runs, in 1024-byte blocks: below every output written here. */
const LIMIT_BLOCKS = 2;

describe('radsift: outputs replaced whole', () => {
  let work: string;
  let demo: string;
  let scan: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-output-files-'));
    process.env.RADSIFT_DATA_DIR = path.join(work, 'data');
    demo = path.join(work, 'demo');
    writeDemo({ dir: demo, count: 12, seed: 5, size: 128 });
    const first = readFileSync(path.join(demo, 'labels.csv'), 'utf8').split('\n')[1]!;
    scan = path.join(demo, first.split(',')[0]!);
  });
  after(async () => {
    delete process.env.RADSIFT_DATA_DIR;
    await rm(work, { recursive: true, force: true });
  });

  const asideFiles = () => readdirSync(work).filter((f) => f.endsWith('.tmp'));
  const run = async (args: string[]) => {
    const r = await runCli(args, work);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
  };

  // Each output written twice, with other contents the second time.
  const outputs = (): { out: string; first: string[]; second: string[] }[] => [
    {
      out: 'm.csv',
      first: [
        'matrix',
        demo,
        '--phrases',
        'nodule,edema,pneumothorax,cardiomegaly,atelectasis,consolidation',
        '--out',
        'm.csv',
      ],
      second: ['matrix', demo, '--phrases', 'nodule', '--out', 'm.csv'],
    },
    {
      out: 'roc.csv',
      first: ['eval', demo, '--labels', path.join(demo, 'labels.csv'), '--roc', 'roc.csv'],
      second: ['eval', demo, '--labels', path.join(demo, 'labels.csv'), '--roc', 'roc.csv', '--findings', 'edema'],
    },
    {
      out: 'e.npy',
      first: ['embed', demo, '--out', 'e.npy'],
      second: ['embed', '--text', 'nodule', '--out', 'e.npy'],
    },
    {
      out: 'd.npy',
      first: ['decode', scan, '--out', 'd.npy'],
      second: ['decode', scan, '--values', 'display', '--out', 'd.npy'],
    },
    {
      out: 's.csv',
      first: ['screen', demo, '--phrases', 'nodule', '--out', 's.csv', '--index', 'idx'],
      second: ['screen', demo, '--phrases', 'edema', '--out', 's.csv', '--index', 'idx'],
    },
    {
      out: 's.json',
      first: ['screen', demo, '--phrases', 'nodule', '--out', 's.json', '--index', 'idx'],
      second: ['screen', demo, '--phrases', 'edema', '--out', 's.json', '--index', 'idx'],
    },
  ];

  it('a rerun puts a new file in place: the old one is never written over, no aside file is left', async () => {
    for (const { out, first, second } of outputs()) {
      const file = path.join(work, out);
      await run(first);
      const before = readFileSync(file);
      const link = `${file}.before`;
      linkSync(file, link);
      await run(second);
      const now = readFileSync(file);
      assert.notDeepEqual(now, before, `${out}: the second run writes other contents`);
      // Written in place, the old file (still reachable through the link) would hold the new contents.
      assert.deepEqual(readFileSync(link), before, `${out}: the old file was written over in place`);
      assert.notEqual(statSync(file).ino, statSync(link).ino, out);
      // Owner-only: outputs name scans (folders named after patients) or hold their pixels.
      assert.equal(statSync(file).mode & 0o077, 0, `${out}: mode ${(statSync(file).mode & 0o777).toString(8)}`);
      assert.deepEqual(asideFiles(), [], out);
    }
  });

  it(
    'a write that fails partway (EFBIG under a file-size limit) leaves the previous file whole',
    { skip: process.platform === 'win32' ? 'no ulimit -f (RLIMIT_FSIZE) on Windows' : false },
    async () => {
      // Outputs larger than the limit; the index-writing screen is left out (see the top of the file).
      for (const { out, first } of outputs().filter((o) => o.first[0] !== 'screen')) {
        const file = path.join(work, out);
        await run(first);
        const good = readFileSync(file);
        assert.ok(good.length > LIMIT_BLOCKS * 1024, `${out} (${good.length} bytes) must be larger than the limit`);
        const r = spawnSync(
          'sh',
          ['-c', `ulimit -f ${LIMIT_BLOCKS} && exec "$@"`, 'sh', process.execPath, CLI, ...first],
          { cwd: work, encoding: 'utf8', env: process.env, maxBuffer: 64 << 20 },
        );
        assert.equal(r.error, undefined);
        assert.equal(r.status, 3, `${out}: ${r.stderr}`);
        assert.match(r.stderr, /EFBIG/, out);
        assert.deepEqual(readFileSync(file), good, `${out}: the previous file was cut short`);
        assert.deepEqual(asideFiles(), [], out);
      }
    },
  );

  it("every command's rerun removes the aside file a killed run left beside its output, and only that one", async () => {
    // What kill -9 while writing leaves: an aside named by a process that is gone; and one of a run still writing.
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      for (const { out, first } of outputs()) {
        const killed = `${out}.${gone}.0123abcd.tmp`;
        const writing = `${out}.${alive.pid}.0123abcd.tmp`;
        const others = [`${out}.notes.tmp`, `other.csv.${gone}.0123abcd.tmp`];
        for (const f of [killed, writing, ...others]) writeFileSync(path.join(work, f), 'partial\n');
        // Run as a process of its own, as after a kill: the killed run's id is not this one's.
        const r = spawnSync(process.execPath, [CLI, ...first], {
          cwd: work,
          encoding: 'utf8',
          env: process.env,
          maxBuffer: 64 << 20,
        });
        assert.equal(r.status, 0, `${out}: ${r.stderr}`);
        assert.deepEqual(asideFiles().sort(), [writing, ...others].sort(), `${out}: the killed run's aside file stays`);
        for (const f of [writing, ...others]) await rm(path.join(work, f));
      }
    } finally {
      alive.kill();
    }
  });

  it('an output named through a link is written to its target, the link kept', async () => {
    const targets = path.join(work, 'targets');
    mkdirSync(targets);
    try {
      for (const { out, first } of outputs()) {
        const file = path.join(work, out);
        await rm(file, { force: true });
        const target = path.join(targets, out);
        writeFileSync(target, 'old contents\n');
        symlinkSync(path.join('targets', out), file); // relative, as `ln -s` is often used
        await run(first);
        assert.ok(lstatSync(file).isSymbolicLink(), `${out}: the link was replaced by a file`);
        assert.equal(readlinkSync(file), path.join('targets', out), out);
        assert.notEqual(readFileSync(target, 'utf8'), 'old contents\n', `${out}: the target was not written`);
        assert.equal(statSync(target).mode & 0o077, 0, out);
        assert.deepEqual(asideFiles(), [], out);
        assert.deepEqual(
          readdirSync(targets).filter((f) => f.endsWith('.tmp')),
          [],
          out,
        );
        await rm(file);
      }
    } finally {
      await rm(targets, { recursive: true, force: true });
    }
  });

  it('a link to nothing, to a folder or to a device is a usage error before any work', async () => {
    const cases: [link: string, to: string, message: RegExp][] = [
      [
        'dangling.npy',
        'no-such-file.npy',
        /--out: .*dangling\.npy is a link to no-such-file\.npy, which does not exist/,
      ],
      ['loop.npy', 'loop.npy', /--out: .*loop\.npy is a link to loop\.npy, which leads back to itself/],
      ['folder.npy', 'demo', /--out: .*folder\.npy is a link to .*demo, which is a folder/],
      ['null.npy', '/dev/null', /--out: .*null\.npy is a link to \/dev\/null, which is not a regular file/],
    ];
    for (const [link, to, message] of cases) {
      symlinkSync(to, path.join(work, link));
      try {
        for (const args of [
          ['decode', scan, '--out', link],
          ['embed', demo, '--out', link],
        ]) {
          const r = spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: 'utf8', env: process.env });
          assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
          assert.match(r.stderr, message);
          assert.doesNotMatch(r.stderr, /^model:/m, 'refused before the model loads');
          assert.ok(lstatSync(path.join(work, link)).isSymbolicLink(), link);
        }
      } finally {
        await rm(path.join(work, link));
      }
    }
    assert.equal(statSync('/dev/null').isCharacterDevice(), true, '/dev/null is still the device');
    // Not through a link either: a pipe renamed over became a file.
    if (!spawnSync('mkfifo', [path.join(work, 'pipe.npy')]).error) {
      const r = spawnSync(process.execPath, [CLI, 'decode', scan, '--out', 'pipe.npy'], {
        cwd: work,
        encoding: 'utf8',
      });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /--out: .*pipe\.npy is not a regular file/);
      assert.ok(lstatSync(path.join(work, 'pipe.npy')).isFIFO());
      await rm(path.join(work, 'pipe.npy'));
    }
  });
});
