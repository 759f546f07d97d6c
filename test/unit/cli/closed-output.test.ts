/**
 * A reader that goes away: `radsift info scans | head` ends quietly with 141 (128 + SIGPIPE, as a Unix tool
 * ends), not with an unhandled EPIPE's stack trace; a screen whose log reader went away still writes its results.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../../electron/cli/command.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const CLI = path.join(PROJECT_ROOT, 'dist', 'electron', 'cli', 'radsift.js');

describe(
  'radsift: the reader of its output goes away',
  { skip: process.platform === 'win32' ? 'no EPIPE' : false },
  () => {
    let work: string;
    let demo: string;
    before(async () => {
      work = await mkdtemp(path.join(tmpdir(), 'radsift-closed-output-'));
      demo = path.join(work, 'demo');
      writeDemo({ dir: demo, count: 12, seed: 4, size: 128 });
    });
    after(async () => {
      await rm(work, { recursive: true, force: true });
    });

    /** Runs the CLI with `stream`'s reader gone from the start (`… | true`); exit code and stderr. */
    const readerGone = (args: string[], stream: 'stdout' | 'stderr') =>
      new Promise<{ code: number | null; err: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args], {
          cwd: work,
          env: { ...process.env, RADSIFT_DATA_DIR: path.join(work, 'data') },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let err = '';
        if (stream === 'stdout') child.stderr.on('data', (d) => (err += d));
        else child.stdout.resume();
        child[stream].destroy();
        child.on('close', (code) => resolve({ code, err }));
      });

    it('info | true: exit 141, no stack trace', async () => {
      // The folder ten times: far more JSON than a pipe holds, so the CLI is still writing when the reader stops.
      const r = await readerGone(['info', '--header-only', ...Array<string>(10).fill(demo)], 'stdout');
      assert.equal(r.code, EXIT.OUTPUT_CLOSED, r.err);
      assert.doesNotMatch(r.err, /EPIPE|Error|\n\s+at /);
    });

    it('screen 2>&1 >/dev/null | true: the results are written all the same', async () => {
      const out = path.join(work, 'r.csv');
      const r = await readerGone(['screen', demo, '--phrases', 'edema', '--out', out], 'stderr');
      assert.equal(r.code, EXIT.OK);
      assert.ok(existsSync(out));
    });
  },
);
