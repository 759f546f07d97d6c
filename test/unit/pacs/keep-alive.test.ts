/**
 * Instance after instance over one connection, as curl retrieves them: a server that announces `Keep-Alive:
 * timeout=1` (Orthanc's default, which Node's own agent will not reuse) keeps its connection between retrievals, an
 * answer read to its end leaves it for the next, and one the server closed while idle is asked again on a new one.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DicomWebClient } from '../../../electron/pacs/dicomweb.js';
import { buildDicom, imagePixel } from '../dicom/builder.js';

const STUDY = '1.2.3';
const instance = (sop: string) =>
  buildDicom({
    x00080018: ['UI', sop],
    x0020000d: ['UI', STUDY],
    x0020000e: ['UI', `${STUDY}.1`],
    ...imagePixel({ rows: 1, columns: 1, bitsAllocated: 8 }),
    x7fe00010: ['OB', Uint8Array.from([1, 0])],
  });
const ref = (i: number) => ({ studyUid: STUDY, seriesUid: `${STUDY}.1`, sopUid: `${STUDY}.1.${i}` });

describe('DICOMweb connections', () => {
  let server: Server;
  let client: DicomWebClient;
  let connections = 0;
  /** Cut the next request that comes on a connection already used, before answering it. */
  let cutReused = false;
  const used = new WeakSet<Socket>();
  before(async () => {
    server = createServer((req, res) => {
      if (cutReused && used.has(req.socket)) {
        cutReused = false;
        return req.socket.destroy();
      }
      used.add(req.socket);
      const sop = req.url!.split('/').at(-1)!;
      const part = instance(sop);
      res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=B' });
      res.end(
        Buffer.concat([
          Buffer.from(`--B\r\nContent-Type: application/dicom\r\nContent-Length: ${part.length}\r\n\r\n`),
          part,
          Buffer.from('\r\n--B--\r\n'),
        ]),
      );
    });
    server.keepAliveTimeout = 1000; // announced as `Keep-Alive: timeout=1`, as Orthanc does
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new DicomWebClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dw` });
  });
  beforeEach(() => {
    connections = 0;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('retrieves instance after instance over one connection', async () => {
    for (let i = 1; i <= 5; i++) assert.equal((await client.retrieveInstance(ref(i))).ref.sopUid, ref(i).sopUid);
    assert.equal(connections, 1);
  });

  it('asks again on a new connection when the server closed the kept one', async () => {
    await client.retrieveInstance(ref(1));
    const opened = connections;
    cutReused = true;
    assert.equal((await client.retrieveInstance(ref(2))).ref.sopUid, ref(2).sopUid);
    assert.equal(cutReused, false, 'the kept connection was used, and cut');
    assert.equal(connections, opened + 1);
  });
});
