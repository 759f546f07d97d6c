/** A configured connection and its secret → a client for it. */
import type { PacsClient } from './client.js';
import { httpTarget, type PacsConnection } from './connection.js';
import { DicomWebClient } from './dicomweb.js';
import { DimseClient } from './dimse.js';
import { readCertificateFile } from './certificate.js';

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
  const ca = connection.caFile ? (await readCertificateFile(connection.caFile, connection.name)).pem : null;
  return new DicomWebClient(httpTarget(connection, secret, ca));
}
