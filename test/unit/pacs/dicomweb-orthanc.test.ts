/**
 * The DICOMweb client against a real Orthanc (with its DICOMweb and GDCM plugins), authentication on.
 * Orthanc's REST API is the independent reference for what is stored.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { DicomWebClient } from '../../../electron/pacs/dicomweb.js';
import { openClient } from '../../../electron/pacs/open-client.js';
import type { PacsError } from '../../../electron/pacs/errors.js';
import type { HttpTarget } from '../../../electron/pacs/http.js';
import { parseDicom } from '../../../electron/dicom/parse.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { FaultProxy } from '../../support/fault-proxy.js';
import { orthancMissing, TestOrthanc } from '../../support/orthanc.js';
import { CORPUS } from '../../support/paths.js';

const skip = orthancMissing() ?? false;

/** Compressed files from the public corpus, one per transfer syntax family. */
const COMPRESSED = [
  'cornerstone/CTImage.dcm_JPEG2000LosslessOnlyTransferSyntax_1.2.840.10008.1.2.4.90.dcm',
  'cornerstone/TestPattern_JPEG-LS-Lossless.dcm',
  'dcm4che/YBR_FULL-RLE.dcm',
  'cornerstone/TestPattern_JPEG-Baseline_YBRFull.dcm',
  'dcm4che/MR-JPEGLosslessSV1.dcm',
].map((f) => path.join(CORPUS, f));

function pixelBytes(bytes: Uint8Array): Buffer {
  const p = parseDicom(bytes);
  const el = p.dataSet.elements.x7fe00010!;
  return Buffer.from(
    p.bytes.subarray(el.dataOffset, el.dataOffset + (el.length > 0 ? el.length : p.bytes.length - el.dataOffset)),
  );
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('DICOMweb client against Orthanc', { skip }, () => {
  let orthanc: TestOrthanc;
  let work: string;
  let target: HttpTarget;
  let client: DicomWebClient;
  /** Orthanc instance id → the file it stores. */
  const stored = new Map<string, string>();

  before(async () => {
    orthanc = await TestOrthanc.start();
    work = await mkdtemp(path.join(tmpdir(), 'radsift-dicomweb-'));
    writeDemo({ dir: path.join(work, 'demo'), count: 8, seed: 21, size: 256 });
    const phantoms: string[] = [];
    for (const d of await readdir(path.join(work, 'demo')))
      if (d.startsWith('PH'))
        for (const f of await readdir(path.join(work, 'demo', d), { recursive: true }))
          if (f.endsWith('.dcm')) phantoms.push(path.join(work, 'demo', d, f));
    const files = [...phantoms, ...COMPRESSED];
    (await orthanc.upload(files)).forEach((id, i) => stored.set(id, files[i]!));
    target = {
      baseUrl: orthanc.dicomWebUrl,
      authorization: `Basic ${Buffer.from(`${orthanc.user}:${orthanc.password}`).toString('base64')}`,
      timeoutMs: 5000,
    };
    client = new DicomWebClient(target);
  });
  after(async () => {
    await orthanc?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('searches with each filter and pages with a "more" flag', async () => {
    const rest = (await (await orthanc.rest('/studies?expand')).json()) as {
      MainDicomTags: Record<string, string>;
      PatientMainDicomTags: Record<string, string>;
    }[];
    const all = await client.searchStudies({}, { offset: 0, limit: 100 }, undefined);
    assert.equal(all.studies.length, rest.length);
    assert.equal(all.more, false);
    const phantom = all.studies.find((s) => s.patientId?.startsWith('PH'))!;
    assert.ok(phantom.modalities.length && phantom.studyDate && phantom.accession);

    const byId = await client.searchStudies({ patientId: phantom.patientId! }, { offset: 0, limit: 10 });
    assert.deepEqual(
      byId.studies.map((s) => s.studyUid),
      [phantom.studyUid],
    );
    const byAccession = await client.searchStudies({ accession: phantom.accession! }, { offset: 0, limit: 10 });
    assert.deepEqual(
      byAccession.studies.map((s) => s.studyUid),
      [phantom.studyUid],
    );
    const byName = await client.searchStudies({ patientName: 'Phantom*' }, { offset: 0, limit: 100 });
    assert.equal(byName.studies.length, 8);
    const chest = await client.searchStudies({ modalities: ['CR', 'DX'] }, { offset: 0, limit: 100 });
    assert.equal(chest.studies.length, 8, 'the corpus CT/MR/US/OT studies are not chest radiographs');
    const dates = chest.studies.map((s) => s.studyDate!).sort();
    const mid = dates[3]!;
    const upTo = await client.searchStudies({ modalities: ['CR', 'DX'], studyDateTo: mid }, { offset: 0, limit: 100 });
    assert.equal(upTo.studies.length, dates.filter((d) => d <= mid).length);
    assert.ok(upTo.studies.every((s) => s.studyDate! <= mid));

    const first = await client.searchStudies({ patientName: 'Phantom*' }, { offset: 0, limit: 5 });
    const second = await client.searchStudies({ patientName: 'Phantom*' }, { offset: 5, limit: 5 });
    assert.equal(first.more, true);
    assert.equal(second.more, false);
    assert.equal(new Set([...first.studies, ...second.studies].map((s) => s.studyUid)).size, 8);
  });

  it('pages a modality-filtered search right, and walks only the matching studies', async () => {
    // Orthanc 1.10 applies limit before offset when ModalitiesInStudy is set; the client must not.
    const pages = [];
    for (let offset = 0; offset < 12; offset += 3)
      pages.push(await client.searchStudies({ modalities: ['CR', 'DX'] }, { offset, limit: 3 }));
    assert.deepEqual(
      pages.map((p) => p.studies.length),
      [3, 3, 2, 0],
    );
    assert.deepEqual(
      pages.map((p) => p.more),
      [true, true, false, false],
    );
    const uids = pages.flatMap((p) => p.studies.map((s) => s.studyUid));
    assert.equal(new Set(uids).size, 8);
    const walked = await collect(client.queryInstances({ modalities: ['CR', 'DX'] }));
    assert.deepEqual([...new Set(walked.map((r) => r.studyUid))].sort(), [...uids].sort());
    const everything = await collect(client.queryInstances({}));
    assert.equal(everything.length, stored.size);
  });

  it('retrieves every instance as stored: native phantoms and compressed transfer syntaxes', async () => {
    let compressed = 0;
    for (const [id, file] of stored) {
      const tags = (await (await orthanc.rest(`/instances/${id}/tags?simplify`)).json()) as Record<string, string>;
      const ref = {
        studyUid: tags.StudyInstanceUID!,
        seriesUid: tags.SeriesInstanceUID!,
        sopUid: tags.SOPInstanceUID!,
      };
      const got = await client.retrieveInstance(ref);
      const reference = Buffer.from(await (await orthanc.rest(`/instances/${id}/file`)).arrayBuffer());
      assert.equal(got.transferSyntaxUID, parseDicom(reference, { untilTag: 'x00020010' }).transferSyntaxUID, file);
      assert.ok(pixelBytes(got.bytes).equals(pixelBytes(reference)), `pixel data of ${path.basename(file)}`);
      if (!got.transferSyntaxUID.startsWith('1.2.840.10008.1.2.1') && got.transferSyntaxUID !== '1.2.840.10008.1.2')
        compressed++;
    }
    assert.equal(compressed, COMPRESSED.length);
  });

  it('retrieves a whole study part by part, and lists its instances', async () => {
    const study = (await client.searchStudies({ patientName: 'Phantom*' }, { offset: 0, limit: 1 })).studies[0]!;
    const refs = await collect(client.studyInstances(study.studyUid));
    const parts = await collect(client.retrieveStudy(study.studyUid));
    assert.ok(refs.length >= 1);
    assert.deepEqual(parts.map((p) => p.ref.sopUid).sort(), refs.map((r) => r.sopUid).sort());
    assert.deepEqual(parts.map((p) => p.ref.seriesUid).sort(), refs.map((r) => r.seriesUid).sort());
  });

  it('wrong or missing credentials: AUTH_FAILED, and the password is in no message', async () => {
    const wrong = new DicomWebClient({
      ...target,
      authorization: `Basic ${Buffer.from('radsift:not-the-password').toString('base64')}`,
    });
    await assert.rejects(wrong.searchStudies({}, { offset: 0, limit: 1 }), (e: PacsError) => {
      assert.equal(e.code, 'AUTH_FAILED');
      assert.doesNotMatch(e.message, /not-the-password|bm90LXRoZS1wYXNzd29yZA/);
      return true;
    });
    const none = new DicomWebClient({ baseUrl: target.baseUrl });
    await assert.rejects(none.searchStudies({}, { offset: 0, limit: 1 }), { code: 'AUTH_FAILED' });
    const checks = await wrong.check();
    assert.equal(checks.find((c) => c.service === 'QIDO-RS')?.ok, false);
    assert.match(checks[0]!.detail, /401/);
  });

  it('a study deleted between search and retrieve: NOT_FOUND', async () => {
    const [id] = await orthanc.upload([COMPRESSED[0]!.replace('.4.90.dcm', '.4.91.dcm').replace('LosslessOnly', '')]);
    const tags = (await (await orthanc.rest(`/instances/${id}/tags?simplify`)).json()) as Record<string, string>;
    const ref = { studyUid: tags.StudyInstanceUID!, seriesUid: tags.SeriesInstanceUID!, sopUid: tags.SOPInstanceUID! };
    await orthanc.rest(`/instances/${id}`, { method: 'DELETE' });
    await assert.rejects(client.retrieveInstance(ref), { code: 'NOT_FOUND' });
  });

  it('a connection cut mid-body is INTERRUPTED, a stall is a TIMEOUT, a mangled body is PROTOCOL', async () => {
    const proxy = await FaultProxy.start(orthanc.httpPort);
    try {
      const via = new DicomWebClient({
        ...target,
        baseUrl: `http://127.0.0.1:${proxy.port}/dicom-web`,
        timeoutMs: 1500,
      });
      const id = [...stored.keys()][0]!;
      const tags = (await (await orthanc.rest(`/instances/${id}/tags?simplify`)).json()) as Record<string, string>;
      const ref = {
        studyUid: tags.StudyInstanceUID!,
        seriesUid: tags.SeriesInstanceUID!,
        sopUid: tags.SOPInstanceUID!,
      };
      // A fault applies to the connections opened after it is set, and the client keeps a connection for the next
      // request: each fault below ends the connection it was on, and the clean answer comes last.
      proxy.fault = { kind: 'cut', afterBytes: 5000 };
      await assert.rejects(via.retrieveInstance(ref), { code: 'INTERRUPTED' });
      proxy.fault = { kind: 'stall', afterBytes: 5000 };
      await assert.rejects(via.retrieveInstance(ref), { code: 'TIMEOUT' });
      proxy.fault = { kind: 'stall', afterBytes: 0 };
      await assert.rejects(via.searchStudies({}, { offset: 0, limit: 1 }), { code: 'TIMEOUT' });
      proxy.fault = { kind: 'corrupt-tail', bytes: 30 };
      await assert.rejects(via.retrieveInstance(ref), { code: 'PROTOCOL' });
      proxy.fault = { kind: 'none' };
      assert.ok((await via.retrieveInstance(ref)).bytes.length > 10_000, 'the proxy forwards a clean answer');
    } finally {
      await proxy.close();
    }
  });

  it('a server that is down: UNREACHABLE; cancelling: CANCELLED', async () => {
    const down = new DicomWebClient({ ...target, baseUrl: 'http://127.0.0.1:9/dicom-web' });
    await assert.rejects(down.searchStudies({}, { offset: 0, limit: 1 }), { code: 'UNREACHABLE' });
    const stop = new AbortController();
    stop.abort();
    await assert.rejects(client.searchStudies({}, { offset: 0, limit: 1 }, stop.signal), { code: 'CANCELLED' });
  });
});

describe('DICOMweb over HTTPS with a private CA', { skip }, () => {
  // Debian's Orthanc 1.10 crashes on its own HTTPS requests (civetweb with OpenSSL 3), so TLS is terminated in
  // front of it, as a hospital's reverse proxy would: Node's TLS server, the real Orthanc behind it.
  let orthanc: TestOrthanc;
  let terminator: TlsServer;
  let dir: string;
  let ca: string;
  let url: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'radsift-tls-'));
    // A private CA and a server certificate for 127.0.0.1, as a hospital's own CA would issue.
    const sh = (cmd: string) => execFileSync('/bin/sh', ['-c', cmd], { cwd: dir, stdio: 'pipe' });
    sh('openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=RadSift test CA"');
    sh('openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1"');
    sh('printf "subjectAltName=IP:127.0.0.1\\n" > san.ext');
    sh(
      'openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile san.ext',
    );
    ca = await readFile(path.join(dir, 'ca.pem'), 'utf8');
    orthanc = await TestOrthanc.start();
    terminator = createTlsServer(
      { key: await readFile(path.join(dir, 'server.key')), cert: await readFile(path.join(dir, 'server.crt')) },
      (socket) => {
        const upstream = connect(orthanc.httpPort, '127.0.0.1');
        socket.pipe(upstream).pipe(socket);
        socket.on('error', () => upstream.destroy());
        upstream.on('error', () => socket.destroy());
      },
    );
    terminator.on('tlsClientError', () => undefined); // the untrusted client's refused handshake
    await new Promise<void>((r) => terminator.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(terminator.address() as { port: number }).port}/dicom-web`;
  });
  after(async () => {
    terminator?.close();
    await orthanc?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('trusts the server with the CA file, refuses it without (TLS), and a connection reads the CA from its file', async () => {
    const authorization = `Basic ${Buffer.from(`${orthanc.user}:${orthanc.password}`).toString('base64')}`;
    const trusted = new DicomWebClient({ baseUrl: url, authorization, ca });
    assert.deepEqual((await trusted.searchStudies({}, { offset: 0, limit: 1 })).studies, []);
    const untrusted = new DicomWebClient({ baseUrl: url, authorization });
    await assert.rejects(untrusted.searchStudies({}, { offset: 0, limit: 1 }), { code: 'TLS' });
    const viaConnection = await openClient(
      {
        kind: 'dicomweb',
        name: 'tls',
        url,
        auth: 'basic',
        username: orthanc.user,
        caFile: path.join(dir, 'ca.pem'),
        timeoutSeconds: 5,
      },
      orthanc.password,
    );
    const checks = await viaConnection.check();
    assert.equal(checks[0]!.ok, true, checks[0]!.detail);
    await assert.rejects(
      openClient(
        { kind: 'dicomweb', name: 'tls', url, auth: 'none', caFile: path.join(dir, 'server.key'), timeoutSeconds: 5 },
        null,
      ),
      { code: 'CONFIG' },
    );
  });
});
