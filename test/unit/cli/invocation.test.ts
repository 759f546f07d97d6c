/**
 * The `radsift` script runs however it is reached: through a link (an installed bin) and from a folder whose name
 * a file URL must escape ("#", "%", "?"). It printed nothing and exited 0 there, taking itself for an import.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../support/paths.js';

const CLI = path.join(PROJECT_ROOT, 'dist', 'electron', 'cli', 'radsift.js');

describe('radsift as a script', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'radsift-invoke-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  it('runs through a link, from a folder named with characters a file URL escapes', () => {
    for (const folder of ['bin', 'bin #1', 'tools 100%', 'what?']) {
      const dir = path.join(work, folder);
      mkdirSync(dir);
      const link = path.join(dir, 'radsift');
      symlinkSync(CLI, link);
      const r = spawnSync(process.execPath, [link, '--help'], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${folder}: ${r.stderr}`);
      assert.match(r.stdout, /^usage: radsift <command>/, `${folder}: the help, not silence`);
    }
  });
});
