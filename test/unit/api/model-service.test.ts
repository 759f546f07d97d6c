import assert from 'node:assert/strict';
import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ModelService } from '../../../electron/api/model-service.js';
import { SettingsStore } from '../../../electron/app/app-settings.js';
import { PROJECT_ROOT } from '../../support/paths.js';

// The two bundled models, as the app and the CLI list them.
const ROOT = path.join(PROJECT_ROOT, 'models');
const EARLIER = path.join(ROOT, 'radsift-phantom-convirt');
const RARE = path.join(ROOT, 'radsift-phantom-convirt-rare');

const open: ModelService[] = [];

async function service(dir: string): Promise<ModelService> {
  const settings = new SettingsStore(dir);
  await settings.load();
  const models = new ModelService([ROOT], settings);
  open.push(models);
  return models;
}

describe('model service: which model is remembered', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'radsift-model-service-'));
  });
  after(async () => {
    for (const models of open) await models.close(); // a loaded model's encoder worker would keep the process
    await rm(dir, { recursive: true, force: true });
  });

  it('loading a model for one run leaves the remembered choice; activating it (the Models view) changes it', async () => {
    const models = await service(dir);
    assert.equal(await models.defaultDir(), RARE, 'nothing chosen yet: the default bundled model (DEFAULT_MODEL_ID)');
    // What `radsift eval --model-dir …` does: used for that run, and the next run starts from the default again.
    const once = await models.load(EARLIER);
    assert.equal(once.model.id, 'radsift-phantom-convirt');
    assert.equal(await (await service(dir)).defaultDir(), RARE);
    const later = await service(dir);
    assert.equal((await later.ready()).model.id, 'radsift-phantom-convirt-rare');
    // What it was taught, as phrases (the app's phrase shortcuts): the rare findings too, never the unseen ones.
    const taught = later.active()!.findings;
    assert.equal(taught.length, 16);
    assert.ok(taught.includes('rib fracture') && taught.includes('pleural effusion'));
    assert.ok(!taught.includes('hiatal hernia'));

    assert.deepEqual((await models.activate(EARLIER)).id, 'radsift-phantom-convirt');
    assert.equal(await (await service(dir)).defaultDir(), EARLIER, 'the choice is kept across restarts');
    assert.equal((await (await service(dir)).ready()).model.id, 'radsift-phantom-convirt');
  });

  it('an execution provider override that names no known provider fails the load, saying so, not loading for good', async () => {
    const models = await service(await mkdtemp(path.join(dir, 'ep-')));
    const before = process.env.RADSIFT_EP;
    process.env.RADSIFT_EP = 'tpu';
    try {
      await assert.rejects(models.load(RARE), /execution provider setting \(or RADSIFT_EP\) cannot be used: unknown/);
      assert.equal(models.state().state, 'failed');
      assert.match(models.state().error ?? '', /tpu/);
    } finally {
      if (before === undefined) delete process.env.RADSIFT_EP;
      else process.env.RADSIFT_EP = before;
    }
    assert.equal((await models.load(RARE)).model.id, 'radsift-phantom-convirt-rare');
  });

  it('callers asking for the model while it is found and loaded share one load', async () => {
    const models = await service(await mkdtemp(path.join(dir, 'once-')));
    const states: string[] = [];
    models.onChange((s) => states.push(s.state));
    const loaded = await Promise.all([models.ready(), models.ready(), models.ready()]);
    assert.deepEqual(states, ['loading', 'ready']);
    assert.ok(loaded.every((l) => l === loaded[0]));
    assert.equal(await models.ready(), loaded[0], 'once ready, the same model');
  });

  it("a user's copy of a bundled model (the same id) stays the one chosen across restarts", async () => {
    const data = await mkdtemp(path.join(tmpdir(), 'radsift-model-copy-'));
    const copy = path.join(data, 'my-copy');
    await cp(EARLIER, copy, { recursive: true });
    const models = await service(data);
    await models.addFolder(copy);
    assert.equal((await models.activate(copy)).id, 'radsift-phantom-convirt');
    // By id, the bundled folder (listed first) was found instead.
    assert.equal(await (await service(data)).defaultDir(), copy);
    // The copy damaged since (a checksum no longer matches): the default model meanwhile, saying why; the
    // choice is kept for when the folder is mended.
    await appendFile(path.join(copy, 'image.onnx'), 'x');
    const later = await service(data);
    assert.equal((await later.ready()).model.id, 'radsift-phantom-convirt-rare');
    assert.match(
      later.state().warning ?? '',
      /^The model chosen could not be loaded \(.*\); the default model is used meanwhile$/,
    );
    assert.equal(await later.defaultDir(), copy);
    await models.close();
    await rm(data, { recursive: true, force: true });
  });
});
