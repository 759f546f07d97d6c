import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { RESEARCH_USE_NOTICE } from '../../../electron/api/contract.js';
import { dispatch, type Handlers, type HandlerContext } from '../../../electron/api/dispatch.js';
import { ApiError } from '../../../electron/api/errors.js';
import { createHandlers } from '../../../electron/api/handlers.js';
import type { DialogService } from '../../../electron/api/services.js';
import { SettingsStore } from '../../../electron/app/app-settings.js';
import { ModelService } from '../../../electron/api/model-service.js';
import { StudyService } from '../../../electron/api/study-service.js';
import { CollectionService } from '../../../electron/api/collection-service.js';
import { AppIndex } from '../../../electron/api/app-index.js';
import { ExampleSets } from '../../../electron/api/example-sets.js';
import { PacsService } from '../../../electron/api/pacs-service.js';
import { SecretStore } from '../../../electron/app/secret-store.js';
import { ScreeningService } from '../../../electron/api/screening-service.js';
import { DecodePool } from '../../../electron/screening/decode-pool.js';
import { DisplayDefaults } from '../../../electron/api/display-defaults.js';
import { readIdentity } from '../../../electron/app/app-identity.js';
import { AllowedRoots } from '../../../electron/security/allowed-roots.js';

const ctx: HandlerContext = { emit: () => undefined };

const pool = new DecodePool({ size: 1 });
after(() => pool.close());

/** Real services over an empty models folder: no model installed. */
function setup(answers: string[][] = []) {
  const queue = [...answers];
  const dialog: DialogService = { open: async () => queue.shift() ?? [] };
  const roots = new AllowedRoots();
  const empty = path.join(tmpdir(), 'radsift-no-models-here');
  const models = new ModelService([empty], new SettingsStore(path.join(tmpdir(), 'radsift-unused-settings')));
  const studies = new StudyService(path.join(tmpdir(), 'radsift-unused-data'), roots);
  const appIndex = new AppIndex(path.join(tmpdir(), 'radsift-unused-index'), models);
  const collection = new CollectionService(appIndex, models, pool);
  const screening = new ScreeningService(appIndex, models, pool, () => undefined);
  const settings = new SettingsStore(path.join(tmpdir(), 'radsift-unused-settings'));
  const pacs = new PacsService(
    path.join(tmpdir(), 'radsift-unused-data'),
    settings,
    new SecretStore(tmpdir(), null),
    () => undefined,
  );
  const handlers = createHandlers({
    identity: readIdentity(),
    dialog,
    roots,
    models,
    studies,
    displays: new DisplayDefaults(pool),
    collection,
    screening,
    pacs,
    examples: new ExampleSets(path.join(tmpdir(), 'radsift-unused-data')),
  });
  return { handlers, roots };
}

describe('API dispatch', () => {
  it('answers app.info with the package version and the research-use notice', async () => {
    const { handlers } = setup();
    const out = await dispatch(handlers, 'app.info', {}, ctx);
    assert.equal(out.ok, true);
    assert.ok(out.ok);
    const value = out.value as { version: string; researchUseNotice: string; model: unknown };
    assert.equal(value.version, readIdentity().version);
    assert.equal(value.researchUseNotice, RESEARCH_USE_NOTICE);
    assert.equal(value.model, null);
  });

  it('rejects an unknown method with UNKNOWN_METHOD, whatever its type', async () => {
    const { handlers } = setup();
    for (const bad of ['app.nope', '__proto__', 'constructor', 42, null, undefined, { a: 1 }]) {
      const out = await dispatch(handlers, bad, {}, ctx);
      assert.equal(out.ok, false, String(bad));
      assert.ok(!out.ok);
      assert.equal(out.error.code, 'UNKNOWN_METHOD');
    }
  });

  it('rejects bad payloads with BAD_REQUEST and the failing fields', async () => {
    const { handlers } = setup();
    const cases: unknown[] = [
      { kind: 'everything' },
      { kind: 'files', title: 7 },
      { kind: 'files', extra: true },
      'a string',
      [1, 2, 3],
      { kind: 'files', filters: [{ name: 'x', extensions: 'dcm' }] },
    ];
    for (const payload of cases) {
      const out = await dispatch(handlers, 'dialog.open', payload, ctx);
      assert.ok(!out.ok, JSON.stringify(payload));
      assert.equal(out.error.code, 'BAD_REQUEST');
      assert.ok(Array.isArray((out.error.details as { issues: unknown[] }).issues));
    }
    const extra = await dispatch(handlers, 'app.info', { sneaky: 1 }, ctx);
    assert.ok(!extra.ok);
    assert.equal(extra.error.code, 'BAD_REQUEST');
  });

  it('passes an ApiError code through and hides unexpected errors behind INTERNAL', async () => {
    const { handlers } = setup();
    const logged: string[] = [];
    const broken: Handlers = {
      ...handlers,
      'app.info': () => {
        throw new Error('secret /home/patient/DOE^JOHN.dcm');
      },
      'dialog.open': () => {
        throw new ApiError('NOT_FOUND', 'gone');
      },
    };
    const internal = await dispatch(broken, 'app.info', {}, ctx, { onInternalError: (m) => logged.push(m) });
    assert.ok(!internal.ok);
    assert.equal(internal.error.code, 'INTERNAL');
    assert.doesNotMatch(internal.error.message, /DOE|patient/);
    assert.deepEqual(logged, ['app.info']);
    const typed = await dispatch(broken, 'dialog.open', { kind: 'files' }, ctx);
    assert.ok(!typed.ok);
    assert.deepEqual(typed.error, { code: 'NOT_FOUND', message: 'gone' });
  });

  it('refuses a handler response that breaks the contract', async () => {
    const { handlers } = setup();
    const wrong = { ...handlers, 'app.info': () => ({ version: 3 }) } as unknown as Handlers;
    const out = await dispatch(wrong, 'app.info', {}, ctx);
    assert.ok(!out.ok);
    assert.equal(out.error.code, 'INTERNAL');
  });

  it('dialog.open: a cancel is CANCELLED; a choice becomes an allowed root', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'radsift-dialog-'));
    try {
      const { handlers, roots } = setup([[], [dir]]);
      const cancelled = await dispatch(handlers, 'dialog.open', { kind: 'folder' }, ctx);
      assert.ok(!cancelled.ok);
      assert.equal(cancelled.error.code, 'CANCELLED');
      assert.deepEqual(roots.list(), []);
      const chosen = await dispatch(handlers, 'dialog.open', { kind: 'folder' }, ctx);
      assert.ok(chosen.ok);
      assert.deepEqual(chosen.value, { paths: [dir] });
      assert.equal(roots.list().length, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
