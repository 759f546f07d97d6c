/**
 * A second Ctrl+C (or SIGTERM) while a command writes its output stops the process at once, by that signal,
 * and takes the output's aside file with it: a real process, its output half written.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../support/paths.js';

const module = (name: string) => pathToFileURL(path.join(PROJECT_ROOT, 'dist', 'electron', name)).href;

/** Opens an output aside, writes part of it, then waits, stopping on signals as `screen` does. */
const WRITER = `
import { ReplacementFile } from ${JSON.stringify(module('util/durable-file.js'))};
import { removeOwnAsides } from ${JSON.stringify(module('cli/aside-files.js'))};
import { stopOnSignals } from ${JSON.stringify(module('cli/stop-signals.js'))};
const out = process.argv[1];
const io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), cwd: process.cwd() };
stopOnSignals(io, 'stopping', () => removeOwnAsides(out));
const file = await ReplacementFile.open(out);
await file.write('x'.repeat(1 << 17));
process.stdout.write('writing\\n');
setInterval(() => {}, 1000);
`;

describe('stopOnSignals', { skip: process.platform === 'win32' ? 'no POSIX signals' : false }, () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-stop-signals-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    it(`${signal} twice: the first asks to stop, the second ends the process by it and removes the aside file`, async () => {
      const out = path.join(work, `${signal}.csv`);
      const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, out], { stdio: 'pipe' });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)));
      await new Promise<void>((resolve) =>
        child.stdout.on('data', (d) => {
          stdout += d;
          if (stdout.includes('writing')) resolve();
        }),
      );
      assert.equal(readdirSync(work).filter((f) => f.startsWith(`${signal}.csv.`)).length, 1, 'the aside file');
      child.kill(signal);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(child.exitCode, null, `the first ${signal} only asks: ${stderr}`);
      assert.match(stderr, /stopping/);
      child.kill(signal);
      assert.equal(await exited, signal, stderr);
      assert.deepEqual(readdirSync(work), []);
    });
});
