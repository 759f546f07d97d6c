/**
 * A real Orthanc that caps its answers, as archives are configured to: LimitFindInstances 5 and LimitFindResults 3
 * (Orthanc answers one more than the limit over QIDO, silently, and ends a C-FIND with "matching terminated"). One
 * study holds 12 instances; four more hold one each. What the archive lists in part must never pass for all of it.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EventName, EventPayload } from '../../../electron/api/contract.js';
import { createServices, type AppServices } from '../../../electron/api/create-services.js';
import { dispatch } from '../../../electron/api/dispatch.js';
import { dimseConnectionSchema } from '../../../electron/pacs/connection.js';
import { DicomWebClient, type RetrievedInstance } from '../../../electron/pacs/dicomweb.js';
import { DimseClient, type DimseClientOptions } from '../../../electron/pacs/dimse.js';
import type { InstanceRef } from '../../../electron/pacs/query.js';
import { buildDicom, imagePixel } from '../dicom/builder.js';
import { freePort, orthancMissing, TestOrthanc } from '../../support/orthanc.js';
import { runCli } from '../../support/cli.js';
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
  let storePort: number;
  const dimseClient = (retrieve: 'C-GET' | 'C-MOVE', options: DimseClientOptions = {}) =>
    new DimseClient(
      dimseConnectionSchema.parse({
        kind: 'dimse',
        name: 'capped',
        calledAet: 'ORTHANC',
        host: '127.0.0.1',
        port: orthanc.dicomPort,
        retrieve,
        storePort,
        timeoutSeconds: 10,
      }),
      options,
    );

  before(async () => {
    storePort = await freePort();
    orthanc = await TestOrthanc.start({
      config: { LimitFindInstances: 5, LimitFindResults: 3 },
      peers: { RADSIFT: storePort },
    });
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

  it('C-FIND: a search the archive ends at its limit says so; one past RadSift’s bound is cancelled and says so', async () => {
    const page = await dimseClient('C-GET').searchStudies({}, { offset: 0, limit: 50 });
    assert.deepEqual([page.studies.length, page.more, page.truncated], [3, false, true]);
    const bounded = await dimseClient('C-GET', { maxFindStudies: 2 }).searchStudies({}, { offset: 0, limit: 50 });
    assert.deepEqual([bounded.studies.length, bounded.truncated], [2, true]);
    const checks = await dimseClient('C-GET').check();
    assert.deepEqual(
      checks.map((c) => c.ok),
      [true, true, true],
      'the archive still answers',
    );
  });

  it('C-FIND: a study the archive lists in part is INCOMPLETE after the 5 it sent; a query walk says so at its end', async () => {
    const listed: InstanceRef[] = [];
    await assert.rejects(collect(dimseClient('C-GET').studyInstances(BIG), listed), {
      code: 'INCOMPLETE',
      message: new RegExp(
        `ended the listing of study ${BIG.replaceAll('.', '\\.')} after 5 instances.*LimitFindInstances`,
      ),
    });
    assert.equal(listed.length, 5);
    await assert.rejects(collect(dimseClient('C-GET').queryInstances({})), {
      code: 'INCOMPLETE',
      message: /the search sent 3 studies and no more \(the archive ended the search at its limit/,
    });
  });

  for (const retrieve of ['C-GET', 'C-MOVE'] as const)
    it(`${retrieve}: a whole study arrives instance by instance, each the dataset Orthanc stores`, async () => {
      const ids = (await (await orthanc.rest(`/tools/lookup`, { method: 'POST', body: BIG })).json()) as {
        ID: string;
      }[];
      const instances = (await (await orthanc.rest(`/studies/${ids[0]!.ID}/instances`)).json()) as {
        ID: string;
        MainDicomTags: { SOPInstanceUID: string };
      }[];
      const stored = new Map<string, Buffer>();
      for (const i of instances)
        stored.set(
          i.MainDicomTags.SOPInstanceUID,
          Buffer.from(await (await orthanc.rest(`/instances/${i.ID}/file`)).arrayBuffer()),
        );
      const got: RetrievedInstance[] = await collect(dimseClient(retrieve).retrieveStudy(BIG));
      assert.equal(got.length, 12);
      for (const g of got) assert.ok(dataset(g.bytes).equals(dataset(stored.get(g.ref.sopUid)!)), g.ref.sopUid);
    });

  it('the CLI says a search was cut, and retrieves a study over C-MOVE file by file', async () => {
    const archive = `dimse://ORTHANC@127.0.0.1:${orthanc.dicomPort}`;
    const search = await runCli(['pacs', 'search', archive], work);
    assert.equal(search.code, 0, search.err);
    assert.match(search.err, /the archive sent only these matches .*narrow the search/);
    const json = await runCli(['pacs', 'search', archive, '--json'], work);
    assert.equal((JSON.parse(json.out) as { truncated?: boolean }).truncated, true);
    const out = path.join(work, 'out');
    const retrieve = ['pacs', 'retrieve', archive, '--study', BIG, '--out', out];
    const got = await runCli([...retrieve, '--retrieve', 'C-MOVE', '--store-port', String(storePort)], work);
    assert.equal(got.code, 0, got.err);
    assert.equal((await readdir(path.join(out, BIG))).filter((f) => f.endsWith('.dcm')).length, 12);
    assert.doesNotMatch(got.err, /part-written/);

    // What runs killed with kill -9 left (an older RadSift's name, and one of a process that is gone: past the
    // largest pid Linux gives), beside what is not theirs to remove: a running writer's part-written file, a
    // folder and a file of the user's that only look like one, and a finished instance.
    const folder = path.join(out, BIG);
    const stale = ['1.2.3.dcm.partial', `1.2.4.dcm.${2 ** 22 + 1}.partial`];
    const kept = [`1.2.5.dcm.${process.pid}.partial`, 'notes.partial', 'notes.txt'];
    for (const f of [...stale, ...kept]) await writeFile(path.join(folder, f), 'part');
    await mkdir(path.join(folder, 'album.dcm.partial'));
    const again = await runCli([...retrieve, '--retrieve', 'C-MOVE', '--store-port', String(storePort)], work);
    assert.equal(again.code, 0, again.err);
    assert.match(again.err, new RegExp(`removed 2 part-written files a stopped retrieve left in ${folder}\\n`));
    const now = await readdir(folder);
    for (const f of stale) assert.ok(!now.includes(f), f);
    for (const f of [...kept, 'album.dcm.partial']) assert.ok(now.includes(f), f);
    assert.equal(now.filter((f) => f.endsWith('.dcm')).length, 12);
  });

  it(
    'a C-MOVE stopped after its first instance gives the storage port back: the next move runs',
    { timeout: 60_000 },
    async () => {
      const mover = dimseClient('C-MOVE');
      let first: RetrievedInstance | null = null;
      for await (const g of mover.retrieveStudy(BIG)) {
        first = g;
        break;
      }
      assert.ok(first);
      const again = await mover.retrieveInstance(first.ref);
      assert.equal(again.ref.sopUid, first.ref.sopUid);
    },
  );
});

/** A Part 10 file's dataset: what follows the meta group (its length at byte 140). */
function dataset(bytes: Buffer): Buffer {
  return bytes.subarray(144 + bytes.readUInt32LE(140));
}
