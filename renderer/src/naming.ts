/**
 * What a radiologist names a scan by — patient name and ID, study date, accession, view position,
 * series and instance — instead of its file path, and the same with the identifiers hidden
 * (the "Hide identifiers" toggle: patient name, patient ID and accession).
 */
import type { Catalog, ScreenRow } from './api';

/** The parts of a scan's header the views name it by; any of them may be missing. */
export interface ScanLabel {
  patientName?: string;
  patientId?: string;
  /** As stored: DICOM DA (YYYYMMDD). */
  studyDate?: string;
  accession?: string;
  viewPosition?: string;
  seriesNumber?: number;
  instanceNumber?: number;
}

/**
 * A DICOM person name (PN) as a reader writes it: "Family, Given Middle (Prefix Suffix)".
 * PN values hold up to three groups separated by `=` (alphabetic, ideographic, phonetic): the
 * first non-empty group is used. A group's components are separated by `^` in the order family,
 * given, middle, prefix, suffix; empty components are left out, and a name without `^` is kept as
 * it is. `Doe^Jane^^Dr` → "Doe, Jane (Dr)"; `Doe^Jane^Ann^^PhD` → "Doe, Jane Ann (PhD)";
 * `=山田^太郎` → "山田, 太郎".
 */
export function formatPersonName(pn: string | undefined): string {
  if (!pn) return '';
  const group = pn.split('=').find((g) => g.replace(/\^/g, '').trim()) ?? '';
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = group.split('^').map((c) => c.trim());
  const givenNames = [given, middle].filter(Boolean).join(' ');
  const name = [family, givenNames].filter(Boolean).join(', ');
  const titles = [prefix, suffix].filter(Boolean).join(' ');
  return titles ? (name ? `${name} (${titles})` : titles) : name;
}

/**
 * A DICOM date (DA, YYYYMMDD) as YYYY-MM-DD, and so the ACR-NEMA 2.0 form YYYY.MM.DD that older files still hold
 * (PS3.5 6.2, DA: retired, to be read); anything else is shown as it is.
 */
export function formatDicomDate(d: string | undefined | null): string {
  if (!d) return '';
  const s = d.trim();
  const m = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec(s);
  return m && (s.length === 8 || s.length === 10) ? `${m[1]}-${m[2]}-${m[3]}` : s;
}

/** The patient: ["Doe, Jane", "P12345"]; nothing when identifiers are hidden. */
export function patientParts(label: ScanLabel | undefined, hide: boolean): string[] {
  if (!label || hide) return [];
  return [formatPersonName(label.patientName), label.patientId?.trim() ?? ''].filter(Boolean);
}

/** The study and image: ["2024-03-02", "PA", "S2/I1", "Acc A123"] (no accession when identifiers are hidden). */
export function studyParts(label: ScanLabel | undefined, hide: boolean): string[] {
  if (!label) return [];
  const seriesInstance =
    label.seriesNumber !== undefined || label.instanceNumber !== undefined
      ? `S${label.seriesNumber ?? '?'}/I${label.instanceNumber ?? '?'}`
      : '';
  return [
    formatDicomDate(label.studyDate),
    label.viewPosition?.trim() ?? '',
    seriesInstance,
    !hide && label.accession?.trim() ? `Acc ${label.accession.trim()}` : '',
  ].filter(Boolean);
}

export const patientText = (label: ScanLabel | undefined, hide: boolean): string =>
  patientParts(label, hide).join(' · ');
export const studyText = (label: ScanLabel | undefined, hide: boolean): string => studyParts(label, hide).join(' · ');

/** Patient and study on one line: "Doe, Jane · P12345 · 2024-03-02 · PA · S2/I1 · Acc A123". */
export function scanText(label: ScanLabel | undefined, hide: boolean): string {
  return [patientText(label, hide), studyText(label, hide)].filter(Boolean).join(' · ');
}

/** Every instance of an opened catalog, by path. */
export function labelsFromCatalog(catalog: Catalog | null): Map<string, ScanLabel> {
  const out = new Map<string, ScanLabel>();
  for (const p of catalog?.patients ?? [])
    for (const st of p.studies)
      for (const se of st.series)
        for (const i of se.instances)
          out.set(i.path, {
            patientName: p.patientName,
            patientId: p.patientId,
            studyDate: st.studyDate,
            accession: st.accessionNumber,
            viewPosition: i.viewPosition,
            seriesNumber: se.seriesNumber,
            instanceNumber: i.instanceNumber,
          });
  return out;
}

/** A screening row's naming (null for scans indexed before RadSift stored it: then only the date, if any). */
export function labelFromRow(row: ScreenRow): ScanLabel | undefined {
  const n = row.naming;
  if (!n && !row.studyDate) return undefined;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : undefined);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  return {
    patientName: str(n?.patientName),
    patientId: str(n?.patientId),
    studyDate: row.studyDate ?? undefined,
    accession: str(n?.accession),
    viewPosition: str(n?.viewPosition),
    seriesNumber: num(n?.seriesNumber),
    instanceNumber: num(n?.instanceNumber),
  };
}
