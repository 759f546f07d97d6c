import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { makeFolders, makeFoldersSync } from '../../../electron/util/make-folders.js';

const MODULE = path.resolve(import.meta.dirname, '../../../electron/util/make-folders.js');

describe('makeFolders', () => {
  let dir: string;
  let umask: number;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'radsift-folders-'));
    umask = process.umask(0o022);
  });
  after(async () => {
    process.umask(umask);
    await rm(dir, { recursive: true, force: true });
  });

  for (const [name, make] of [
    ['sync', async (d: string, mode?: number) => makeFoldersSync(d, mode)],
    ['async', makeFolders],
  ] as const) {
    it(`${name}: makes every missing folder with the mode; an existing one is fine; a file in the way says which`, async () => {
      const deep = path.join(dir, name, 'a', 'b', 'c');
      await make(deep, 0o700);
      for (let p = deep; p !== dir; p = path.dirname(p)) assert.equal(statSync(p).mode & 0o777, 0o700, p);
      await make(deep, 0o700);
      const file = path.join(dir, name, 'file');
      await writeFile(file, 'x');
      await assert.rejects(make(file), { code: 'EEXIST' });
      await assert.rejects(make(path.join(file, 'under')), { code: 'ENOTDIR' });
    });
  }

  it(
    'a folder the system will not make though its parent exists (/proc): an error at once, where Node’s recursive mkdir spins',
    { skip: process.platform !== 'linux' ? 'procfs is Linux’s' : false },
    () => {
      for (const call of ['makeFoldersSync(p)', 'await makeFolders(p)']) {
        const run = spawnSync(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `const { makeFolders, makeFoldersSync } = await import(${JSON.stringify(pathToFileURL(MODULE).href)});
             const p = '/proc/radsift-no-such-folder/index';
             try { ${call}; console.log('made'); } catch (e) { console.log(e.code); }`,
          ],
          { encoding: 'utf8', timeout: 20_000 },
        );
        assert.equal(run.signal, null, `${call} did not return (killed after 20 s)`);
        assert.equal(run.stdout.trim(), 'ENOENT', run.stderr);
      }
      assert.equal(existsSync('/proc/radsift-no-such-folder'), false);
    },
  );
});
