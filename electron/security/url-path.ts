/**
 * A percent-encoded URL path (or one segment of it), decoded; null when the encoding is malformed or the
 * result holds a NUL byte, which no file name may.
 */
export function decodeUrlPath(encoded: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(encoded);
  } catch {
    return null;
  }
  return decoded.includes('\0') ? null : decoded;
}
