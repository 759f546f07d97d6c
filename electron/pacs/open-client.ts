/** A configured connection and its secret → a client for it. */
import type { PacsClient } from './client.js';
import { httpTarget, type PacsConnection } from './connection.js';
import { DicomWebClient } from './dicomweb.js';
import { DimseClient } from './dimse.js';
import { readCertificateFile } from './certificate.js';

/**
 * `scratchDir`: where a DIMSE retrieval's instances wait for their caller past what memory holds (the PACS cache's
 * folder: the place the user chose for retrieved scans, not the system's shared temporary folder).
 */
export async function openClient(
  connection: PacsConnection,
  secret: string | null,
  { scratchDir }: { scratchDir?: string } = {},
): Promise<PacsClient> {
  if (connection.kind === 'dimse') return new DimseClient(connection, scratchDir ? { scratchDir } : {});
  const ca = connection.caFile ? (await readCertificateFile(connection.caFile, connection.name)).pem : null;
  return new DicomWebClient(httpTarget(connection, secret, ca));
}
