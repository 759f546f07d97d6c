/** A configured connection and its secret → a client for it. */
import { readFile } from 'node:fs/promises';
import type { PacsClient } from './client.js';
import { httpTarget, type PacsConnection } from './connection.js';
import { DicomWebClient } from './dicomweb.js';
import { DimseClient } from './dimse.js';
import { PacsError } from './errors.js';

export interface OpenOptions {
  /** Where C-MOVE deliveries land before they are cached (DIMSE). */
  scratchDir?: string;
}

export async function openClient(
  connection: PacsConnection,
  secret: string | null,
  options: OpenOptions = {},
): Promise<PacsClient> {
  if (connection.kind === 'dimse') return new DimseClient(connection, options);
  let ca: string | null = null;
  if (connection.caFile) {
    ca = await readFile(connection.caFile, 'utf8').catch(() => {
      throw new PacsError('CONFIG', `${connection.name}: cannot read the CA certificate file ${connection.caFile}`);
    });
    if (!ca.includes('-----BEGIN CERTIFICATE-----'))
      throw new PacsError('CONFIG', `${connection.name}: ${connection.caFile} is not a PEM certificate`);
  }
  return new DicomWebClient(httpTarget(connection, secret, ca));
}
