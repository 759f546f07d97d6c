/** What dcmtk's dcmdump reads from a file's header: an independent reference for the names the app shows. */
import { execFileSync } from 'node:child_process';

export interface Header {
  /** Patient name as "Family, Given". */
  name: string;
  id: string;
  /** Study date as YYYY-MM-DD. */
  date: string;
  accession: string;
  /** Patient Name as stored (Family^Given…). */
  raw: string;
}

export function headerOf(file: string): Header {
  const dump = execFileSync(
    'dcmdump',
    // +L: a value past dcmdump's 64-character cut (a long PN) whole, not "…" with the next line read into it.
    ['-q', '+L', '+P', '0010,0010', '+P', '0010,0020', '+P', '0008,0020', '+P', '0008,0050', file],
    { encoding: 'utf8' },
  );
  const value = (tag: string) => new RegExp(`^\\(${tag}\\) \\w\\w \\[([^\\]]*)\\]`, 'm').exec(dump)?.[1] ?? '';
  const raw = value('0010,0010');
  const [family, given] = raw.split('^');
  const da = value('0008,0020');
  return {
    name: `${family}, ${given}`,
    id: value('0010,0020'),
    date: `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6, 8)}`,
    accession: value('0008,0050'),
    raw,
  };
}
