/**
 * A TCP proxy in front of a real server that misbehaves on purpose, for the "bad network" tests:
 * it forwards the server's answer up to a byte count, then cuts the connection, stalls (sends
 * nothing more, keeps it open) or overwrites its end. Everything before that point is the real server's.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type Fault =
  | { kind: 'none' }
  | { kind: 'cut' | 'stall'; afterBytes: number }
  /** Overwrite the last bytes of the answer (where a multipart body closes), length unchanged. */
  | { kind: 'corrupt-tail'; bytes: number };

export class FaultProxy {
  fault: Fault = { kind: 'none' };
  /** Bytes the server has sent through the proxy so far, and a hook called as they pass. */
  forwarded = 0;
  onForward: ((total: number) => void) | null = null;
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<FaultProxy> {
    // eslint-disable-next-line prefer-const -- assigned once the server listens; the handler runs after
    let proxy!: FaultProxy;
    const server = createServer((client) => {
      const upstream = connect(targetPort, '127.0.0.1');
      proxy.sockets.add(client).add(upstream);
      const fault = proxy.fault;
      let sent = 0;
      const held: Buffer[] = [];
      client.on('data', (d) => upstream.write(d));
      upstream.on('data', (d: Buffer) => {
        proxy.forwarded += d.length;
        proxy.onForward?.(proxy.forwarded);
        if (fault.kind === 'cut' || fault.kind === 'stall') {
          const room = fault.afterBytes - sent;
          if (room <= 0) return;
          client.write(d.subarray(0, room));
          sent += Math.min(room, d.length);
          if (sent >= fault.afterBytes && fault.kind === 'cut') {
            client.destroy();
            upstream.destroy();
          }
          return;
        }
        if (fault.kind === 'corrupt-tail') {
          held.push(d); // sent whole when the server closes (Orthanc closes idle keep-alive connections)
          return;
        }
        client.write(d);
      });
      upstream.on('end', () => {
        if (fault.kind === 'corrupt-tail') {
          const all = Buffer.concat(held);
          all.fill(0x78, Math.max(0, all.length - fault.bytes));
          client.end(all);
        } else if (fault.kind !== 'stall') client.end();
      });
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close);
      upstream.on('error', close);
      client.on('close', () => upstream.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    proxy = new FaultProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}
