/**
 * UIDs under the UUID-derived root 2.25 (PS3.5 B.2): `2.25.` followed by a
 * 128-bit integer in decimal, here drawn from a seeded stream so the same
 * seed gives the same UIDs.
 */
export function uidFrom128(decimal: string): string {
  if (!/^(0|[1-9]\d*)$/.test(decimal)) throw new RangeError(`not a decimal integer: ${decimal}`);
  const uid = `2.25.${decimal}`;
  if (uid.length > 64) throw new RangeError('UID longer than 64 characters');
  return uid;
}

/** Implementation identity written into every file's meta header. */
export const IMPLEMENTATION_CLASS_UID = '2.25.208391837471903862415993561772041730147';
export const IMPLEMENTATION_VERSION_NAME = 'RADSIFT_010';
