/**
 * The PACS cache setting while the cache is in use: a new size applies to the live cache (one instance per
 * folder, so nothing counts the same files twice or clears another instance's partial writes), and a move
 * leaves runs under way with their folder.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PacsService } from '../../../electron/api/pacs-service.js';
import { SecretStore } from '../../../electron/app/secret-store.js';
import { SettingsStore } from '../../../electron/app/app-settings.js';

const SERVER = 'dicomweb+http://archive.example/dicom-web';
const ref = (i: number) => ({ studyUid: '1.2.3', seriesUid: '1.2.3.4', sopUid: `1.2.3.4.${i}` });
const GB = 1024 ** 3;

describe('PACS cache setting with the cache in use', () => {
  let dir: string;
  let pacs: PacsService;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'radsift-pacs-cache-'));
    const settings = new SettingsStore(dir);
    await settings.load();
    pacs = new PacsService(dir, settings, new SecretStore(dir, null), () => undefined);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('a new size resizes the live cache: same instance, evicted down at once, pins kept', async () => {
    const live = await pacs.cache();
    const files: string[] = [];
    for (let i = 0; i < 4; i++) files.push(await live.put(SERVER, ref(i), Buffer.alloc(1000, i)));
    live.pin(files[0]!); // a run is reading it
    await pacs.setCache({ maxGB: 2500 / GB });
    assert.equal(await pacs.cache(), live, 'the same instance: a second would count and evict apart');
    assert.equal(live.maxBytes, 2500);
    assert.ok(live.stats().bytes <= 2500, `${live.stats().bytes} bytes`);
    assert.ok(existsSync(files[0]!), 'the pinned file stays');
    assert.equal((await pacs.list()).cache.maxGB, 2500 / GB);
  });

  it('a move: later use gets the new folder, the old instance goes on for runs that hold it', async () => {
    const old = await pacs.cache();
    const moved = path.join(dir, 'elsewhere');
    await pacs.setCache({ dir: moved });
    const now = await pacs.cache();
    assert.notEqual(now, old);
    assert.equal(now.dir, moved);
    // the run under way still writes to the old folder (its partial-write folder was not cleared)
    const f = await old.put(SERVER, ref(9), Buffer.alloc(100));
    assert.ok(f.startsWith(old.dir) && existsSync(f));
    // a new size applies to the cache in use, not to the folder moved away from
    await pacs.setCache({ maxGB: 50 / GB });
    assert.equal(now.maxBytes, 50);
    assert.equal(old.maxBytes, 2500);
    // moving back finds the old instance, not a second one over the same folder
    await pacs.setCache({ dir: old.dir });
    assert.equal(await pacs.cache(), old);
    assert.ok((await readdir(old.dir)).length > 0);
  });
});
