/**
 * A scan's own identifiers cut out of text that names it (a path: folders are often named after the patient
 * or the accession, the demo study's are). Part of the API's shared rules, like limits.ts: the renderer's
 * "Hide identifiers" and the CLI's `--hide-identifiers` both use it, so both hide the same things the same way.
 */

/** What identifies a scan's patient and study, as its header says (any may be missing). */
export interface ScanIdentifiers {
  patientName?: string | null;
  patientId?: string | null;
  accession?: string | null;
}

export const HIDDEN = '[hidden]';

/**
 * The texts that identify a scan: the patient ID, the accession and each part of the patient's name (DICOM PN
 * components and groups), two characters or more.
 */
export function secretsOf(ids: ScanIdentifiers | null | undefined): string[] {
  if (!ids) return [];
  const name = (ids.patientName ?? '').split(/[=^]/);
  return [ids.patientId, ids.accession, ...name].map((s) => s?.trim() ?? '').filter((s) => s.length >= 2);
}

/**
 * `text` with every occurrence (any case) of the scan's identifiers (secretsOf) cut out: every character that
 * any of them covers, where they overlap too, each run of such characters replaced by one HIDDEN, in one pass
 * (a replacement is never searched again). Other text is kept.
 */
export function hideIdentifiersIn(text: string, ids: ScanIdentifiers | null | undefined): string {
  return cutSpans(text, secretSpans(text, secretsOf(ids)));
}

/** Where in `text` the secrets occur, any case: the longest at each position where one starts, in order. */
function secretSpans(text: string, secrets: string[]): number[] {
  if (!secrets.length) return [];
  // The alternatives are tried longest first.
  const find = new RegExp(
    [...secrets]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'gi',
  );
  const spans: number[] = [];
  for (let m = find.exec(text); m; m = find.exec(text)) {
    spans.push(m.index, m.index + m[0].length);
    find.lastIndex = m.index + 1;
  }
  return spans;
}

/** Two lists of spans (start, end…, each in order of start) as one, in order of start. */
function mergeSpans(a: readonly number[], b: readonly number[]): number[] {
  if (!b.length) return [...a];
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const fromA = j >= b.length || (i < a.length && a[i]! <= b[j]!);
    const src = fromA ? a : b;
    const k = fromA ? i : j;
    out.push(src[k]!, src[k + 1]!);
    if (fromA) i += 2;
    else j += 2;
  }
  return out;
}

/**
 * `text` with each run of characters that the spans cover (start, end, start, end…: [start, end) each, in order
 * of start), overlapping or touching, replaced by one HIDDEN.
 */
function cutSpans(text: string, spans: readonly number[]): string {
  let out = '';
  let from = 0; // the text up to here is in out
  let start = -1; // the run being grown: [start, end), none while start < 0
  let end = -1;
  for (let k = 0; k < spans.length; k += 2) {
    const s = spans[k]!;
    const e = spans[k + 1]!;
    if (s <= end) end = Math.max(end, e);
    else {
      if (start >= 0) {
        out += text.slice(from, start) + HIDDEN;
        from = end;
      }
      start = s;
      end = e;
    }
  }
  return start < 0 ? text : out + text.slice(from, start) + HIDDEN + text.slice(end);
}

/**
 * A hider for text about many scans (a folder that holds them, files skipped in it, a failed file's error):
 * their patient IDs and accession numbers wherever they appear, even inside a word ("PH0001scan"; those of
 * four characters or more: shorter ones only as whole words; every character that any of them covers, where
 * they overlap too), and each word of their patients' names as a
 * whole word (with thousands of patients, short name parts such as "LI" would otherwise cut pieces out of every
 * path). Any case; text and identifiers compared in Unicode NFC, so a name stored decomposed on disk (as macOS
 * writes it) still matches. Set lookups per word: fast whatever the number of scans.
 */
export function scansHider(
  scans: Iterable<ScanIdentifiers | null | undefined>,
): (text: string, own?: ScanIdentifiers | null) => string {
  const words = new Set<string>();
  const codes = new Set<string>();
  const fold = (t: string) => t.normalize('NFC').toLowerCase();
  // Codes are found in the text one code unit for one (below): folded the same way, not as whole strings, whose
  // lower case differs for Σ at a word's end (ς) and for İ (two units), which no text would then match. A final
  // sigma folds to σ, so ΚΩΣΤΑΣ, κωστας and κωστασ are one code.
  const foldUnits = (t: string) => {
    let lower = '';
    for (const unit of t.split('')) {
      const l = unit.toLowerCase();
      lower += l.length !== 1 ? unit : l === 'ς' ? 'σ' : l;
    }
    return lower;
  };
  for (const ids of scans) {
    if (!ids) continue;
    for (const part of (ids.patientName ?? '').split(/[=^]/))
      for (const word of fold(part).match(WORD) ?? []) if (word.length >= 2) words.add(word);
    for (const code of [ids.patientId, ids.accession]) {
      const c = foldUnits((code?.trim() ?? '').normalize('NFC'));
      if (c.length >= 4) codes.add(c);
      else if (c.length >= 2) words.add(fold(code!.trim())); // a short one as a whole word, folded as words are
    }
  }
  const lengths = [...new Set([...codes].map((c) => c.length))].sort((a, b) => b - a);
  // Each code's first four units: where the text's next four are none of these, no code starts (one lookup).
  const heads = new Set([...codes].map((c) => c.slice(0, 4)));
  // Codes anywhere in the text (they may hold "-", "_" or spaces, and sit inside a word), compared in lower case
  // one code unit for one (so positions stay the text's). Every character inside any occurrence of any code is
  // hidden: at each position the longest code that starts there (a shorter one there covers less), and
  // occurrences that overlap or touch are cut as one. (Taking the longest from the left and going on after it
  // would leave visible the end of a code that starts inside it: ABCD then CDEFGH in "ABCDEFGH".)
  // `own`: the identifiers of the scan the text is about, cut as hideIdentifiersIn cuts them (a scan indexed
  // after the hider was made is not among `scans`), in the same pass: cutting them first would hide the start
  // of another scan's code that overlaps them and leave its end.
  const codeSpans = (text: string, own: ScanIdentifiers | null | undefined) => {
    const ownSpans = secretSpans(
      text,
      secretsOf(own).map((t) => t.normalize('NFC')),
    );
    if (!codes.size) return ownSpans;
    const lower = foldUnits(text);
    const spans: number[] = [];
    for (let i = 0; i < lower.length; i++) {
      if (!heads.has(lower.slice(i, i + 4))) continue;
      const hit = lengths.find((n) => i + n <= lower.length && codes.has(lower.slice(i, i + n)));
      if (hit !== undefined) spans.push(i, i + hit);
    }
    return mergeSpans(spans, ownSpans);
  };
  // Name words, found with the codes' characters read as spaces (a name glued to an ID, "PH0001smith", is a
  // word of its own), and cut in the same pass as the codes: cutting after them would read the "hidden" of
  // their mark as a word and cut it again where a patient's name part is "Hidden".
  const wordSpans = (text: string, cut: readonly number[]) => {
    const spans: number[] = [];
    for (const m of blankSpans(text, cut).matchAll(WORD))
      if (words.has(m[0].toLowerCase())) spans.push(m.index, m.index + m[0].length);
    return spans;
  };
  return (text, own) => {
    const nfc = text.normalize('NFC');
    const cut = codeSpans(nfc, own);
    const spans = words.size ? mergeSpans(cut, wordSpans(nfc, cut)) : cut;
    // Nothing cut: the text as given (a path written decomposed, as macOS may, still names its file).
    return spans.length ? cutSpans(nfc, spans) : text;
  };
}

/** `text` with every character the spans cover (as cutSpans takes them) a space: positions kept. */
function blankSpans(text: string, spans: readonly number[]): string {
  let out = '';
  let from = 0;
  for (let k = 0; k < spans.length; k += 2) {
    const s = Math.max(spans[k]!, from);
    const e = spans[k + 1]!;
    if (e <= s) continue;
    out += text.slice(from, s) + ' '.repeat(e - s);
    from = e;
  }
  return out + text.slice(from);
}

const WORD = /[\p{L}\p{M}\p{N}]+/gu;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A stored row's naming (IndexStore: values as the header had them) as identifiers. */
export function identifiersOf(naming: Record<string, string | number> | null | undefined): ScanIdentifiers | null {
  if (!naming) return null;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return { patientName: str(naming.patientName), patientId: str(naming.patientId), accession: str(naming.accession) };
}
