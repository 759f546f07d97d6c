/** Text formats the views share. */

/** The last three parts of a path (series/folder/file): enough to tell scans apart in a list. */
export const shortPath = (p: string): string => p.split(/[\\/]/).slice(-3).join('/');

/** One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break; null is empty. */
export function csvCell(value: string | number | null): string {
  const s = value === null ? '' : String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
