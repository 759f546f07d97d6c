/**
 * How a local file is named as a scan:// URL. No Node imports: the sandboxed
 * preload bundles this.
 */
export const SCAN_SCHEME = 'scan';
export const SCAN_HOST = 'local';

/** scan://local/<encodeURIComponent(absolute path)>?query — the path is one encoded segment. */
export function scanUrlFor(filePath: string, query?: Record<string, string | number>): string {
  return `${SCAN_SCHEME}://${SCAN_HOST}/${encodeScanPath(filePath, query)}`;
}

/** The part after the host, shared with the test bridge's /scan/local/ route. */
export function encodeScanPath(filePath: string, query?: Record<string, string | number>): string {
  const qs = query
    ? new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString()
    : '';
  return `${encodeURIComponent(filePath)}${qs ? `?${qs}` : ''}`;
}
