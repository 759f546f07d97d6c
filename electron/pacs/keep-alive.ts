/**
 * Kept-alive connections for DICOMweb: a retrieval asks for instance after instance, and a new connection for each
 * halves what a server sends (Orthanc on loopback, curl with and without `Connection: close`: ~450 vs ~240
 * instances/s). Node's agent keeps no connection whose server announces `Keep-Alive: timeout=1`, Orthanc's
 * default: it lets an idle one go a second before the announced time, which leaves none. These agents keep such a
 * connection idle for at most half the announced time instead (the next request of a retrieval comes within
 * milliseconds, well before the server lets go); one the server closed anyway is asked again on a new connection
 * (http.ts: a GET may be repeated).
 */
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';

/** What a connection's last answer announced (`Keep-Alive: timeout=N`), in ms; set by `noteKeepAlive`. */
const announced = new WeakMap<Duplex, number>();

/** Records a response's keep-alive hint on its connection, for the agent to read when the connection goes idle. */
export function noteKeepAlive(res: http.IncomingMessage): void {
  const hint = /^\s*timeout=(\d+)/i.exec(String(res.headers['keep-alive'] ?? ''))?.[1];
  if (hint !== undefined && res.socket) announced.set(res.socket, Number(hint) * 1000);
}

/** Node's decision, except that a server's short (≥ 1 s) idle time keeps the connection for half of it. */
function keepSocketAlive(kept: boolean, socket: Duplex): boolean {
  const ms = announced.get(socket);
  if (kept || ms === undefined || ms < 1000) return kept;
  (socket as Duplex & { setTimeout(ms: number): void }).setTimeout(ms / 2);
  return true;
}

// Node's keepSocketAlive returns whether to keep the connection; @types/node says void.
class HttpAgent extends http.Agent {
  override keepSocketAlive(socket: Duplex): boolean {
    return keepSocketAlive(super.keepSocketAlive(socket) as unknown as boolean, socket);
  }
}
class HttpsAgent extends https.Agent {
  override keepSocketAlive(socket: Duplex): boolean {
    return keepSocketAlive(super.keepSocketAlive(socket) as unknown as boolean, socket);
  }
}

/** One pool per protocol for every client: connections are keyed by host, port and TLS options. */
export const httpAgent = new HttpAgent({ keepAlive: true, timeout: 5000 });
export const httpsAgent = new HttpsAgent({ keepAlive: true, timeout: 5000 });
