/**
 * The DIMSE inbox's scratch files: past its memory, instances wait in files under the folder it is given (the PACS
 * cache's, which may not exist yet), owner-only, and nothing is left once they are taken.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Inbox } from '../../../electron/pacs/inbox.js';

let work: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'radsift-inbox-'));
});
after(() => rm(work, { recursive: true, force: true }));

test('instances past memory wait in owner-only files in a folder made on first use, all gone once taken', async () => {
  const scratch = path.join(work, 'cache', 'not-yet');
  const inbox = new Inbox<{ bytes: Buffer; n: number }>(scratch, 1024);
  for (let n = 0; n < 4; n++) await inbox.put({ bytes: Buffer.alloc(1000, n), n });
  inbox.end();
  const [dir] = await readdir(scratch);
  assert.match(dir ?? '', /^radsift-retrieve-/);
  const files = await readdir(path.join(scratch, dir!));
  assert.ok(files.length >= 2, `${files.length} instances in scratch files`);
  for (const f of files) assert.equal((await stat(path.join(scratch, dir!, f))).mode & 0o077, 0, f);
  const taken: number[] = [];
  for await (const item of inbox.take()) {
    assert.ok(item.bytes.every((b) => b === item.n));
    taken.push(item.n);
  }
  await inbox.close();
  assert.deepEqual(taken, [0, 1, 2, 3]);
  assert.deepEqual(await readdir(scratch), []);
});
