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
  /** Its validity starts later (a clock or a certificate issued ahead of time). */
  notYetValid: boolean;
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
  if (size === 0) throw new PacsError('CONFIG', `${owner}: ${name} is empty`);
  const bytes = await readFile(file).catch(() => {
    throw new PacsError('CONFIG', `${owner}: cannot read the CA certificate file ${file}`);
  });
  const blocks = bytes.toString('latin1').match(BLOCK) ?? [];
  let certs: X509Certificate[];
  try {
    // PEM (one or more blocks), or one DER certificate (.cer/.crt files are often DER).
    certs = blocks.length ? blocks.map((b) => new X509Certificate(b)) : [new X509Certificate(bytes)];
  } catch {
    throw new PacsError(
      'CONFIG',
      blocks.length
        ? `${owner}: ${name} holds a damaged certificate`
        : `${owner}: ${name} is not a certificate (PEM or DER)`,
    );
  }
  const first = certs[0]!;
  const oneLine = (dn: string) => dn.split('\n').filter(Boolean).join(', ');
  const validFrom = new Date(first.validFrom);
  const validTo = new Date(first.validTo);
  return {
    // Only the certificates, as PEM, whatever else the file holds.
    pem: certs.map((c) => c.toString()).join(''),
    info: {
      file: name,
      subject: oneLine(first.subject),
      issuer: oneLine(first.issuer),
      validTo: validTo.toISOString(),
      expired: validTo.getTime() < Date.now(),
      notYetValid: validFrom.getTime() > Date.now(),
      count: certs.length,
    },
  };
}
