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
 * `text` with every occurrence (any case) of the scan's identifiers (secretsOf) replaced by HIDDEN, longest
 * first in one pass, so a replacement is never searched again. Other text is kept.
 */
export function hideIdentifiersIn(text: string, ids: ScanIdentifiers | null | undefined): string {
  const secrets = secretsOf(ids).sort((a, b) => b.length - a.length);
  if (!secrets.length) return text;
  return text.replace(new RegExp(secrets.map(escapeRegExp).join('|'), 'gi'), HIDDEN);
}

/**
 * A hider for text about many scans (a folder that holds them, files skipped in it): every word (a run of
 * letters and digits) that is one of the scans' identifiers, or a word of one, any case, becomes HIDDEN.
 * Whole words only: with thousands of patients, the short name parts among them ("LI", "AN") would otherwise
 * cut pieces out of every path. A set lookup per word: fast whatever the number of scans.
 */
export function wordHider(secrets: Iterable<string>): (text: string) => string {
  const words = new Set<string>();
  for (const secret of secrets)
    for (const word of secret.toLowerCase().match(WORD) ?? []) if (word.length >= 2) words.add(word);
  if (!words.size) return (text) => text;
  return (text) => text.replace(WORD, (word) => (words.has(word.toLowerCase()) ? HIDDEN : word));
}

const WORD = /[\p{L}\p{N}]+/gu;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A stored row's naming (IndexStore: values as the header had them) as identifiers. */
export function identifiersOf(naming: Record<string, string | number> | null | undefined): ScanIdentifiers | null {
  if (!naming) return null;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return { patientName: str(naming.patientName), patientId: str(naming.patientId), accession: str(naming.accession) };
}
