/**
 * A DICOMweb server is untrusted input. A real archive does not misbehave on demand, so these tests put a small
 * hostile server of their own in front of the real client: one that ignores `offset` (a walk that would page for
 * ever), names an instance "../../../escaped" (a file name outside the output folder), sends an instance of
 * another study, trickles a search's answer a byte at a time, or sends a part larger than any instance (declared,
 * or streamed without a length: the server stops once the client has proven it stops first).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DicomWebClient } from '../../../electron/pacs/dicomweb.js';
import { readPart10Meta } from '../../../electron/pacs/part10-meta.js';
import { buildDicom, imagePixel } from '../dicom/builder.js';

const STUDY = '1.2.3';
const instance = (study: string, sop: string) =>
  buildDicom({
    x00080018: ['UI', sop],
    x00080060: ['CS', 'DX'],
    x0020000d: ['UI', study],
    x0020000e: ['UI', `${study}.1`],
    ...imagePixel({ rows: 1, columns: 1, bitsAllocated: 8 }),
    x7fe00010: ['OB', Uint8Array.from([1, 0])],
  });
/** A deflated instance of 160 MB of zeros: about 160 KB on the wire. */
const BOMB = '6.6.6';
const bomb = () =>
  buildDicom(
    {
      x00080018: ['UI', `${BOMB}.1.1`],
      x0020000d: ['UI', BOMB],
      x0020000e: ['UI', `${BOMB}.1`],
      x7fe00010: ['OB', new Uint8Array(160 * 1024 * 1024)],
    },
    { transferSyntax: '1.2.840.10008.1.2.1.99' },
  );
const uidJson = (tag: string, value: string) => ({ [tag]: { vr: 'UI', Value: [value] } });
/** A streamed part ends here if the client has not stopped it: then it is a whole (zero-filled) part. */
const STREAM_STOP = 256 * 2 ** 20;

describe('a hostile DICOMweb server', () => {
  let server: Server;
  let requests = 0;
  let client: DicomWebClient;
  let bombBytes: Buffer;
  /** The last oversize part streamed: bytes of it written, and its answer's end (the client closing it). */
  let streamed = { bytes: 0, closed: Promise.resolve() };
  before(async () => {
    bombBytes = bomb(); // made before the server answers: the client's idle time-out is short
    server = createServer((req, res) => {
      requests++;
      const url = new URL(req.url!, 'http://x');
      const json = (body: unknown) => {
        res.writeHead(200, { 'content-type': 'application/dicom+json' });
        res.end(JSON.stringify(body));
      };
      // Every page the same 250 rows, whatever the offset and limit.
      if (url.pathname === `/dw/studies/${STUDY}/instances`)
        return json(
          Array.from({ length: 250 }, (_, i) => ({
            ...uidJson('0020000E', `${STUDY}.1`),
            ...uidJson('00080018', `${STUDY}.1.${i}`),
          })),
        );
      // A study's own count (asked for before its instances are listed): this server gives none.
      if (url.pathname === '/dw/studies' && url.searchParams.has('StudyInstanceUID')) return json([]);
      if (url.pathname === '/dw/studies' && url.searchParams.get('PatientID') === 'LOOP')
        return json(Array.from({ length: 250 }, (_, i) => uidJson('0020000D', `4.4.${i}`)));
      if (/^\/dw\/studies\/4\.4\.\d+\/instances$/.test(url.pathname))
        return json([{ ...uidJson('0020000E', '4.4.0.1'), ...uidJson('00080018', `${url.pathname.split('/')[3]}.1`) }]);
      // A search answered a byte at a time, each well inside the idle time-out.
      if (url.pathname === '/dw/studies') {
        res.writeHead(200, { 'content-type': 'application/dicom+json' });
        const timer = setInterval(() => res.write(' '), 100);
        res.on('close', () => clearInterval(timer));
        return;
      }
      // An instance trickled a byte at a time, each well inside the idle time-out.
      if (url.pathname.startsWith('/dw/studies/8.8.8/')) {
        res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=B' });
        const timer = setInterval(() => res.write('-'), 100);
        res.on('close', () => clearInterval(timer));
        return;
      }
      // A part of 1 GiB + 1 declared (7.7.7), or one streamed without a length (7.7.8), zeros as fast as the
      // client takes them, until it closes the answer or STREAM_STOP is written.
      if (/^\/dw\/studies\/7\.7\.[78](\/|$)/.test(url.pathname)) {
        res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=B' });
        const length = url.pathname.includes('7.7.7') ? `\r\nContent-Length: ${2 ** 30 + 1}` : '';
        res.write(`--B\r\nContent-Type: application/dicom${length}\r\n\r\n`);
        const current = { bytes: 0, closed: new Promise<void>((resolve) => res.on('close', resolve)) };
        streamed = current;
        const chunk = Buffer.alloc(64 * 1024);
        const pump = () => {
          while (!res.destroyed && current.bytes < STREAM_STOP) {
            current.bytes += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          if (!res.destroyed) res.end('\r\n--B--\r\n');
        };
        return pump();
      }
      if (url.pathname.startsWith('/dw/studies/')) {
        const study = url.pathname.split('/')[3]!;
        const parts =
          study === STUDY
            ? [instance('9.9.9', '9.9.9.1.1'), instance(STUDY, `${STUDY}.1.1`)]
            : study === BOMB
              ? [bombBytes]
              : [instance(study, `${study}.1.1`), instance(study, '../../../escaped')];
        const b = 'BOUNDARY';
        res.writeHead(200, { 'content-type': `multipart/related; type="application/dicom"; boundary=${b}` });
        for (const p of parts)
          res.write(
            Buffer.concat([Buffer.from(`--${b}\r\nContent-Type: application/dicom\r\n\r\n`), p, Buffer.from('\r\n')]),
          );
        return res.end(`--${b}--\r\n`);
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new DicomWebClient({ baseUrl: `http://127.0.0.1:${port}/dw`, timeoutMs: 300 });
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('a server that ignores offset ends the walk: each instance once, each study once', async () => {
    requests = 0;
    const sops: string[] = [];
    for await (const ref of client.studyInstances(STUDY)) sops.push(ref.sopUid);
    assert.equal(sops.length, 250);
    assert.equal(new Set(sops).size, 250);
    assert.equal(requests, 3); // the study's count, then two pages: the second brings nothing new
    requests = 0;
    let walked = 0;
    for await (const ref of client.queryInstances({ patientId: 'LOOP' })) {
      assert.match(ref.sopUid, /^4\.4\.\d+\.1$/);
      walked++;
    }
    assert.equal(walked, 250);
    // Two pages of studies; two of instances each (a short page is not the end: the second repeats the first).
    assert.equal(requests, 2 + 2 * 250);
  });

  it('a study retrieval keeps only the study asked for, and refuses an instance named "../../../escaped"', async () => {
    const got = [];
    for await (const g of client.retrieveStudy(STUDY)) got.push(g.ref);
    assert.deepEqual(got, [{ studyUid: STUDY, seriesUid: `${STUDY}.1`, sopUid: `${STUDY}.1.1` }]);
    const refs: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const g of client.retrieveStudy('5.5.5')) refs.push(g.ref.sopUid);
      })(),
      /PROTOCOL|whose UIDs are not DICOM UIDs/,
    );
    assert.deepEqual(refs, ['5.5.5.1.1']);
  });

  it('a deflate bomb is refused while its UIDs are read, before it takes a gigabyte', async () => {
    await assert.rejects(
      (async () => {
        for await (const g of client.retrieveStudy(BOMB)) assert.fail(`kept ${g.ref.sopUid}`);
      })(),
      /PROTOCOL|not a readable DICOM file.*inflates past/,
    );
  });

  it('a search trickled a byte at a time ends at its deadline', async () => {
    const started = Date.now();
    await assert.rejects(client.searchStudies({ patientId: 'SLOW' }, { offset: 0, limit: 10 }), /took longer than 1 s/);
    assert.ok(Date.now() - started < 10_000);
  });

  it('a retrieval given a deadline (the viewer gives one) ends there as a time-out, not as "cancelled"', async () => {
    await assert.rejects(
      client.retrieveInstance(
        { studyUid: '8.8.8', seriesUid: '8.8.8.1', sopUid: '8.8.8.1.1' },
        AbortSignal.timeout(800),
      ),
      /TIMEOUT|the answer took too long/,
    );
  });

  it('a part that declares more than 1 GiB is refused before its body is read', async () => {
    await assert.rejects(client.retrieveInstance({ studyUid: '7.7.7', seriesUid: '7.7.7.1', sopUid: '7.7.7.1.1' }), {
      code: 'PROTOCOL',
      message: /an instance larger than 1 GiB was sent \(1073741825 bytes\)/,
    });
    await streamed.closed;
    // What the server wrote before the client closed: socket buffers, nowhere near the part.
    assert.ok(streamed.bytes < 64 * 2 ** 20, `${streamed.bytes} bytes written`);
  });

  it('a part streamed without a length is refused once it passes the bound, not held to its end', async () => {
    const bounded = new DicomWebClient({ ...client.target, timeoutMs: 5000 }, { maxInstanceBytes: 2 ** 20 });
    await assert.rejects(bounded.retrieveStudy('7.7.8')[Symbol.asyncIterator]().next(), {
      code: 'PROTOCOL',
      message: /an instance larger than 1 MiB was sent;/,
    });
    await streamed.closed;
    assert.ok(streamed.bytes < 64 * 2 ** 20, `${streamed.bytes} bytes written`);
  });

  it('a meta header with a long value is no meta header to read, not a crash', () => {
    const bytes = Buffer.concat([
      Buffer.alloc(128),
      Buffer.from('DICM'),
      Buffer.from([0x02, 0x00, 0x03, 0x00, 0x55, 0x4e, 0, 0]), // (0002,0003) UN
      Buffer.from(Uint32Array.of(200_000).buffer),
      Buffer.alloc(200_000, 0x31),
    ]);
    assert.equal(readPart10Meta(bytes), null);
  });
});
