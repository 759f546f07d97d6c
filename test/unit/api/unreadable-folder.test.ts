/**
 * A subfolder the app cannot open (a folder named after its patient, locked for real: locked-folder.ts), through
 * the app's services with the shipped model: opening the folder lists it as failed and shows the rest, and a
 * screening job over it ends done with the folder as one failed row, whose reason names no path. The services
 * run in a child process: a rejection nobody handles would end it.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { writeDemo } from '../../../electron/phantom/export.js';
import { lockedOutPrefix, lockFolder, nodeLockedOut } from '../../support/locked-folder.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const locking = lockedOutPrefix();

const SCRIPT = `
const [support, folder, dataDir] = process.argv.slice(2);
const { startServices, callApi, untilDone } = await import(support);
const services = await startServices(dataDir);
try {
  const catalog = await callApi(services, 'studies.openDropped', { paths: [folder] });
  const job = services.screening.start(folder, ['pneumothorax']);
  await untilDone(services, job);
  const { jobs } = await callApi(services, 'screen.list', {});
  const { rows } = await callApi(services, 'screen.results', { id: job.id });
  console.log(JSON.stringify({
    patients: catalog.patients.map((p) => p.patientId),
    failed: catalog.failed,
    message: jobs.find((j) => j.id === job.id).message,
    rows: rows.map((r) => [r.path, r.status, r.error]),
  }));
} finally {
  await services.close();
}`;

describe('a subfolder the app cannot open', { skip: 'skip' in locking ? locking.skip : false }, () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-unreadable-'));
  });
  after(() => rm(work, { recursive: true, force: true }));

  it('is listed as failed when the folder is opened, and is one failed row of a screening job that ends done', () => {
    const folder = path.join(work, 'scans');
    writeDemo({ dir: folder, count: 3, seed: 41, size: 256 });
    // The demo names each patient's folder by the patient ID: lock one.
    const patients = ['PH0041000000', 'PH0041000001', 'PH0041000002'];
    const locked = path.join(folder, patients[1]!);
    const unlock = lockFolder(locked);
    try {
      const support = pathToFileURL(path.join(PROJECT_ROOT, 'dist', 'test', 'support', 'app-services.js')).href;
      // A file, not --eval: the decode workers would inherit --input-type.
      const script = path.join(work, 'services.mjs');
      writeFileSync(script, SCRIPT);
      const run = nodeLockedOut('prefix' in locking ? locking.prefix : [], [
        script,
        support,
        folder,
        path.join(work, 'data'),
      ]);
      assert.equal(run.status, 0, run.stderr);
      const seen = JSON.parse(run.stdout) as {
        patients: string[];
        failed: { path: string; code: string; reason: string }[];
        message: string;
        rows: [string, string, string | null][];
      };
      const reason = 'cannot open folder: permission denied (EACCES)';
      assert.deepEqual(seen.patients, [patients[0], patients[2]]);
      // The demo's masks/ hold PNGs named like scans (….dcm.png): skipped, not failed.
      assert.deepEqual(seen.failed, [{ path: locked, code: 'IO', reason }]);
      assert.match(seen.message, /^2 encoded, 0 unchanged, 1 failed\b/);
      const rows = seen.rows.map(([p, status, error]) => [path.relative(folder, p).split(path.sep)[0], status, error]);
      assert.deepEqual(rows.sort(), [
        [patients[0], 'ok', null],
        [patients[1], 'failed', reason],
        [patients[2], 'ok', null],
      ]);
      assert.doesNotMatch(run.stderr, new RegExp(patients[1]!), 'no log line names the folder');
    } finally {
      unlock();
    }
  });
});
