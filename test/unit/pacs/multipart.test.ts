import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PacsError } from '../../../electron/pacs/errors.js';
import { boundaryOf, readMultipart, type Part } from '../../../electron/pacs/multipart.js';

const B = 'b0undary-42';
const bodies = [
  Buffer.from('DICM first part\r\n--b0undar not a delimiter'),
  Buffer.alloc(0),
  Buffer.from([0, 13, 10, 45, 45, 255]),
];

function message(withLength: boolean): Buffer {
  const parts = bodies.map((b) =>
    Buffer.concat([
      Buffer.from(
        `--${B}\r\nContent-Type: application/dicom${withLength ? `\r\nContent-Length: ${b.length}` : ''}\r\n\r\n`,
      ),
      b,
      Buffer.from('\r\n'),
    ]),
  );
  return Buffer.concat([Buffer.from('preamble\r\n'), ...parts, Buffer.from(`--${B}--\r\nepilogue`)]);
}

async function* chunks(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function collect(it: AsyncIterable<Part>): Promise<Part[]> {
  const out: Part[] = [];
  for await (const p of it) out.push(p);
  return out;
}

describe('multipart/related reader', () => {
  it('finds the boundary in a Content-Type, quoted or not', () => {
    assert.equal(boundaryOf(`multipart/related; type="application/dicom"; boundary=${B}`), B);
    assert.equal(boundaryOf(`multipart/related; boundary="${B}"; type=x`), B);
    assert.equal(boundaryOf('application/dicom'), null);
  });

  for (const withLength of [true, false])
    it(`yields every part whole at any chunking (${withLength ? 'with' : 'without'} Content-Length)`, async () => {
      const msg = message(withLength);
      for (const size of [1, 2, 3, 7, 13, 64, msg.length]) {
        const parts = await collect(readMultipart(chunks(msg, size), B));
        assert.deepEqual(
          parts.map((p) => p.body),
          bodies,
          `chunks of ${size}`,
        );
        assert.equal(parts[0]!.headers['content-type'], 'application/dicom');
      }
    });

  it('a body cut anywhere before the closing delimiter is INTERRUPTED, never a short part', async () => {
    const msg = message(false);
    const close = msg.indexOf(`--${B}--`);
    for (let cut = 0; cut < close + 2 + B.length; cut += 5) {
      const seen: Buffer[] = [];
      await assert.rejects(
        (async () => {
          for await (const p of readMultipart(chunks(msg.subarray(0, cut), 4), B)) seen.push(p.body);
        })(),
        (e: unknown) => e instanceof PacsError && e.code === 'INTERRUPTED',
        `cut at ${cut}`,
      );
      // What came out before the cut is exactly the leading parts.
      assert.deepEqual(seen, bodies.slice(0, seen.length));
    }
  });

  it('malformed bodies are PROTOCOL errors', async () => {
    const noBoundary = Buffer.alloc(70 * 1024, 65);
    await assert.rejects(collect(readMultipart(chunks(noBoundary, 4096), B)), { code: 'PROTOCOL' });
    const wrongLength = Buffer.from(`--${B}\r\nContent-Length: 2\r\n\r\nabcdef\r\n--${B}--`);
    await assert.rejects(collect(readMultipart(chunks(wrongLength, 3), B)), { code: 'PROTOCOL' });
    const tooBig = message(true);
    await assert.rejects(collect(readMultipart(chunks(tooBig, 8), B, { maxPartBytes: 10 })), {
      code: 'PROTOCOL',
      message: /an instance larger than 10 bytes was sent \(42 bytes\)/,
    });
    await assert.rejects(collect(readMultipart(chunks(message(false), 8), B, { maxPartBytes: 10 })), {
      code: 'PROTOCOL',
      message: /an instance larger than 10 bytes was sent;/,
    });
  });

  it('more parts than the answer may hold are refused, before the extra part is read', async () => {
    const seen: Buffer[] = [];
    await assert.rejects(
      (async () => {
        for await (const p of readMultipart(chunks(message(true), 5), B, { maxParts: 1 })) seen.push(p.body);
      })(),
      { code: 'PROTOCOL', message: /more than 1 part in one answer/ },
    );
    assert.deepEqual(seen, bodies.slice(0, 1));
  });
});
