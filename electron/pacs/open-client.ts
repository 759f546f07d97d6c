/** A configured connection and its secret → a client for it. */
import type { PacsClient } from './client.js';
import { httpTarget, type PacsConnection } from './connection.js';
import { DicomWebClient } from './dicomweb.js';
import { DimseClient } from './dimse.js';
import { readCertificateFile } from './certificate.js';

export async function openClient(connection: PacsConnection, secret: string | null): Promise<PacsClient> {
  if (connection.kind === 'dimse') return new DimseClient(connection);
  const ca = connection.caFile ? (await readCertificateFile(connection.caFile, connection.name)).pem : null;
  return new DicomWebClient(httpTarget(connection, secret, ca));
}
