/**
 * A DIMSE archive is untrusted input, and a real one does not misbehave on demand: this file runs a small archive
 * of its own (dcmjs-dimse's SCP, over TCP) in front of the real client. It answers a C-GET by sending C-STOREs the
 * standard way (each after the last one's answer) while counting the answers, or all at once without waiting,
 * or one instance too large, or instances of another study, or reports a failed sub-operation; and answers a
 * C-FIND with far more matches than asked for, ignoring the cancel. It also declares PDUs far past the maximum the
 * client announced (a P-DATA-TF of 1 GiB, an A-ASSOCIATE-AC of 4 GiB), or of a type that does not exist, and sends
 * their bytes on and on; and for a C-MOVE it connects to RadSift's storage SCP and does the same there.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import dimse from 'dcmjs-dimse';
import { dimseConnectionSchema } from '../../../electron/pacs/connection.js';
import { DimseClient } from '../../../electron/pacs/dimse.js';
import type { PacsError } from '../../../electron/pacs/errors.js';
import { readPart10Meta } from '../../../electron/pacs/part10-meta.js';
import type { RetrievedInstance } from '../../../electron/pacs/dicomweb.js';
import { freePort } from '../../support/orthanc.js';
import { floodPdu, type Flood } from '../../support/pdu-flood.js';

const { Client, Server, Scp, Dataset } = dimse;
const { CEchoRequest, CStoreRequest } = dimse.requests;
const { CFindResponse, CGetResponse, CMoveResponse } = dimse.responses;
const { Status, PresentationContextResult, TransferSyntax } = dimse.constants;
const CR = '1.2.840.10008.5.1.4.1.1.1';

/**
 * What the archive saw: C-STORE answers received, cancels, whether the client aborted; the PDU it declared last and
 * sent bytes of (to the client, or to RadSift's storage SCP during a C-MOVE).
 */
const seen = { answers: 0, cancels: 0, aborted: false, flood: null as Flood | null, stranger: null as Socket | null };
/** An A-RELEASE-RQ (4 reserved bytes): the storage SCP answers it. */
const RELEASE_RQ = Buffer.from([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0]);
/** A P-DATA-TF of one PDV (presentation context 1, a command's last fragment, one byte): unanswered without an association. */
const STRAY_PDATA = Buffer.from([0x04, 0, 0, 0, 0, 7, 0, 0, 0, 3, 1, 3, 0]);
/** 1 GiB: a P-DATA-TF length far past the maximum PDU length any client announces. */
const GIB = 2 ** 30;

/** A CR instance of `study` with `pixels` bytes of pixel data. */
function instance(study: string, n: number, pixels = 16) {
  return new Dataset(
    {
      SOPClassUID: CR,
      SOPInstanceUID: `${study}.1.${n}`,
      StudyInstanceUID: study,
      SeriesInstanceUID: `${study}.1`,
      Modality: 'CR',
      Rows: 1,
      Columns: pixels,
      BitsAllocated: 8,
      BitsStored: 8,
      HighBit: 7,
      PixelRepresentation: 0,
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      PixelData: [new Uint8Array(pixels).fill(n).buffer],
      _vrMap: { PixelData: 'OB' },
    },
    TransferSyntax.ExplicitVRLittleEndian,
  );
}

class HostileArchive extends Scp {
  get #socket(): Socket {
    return (this as unknown as { socket: Socket }).socket;
  }

  override associationRequested(association: Parameters<InstanceType<typeof Scp>['associationRequested']>[0]) {
    // Called as HUGE-AC: instead of the A-ASSOCIATE-AC, one that declares 4 GiB - 1 bytes.
    if (association.getCalledAeTitle().trim() === 'HUGE-AC') {
      seen.flood = floodPdu(this.#socket, 0x02, 0xffffffff);
      return;
    }
    for (const { id } of association.getPresentationContexts()) {
      const pc = association.getPresentationContext(id);
      const offered = pc.getTransferSyntaxUids();
      pc.setResult(
        PresentationContextResult.Accept,
        offered.includes(TransferSyntax.ExplicitVRLittleEndian) ? TransferSyntax.ExplicitVRLittleEndian : offered[0],
      );
    }
    this.sendAssociationAccept();
  }

  /** 300 matches for any search, whatever the client says meanwhile. */
  override cFindRequest(
    request: InstanceType<typeof dimse.requests.CFindRequest>,
    callback: (r: InstanceType<typeof CFindResponse>[]) => void,
  ) {
    const responses = Array.from({ length: 300 }, (_, i) => {
      const r = CFindResponse.fromRequest(request);
      r.setDataset(new Dataset({ StudyInstanceUID: `9.1.${i + 1}`, PatientID: 'FLOOD', StudyDate: '20240101' }));
      r.setStatus(Status.Pending);
      return r;
    });
    const last = CFindResponse.fromRequest(request);
    last.setStatus(Status.Success);
    callback([...responses, last]);
  }

  override cCancelRequest() {
    seen.cancels++;
  }

  override cGetRequest(
    request: InstanceType<typeof dimse.requests.CGetRequest>,
    callback: (r: InstanceType<typeof CGetResponse>[]) => void,
  ) {
    const study = String(request.getDataset()?.getElement('StudyInstanceUID'));
    const final = (status: number, completed: number, failures = 0) => {
      const r = CGetResponse.fromRequest(request);
      r.setStatus(status);
      r.setCompleted(completed);
      r.setFailures(failures);
      callback([r]);
    };
    const store = (d: InstanceType<typeof Dataset>) => {
      const r = new CStoreRequest(d);
      r.on('response', () => seen.answers++);
      return r;
    };
    // Instead of an answer: a P-DATA-TF of 1 GiB, its bytes sent on and on; or a PDU of a type that does not exist.
    if (study === '5.5') {
      seen.flood = floodPdu(this.#socket, 0x04, GIB);
      return;
    }
    if (study === '6.6') {
      seen.flood = floodPdu(this.#socket, 0x0a, 4);
      return;
    }
    if (study === '2.2') {
      // Every C-STORE at once: an archive that does not wait for the answers (each sendRequests sends at once).
      const requests = Array.from({ length: 10 }, (_, i) => store(instance(study, i + 1)));
      let answered = 0;
      for (const r of requests) r.on('done', () => ++answered === 10 && final(Status.Success, 10));
      for (const r of requests) this.sendRequests(r);
      return;
    }
    if (study === '12.12') {
      // Only instances of another study, and a final answer that leaves the sub-operation counts out.
      const requests = [instance('9.9', 1), instance('9.9', 2)].map(store);
      requests.at(-1)!.on('done', () => {
        const r = CGetResponse.fromRequest(request);
        r.setStatus(Status.Success);
        callback([r]);
      });
      this.sendRequests(requests);
      return;
    }
    if (study === '7.7' || study === '8.8') {
      // Instances of another study among (7.7) or instead of (8.8) those asked for, all counted as sent.
      const sent =
        study === '7.7'
          ? [instance(study, 1), instance('9.9', 1), instance(study, 2)]
          : [instance('9.9', 1), instance('9.9', 2)];
      const requests = sent.map(store);
      requests.at(-1)!.on('done', () => final(Status.Success, sent.length));
      this.sendRequests(requests);
      return;
    }
    const count = study === '1.1' ? 6 : 3;
    const requests = Array.from({ length: count }, (_, i) =>
      store(instance(study, i + 1, study === '3.3' && i === 1 ? 200_000 : 16)),
    );
    // The standard way: the next C-STORE once the last one is answered (dcmjs-dimse sends a list in turn).
    requests.at(-1)!.on('done', () => (study === '4.4' ? final(0xb000, count, 1) : final(Status.Success, count)));
    this.sendRequests(requests);
  }

  /**
   * A C-MOVE whose "sub-operation" associates with RadSift's storage SCP (as RADSIFT, on `moveTo`) and declares a
   * 1 GiB P-DATA-TF there; once that connection is closed (or after 5 s), the move is answered as failed.
   */
  override cMoveRequest(
    request: InstanceType<typeof dimse.requests.CMoveRequest>,
    callback: (r: InstanceType<typeof CMoveResponse>[]) => void,
  ) {
    const study = String(request.getDataset()?.getElement('StudyInstanceUID'));
    if (study === '10.10') {
      // Another host (127.0.0.3, not the archive's address) connects to the storage SCP during the move and, with no
      // association, declares a 1 GiB P-DATA-TF; once it is dropped, the archive fails the move for its own reason.
      const stranger = connect({ host: '127.0.0.1', port: moveTo, localAddress: '127.0.0.3' });
      stranger.once('connect', () => {
        seen.flood = floodPdu(stranger, 0x04, GIB);
        void seen.flood.closedWithin(5_000).then(() => {
          const r = CMoveResponse.fromRequest(request);
          r.setStatus(0xa801); // refused: move destination unknown
          callback([r]);
        });
      });
      stranger.on('error', () => undefined);
      return;
    }
    if (study === '13.13') {
      // Another host (127.0.0.3) connects to the storage SCP, sends one PDU and then nothing: past its PDU time-out
      // (60 s) dcmjs-dimse gives up on the connection, only half-closing it, which this host never closes from its
      // side. Then the archive connects and delivers the study.
      const stranger = connect({ host: '127.0.0.1', port: moveTo, localAddress: '127.0.0.3', allowHalfOpen: true });
      seen.stranger = stranger;
      stranger.on('error', () => undefined);
      stranger.resume();
      stranger.once('connect', () => {
        stranger.write(RELEASE_RQ);
        stranger.once('end', () => {
          const sender = new Client();
          sender.addRequest(new CStoreRequest(instance('13.13', 1)));
          sender.on('networkError', () => undefined);
          sender.on('closed', () => {
            const r = CMoveResponse.fromRequest(request);
            r.setStatus(Status.Success);
            r.setCompleted(1);
            callback([r]);
          });
          sender.send('127.0.0.1', moveTo, 'HOSTILE', 'RADSIFT');
        });
      });
      return;
    }
    if (study === '11.11') {
      // The archive on this machine delivering over IPv6 loopback (its peer configured as ::1, or as localhost
      // resolving there), whatever the family RadSift called it in.
      const sender = new Client();
      for (const n of [1, 2]) sender.addRequest(new CStoreRequest(instance('11.11', n)));
      let rejected = false;
      sender.on('associationRejected', () => (rejected = true));
      sender.on('networkError', () => undefined);
      sender.on('closed', () => {
        const r = CMoveResponse.fromRequest(request);
        r.setStatus(rejected ? 0xa702 : Status.Success);
        if (rejected) r.setFailures(2);
        else r.setCompleted(2);
        callback([r]);
      });
      sender.send('::1', moveTo, 'HOSTILE', 'RADSIFT');
      return;
    }
    const rogue = new Client();
    rogue.addRequest(new CEchoRequest());
    rogue.on('associationAccepted', () => {
      seen.flood = floodPdu((rogue as unknown as { network: { socket: Socket } }).network.socket, 0x04, GIB);
      void seen.flood.closedWithin(5_000).then(() => {
        const r = CMoveResponse.fromRequest(request);
        r.setStatus(0xa702); // refused: out of resources, unable to perform sub-operations
        r.setFailures(1);
        callback([r]);
      });
    });
    rogue.on('networkError', () => undefined);
    rogue.send('127.0.0.1', moveTo, 'HOSTILE', 'RADSIFT');
  }

  override abort() {
    seen.aborted = true;
  }

  override associationReleaseRequested() {
    this.sendAssociationReleaseResponse();
  }
}

/** The port of RadSift's storage SCP, where a C-MOVE sends. */
let moveTo = 0;

describe('a hostile DIMSE archive', () => {
  let server: InstanceType<typeof Server>;
  let port: number;
  const client = (
    options: ConstructorParameters<typeof DimseClient>[1] = {},
    connection: { calledAet?: string; retrieve?: 'C-GET' | 'C-MOVE'; host?: string; timeoutSeconds?: number } = {},
  ) =>
    new DimseClient(
      dimseConnectionSchema.parse({
        kind: 'dimse',
        name: 'hostile',
        calledAet: 'HOSTILE',
        host: '127.0.0.1',
        port,
        retrieve: 'C-GET',
        storePort: moveTo,
        timeoutSeconds: 10,
        ...connection,
      }),
      options,
    );

  before(async () => {
    port = await freePort();
    moveTo = await freePort();
    server = new Server(HostileArchive);
    await new Promise<void>((resolve, reject) => {
      server.once('listening', () => resolve());
      server.once('networkError', reject);
      // dcmjs-dimse's PDU time-out (60 s by default) outlasted by one test, where the move waits on it at the storage SCP.
      server.listen(port, { pduTimeout: 120_000 });
    });
  });
  after(() => server.close());
  beforeEach(() => Object.assign(seen, { answers: 0, cancels: 0, aborted: false, flood: null, stranger: null }));

  for (const held of ['in memory', 'in scratch files'] as const)
    it(`a C-GET answers each instance once it is held (${held}), not when the caller takes it; all come in order`, async () => {
      const scratch = await mkdtemp(path.join(tmpdir(), 'radsift-hostile-'));
      try {
        const got: RetrievedInstance[] = [];
        const options = { scratchDir: scratch, ...(held === 'in scratch files' ? { heldMemoryBytes: 1 } : {}) };
        for await (const g of client(options).retrieveStudy('1.1')) {
          // The caller holds the first until the archive has every answer: it never waits on the caller.
          if (!got.length) while (seen.answers < 6) await new Promise((r) => setTimeout(r, 20));
          // Past a memory budget of 1 byte, those behind the first wait on disk: four are left while the second is taken.
          if (held === 'in scratch files' && got.length === 1)
            assert.equal((await readdir(scratch, { recursive: true })).filter((f) => f.endsWith('.dcm')).length, 4);
          got.push(g);
        }
        assert.deepEqual(
          got.map((g) => g.ref.sopUid),
          ['1.1.1.1', '1.1.1.2', '1.1.1.3', '1.1.1.4', '1.1.1.5', '1.1.1.6'],
        );
        // Scratch files are removed as they are taken, their folder when the retrieval ends.
        assert.deepEqual(await readdir(scratch), []);
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    });

  it('the bytes are those the archive sent, behind a meta header: a Part 10 file', async () => {
    const [first] = await collect(client().retrieveStudy('1.1'));
    const bytes = first!.bytes;
    assert.equal(bytes.subarray(128, 132).toString('latin1'), 'DICM');
    assert.equal(first!.transferSyntaxUID, TransferSyntax.ExplicitVRLittleEndian);
    assert.deepEqual(readPart10Meta(bytes), {
      transferSyntaxUID: TransferSyntax.ExplicitVRLittleEndian,
      sopInstanceUID: '1.1.1.1',
    });
    // After the meta group (its length at byte 140): the dataset as the archive encoded it.
    const dataset = bytes.subarray(144 + bytes.readUInt32LE(140));
    assert.ok(dataset.equals(instance('1.1', 1).getDenaturalizedDataset()));
  });

  it(
    'a caller that stops early aborts the C-GET, and what was held for it is removed',
    { timeout: 60_000 },
    async () => {
      const scratch = await mkdtemp(path.join(tmpdir(), 'radsift-hostile-'));
      try {
        for await (const g of client({ scratchDir: scratch, heldMemoryBytes: 1 }).retrieveStudy('1.1')) {
          assert.equal(g.ref.sopUid, '1.1.1.1');
          break;
        }
        while (!seen.aborted) await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(await readdir(scratch), [], 'no scratch file is left');
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
  );

  it('an archive that sends without waiting for the answers: each is held and handed over, in order', async () => {
    const got = await collect(client({ heldMemoryBytes: 1 }).retrieveStudy('2.2'));
    assert.deepEqual(
      got.map((g) => g.ref.sopUid),
      Array.from({ length: 10 }, (_, i) => `2.2.1.${i + 1}`),
    );
  });

  it('an instance past the size bound is refused as it arrives, and the association stopped', async () => {
    const got: RetrievedInstance[] = [];
    await assert.rejects(collect(client({ maxInstanceBytes: 64 * 1024 }).retrieveStudy('3.3'), got), {
      code: 'PROTOCOL',
      message: /an instance larger than 64 KiB was sent/,
    });
    assert.deepEqual(
      got.map((g) => g.ref.sopUid),
      ['3.3.1.1'],
    );
  });

  it('a C-GET that ends with failed sub-operations is an error after the instances that came', async () => {
    const got: RetrievedInstance[] = [];
    await assert.rejects(collect(client().retrieveStudy('4.4'), got), {
      code: 'SERVER_ERROR',
      message: /could not send 1 of the instances .*; 3 arrived/,
    });
    assert.equal(got.length, 3);
  });

  it('an instance of another study is dropped and not counted as arrived: the C-GET is short of what was sent', async () => {
    const got: RetrievedInstance[] = [];
    await assert.rejects(collect(client().retrieveStudy('7.7'), got), {
      code: 'INCOMPLETE',
      message: /reports 3 instances sent by C-GET, 2 of those asked for arrived and 1 not asked for \(dropped\)/,
    });
    assert.deepEqual(
      got.map((g) => g.ref.sopUid),
      ['7.7.1.1', '7.7.1.2'],
    );
    // Only instances of another study: not an empty study.
    got.length = 0;
    await assert.rejects(collect(client().retrieveStudy('8.8'), got), {
      code: 'INCOMPLETE',
      message: /reports 2 instances sent by C-GET, 0 of those asked for arrived and 2 not asked for \(dropped\)/,
    });
    assert.equal(got.length, 0);
    // The same without the counts in the final answer: what came is still not an empty study.
    await assert.rejects(collect(client().retrieveStudy('12.12'), got), {
      code: 'INCOMPLETE',
      message: /0 of those asked for arrived and 2 not asked for \(dropped\)/,
    });
    assert.equal(got.length, 0);
    // One instance asked for: it, whatever else came.
    const one = await client().retrieveInstance({ studyUid: '7.7', seriesUid: '7.7.1', sopUid: '7.7.1.2' });
    assert.equal(one.ref.sopUid, '7.7.1.2');
  });

  it(
    'a C-FIND past the bound is cancelled, then aborted when the archive goes on; the search says it was cut',
    {
      timeout: 60_000,
    },
    async () => {
      const page = await client({ maxFindStudies: 100 }).searchStudies({}, { offset: 0, limit: 1000 });
      assert.equal(page.studies.length, 100);
      assert.equal(page.truncated, true);
      assert.equal(page.more, false);
      // Asked to cancel first (the C-CANCEL reaches the archive before the abort that follows it).
      while (!seen.aborted) await new Promise((r) => setTimeout(r, 20));
      assert.equal(seen.cancels, 1);
      const all = await client().searchStudies({}, { offset: 0, limit: 1000 });
      assert.deepEqual([all.studies.length, all.truncated ?? false], [300, false]);
    },
  );
  // The bytes the archive sent before the client closed the connection bound what the client can have held: the
  // declared PDU is refused at its header, not collected until it ends (or until a time-out, 10 s here).
  const floods = [
    {
      what: 'a P-DATA-TF declaring 1 GiB after the association is accepted',
      study: '5.5',
      calledAet: 'HOSTILE',
      message:
        /^dimse:\/\/HOSTILE@127\.0\.0\.1:\d+: the archive sent a P-DATA-TF PDU declaring 1073741824 bytes, more than the maximum PDU length RadSift announces \(256 KiB\); the association was aborted$/,
    },
    {
      what: 'an A-ASSOCIATE-AC declaring 4 GiB',
      study: '5.5',
      calledAet: 'HUGE-AC',
      message:
        /^dimse:\/\/HUGE-AC@127\.0\.0\.1:\d+: the archive sent an A-ASSOCIATE-AC PDU declaring 4294967295 bytes, more than the maximum PDU length RadSift announces \(256 KiB\)/,
    },
    {
      what: 'a PDU of a type that does not exist',
      study: '6.6',
      calledAet: 'HOSTILE',
      message: /^dimse:\/\/HOSTILE@127\.0\.0\.1:\d+: the archive sent a PDU of unknown type 0x0a \(declaring 4 bytes\)/,
    },
  ];
  for (const { what, study, calledAet, message } of floods)
    it(`${what}: the retrieval fails at once (PROTOCOL), the connection closed after little was received`, async () => {
      const started = performance.now();
      await assert.rejects(collect(client({}, { calledAet }).retrieveStudy(study)), { code: 'PROTOCOL', message });
      // Well inside the connection's 10 s time-out: the client did not wait for the PDU, nor for a time-out.
      assert.ok(performance.now() - started < 5_000, `refused after ${performance.now() - started} ms`);
      const flood = seen.flood!;
      assert.ok(await flood.closedWithin(5_000), 'the client closed the connection');
      assert.ok(flood.sent < 2 * 2 ** 20, `the archive sent ${flood.sent} bytes before the client closed`);
    });

  it('a peer that declares a 1 GiB PDU to the storage SCP during a C-MOVE is dropped; the failed move says why', async () => {
    await assert.rejects(collect(client({}, { retrieve: 'C-MOVE' }).retrieveStudy('7.7')), (error: PacsError) => {
      assert.equal(error.code, 'PROTOCOL', error.message);
      assert.match(
        error.message,
        /^dimse:\/\/HOSTILE@127\.0\.0\.1:\d+: RadSift's storage SCP aborted an association from 127\.0\.0\.1: it sent a P-DATA-TF PDU declaring 1073741824 bytes, more than the maximum PDU length RadSift announces \(256 KiB\); .*C-MOVE failed \(status 0xa702\)/,
      );
      return true;
    });
    const flood = seen.flood!;
    assert.ok(flood.closed, 'the storage SCP closed the connection');
    assert.ok(flood.sent < 2 * 2 ** 20, `the peer sent ${flood.sent} bytes before the storage SCP closed`);
  });

  for (const host of ['127.0.0.1', 'localhost'])
    it(`an archive at ${host} that delivers a C-MOVE from ::1 (this machine too): the whole study`, async () => {
      const got = await collect(client({}, { retrieve: 'C-MOVE', host }).retrieveStudy('11.11'));
      assert.deepEqual(
        got.map((g) => g.ref.sopUid),
        ['11.11.1.1', '11.11.1.2'],
      );
    });

  // Slow (a minute): dcmjs-dimse gives up on a connection only past its PDU time-out, 60 s in the storage SCP.
  it(
    'a connection to the storage SCP that dcmjs-dimse gave up on, from a host that never closes it, is closed when the move ends',
    { timeout: 120_000 },
    async () => {
      const got = await collect(client({}, { retrieve: 'C-MOVE', timeoutSeconds: 90 }).retrieveStudy('13.13'));
      assert.deepEqual(
        got.map((g) => g.ref.sopUid),
        ['13.13.1.1'],
      );
      // RadSift's side is closed when what this host goes on sending is refused (a reset), not read.
      const stranger = seen.stranger!;
      const sending = setInterval(() => stranger.write(STRAY_PDATA), 50);
      const closed = await Promise.race([
        new Promise((resolve) => stranger.once('close', () => resolve(true))),
        new Promise((resolve) => setTimeout(() => resolve(stranger.destroyed), 3_000)),
      ]);
      clearInterval(sending);
      stranger.destroy();
      assert.ok(closed, 'the storage SCP still reads the connection after the move');
    },
  );

  it('a host that is not the archive, declaring a 1 GiB PDU to the storage SCP, is dropped and does not change why the move failed', async () => {
    await assert.rejects(collect(client({}, { retrieve: 'C-MOVE' }).retrieveStudy('10.10')), (error: PacsError) => {
      // The archive's own answer, not the stranger's PDU, says why.
      assert.equal(error.code, 'SERVER_ERROR', error.message);
      assert.match(error.message, /^dimse:\/\/HOSTILE@127\.0\.0\.1:\d+: C-MOVE failed \(status 0xa801\)$/);
      assert.doesNotMatch(error.message, /127\.0\.0\.3/);
      return true;
    });
    const flood = seen.flood!;
    assert.ok(flood.closed, 'the storage SCP closed the connection');
    assert.ok(flood.sent < 2 * 2 ** 20, `the stranger sent ${flood.sent} bytes before the storage SCP closed`);
  });
});

async function collect<T>(it: AsyncIterable<T>, into: T[] = []): Promise<T[]> {
  for await (const x of it) into.push(x);
  return into;
}
