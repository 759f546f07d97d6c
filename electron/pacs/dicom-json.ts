/**
 * Reading the DICOM JSON model (PS3.18 F.2) that QIDO-RS answers in: values by tag, person names by
 * their alphabetic group. A result that is not this shape is a PROTOCOL error, never a crash.
 */
import { PacsError } from './errors.js';
import type { InstanceRef, StudyMatch } from './query.js';

type DicomJson = Record<string, { vr?: string; Value?: unknown[] } | undefined>;

export const TAG = {
  studyUid: '0020000D',
  seriesUid: '0020000E',
  sopUid: '00080018',
  patientId: '00100020',
  patientName: '00100010',
  accession: '00080050',
  studyDate: '00080020',
  studyTime: '00080030',
  description: '00081030',
  modalities: '00080061',
  seriesCount: '00201206',
  instanceCount: '00201208',
} as const;

function values(item: DicomJson, tag: string): unknown[] {
  const v = item[tag]?.Value;
  return Array.isArray(v) ? v : [];
}

function str(item: DicomJson, tag: string): string | null {
  const v = values(item, tag)[0];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  // Person name: { Alphabetic: "DOE^JANE" }.
  if (v && typeof v === 'object' && typeof (v as { Alphabetic?: unknown }).Alphabetic === 'string')
    return (v as { Alphabetic: string }).Alphabetic;
  return null;
}

function num(item: DicomJson, tag: string): number | null {
  const v = values(item, tag)[0];
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

/** A QIDO answer as a list of datasets. */
export function datasets(json: unknown, source: string): DicomJson[] {
  if (!Array.isArray(json) || json.some((x) => !x || typeof x !== 'object' || Array.isArray(x)))
    throw new PacsError('PROTOCOL', `${source}: the answer is not a list of DICOM JSON datasets`);
  return json as DicomJson[];
}

/** A DICOM UID: dotted digits, at most 64 characters. */
export const isUid = (value: string): boolean => value.length <= 64 && /^[0-9]+(\.[0-9]+)*$/.test(value);

function uid(item: DicomJson, tag: string, source: string): string {
  const v = str(item, tag);
  if (!v || !isUid(v)) throw new PacsError('PROTOCOL', `${source}: a result without a valid UID (${tag})`);
  return v;
}

export function studyMatch(item: DicomJson, source: string): StudyMatch {
  return {
    studyUid: uid(item, TAG.studyUid, source),
    patientId: str(item, TAG.patientId),
    patientName: str(item, TAG.patientName),
    accession: str(item, TAG.accession),
    studyDate: str(item, TAG.studyDate),
    studyTime: str(item, TAG.studyTime),
    description: str(item, TAG.description),
    modalities: values(item, TAG.modalities).filter((m): m is string => typeof m === 'string'),
    seriesCount: num(item, TAG.seriesCount),
    instanceCount: num(item, TAG.instanceCount),
  };
}

export function instanceRef(item: DicomJson, studyUid: string, source: string): InstanceRef {
  return { studyUid, seriesUid: uid(item, TAG.seriesUid, source), sopUid: uid(item, TAG.sopUid, source) };
}

/** UIDs go into URL paths: only digits and dots, so nothing can escape the path. */
export function checkUid(value: string): string {
  if (!isUid(value)) throw new PacsError('CONFIG', `not a DICOM UID: ${value.slice(0, 70)}`);
  return value;
}
