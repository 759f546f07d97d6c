/**
 * The DIMSE client (dcmjs-dimse) against a real Orthanc: C-ECHO, C-FIND checked against dcmtk's
 * findscu, C-GET and C-MOVE checked against Orthanc's REST API (the stored file's pixel data).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { supportsTransferSyntax } from '../../../electron/dicom/codecs/registry.js';
import { parseDicom } from '../../../electron/dicom/parse.js';
import { dimseConnectionSchema } from '../../../electron/pacs/connection.js';
import { DimseClient } from '../../../electron/pacs/dimse.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { freePort, orthancMissing, TestOrthanc } from '../../support/orthanc.js';
import { CORPUS } from '../../support/paths.js';

const skip = orthancMissing() ?? (existsSync('/usr/bin/findscu') ? false : 'dcmtk findscu not installed');

function pixels(bytes: Uint8Array): Buffer {
  const p = parseDicom(bytes);
  const el = p.dataSet.elements.x7fe00010!;
  return Buffer.from(
    p.bytes.subarray(el.dataOffset, el.dataOffset + (el.length > 0 ? el.length : p.bytes.length - el.dataOffset)),
  );
}

describe('DIMSE client against Orthanc', { skip }, () => {
  let orthanc: TestOrthanc;
  let work: string;
  let storePort: number;
  const ids: string[] = [];
  const client = (retrieve: 'C-GET' | 'C-MOVE', calledAet = 'ORTHANC') =>
    new DimseClient(
      dimseConnectionSchema.parse({
        kind: 'dimse',
        name: 'test',
        calledAet,
        host: '127.0.0.1',
        port: orthanc.dicomPort,
        retrieve,
        storePort,
        timeoutSeconds: 10,
      }),
    );

  before(async () => {
    storePort = await freePort();
    orthanc = await TestOrthanc.start({ peers: { RADSIFT: storePort } });
    work = await mkdtemp(path.join(tmpdir(), 'radsift-dimse-'));
    writeDemo({ dir: path.join(work, 'demo'), count: 5, seed: 41, size: 256 });
    const files: string[] = [path.join(CORPUS, 'cornerstone/TestPattern_JPEG-LS-Lossless.dcm')];
    for (const f of await readdir(path.join(work, 'demo'), { recursive: true }))
      if (f.startsWith('PH') && f.endsWith('.dcm')) files.push(path.join(work, 'demo', f));
    ids.push(...(await orthanc.upload(files)));
  });
  after(async () => {
    await orthanc?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('C-FIND finds what dcmtk findscu finds, with the same filters', async () => {
    const found = await client('C-GET').searchStudies({ modalities: ['CR', 'DX'] }, { offset: 0, limit: 100 });
    const r = spawnSync(
      'findscu',
      [
        '-v',
        '-S',
        '-k',
        'QueryRetrieveLevel=STUDY',
        '-k',
        'StudyInstanceUID',
        '-k',
        'ModalitiesInStudy=CR\\DX',
        '-aet',
        'RADSIFT',
        '-aec',
        'ORTHANC',
        '127.0.0.1',
        String(orthanc.dicomPort),
      ],
      { encoding: 'latin1' },
    );
    const reference = [...`${r.stdout}${r.stderr}`.matchAll(/\(0020,000d\) UI \[([0-9.]+)\]/g)]
      .map((m) => m[1]!)
      .sort();
    assert.equal(reference.length, 5);
    assert.deepEqual(found.studies.map((s) => s.studyUid).sort(), reference);
    const page = await client('C-GET').searchStudies({ modalities: ['CR', 'DX'] }, { offset: 3, limit: 10 });
    assert.equal(page.studies.length, 2);
    assert.equal(page.more, false);
  });

  for (const retrieve of ['C-GET', 'C-MOVE'] as const)
    it(`${retrieve} retrieves every instance: native ones as stored, a JPEG-LS one in a syntax RadSift decodes`, async () => {
      for (const [i, id] of ids.entries()) {
        const tags = (await (await orthanc.rest(`/instances/${id}/tags?simplify`)).json()) as Record<string, string>;
        const ref = {
          studyUid: tags.StudyInstanceUID!,
          seriesUid: tags.SeriesInstanceUID!,
          sopUid: tags.SOPInstanceUID!,
        };
        const got = await client(retrieve).retrieveInstance(ref);
        assert.equal(got.ref.sopUid, ref.sopUid);
        assert.ok(supportsTransferSyntax(got.transferSyntaxUID), got.transferSyntaxUID);
        if (i === 0) continue; // compressed: the archive may transcode to what the association negotiated
        const reference = Buffer.from(await (await orthanc.rest(`/instances/${id}/file`)).arrayBuffer());
        assert.ok(pixels(got.bytes).equals(pixels(reference)), `pixel data of ${id}`);
      }
    });

  it('C-MOVE retrievals started at once each get their own instance (moves share the storage port)', async () => {
    const refs = await Promise.all(
      ids.map(async (id) => {
        const tags = (await (await orthanc.rest(`/instances/${id}/tags?simplify`)).json()) as Record<string, string>;
        return { studyUid: tags.StudyInstanceUID!, seriesUid: tags.SeriesInstanceUID!, sopUid: tags.SOPInstanceUID! };
      }),
    );
    const mover = client('C-MOVE');
    const got = await Promise.all(refs.map((r) => mover.retrieveInstance(r)));
    assert.deepEqual(
      got.map((g) => g.ref.sopUid),
      refs.map((r) => r.sopUid),
    );
  });

  it('a C-MOVE cancelled while it waits for the storage port answers at once, and the queue goes on', async () => {
    const tags = (await (await orthanc.rest(`/instances/${ids[1]}/tags?simplify`)).json()) as Record<string, string>;
    const ref = { studyUid: tags.StudyInstanceUID!, seriesUid: tags.SeriesInstanceUID!, sopUid: tags.SOPInstanceUID! };
    const mover = client('C-MOVE');
    const order: string[] = [];
    const first = mover.retrieveInstance(ref).then((g) => (order.push('first'), g));
    const stop = new AbortController();
    const queued = mover.retrieveInstance(ref, stop.signal).then(
      () => order.push('queued done'),
      (e: unknown) => order.push(`queued ${(e as { code?: string }).code}`),
    );
    const third = mover.retrieveInstance(ref).then((g) => (order.push('third'), g));
    stop.abort();
    await Promise.all([first, queued, third]);
    // before, the cancelled move answered only after the move ahead of it had run
    assert.deepEqual(order, ['queued CANCELLED', 'first', 'third']);
    assert.equal((await third).ref.sopUid, ref.sopUid);
  });

  it('check() reports each service; a wrong AE title or a closed port is a clear failure', async () => {
    const ok = await client('C-GET').check();
    assert.deepEqual(
      ok.map((c) => [c.service, c.ok]),
      [
        ['C-ECHO', true],
        ['C-FIND', true],
        ['C-GET', true],
      ],
    );
    const closed = new DimseClient(
      dimseConnectionSchema.parse({
        kind: 'dimse',
        name: 'x',
        calledAet: 'ORTHANC',
        host: '127.0.0.1',
        port: 9,
        timeoutSeconds: 3,
      }),
    );
    const down = await closed.check();
    assert.equal(down[0]!.ok, false);
    assert.match(down[0]!.detail, /UNREACHABLE/);
  });
});
