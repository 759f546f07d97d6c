/**
 * A command whose results on stdout are JSON (always, or with --json) says a failure there too, as one object of
 * one shape, `{"error":{"code","message"}}`: a script that parses stdout used to get nothing at all. Stderr keeps
 * its human line and the exit codes stay. Run as a child process, as a script would run it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../../electron/cli/command.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const CLI = path.join(PROJECT_ROOT, 'dist', 'electron', 'cli', 'radsift.js');

describe('radsift: failures as JSON where the results are JSON', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-json-errors-'));
    writeDemo({ dir: path.join(work, 'demo'), count: 4, seed: 3, size: 128 });
    writeFileSync(path.join(work, 'broken.dcm'), 'not a DICOM file at all, whatever its name says');
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const radsift = (args: string[], shell?: string) => {
    const r = shell
      ? spawnSync('sh', ['-c', `${shell} && exec "$@"`, 'sh', process.execPath, CLI, ...args], {
          cwd: work,
          encoding: 'utf8',
          env: { ...process.env, RADSIFT_DATA_DIR: path.join(work, 'data') },
        })
      : spawnSync(process.execPath, [CLI, ...args], {
          cwd: work,
          encoding: 'utf8',
          env: { ...process.env, RADSIFT_DATA_DIR: path.join(work, 'data') },
        });
    assert.equal(r.error, undefined);
    return r;
  };
  /** stdout as the one error object it must be: nothing else on it. */
  const errorOf = (stdout: string) => {
    assert.match(stdout, /^\{.*\}\n$/, 'one object on one line');
    const parsed = JSON.parse(stdout) as { error: { code: string; message: string } };
    assert.deepEqual(Object.keys(parsed), ['error']);
    assert.deepEqual(Object.keys(parsed.error), ['code', 'message']);
    return parsed.error;
  };

  it('usage errors: code USAGE, the message stderr gives, exit 1', () => {
    for (const [args, message] of [
      [['query', 'Doe^Jane', 'edema', '--json'], 'Doe^Jane does not exist'],
      [['eval', 'demo', '--json'], '--labels labels.csv is required'],
      [['eval-language', '--set', 'nope', '--json'], '--set: "nope" is not one of held-out, validation'],
      [['models', '--json', '--bogus'], "Unknown option '--bogus'"], // a parse error: the options never parsed
      [['pacs', 'search', '--json'], 'give an archive'],
      // Always JSON: no --json needed.
      [['info'], 'no file given'],
      [['decode', 'Doe^Jane.dcm', '--out', 'x.npy'], 'Doe^Jane.dcm does not exist'],
      [['embed', 'demo'], '--out <file.npy> is required'],
    ] as const) {
      const r = radsift([...args]);
      assert.equal(r.status, EXIT.USAGE, `${args.join(' ')}: ${r.stderr}`);
      assert.deepEqual(errorOf(r.stdout), { code: 'USAGE', message }, args.join(' '));
      assert.ok(r.stderr.startsWith(`radsift ${args[0]}: ${message}\n`), r.stderr);
    }
  });

  it('an unknown command given --json: the error object too, code USAGE, exit 1', () => {
    for (const [args, prefix] of [
      [['querry', 'demo', 'edema', '--json'], 'radsift'],
      [['help', 'querry', '--json'], 'radsift help'],
    ] as const) {
      const r = radsift([...args]);
      assert.equal(r.status, EXIT.USAGE, `${args.join(' ')}: ${r.stderr}`);
      assert.deepEqual(errorOf(r.stdout), { code: 'USAGE', message: 'unknown command "querry"' }, args.join(' '));
      assert.ok(r.stderr.startsWith(`${prefix}: unknown command "querry"\n\nusage: radsift <command>`), r.stderr);
    }
    // Without --json (or with it only after `--`, an input's name): stdout stays empty, as for a text command.
    for (const args of [
      ['querry', 'demo', 'edema'],
      ['querry', '--', '--json'],
    ]) {
      const r = radsift(args);
      assert.equal(r.status, EXIT.USAGE);
      assert.equal(r.stdout, '', args.join(' '));
    }
  });

  it("decode's one file failing: the error's own code, exit 2 (a failed input)", () => {
    // A file that claims to be DICOM and is not: decode's coded error.
    const decode = radsift(['decode', 'broken.dcm', '--out', 'x.npy']);
    assert.equal(decode.status, EXIT.PARTIAL, decode.stderr);
    const d = errorOf(decode.stdout);
    assert.equal(d.code, 'NOT_DICOM');
    assert.equal(`radsift decode: ${d.message}\n`, decode.stderr);
  });

  it("fatal errors: the error's own code, exit 3", () => {
    // An archive that cannot be reached (nothing listens on port 1): pacs's coded error, with --json.
    const pacs = radsift(['pacs', 'search', 'dicomweb+http://127.0.0.1:1/dicom-web', '--json']);
    assert.equal(pacs.status, EXIT.FATAL, pacs.stderr);
    assert.equal(errorOf(pacs.stdout).code, 'UNREACHABLE');
    // A system error thrown through: the output's write cut by a file-size limit (EFBIG), as a full disk would be.
    if (process.platform !== 'win32') {
      const embed = radsift(['embed', 'demo', '--out', 'e.npy'], 'ulimit -f 2');
      assert.equal(embed.status, EXIT.FATAL, embed.stderr);
      const e = errorOf(embed.stdout);
      assert.equal(e.code, 'EFBIG');
      assert.ok(embed.stderr.endsWith(`radsift embed: ${e.message}\n`), embed.stderr);
    }
  });

  it('without --json, stdout stays empty on a failure (text results)', () => {
    const r = radsift(['query', 'Doe^Jane', 'edema']);
    assert.equal(r.status, EXIT.USAGE);
    assert.equal(r.stdout, '');
    // --json after `--` is an input's name, not the option.
    const named = radsift(['query', 'edema', '--', '--json']);
    assert.equal(named.status, EXIT.USAGE);
    assert.equal(named.stdout, '');
  });
});
