import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SettingsStore } from '../../../electron/app/app-settings.js';

describe('settings store', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'radsift-settings-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a failed write rejects that update only; the next write saves the whole settings', async () => {
    const store = new SettingsStore(dir);
    assert.equal((await store.load()).warning, null);
    assert.equal(store.firstRun, true);
    await store.update((s) => ({ ...s, recent: ['/a'] }));
    // a folder where the file goes: the rename fails, for root as for anyone
    await rm(store.file);
    await mkdir(path.join(store.file, 'blocker'), { recursive: true });
    await assert.rejects(store.update((s) => ({ ...s, recent: ['/b', ...s.recent] })));
    assert.deepEqual(store.get().recent, ['/b', '/a'], 'the change stays in effect in memory');
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.endsWith('.tmp')),
      [],
      'no temporary file left behind',
    );
    await rm(store.file, { recursive: true });
    await store.update((s) => ({ ...s, activeModel: 'm' }));
    const saved = JSON.parse(await readFile(store.file, 'utf8')) as { recent: string[]; activeModel: string };
    assert.deepEqual(saved.recent, ['/b', '/a']);
    assert.equal(saved.activeModel, 'm');
  });

  it('a corrupt file is set aside with a warning and defaults are used', async () => {
    const d = path.join(dir, 'corrupt');
    await mkdir(d);
    await writeFile(path.join(d, 'settings.json'), '{"recent": 5');
    const store = new SettingsStore(d);
    const { settings, warning } = await store.load();
    assert.deepEqual(settings.recent, []);
    assert.match(warning!, /reset \(old file kept as settings\.json\.corrupt-\d+\)/);
    assert.equal((await readdir(d)).filter((f) => f.startsWith('settings.json.corrupt-')).length, 1);
  });
});
