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
 * Rows of an RFC 4180 text: quoted cells may hold commas, doubled quotes and line breaks; CRLF or LF
 * ends a row; a trailing line break adds no empty row. Unbalanced quotes run to the end (the caller
 * checks the cell count).
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endCell = () => {
    row.push(cell);
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') cell += c;
      else if (text[i + 1] === '"') cell += text[i++];
      else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') endCell();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endCell();
      rows.push(row);
      row = [];
    } else cell += c;
  }
  if (cell || row.length) {
    endCell();
    rows.push(row);
  }
  return rows;
}
