/**
 * The addresses RadSift's C-MOVE storage SCP accepts associations from: the archive's host and the connection's
 * storePeers, looked up before it listens, compared with the address each connection comes from.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * An IP address in one form, as a socket reports it and as a lookup gives it: IPv4-mapped IPv6 (`::ffff:127.0.0.1`,
 * how a dual-stack listener sees an IPv4 peer) as IPv4, IPv6 compressed and in lower case, without a zone.
 */
export function normaliseAddress(address: string): string {
  let a = address.trim().toLowerCase().replace(/%.*$/, '');
  if (isIP(a) !== 6) return a;
  a = new URL(`http://[${a}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (!mapped) return a;
  const [hi, lo] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/**
 * The loopback addresses `localhost` names, one per family (RFC 6761). Where `name` resolves to either, both stand
 * for it: a peer on this machine comes from the one of the family it connected in (an archive whose peer entry
 * says ::1, or localhost resolving there, while RadSift's lookup of localhost gave 127.0.0.1 alone), and either is
 * this machine. Other loopback addresses (127.0.0.2) stay themselves.
 */
const LOOPBACK = ['127.0.0.1', '::1'];

/** Every address `name` (a host name or an IP address) resolves to, normalised; rejects as the lookup does. */
export async function addressesOf(name: string): Promise<string[]> {
  const found = new Set((await lookup(name, { all: true })).map((a) => normaliseAddress(a.address)));
  if (LOOPBACK.some((a) => found.has(a))) for (const a of LOOPBACK) found.add(a);
  return [...found];
}
