/**
 * A PACS connection as the user configures it: where, how to authenticate, never the secret itself
 * (settings files and logs must not hold passwords or tokens; the secret comes from the app's
 * encrypted store or, for the CLI, the environment or a private file: credentials.ts).
 */
import { z } from 'zod';
import { PacsError, safeUrl } from './errors.js';
import type { HttpTarget } from './http.js';

const name = z.string().trim().min(1).max(64);
/** AE titles: up to 16 characters of the default character repertoire, no backslash, not all spaces. */
export const aeTitle = z
  .string()
  .regex(/^[\x20-\x5b\x5d-\x7e]{1,16}$/, 'an AE title: 1–16 printable characters, no backslash')
  .refine((s) => s.trim().length > 0, 'an AE title cannot be blank');

/** The addresses besides its host an archive may send a C-MOVE's instances from (a DIMSE connection's storePeers). */
const STORE_PEERS_MAX = 16;
/** One of them, in characters: a DNS name is at most 253. */
const STORE_PEER_MAX_LENGTH = 253;

/**
 * Whether `s` reads as a host name or an IP address, and nothing else: no port, brackets, spaces or IPv6 zone
 * (an IPv6 address is checked whole, by the URL parser, once it holds nothing but what one may; whether a name
 * resolves is known only when it is looked up). No node:net here: the sandboxed preload bundles this file.
 */
function isHostOrAddress(s: string): boolean {
  if (s.includes(':')) return /^[0-9A-Fa-f:.]+$/.test(s) && URL.canParse(`http://[${s}]/`);
  return /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_.])?$/.test(s);
}

const IPV4_PART = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${IPV4_PART}(?:\\.${IPV4_PART}){3}$`);

/**
 * Whether `s`, if the system's lookup takes it for an IPv4 address (its last label a number, or 0x…), is one in the
 * form that means one address everywhere: four decimal numbers without leading zeros. The lookup reads the others
 * the old inet_aton way: 010.0.0.6 is 8.0.0.6 (octal), 10.6 is 10.0.0.6, 167772166 is 10.0.0.6.
 */
function isPlainIpv4(s: string): boolean {
  // (an IPv6 address, ::ffff:10.0.0.7 included, is checked whole by isHostOrAddress)
  return s.includes(':') || !/^(?:\d+|0x[0-9a-f]*)$/i.test(s.replace(/\.$/, '').split('.').at(-1)!) || IPV4.test(s);
}

export const dicomWebConnectionSchema = z
  .object({
    kind: z.literal('dicomweb'),
    name,
    /** The DICOMweb root, e.g. https://pacs.example.org/dicom-web. */
    url: z
      .string()
      .max(2048)
      .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'an http:// or https:// URL')
      .refine(
        (u) => !URL.canParse(u) || (!new URL(u).username && !new URL(u).password),
        'no user or password in the URL',
      ),
    auth: z.enum(['none', 'basic', 'bearer']).default('none'),
    /** For basic authentication. */
    username: z.string().max(256).optional(),
    /** A PEM file of certificates to trust (a hospital's own CA). */
    caFile: z.string().max(4096).optional(),
    timeoutSeconds: z.number().int().min(1).max(600).default(30),
  })
  .strict();

export const dimseConnectionSchema = z
  .object({
    kind: z.literal('dimse'),
    name,
    /** Our AE title, as the archive knows RadSift. */
    callingAet: aeTitle.default('RADSIFT'),
    /** The archive's AE title. */
    calledAet: aeTitle,
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535),
    /** C-GET (the images come back on the same association) or C-MOVE (to RadSift's own storage SCP). */
    retrieve: z.enum(['C-GET', 'C-MOVE']).default('C-GET'),
    /** The port RadSift's storage SCP listens on for C-MOVE (the archive must know it for our AE title). */
    storePort: z.number().int().min(1).max(65535).optional(),
    /**
     * Where else than `host` the archive may send a C-MOVE's instances from (host names or IP addresses): the
     * storage SCP accepts an association only from the archive's own addresses and these.
     */
    storePeers: z
      .array(
        z
          .string()
          .trim()
          .min(1, 'a host name or IP address cannot be empty')
          .max(STORE_PEER_MAX_LENGTH, `at most ${STORE_PEER_MAX_LENGTH} characters`)
          .refine(isHostOrAddress, 'a host name or IP address (no port, brackets or spaces)')
          .refine(
            isPlainIpv4,
            'an IPv4 address is four numbers 0–255 without leading zeros (the system reads 010.0.0.6 as 8.0.0.6)',
          ),
      )
      .max(STORE_PEERS_MAX, `at most ${STORE_PEERS_MAX} addresses`)
      .optional(),
    timeoutSeconds: z.number().int().min(1).max(600).default(30),
  })
  .strict();

export const connectionSchema = z.discriminatedUnion('kind', [dicomWebConnectionSchema, dimseConnectionSchema]);
export type DicomWebConnection = z.infer<typeof dicomWebConnectionSchema>;
export type DimseConnection = z.infer<typeof dimseConnectionSchema>;
export type PacsConnection = z.infer<typeof connectionSchema>;

/** Whether a connection needs a secret (password or token) before it can be used. */
export function needsSecret(c: PacsConnection): boolean {
  return c.kind === 'dicomweb' && c.auth !== 'none';
}

/** The HTTP target of a DICOMweb connection, with its secret and its CA file's contents. */
export function httpTarget(c: DicomWebConnection, secret: string | null, ca: string | null): HttpTarget {
  let authorization: string | undefined;
  if (c.auth !== 'none') {
    if (!secret) throw new PacsError('CONFIG', `${c.name}: no ${c.auth === 'basic' ? 'password' : 'token'} given`);
    if (c.auth === 'basic') {
      if (!c.username) throw new PacsError('CONFIG', `${c.name}: basic authentication needs a user name`);
      authorization = `Basic ${Buffer.from(`${c.username}:${secret}`).toString('base64')}`;
    } else authorization = `Bearer ${secret}`;
  }
  return {
    baseUrl: c.url,
    timeoutMs: c.timeoutSeconds * 1000,
    ...(authorization ? { authorization } : {}),
    ...(ca ? { ca } : {}),
  };
}

/** How an archive is named as a source and in index keys (its clients' `label`): no credentials, no query. */
export function connectionLabel(c: PacsConnection): string {
  return c.kind === 'dicomweb' ? dicomWebLabel(c.url) : `dimse://${c.calledAet.trim()}@${c.host}:${c.port}`;
}

export function dicomWebLabel(url: string): string {
  return `dicomweb+${safeUrl(url).replace(/\/+$/, '')}`;
}
