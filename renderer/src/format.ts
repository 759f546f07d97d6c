/** Text formats the views share. */

/** The last three parts of a path (series/folder/file): enough to tell scans apart in a list. */
export const shortPath = (p: string): string => p.split(/[\\/]/).slice(-3).join('/');

/** A number as a cell holds it (a score, "-0.25"): never taken for a formula. */
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break; null is empty. A text that a
 * spreadsheet would run as a formula (=, +, -, @, tab or CR first: a phrase typed as "=HYPERLINK(…)") is written
 * with a leading ' (OWASP's advice for CSV injection); numbers, negative ones included, are written as they are.
 */
export function csvCell(value: string | number | null): string {
  let s = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s) && !NUMBER.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * A count as the app's English text writes it, with thousands separators: "1,500" (a folder of 1500 scans read as
 * "1500 patients, 4502 non-DICOM files"). en-US, not the system's locale: the text around it is English.
 */
export const formatCount = (n: number): string => n.toLocaleString('en-US');

/** A count with its noun in the number it takes: "1 image", "2 images", "1,500 images" (`plural` where not noun + s). */
export const counted = (n: number, noun: string, plural = `${noun}s`): string =>
  `${formatCount(n)} ${n === 1 ? noun : plural}`;

/** A time left or taken, as a person says it: "12 s", "3 min" (a minute and a half or more in minutes). */
export const duration = (s: number): string => (s < 90 ? `${Math.max(1, Math.ceil(s))} s` : `${Math.ceil(s / 60)} min`);
