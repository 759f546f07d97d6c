/**
 * `radsift query --index` on an index RadSift may not write (a shared or archived copy): it reads it as it is and
 * ranks as it does from a writable one; the index is left byte for byte as it was.
 */
import assert from 'node:assert/strict';
import { chmod, cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { INDEX_FILE } from '../../../electron/index/index-store.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { runCli } from '../../support/cli.js';
import { lockedOutPrefix, nodeLockedOut } from '../../support/locked-folder.js';
import { layoutFixtures } from '../../support/model-fixtures.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const fixtures = layoutFixtures();
const locking = lockedOutPrefix();
const skip = 'skip' in fixtures ? fixtures.skip : 'skip' in locking ? locking.skip : false;
const CLI = path.join(PROJECT_ROOT, 'dist', 'electron', 'cli', 'radsift.js');

describe('radsift query --index on a read-only index', { skip }, () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-ro-query-'));
  });
  after(async () => {
    await chmod(path.join(work, 'shared'), 0o700).catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  });

  it('ranks the scans as from the writable index, and writes nothing', async () => {
    const model = path.join((fixtures as { dir: string }).dir, 'hf-clip-bpe');
    const env = { ...process.env, RADSIFT_DATA_DIR: path.join(work, 'data') };
    process.env.RADSIFT_DATA_DIR = env.RADSIFT_DATA_DIR;
    try {
      writeDemo({ dir: path.join(work, 'scans'), count: 4, seed: 3, size: 256 });
      const index = path.join(work, 'index');
      const screened = await runCli(
        ['screen', path.join(work, 'scans'), '--phrases', 'pleural effusion', '--index', index, '--index-only'],
        work,
      );
      assert.equal(screened.code, 0, screened.err);
      const query = ['query', '--index', index, 'pleural effusion', '--json', '--model-dir', model];
      // The model the index was screened with is the default; --model-dir names another, which it has no scans of.
      const other = await runCli(query, work);
      assert.equal(other.code, 1);
      assert.match(other.err, /has no scans encoded with/);
      const writable = await runCli(query.slice(0, -2), work);
      assert.equal(writable.code, 0, writable.err);

      const shared = path.join(work, 'shared');
      await cp(index, shared, { recursive: true });
      const before = await readFile(path.join(shared, INDEX_FILE));
      await chmod(path.join(shared, INDEX_FILE), 0o444);
      await chmod(shared, 0o555);
      const prefix = (locking as { prefix: string[] }).prefix;
      const args = [CLI, 'query', '--index', shared, 'pleural effusion', '--json'];
      const read = nodeLockedOut(prefix, args, { cwd: work, env });
      assert.equal(read.status, 0, read.stderr);
      const ranked = (out: string) =>
        (JSON.parse(out) as { results: { path: string; probability: number }[] }).results.map(
          (r) => `${r.path} ${r.probability.toFixed(5)}`,
        );
      assert.deepEqual(ranked(read.stdout), ranked(writable.out));
      assert.equal(ranked(read.stdout).length, 4);
      // Another model's query: no slot is made for it, and the answer says so.
      const none = nodeLockedOut(prefix, [...args, '--model-dir', model], { cwd: work, env });
      assert.equal(none.status, 1, none.stderr);
      assert.match(none.stderr, /has no scans encoded with/);
      assert.deepEqual(await readdir(shared), [INDEX_FILE]);
      assert.ok((await readFile(path.join(shared, INDEX_FILE))).equals(before), 'the index is unchanged');
    } finally {
      delete process.env.RADSIFT_DATA_DIR;
    }
  });
});
