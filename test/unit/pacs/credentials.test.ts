import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { commandLineSecret, readSecretFile } from '../../../electron/pacs/credentials.js';
import { connectionSchema } from '../../../electron/pacs/connection.js';

describe('PACS credentials', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'radsift-secret-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads an owner-only file and refuses one others can read', { skip: process.platform === 'win32' }, async () => {
    const file = path.join(dir, 'secret');
    await writeFile(file, 'hunter2\n');
    await chmod(file, 0o600);
    assert.equal(await readSecretFile(file), 'hunter2');
    for (const mode of [0o644, 0o640, 0o604]) {
      await chmod(file, mode);
      await assert.rejects(readSecretFile(file), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'CONFIG');
        assert.match(e.message, /chmod 600/);
        assert.doesNotMatch(e.message, /hunter2/);
        return true;
      });
    }
  });

  it('takes the environment when no file is given, by authentication kind', async () => {
    const env = { RADSIFT_PACS_PASSWORD: 'pw', RADSIFT_PACS_TOKEN: 'tok' };
    assert.equal(await commandLineSecret('basic', undefined, env), 'pw');
    assert.equal(await commandLineSecret('bearer', undefined, env), 'tok');
    assert.equal(await commandLineSecret('none', undefined, env), null);
    assert.equal(await commandLineSecret('basic', undefined, {}), null);
  });

  it('a connection cannot carry a password in its URL', () => {
    const bad = connectionSchema.safeParse({ kind: 'dicomweb', name: 'x', url: 'https://u:p@pacs.example/dicom-web' });
    assert.equal(bad.success, false);
    const good = connectionSchema.safeParse({
      kind: 'dicomweb',
      name: 'x',
      url: 'https://pacs.example/dicom-web',
      auth: 'basic',
      username: 'u',
    });
    assert.equal(good.success, true);
  });
});
