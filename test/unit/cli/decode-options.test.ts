/**
 * `radsift decode`'s numbers are read as written: an empty or hexadecimal --frame, or a --window missing a number
 * (Number('') is 0), used to decode frame 0 or a window centred on 0 instead of being refused.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../../electron/cli/command.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { runCli } from '../../support/cli.js';

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
});
