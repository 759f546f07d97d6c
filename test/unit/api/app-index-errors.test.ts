/**
 * The app's index when it cannot be opened, through the real services and dispatcher: each reason keeps its own
 * API code (the index's own code in details), and BUSY is kept for an index another RadSift holds. Before, every
 * failure to open it was BUSY ("in use"), which a damaged, too new or unwritable index is not.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createServices } from '../../../electron/api/create-services.js';
import { dispatch, type HandlerContext } from '../../../electron/api/dispatch.js';
import type { ApiErrorPayload } from '../../../electron/api/errors.js';
import { INDEX_FILE, IndexStore } from '../../../electron/index/index-store.js';
import { MIGRATIONS } from '../../../electron/index/schema.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const work = mkdtempSync(path.join(tmpdir(), 'radsift-app-index-'));
after(() => rmSync(work, { recursive: true, force: true }));
const ctx: HandlerContext = { emit: () => undefined };

/** What screen.list (which opens the index) answers over a data folder made by `prepare`. */
async function listWith(name: string, prepare: (indexDir: string) => void): Promise<ApiErrorPayload | 'listed'> {
  const dataDir = path.join(work, name);
  mkdirSync(dataDir, { recursive: true });
  prepare(path.join(dataDir, 'index'));
  const services = await createServices({ dataDir, modelRoots: [path.join(PROJECT_ROOT, 'models')], decodeWorkers: 1 });
  try {
    const out = await dispatch(services.handlers, 'screen.list', {}, ctx);
    return out.ok ? 'listed' : out.error;
  } finally {
    await services.close();
  }
}

describe("the app's index when it cannot be opened", () => {
  it('a damaged index is UNSUPPORTED (CORRUPT), not BUSY', async () => {
    const got = await listWith('damaged', (dir) => {
      mkdirSync(dir);
      // Random-looking bytes where the index should be: not SQLite.
      const bytes = Buffer.alloc(8192);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
      writeFileSync(path.join(dir, INDEX_FILE), bytes);
    });
    assert.notEqual(got, 'listed');
    assert.deepEqual(got, {
      code: 'UNSUPPORTED',
      message: `${path.join(work, 'damaged', 'index', INDEX_FILE)} is not a RadSift index or is damaged`,
      details: { indexError: 'CORRUPT' },
    });
  });

  it('an index from a newer RadSift is UNSUPPORTED (TOO_NEW), saying to update', async () => {
    const got = await listWith('too-new', (dir) => {
      mkdirSync(dir);
      const db = new Database(path.join(dir, INDEX_FILE));
      db.exec(MIGRATIONS[1]!);
      db.exec("INSERT INTO meta (key, value) VALUES ('schema', '999')");
      db.close();
    });
    assert.ok(got !== 'listed');
    assert.equal(got.code, 'UNSUPPORTED');
    assert.deepEqual(got.details, { indexError: 'TOO_NEW' });
    assert.match(got.message, /written by a newer RadSift \(schema 999\); update RadSift to open it/);
  });

  it('a data folder where the index cannot be written is WRITE_FAILED, saying why', async () => {
    // A file where the index's folder should be: deterministic for any user (a read-only folder is
    // index-store.test.ts's, which needs a child without root's override).
    const got = await listWith('unwritable', (dir) => writeFileSync(dir, 'not a folder'));
    assert.ok(got !== 'listed');
    assert.equal(got.code, 'WRITE_FAILED');
    assert.deepEqual(got.details, { indexError: 'WRITE_FAILED' });
    assert.match(
      got.message,
      /cannot make the index folder .*: a file is in its place \(EEXIST\)\. Nothing already stored/,
    );
  });

  it('an index another RadSift holds is still BUSY (IN_USE), and lists once it lets go', async () => {
    let held: IndexStore | null = null;
    try {
      const got = await listWith('in-use', (dir) => (held = IndexStore.open(dir)));
      assert.ok(got !== 'listed');
      assert.equal(got.code, 'BUSY');
      assert.deepEqual(got.details, { indexError: 'IN_USE' });
      assert.match(got.message, /is in use by another RadSift window or command/);
    } finally {
      (held as IndexStore | null)?.close();
    }
    assert.equal(await listWith('in-use', () => undefined), 'listed');
  });
});
