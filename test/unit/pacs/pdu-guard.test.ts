/**
 * The PDU guard on its own, over a stand-in socket, so that every way a stream can be cut into chunks is tried: a
 * header split anywhere, several PDUs in one chunk. The real sockets are in hostile-dimse.test.ts.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { guardPdus, type PduRefusal } from '../../../electron/pacs/pdu-guard.js';

const pdu = (type: number, body: number, fill = type) => {
  const b = Buffer.alloc(6 + body, fill);
  b.writeUInt8(type, 0);
  b.writeUInt8(0, 1);
  b.writeUInt32BE(body, 2);
  return b;
};

/** A socket's events and its two ways of closing, and what its (dcmjs-dimse) reader got. */
function guarded(max: number) {
  const socket = Object.assign(new EventEmitter(), { closed: false, destroySoon() {}, destroy() {} });
  socket.destroySoon = () => (socket.closed = true);
  const read: Buffer[] = [];
  const refused: PduRefusal[] = [];
  socket.on('data', (chunk: Buffer) => read.push(chunk));
  guardPdus(
    socket as unknown as Socket,
    () => max,
    (r) => refused.push(r),
  );
  return { socket, read: () => Buffer.concat(read), refused };
}

/** `bytes` in chunks of `size`. */
const cut = (bytes: Buffer, size: number) =>
  Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

describe('the PDU guard', () => {
  const fine = Buffer.concat([pdu(0x02, 40), pdu(0x04, 100), pdu(0x04, 0), pdu(0x04, 100), pdu(0x05, 4)]);

  it('passes PDUs within the bound as they came, however the stream is cut', () => {
    for (const size of [1, 2, 5, 6, 7, 13, 106, fine.length]) {
      const g = guarded(100);
      for (const chunk of cut(fine, size)) g.socket.emit('data', chunk);
      assert.ok(g.read().equals(fine), `chunks of ${size}`);
      assert.deepEqual(g.refused, []);
      assert.equal(g.socket.closed, false);
    }
  });

  it('refuses the first PDU past the bound, or of an unknown type, at its header: what came before passes, nothing after', () => {
    for (const [bad, refusal] of [
      [pdu(0x04, 101), { type: 0x04, declared: 101, max: 100 }],
      [pdu(0x0a, 4), { type: 0x0a, declared: 4, max: null }],
    ] as const)
      for (const size of [1, 3, 6, 50, 1000]) {
        const g = guarded(100);
        for (const chunk of cut(Buffer.concat([fine, bad, fine]), size)) g.socket.emit('data', chunk);
        // At most the first bytes of the refused header reach the reader (dcmjs-dimse waits for six).
        const read = g.read();
        assert.ok(read.length >= fine.length && read.length < fine.length + 6, `chunks of ${size}: ${read.length}`);
        assert.ok(read.subarray(0, fine.length).equals(fine));
        assert.deepEqual(g.refused, [refusal]);
        assert.equal(g.socket.closed, true);
      }
  });
});
