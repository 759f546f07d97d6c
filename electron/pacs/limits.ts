/**
 * How large a retrieved instance may be, and how that is said. One bound for DICOMweb (a multipart part) and DIMSE
 * (a C-STORE) alike; and how long a DIMSE PDU may be.
 */
import { PacsError } from './errors.js';

/**
 * The most one retrieved instance may be: far above a radiograph, and above the large multi-frame CT or ultrasound
 * instances (hundreds of MB) an archive holds. Past it an instance is refused as it arrives, never held whole: a
 * server cannot make the main process allocate gigabytes for one.
 */
export const MAX_INSTANCE_BYTES = 2 ** 30;

/**
 * The longest DIMSE PDU RadSift receives (its length field; the 6-byte header comes on top), announced in every
 * A-ASSOCIATE (the maximum length sub-item) as the client and as the C-MOVE storage SCP. It is dcmjs-dimse's
 * default, which RadSift always announced: archives cut an instance into P-DATA-TF PDUs of at most the announced
 * length (an instance of any size still arrives, in more of them). It is enforced on what arrives
 * (pdu-guard.ts): dcmjs-dimse would hold a PDU of whatever length a peer declares — 4 GiB — until it is whole, in
 * memory, before MAX_INSTANCE_BYTES applies, so a PDU declaring more than was announced aborts the association.
 */
export const MAX_PDU_BYTES = 256 * 2 ** 10;

/** 1 GiB, 64 KiB: a bound as a user reads it. */
export function sizeText(bytes: number): string {
  if (bytes >= 2 ** 30) return `${+(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${+(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (bytes >= 2 ** 10) return `${+(bytes / 2 ** 10).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

/** An instance past the bound, as an error (`declared`: the size the server announced, when it did). */
export function tooLarge(source: string, maxBytes = MAX_INSTANCE_BYTES, declared?: number): PacsError {
  const size = declared !== undefined ? ` (${declared} bytes)` : '';
  return new PacsError(
    'PROTOCOL',
    `${source}: an instance larger than ${sizeText(maxBytes)} was sent${size}; RadSift does not hold one that large`,
  );
}
