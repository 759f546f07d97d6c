/**
 * The multipart reader on a real WADO-RS answer: a three-instance study as Orthanc sends it (parts with a
 * Content-Length) and the same bytes with those lengths taken out (the reader's other path, where it looks for
 * each delimiter), cut into chunks so that a chunk ends at every offset of every delimiter, followed by chunks
 * shorter than, as long as and longer than one. Every cut must give the parts the whole answer holds, byte for byte.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { boundaryOf, readMultipart } from '../../../electron/pacs/multipart.js';
import { buildDicom, imagePixel } from '../dicom/builder.js';
import { orthancMissing, TestOrthanc } from '../../support/orthanc.js';

const skip = orthancMissing() ?? false;
const STUDY = '1.2.826.0.1.3680043.9.7435.4';
const COUNT = 3;

// Pixel data full of what a delimiter starts with (CRLF, dashes), so that near-delimiters sit next to real ones.
const instance = (n: number) =>
  buildDicom({
    x00080016: ['UI', '1.2.840.10008.5.1.4.1.1.1'],
    x00080018: ['UI', `${STUDY}.1.${n}`],
    x00080060: ['CS', 'CR'],
    x00100020: ['LO', 'MULTIPART'],
    x0020000d: ['UI', STUDY],
    x0020000e: ['UI', `${STUDY}.1`],
    ...imagePixel({ rows: 16, columns: 16, bitsAllocated: 8 }),
    x7fe00010: ['OB', Uint8Array.from({ length: 256 }, (_, i) => [13, 10, 45, 45][i % 4]! + (i === 255 ? n : 0))],
  });

/** The parts of a whole answer, found without the reader: the bytes between delimiters, after each blank line. */
function split(answer: Buffer, boundary: string): Buffer[] {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const bodies: Buffer[] = [];
  let at = answer.indexOf(`--${boundary}`);
  assert.equal(at, 0, 'the answer opens with its first delimiter');
  at += boundary.length + 2;
  for (;;) {
    if (answer.subarray(at, at + 2).toString() === '--') return bodies;
    const start = answer.indexOf('\r\n\r\n', at) + 4;
    const end = answer.indexOf(delimiter, start);
    bodies.push(answer.subarray(start, end));
    at = end + delimiter.length;
  }
}

/** Where each delimiter (CRLF and dashes included; the first has no CRLF) starts in an answer. */
function delimiters(answer: Buffer, boundary: string): number[] {
  const out = [0];
  for (let at = answer.indexOf(`\r\n--${boundary}`); at >= 0; at = answer.indexOf(`\r\n--${boundary}`, at + 1))
    out.push(at);
  return out;
}

async function* pieces(answer: Buffer, cuts: readonly number[]): AsyncGenerator<Buffer> {
  let from = 0;
  for (const cut of [...cuts, answer.length]) {
    if (cut > from) yield answer.subarray(from, cut);
    from = Math.max(from, cut);
  }
}

function fetchRaw(url: string, authorization: string): Promise<{ type: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const accept = 'multipart/related; type="application/dicom"; transfer-syntax=*';
    http
      .get(url, { headers: { authorization, accept } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ type: String(res.headers['content-type']), body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('multipart reader on an answer from Orthanc, cut at every offset of every delimiter', { skip }, () => {
  let orthanc: TestOrthanc;
  let boundary: string;
  let answer: Buffer;

  before(async () => {
    orthanc = await TestOrthanc.start();
    await orthanc.uploadBytes(Array.from({ length: COUNT }, (_, i) => instance(i + 1)));
    const authorization = `Basic ${Buffer.from(`${orthanc.user}:${orthanc.password}`).toString('base64')}`;
    const raw = await fetchRaw(`${orthanc.dicomWebUrl}/studies/${STUDY}`, authorization);
    boundary = boundaryOf(raw.type)!;
    answer = raw.body;
  });

  after(async () => {
    await orthanc?.dispose();
  });

  for (const withLength of [true, false])
    it(`yields every part whole (${withLength ? 'parts with a Content-Length, as sent' : 'Content-Length taken out'})`, async () => {
      const sent = withLength
        ? answer
        : Buffer.from(answer.toString('latin1').replace(/\r\nContent-Length: \d+/gi, ''), 'latin1');
      assert.equal(/Content-Length/i.test(sent.toString('latin1')), withLength);
      const expected = split(sent, boundary);
      assert.equal(expected.length, COUNT);
      for (const body of expected) assert.equal(body.subarray(128, 132).toString(), 'DICM');
      const length = boundary.length + 4;
      let cases = 0;
      for (const at of delimiters(sent, boundary))
        for (let k = 0; k <= length; k++)
          for (const next of [1, 2, length - 2, length - 1, length, length + 1, 4096]) {
            const cuts = [at + k, at + k + next];
            const bodies: Buffer[] = [];
            for await (const part of readMultipart(pieces(sent, cuts), boundary)) bodies.push(part.body);
            assert.deepEqual(bodies, expected, `chunks ending at ${cuts.join(' and ')}`);
            cases++;
          }
      assert.ok(cases > COUNT * length * 7);
    });
});
