/**
 * C-GET and C-MOVE from a real Orthanc whose time-outs are short (DicomScuTimeout 2 s), to a caller slower than
 * them: each C-STORE is answered as soon as the instance is held (in memory, or past the memory budget in a
 * scratch file), so the archive never waits on the caller, and the caller still gets every instance, in order. A
 * peer that connects to RadSift's storage SCP during a C-MOVE and declares a 1 GiB PDU is dropped at its header,
 * and the move still brings the study.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dimseConnectionSchema } from '../../../electron/pacs/connection.js';
import type { RetrievedInstance } from '../../../electron/pacs/dicomweb.js';
import { DimseClient, type DimseClientOptions } from '../../../electron/pacs/dimse.js';
import { buildDicom, imagePixel } from '../dicom/builder.js';
import { freePort, orthancMissing, TestOrthanc } from '../../support/orthanc.js';
import { floodPdu } from '../../support/pdu-flood.js';

const skip = orthancMissing() ?? false;
const STUDY = '1.2.826.0.1.3680043.9.7435.1';
const COUNT = 6;
/** Longer than the archive's DicomScuTimeout and than the client's own time-out (2 s each). */
const HOLD_MS = 3_000;

const instance = (n: number) =>
  buildDicom({
    x00080016: ['UI', '1.2.840.10008.5.1.4.1.1.1'],
    x00080018: ['UI', `${STUDY}.1.${n}`],
    x00080060: ['CS', 'CR'],
    x00100020: ['LO', 'SLOW'],
    x0020000d: ['UI', STUDY],
    x0020000e: ['UI', `${STUDY}.1`],
    ...imagePixel({ rows: 16, columns: 16, bitsAllocated: 8 }),
    x7fe00010: ['OB', new Uint8Array(256).fill(n)],
  });

describe('a DIMSE retrieval by a caller slower than the archive’s time-outs', { skip }, () => {
  let orthanc: TestOrthanc;
  let work: string;
  let storePort: number;
  const client = (retrieve: 'C-GET' | 'C-MOVE', options: DimseClientOptions = {}) =>
    new DimseClient(
      dimseConnectionSchema.parse({
        kind: 'dimse',
        name: 'slow',
        calledAet: 'ORTHANC',
        host: '127.0.0.1',
        port: orthanc.dicomPort,
        retrieve,
        storePort,
        timeoutSeconds: 2,
      }),
      options,
    );

  before(async () => {
    storePort = await freePort();
    orthanc = await TestOrthanc.start({ config: { DicomScuTimeout: 2 }, peers: { RADSIFT: storePort } });
    work = await mkdtemp(path.join(tmpdir(), 'radsift-slow-caller-'));
    await orthanc.uploadBytes(Array.from({ length: COUNT }, (_, i) => instance(i + 1)));
  });
  after(async () => {
    await orthanc?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  for (const retrieve of ['C-GET', 'C-MOVE'] as const)
    for (const held of ['in memory', 'in scratch files'] as const)
      it(`${retrieve}, instances held ${held}: every instance of the study, though the first is held ${HOLD_MS / 1000} s`, async () => {
        const scratch = await mkdtemp(path.join(work, 'scratch-'));
        const options = held === 'in memory' ? { scratchDir: scratch } : { scratchDir: scratch, heldMemoryBytes: 1 };
        const got: RetrievedInstance[] = [];
        for await (const g of client(retrieve, options).retrieveStudy(STUDY)) {
          if (!got.length) await new Promise((r) => setTimeout(r, HOLD_MS));
          got.push(g);
        }
        // Orthanc's order is its own: every instance once, each whole (its pixel data, the last element, is n's).
        assert.deepEqual(
          got.map((g) => g.ref.sopUid).sort(),
          Array.from({ length: COUNT }, (_, i) => `${STUDY}.1.${i + 1}`).sort(),
        );
        for (const g of got) {
          const n = Number(g.ref.sopUid.split('.').at(-1));
          assert.ok(g.bytes.subarray(-256).equals(Buffer.alloc(256, n)), g.ref.sopUid);
        }
        assert.deepEqual(await readdir(scratch), [], 'no scratch file is left');
      });

  it('C-MOVE: a peer that declares a 1 GiB PDU to the storage SCP during the move is dropped; the study still arrives whole', async () => {
    const got: RetrievedInstance[] = [];
    for await (const g of client('C-MOVE').retrieveStudy(STUDY)) {
      // While the move's storage SCP listens (it does until the last instance is taken).
      if (!got.length) {
        const peer = connect(storePort, '127.0.0.1');
        await once(peer, 'connect');
        const flood = floodPdu(peer, 0x04, 2 ** 30);
        assert.ok(await flood.closedWithin(5_000), 'the storage SCP closed the connection');
        assert.ok(flood.sent < 2 * 2 ** 20, `the peer sent ${flood.sent} bytes before the storage SCP closed`);
      }
      got.push(g);
    }
    assert.deepEqual(
      got.map((g) => g.ref.sopUid).sort(),
      Array.from({ length: COUNT }, (_, i) => `${STUDY}.1.${i + 1}`).sort(),
    );
  });
});

describe('a C-MOVE from an archive that moves asynchronously', { skip }, () => {
  let orthanc: TestOrthanc;
  let storePort: number;
  before(async () => {
    storePort = await freePort();
    orthanc = await TestOrthanc.start({ config: { SynchronousCMove: false }, peers: { RADSIFT: storePort } });
    await orthanc.uploadBytes([instance(1)]);
  });
  after(() => orthanc?.dispose());

  // Orthanc's move job races the C-MOVE answer: usually the answer comes first (nothing arrived, which must not
  // pass for an empty study), now and then the instance wins (the whole study came, which is right too). Each
  // try must be one of the two, and the first of them must be seen within a few tries.
  it('is not taken for a study without instances: INCOMPLETE, saying the archive moves asynchronously, and what to set', async () => {
    const mover = new DimseClient(
      dimseConnectionSchema.parse({
        kind: 'dimse',
        name: 'async',
        calledAet: 'ORTHANC',
        host: '127.0.0.1',
        port: orthanc.dicomPort,
        retrieve: 'C-MOVE',
        storePort,
        timeoutSeconds: 10,
      }),
    );
    let refused = 0;
    for (let attempt = 0; attempt < 5 && refused === 0; attempt++) {
      const got: RetrievedInstance[] = [];
      try {
        for await (const g of mover.retrieveStudy(STUDY)) got.push(g);
        assert.equal(got.length, 1, 'a move that ends without an error brought the whole study');
      } catch (error) {
        assert.equal((error as { code?: string }).code, 'INCOMPLETE', String(error));
        assert.match((error as Error).message, /moves asynchronously.*"SynchronousCMove": true/);
        assert.equal(got.length, 0);
        refused++;
      }
    }
    assert.equal(refused, 1, 'in five tries the answer never came before the instance');
  });
});
