/**
 * A hostile DICOM peer's side of a connection: it declares one PDU (the 6-byte Upper Layer header: type, reserved,
 * 32-bit big-endian length) and then sends bytes of it steadily, counting what it wrote, until the other side
 * closes the connection. What it wrote by then bounds what the other side can have held.
 */
import type { Socket } from 'node:net';

export interface Flood {
  /** Bytes written so far, the header included. */
  readonly sent: number;
  /** Whether the other side closed the connection. */
  readonly closed: boolean;
  /** Resolves true once the connection is closed, false if it is still open after `ms`. */
  closedWithin(ms: number): Promise<boolean>;
}

/** Declares a PDU of `type` and `length` on `socket`, then writes 16 KiB every 5 ms, `most` bytes in all. */
export function floodPdu(socket: Socket, type: number, length: number, most = 8 * 2 ** 20): Flood {
  const header = Buffer.alloc(6);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(length, 2);
  const state = { sent: header.length, closed: false };
  const chunk = Buffer.alloc(16 * 1024, 0x55);
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      state.closed = true;
      clearInterval(timer);
      resolve();
    }),
  );
  // Writing to a connection the other side reset is an error here, and expected.
  socket.on('error', () => undefined);
  socket.write(header);
  const timer = setInterval(() => {
    if (socket.destroyed || state.sent >= most) return clearInterval(timer);
    socket.write(chunk);
    state.sent += chunk.length;
  }, 5);
  return {
    get sent() {
      return state.sent;
    },
    get closed() {
      return state.closed;
    },
    closedWithin: (ms) =>
      Promise.race([closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(state.closed), ms))]),
  };
}
