/**
 * During a C-MOVE, RadSift's storage SCP accepts an association only from the archive's own addresses (its host,
 * as it resolves) and the connection's storePeers. Against a real Orthanc, with the loopback network standing in
 * for two hosts: Linux routes all of 127.0.0.0/8 to `lo` and Orthanc listens on every address, so a connection to
 * host 127.0.0.2 reaches it, while its C-STOREs back to RadSift (its peer is configured at 127.0.0.1) come from
 * 127.0.0.1, an address that is not the connection's host: an archive that sends from another address than the
 * one RadSift calls, or, seen from the storage SCP, a host that is not the archive.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect, createServer, type Server } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dimseConnectionSchema } from '../../../electron/pacs/connection.js';
import type { RetrievedInstance } from '../../../electron/pacs/dicomweb.js';
import { DimseClient } from '../../../electron/pacs/dimse.js';
import { buildDicom, imagePixel } from '../dicom/builder.js';
import { runCli } from '../../support/cli.js';
import { freePort, orthancMissing, TestOrthanc } from '../../support/orthanc.js';

const skip = orthancMissing() ?? (existsSync('/usr/bin/storescu') ? false : 'dcmtk storescu not installed');
const STUDY = '1.2.826.0.1.3680043.9.7435.7';
const COUNT = 3;
const sops = Array.from({ length: COUNT }, (_, i) => `${STUDY}.1.${i + 1}`);

const instance = (n: number) =>
  buildDicom({
    x00080016: ['UI', '1.2.840.10008.5.1.4.1.1.1'],
    x00080018: ['UI', `${STUDY}.1.${n}`],
    x00080060: ['CS', 'CR'],
    x00100020: ['LO', 'SENDER'],
    x0020000d: ['UI', STUDY],
    x0020000e: ['UI', `${STUDY}.1`],
    ...imagePixel({ rows: 16, columns: 16, bitsAllocated: 8 }),
    x7fe00010: ['OB', new Uint8Array(256).fill(n)],
  });

/** A TCP relay to 127.0.0.1:`port` whose connections come from `from` (another loopback address): another host. */
async function relayFrom(from: string, port: number): Promise<{ port: number; close(): void }> {
  const server: Server = createServer((inbound) => {
    const out = connect({ host: '127.0.0.1', port, localAddress: from });
    inbound.pipe(out).on('error', () => inbound.destroy());
    out.pipe(inbound).on('error', () => out.destroy());
    inbound.on('error', () => out.destroy());
    out.on('error', () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, close: () => server.close() };
}

/** dcmtk's storescu sending `file` to AE title RADSIFT at 127.0.0.1:`port`: its exit status and what it said. */
function storescu(port: number, file: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('storescu', ['-aet', 'INTRUDER', '-aec', 'RADSIFT', '127.0.0.1', String(port), file]);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

describe('the C-MOVE storage SCP accepts the archive’s addresses only', { skip }, () => {
  let orthanc: TestOrthanc;
  let work: string;
  let storePort: number;
  const mover = (host: string, storePeers?: string[]) =>
    new DimseClient(
      dimseConnectionSchema.parse({
        kind: 'dimse',
        name: 'sender',
        calledAet: 'ORTHANC',
        host,
        port: orthanc.dicomPort,
        retrieve: 'C-MOVE',
        storePort,
        ...(storePeers ? { storePeers } : {}),
        timeoutSeconds: 10,
      }),
    );
  const collect = async (stream: AsyncIterable<RetrievedInstance>, into: RetrievedInstance[]) => {
    for await (const g of stream) into.push(g);
    return into;
  };

  before(async () => {
    storePort = await freePort();
    orthanc = await TestOrthanc.start({ peers: { RADSIFT: storePort } });
    work = await mkdtemp(path.join(tmpdir(), 'radsift-move-sender-'));
    await orthanc.uploadBytes(Array.from({ length: COUNT }, (_, i) => instance(i + 1)));
  });
  after(async () => {
    await orthanc?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('from the archive’s host (127.0.0.1, as before): the whole study', async () => {
    const got = await collect(mover('127.0.0.1').retrieveStudy(STUDY), []);
    assert.deepEqual(got.map((g) => g.ref.sopUid).sort(), sops);
  });

  it('a host that is not the archive, pushing while the move runs (storescu from 127.0.0.3), is refused; the study comes alone', async () => {
    const intruder = path.join(work, 'intruder.dcm');
    await writeFile(intruder, instance(99));
    const relay = await relayFrom('127.0.0.3', storePort);
    try {
      const got: RetrievedInstance[] = [];
      let push: Awaited<ReturnType<typeof storescu>> | null = null;
      // While the caller holds the first instance, the storage SCP still listens.
      for await (const g of mover('127.0.0.1').retrieveStudy(STUDY)) {
        push ??= await storescu(relay.port, intruder);
        got.push(g);
      }
      assert.notEqual(push!.status, 0, push!.output);
      assert.match(push!.output, /Association Rejected/);
      assert.deepEqual(got.map((g) => g.ref.sopUid).sort(), sops);
    } finally {
      relay.close();
    }
  });

  it('from another address: refused, and the move fails naming it and storePeers; nothing is yielded', async () => {
    const got: RetrievedInstance[] = [];
    await assert.rejects(collect(mover('127.0.0.2').retrieveStudy(STUDY), got), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'CONFIG', error.message);
      assert.equal(
        error.message,
        `dimse://ORTHANC@127.0.0.2:${orthanc.dicomPort}: the storage SCP refused a connection from 127.0.0.1, which is not the archive's address (127.0.0.2), and none of the instances asked for arrived; if the archive sends from another address, list it in storePeers (the connection's other sender addresses; --store-peers on the command line)`,
      );
      return true;
    });
    assert.equal(got.length, 0);
    // One instance the same way.
    await assert.rejects(
      mover('127.0.0.2').retrieveInstance({ studyUid: STUDY, seriesUid: `${STUDY}.1`, sopUid: sops[0]! }),
      { code: 'CONFIG', message: /refused a connection from 127\.0\.0\.1.*list it in storePeers/ },
    );
  });

  for (const peer of ['127.0.0.1', 'localhost'])
    it(`from another address listed in storePeers (${peer}): the whole study, each instance whole`, async () => {
      const got = await collect(mover('127.0.0.2', ['10.255.255.1', peer]).retrieveStudy(STUDY), []);
      assert.deepEqual(got.map((g) => g.ref.sopUid).sort(), sops);
      for (const g of got) {
        const n = Number(g.ref.sopUid.split('.').at(-1));
        assert.ok(g.bytes.subarray(-256).equals(Buffer.alloc(256, n)), g.ref.sopUid);
      }
    });

  it('storePeers naming another address still refuses this one, and says storePeers was looked at', async () => {
    await assert.rejects(collect(mover('127.0.0.2', ['10.255.255.1']).retrieveStudy(STUDY), []), {
      code: 'CONFIG',
      message:
        /refused a connection from 127\.0\.0\.1, which is not the archive's address \(127\.0\.0\.2\) nor in storePeers/,
    });
  });

  it('the CLI: --store-peers lets the archive send from another address; without it the move says why it failed', async () => {
    const archive = `dimse://ORTHANC@127.0.0.2:${orthanc.dicomPort}`;
    const out = path.join(work, 'cli-out');
    const retrieve = (...more: string[]) =>
      runCli(
        [
          'pacs',
          'retrieve',
          archive,
          '--study',
          STUDY,
          '--out',
          out,
          '--cache',
          path.join(work, 'cli-cache'),
          '--retrieve',
          'C-MOVE',
          '--store-port',
          String(storePort),
          ...more,
        ],
        work,
      );
    const refused = await retrieve();
    assert.notEqual(refused.code, 0);
    assert.match(refused.err, /refused a connection from 127\.0\.0\.1, .*list it in storePeers/);
    const got = await retrieve('--store-peers', '10.255.255.1, 127.0.0.1');
    assert.equal(got.code, 0, got.err);
    assert.equal((await readdir(path.join(out, STUDY))).filter((f) => f.endsWith('.dcm')).length, COUNT);
    const bad = await retrieve('--store-peers', '127.0.0.1,gateway:104');
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /--store-peers "gateway:104": a host name or IP address \(no port/);
    const empty = await retrieve('--store-peers', ' , ');
    assert.notEqual(empty.code, 0);
    assert.match(empty.err, /--store-peers lists host names or IP addresses, comma-separated/);
    const many = await retrieve('--store-peers', Array.from({ length: 17 }, (_, i) => `10.0.0.${i}`).join(','));
    assert.match(many.err, /--store-peers: at most 16 addresses/);
  });

  it('a storePeers name that does not resolve is an error before the move', async () => {
    const got: RetrievedInstance[] = [];
    await assert.rejects(collect(mover('127.0.0.1', ['no-such-host.invalid']).retrieveStudy(STUDY), got), {
      code: 'CONFIG',
      message: /storePeers: no-such-host\.invalid is not an address that resolves \(ENOTFOUND\)/,
    });
    assert.equal(got.length, 0);
  });
});
