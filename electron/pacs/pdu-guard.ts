/**
 * A check on the DICOM Upper Layer PDUs a peer sends, before dcmjs-dimse reads them. dcmjs-dimse's reader (the PDU
 * accumulator its Network wraps the socket with) takes a PDU's declared length on trust: it concatenates what
 * arrives until that many bytes have come, with no bound (a peer declaring a 4 GiB PDU, or sending one for ever,
 * makes it hold all it sends), and never compares it with the maximum PDU length announced in the A-ASSOCIATE; a
 * PDU of an unknown type is reported as a network error and the bytes after it are read as a new PDU. Here each
 * PDU's 6-byte header (type, reserved, 32-bit big-endian length) is read as the bytes pass, and the first PDU of an
 * unknown type or declaring more than the receiver accepts stops the connection: nothing more reaches dcmjs-dimse.
 */
import type { Socket } from 'node:net';
import { sizeText } from './limits.js';

/** PDU types (PS3.8 9.3.1). */
const PDU_TYPES: Readonly<Record<number, string>> = {
  0x01: 'A-ASSOCIATE-RQ',
  0x02: 'A-ASSOCIATE-AC',
  0x03: 'A-ASSOCIATE-RJ',
  0x04: 'P-DATA-TF',
  0x05: 'A-RELEASE-RQ',
  0x06: 'A-RELEASE-RP',
  0x07: 'A-ABORT',
};
export const P_DATA_TF = 0x04;
const HEADER = 6;

/** A PDU refused: its type, the length it declared, and the most that was accepted for it (null: unknown type). */
export interface PduRefusal {
  type: number;
  declared: number;
  max: number | null;
}

/** A refused PDU in words: its type and declared length, never its bytes. */
export function refusalText(r: PduRefusal): string {
  const name = PDU_TYPES[r.type];
  return name === undefined || r.max === null
    ? `a PDU of unknown type 0x${r.type.toString(16).padStart(2, '0')} (declaring ${r.declared} bytes)`
    : `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name} PDU declaring ${r.declared} bytes, more than the maximum PDU length RadSift announces (${sizeText(r.max)})`;
}

/**
 * Guards the PDUs arriving on `socket` (one of dcmjs-dimse's, its data listener already attached): `maxLength`
 * says how long a PDU of a known type may be (its length field, the header not counted). The first PDU past it, or
 * of an unknown type, is passed to `refuse` (which may still send an A-ABORT) and the connection is closed; the
 * PDUs before it in the same chunk still reach dcmjs-dimse, nothing after it does.
 */
export function guardPdus(socket: Socket, maxLength: (type: number) => number, refuse: (r: PduRefusal) => void): void {
  const readers = socket.listeners('data') as ((chunk: Buffer) => void)[];
  if (!readers.length) throw new Error('dcmjs-dimse: the socket has no reader to guard');
  socket.removeAllListeners('data');
  const pass = (chunk: Buffer) => {
    for (const read of readers) read.call(socket, chunk);
  };
  const header = Buffer.alloc(HEADER);
  let have = 0; // bytes of the next header read so far
  let remaining = 0; // bytes of the current PDU still to come
  let refused = false;
  socket.on('data', (chunk: Buffer) => {
    if (refused) return;
    let at = 0;
    while (at < chunk.length) {
      if (remaining > 0) {
        const n = Math.min(remaining, chunk.length - at);
        remaining -= n;
        at += n;
        continue;
      }
      const start = at;
      const n = Math.min(HEADER - have, chunk.length - at);
      chunk.copy(header, have, at, at + n);
      have += n;
      at += n;
      if (have < HEADER) break;
      have = 0;
      const type = header.readUInt8(0);
      const declared = header.readUInt32BE(2);
      const max = type in PDU_TYPES ? maxLength(type) : null;
      if (max === null || declared > max) {
        refused = true;
        if (start > 0) pass(chunk.subarray(0, start));
        refuse({ type, declared, max });
        // The A-ABORT `refuse` may have written goes first; a peer that never closes its side is cut off anyway.
        socket.destroySoon();
        setTimeout(() => socket.destroy(), 1_000).unref();
        return;
      }
      remaining = declared;
    }
    pass(chunk);
  });
}
