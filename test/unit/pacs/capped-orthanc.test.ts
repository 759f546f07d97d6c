/**
 * A real Orthanc that caps its answers, as archives are configured to: LimitFindInstances 5 and LimitFindResults 3
 * (Orthanc answers one more than the limit over QIDO, silently, and ends a C-FIND with "matching terminated"). One
 * study holds 12 instances; four more hold one each. What the archive lists in part must never pass for all of it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EventName, EventPayload } from '../../../electron/api/contract.js';
import { createServices, type AppServices } from '../../../electron/api/create-services.js';
import { dispatch } from '../../../electron/api/dispatch.js';
import { DicomWebClient } from '../../../electron/pacs/dicomweb.js';
import type { InstanceRef } from '../../../electron/pacs/query.js';
import { buildDicom, imagePixel } from '../dicom/builder.js';
import { orthancMissing, TestOrthanc } from '../../support/orthanc.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const skip = orthancMissing() ?? false;
const BIG = '1.2.826.0.1.3680043.9.7433.1';

/** A small CR instance of a study (a real SOP class: C-GET negotiates storage by it). */
const instance = (study: string, n: number) =>
  buildDicom({
    x00080016: ['UI', '1.2.840.10008.5.1.4.1.1.1'],
    x00080018: ['UI', `${study}.1.${n}`],
    x00080060: ['CS', 'CR'],
    x00100020: ['LO', 'CAPPED'],
    x0020000d: ['UI', study],
    x0020000e: ['UI', `${study}.1`],
    ...imagePixel({ rows: 2, columns: 2, bitsAllocated: 8 }),
    x7fe00010: ['OB', Uint8Array.from([1, 2, 3, 4])],
  });

async function collect<T>(it: AsyncIterable<T>, into: T[] = []): Promise<T[]> {
  for await (const x of it) into.push(x);
  return into;
}

describe('an Orthanc that caps its answers', { skip }, () => {
  let orthanc: TestOrthanc;
  let work: string;
  let dicomWeb: DicomWebClient;

  before(async () => {
    orthanc = await TestOrthanc.start({ config: { LimitFindInstances: 5, LimitFindResults: 3 } });
    work = await mkdtemp(path.join(tmpdir(), 'radsift-capped-'));
    const files: string[] = [];
    const add = async (study: string, n: number) => {
      const file = path.join(work, `${study}-${n}.dcm`);
      await writeFile(file, instance(study, n));
      files.push(file);
    };
    for (let n = 1; n <= 12; n++) await add(BIG, n);
    for (let s = 2; s <= 5; s++) await add(`1.2.826.0.1.3680043.9.7433.${s}`, 1);
    await orthanc.upload(files);
    dicomWeb = new DicomWebClient({
      baseUrl: orthanc.dicomWebUrl,
      authorization: `Basic ${Buffer.from(`${orthanc.user}:${orthanc.password}`).toString('base64')}`,
      timeoutMs: 10_000,
    });
  });
  after(async () => {
    await orthanc?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('QIDO: a study listed in part is INCOMPLETE, after the instances listed; WADO-RS still sends all 12', async () => {
    const listed: InstanceRef[] = [];
    await assert.rejects(collect(dicomWeb.studyInstances(BIG), listed), (e: { code: string; message: string }) => {
      assert.equal(e.code, 'INCOMPLETE');
      assert.match(e.message, new RegExp(`lists 6 of the 12 instances of study ${BIG.replaceAll('.', '\\.')}`));
      assert.match(e.message, /LimitFindInstances/);
      return true;
    });
    assert.equal(listed.length, 6, 'Orthanc lists one more than its limit');
    const retrieved = await collect(dicomWeb.retrieveStudy(BIG));
    assert.equal(new Set(retrieved.map((r) => r.ref.sopUid)).size, 12);
  });

  it('the app retrieves what was listed, then says the study came in part (not "done")', async () => {
    const events: { event: EventName; payload: unknown }[] = [];
    const services: AppServices = await createServices({
      dialog: { open: async () => [] },
      dataDir: path.join(work, 'data'),
      modelRoots: [path.join(PROJECT_ROOT, 'models')],
      decodeWorkers: 1,
      secretCipher: null,
      broadcast: <E extends EventName>(event: E, payload: EventPayload<E>) => events.push({ event, payload }),
    });
    try {
      const call = async <T>(method: Parameters<typeof dispatch>[1], req: unknown): Promise<T> => {
        const out = await dispatch(services.handlers, method, req, { emit: () => undefined });
        if (!out.ok) throw new Error(`${method}: ${out.error.code}: ${out.error.message}`);
        return out.value as T;
      };
      await call('pacs.saveConnection', {
        connection: {
          kind: 'dicomweb',
          name: 'capped',
          url: orthanc.dicomWebUrl,
          auth: 'basic',
          username: orthanc.user,
        },
        secret: orthanc.password,
      });
      const { jobId } = await call<{ jobId: string }>('pacs.retrieve', { name: 'capped', studyUid: BIG });
      const progress = () =>
        events
          .filter((e) => e.event === 'job.progress' && (e.payload as { jobId: string }).jobId === jobId)
          .map((e) => e.payload as { done: number; total: number | null; message: string });
      // The job's own end is the wait's end (no time limit: the test runner's bounds a hang).
      while (!progress().some((p) => p.message !== 'retrieving')) await new Promise((r) => setTimeout(r, 50));
      const last = progress().at(-1)!;
      assert.equal(last.done, 6, last.message);
      assert.match(last.message, /^failed: .*lists 6 of the 12 instances/);
      const catalog = await call<{ patients: { studies: { series: { instances: unknown[] }[] }[] }[] }>(
        'pacs.openStudy',
        { name: 'capped', studyUid: BIG },
      );
      const shown = catalog.patients.flatMap((p) => p.studies.flatMap((s) => s.series.flatMap((x) => x.instances)));
      assert.equal(shown.length, 6, 'what was listed is retrieved and shown');
    } finally {
      await services.close();
    }
  });
});
