/**
 * A CA certificate file a DICOMweb connection trusts (a hospital's own CA): checked when it is chosen and
 * when a client opens, so a wrong file is a clear CONFIG error naming it rather than a TLS failure later.
 */
import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PacsError } from './errors.js';

/** A bundle of a few CAs is kilobytes; anything this large is not a certificate file. */
const MAX_BYTES = 1024 * 1024;

export interface CertificateInfo {
  /** The file's name (not its folder). */
  file: string;
  /** The first certificate's subject and issuer, "CN=…, O=…". */
  subject: string;
  issuer: string;
  /** ISO date the first certificate expires. */
  validTo: string;
  expired: boolean;
  /** How many certificates the file holds. */
  count: number;
}

const BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Reads and checks a PEM file of certificates; its contents (for TLS) and what it says (for the user). */
export async function readCertificateFile(
  file: string,
  owner = 'the connection',
): Promise<{ pem: string; info: CertificateInfo }> {
  const name = path.basename(file);
  const size = await stat(file).then(
    (s) => (s.isFile() ? s.size : -1),
    () => -1,
  );
  if (size < 0) throw new PacsError('CONFIG', `${owner}: cannot read the CA certificate file ${file}`);
  if (size > MAX_BYTES) throw new PacsError('CONFIG', `${owner}: ${name} is too large to be a certificate file`);
  const pem = await readFile(file, 'utf8').catch(() => {
    throw new PacsError('CONFIG', `${owner}: cannot read the CA certificate file ${file}`);
  });
  const blocks = pem.match(BLOCK) ?? [];
  if (!blocks.length) throw new PacsError('CONFIG', `${owner}: ${name} is not a PEM certificate`);
  let certs: X509Certificate[];
  try {
    certs = blocks.map((b) => new X509Certificate(b));
  } catch {
    throw new PacsError('CONFIG', `${owner}: ${name} holds a damaged certificate`);
  }
  const first = certs[0]!;
  const oneLine = (dn: string) => dn.split('\n').filter(Boolean).join(', ');
  const validTo = new Date(first.validTo);
  return {
    pem,
    info: {
      file: name,
      subject: oneLine(first.subject),
      issuer: oneLine(first.issuer),
      validTo: validTo.toISOString(),
      expired: validTo.getTime() < Date.now(),
      count: certs.length,
    },
  };
}
