/**
 * `radsift decode`'s numbers are read as written: an empty or hexadecimal --frame, or a --window missing a number
 * (Number('') is 0), used to decode frame 0 or a window centred on 0 instead of being refused. Its input is
 * checked as every command's is: one that is not there is a usage error.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../../electron/cli/command.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { runCli } from '../../support/cli.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const CLI = path.join(PROJECT_ROOT, 'dist', 'electron', 'cli', 'radsift.js');

describe('radsift decode: option values', () => {
  let work: string;
  let scan: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-decode-options-'));
    const demo = path.join(work, 'demo');
    writeDemo({ dir: demo, count: 1, seed: 2, size: 128 });
    scan = path.join(demo, readFileSync(path.join(demo, 'labels.csv'), 'utf8').split('\n')[1]!.split(',')[0]!);
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('an empty or non-decimal --frame, or a --window without two numbers, is refused and nothing is written', async () => {
    const out = path.join(work, 'x.png');
    for (const [option, message] of [
      ['--frame=', /--frame must be an integer ≥ 0, got ""/],
      ['--frame=0x0', /--frame must be an integer ≥ 0, got "0x0"/],
      ['--frame=1e0', /--frame must be an integer ≥ 0/],
      ['--window=,400', /--window takes centre,width/],
      ['--window=40,', /--window takes centre,width/],
      ['--window=40,400,9', /--window takes centre,width/],
    ] as const) {
      const r = await runCli(['decode', scan, option, '--out', out], work);
      assert.equal(r.code, EXIT.USAGE, `${option}: ${r.err}`);
      assert.match(r.err, message);
      assert.equal(existsSync(out), false, option);
    }
    const good = await runCli(['decode', scan, '--frame', '0', '--window', '40,400', '--out', out], work);
    assert.equal(good.code, EXIT.OK, good.err);
  });

  it('an input that is not there is a usage error (exit 1), as in every command, not a fatal one; a folder too', () => {
    const out = path.join(work, 'missing.npy');
    const decode = (input: string) =>
      spawnSync(process.execPath, [CLI, 'decode', input, '--out', out], { cwd: work, encoding: 'utf8' });
    const missing = decode('Doe^Jane.dcm');
    assert.equal(missing.status, EXIT.USAGE, missing.stderr);
    assert.match(missing.stderr, /^radsift decode: Doe\^Jane\.dcm does not exist\n/);
    // As `radsift info` and the commands that encode say it.
    const info = spawnSync(process.execPath, [CLI, 'info', 'Doe^Jane.dcm'], { cwd: work, encoding: 'utf8' });
    assert.equal(info.status, EXIT.USAGE, info.stderr);
    assert.match(info.stderr, /^radsift info: Doe\^Jane\.dcm does not exist\n/);
    const folder = decode('demo');
    assert.equal(folder.status, EXIT.USAGE, folder.stderr);
    assert.match(folder.stderr, /^radsift decode: demo is a folder: give one file\n/);
    assert.equal(existsSync(out), false);
  });
});
