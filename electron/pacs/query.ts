/**
 * A study search, the same for DICOMweb (QIDO-RS) and DIMSE (C-FIND): what a researcher filters by,
 * and what comes back per study. Values follow DICOM matching: `*` and `?` wildcards in names and
 * descriptions, dates as YYYYMMDD with an inclusive range.
 */
import { z } from 'zod';

const DATE = /^\d{8}$/;
const text = (max: number) =>
  z
    .string()
    .max(max)
    // DICOM matching has no escape: a backslash would split values, control characters are never valid.
    .refine(
      (s) => !s.includes('\\') && ![...s].some((c) => c.charCodeAt(0) < 0x20),
      'no backslashes or control characters',
    );

export const studyQuerySchema = z
  .object({
    patientId: text(64).optional(),
    /** Wildcards allowed: "DOE^J*". */
    patientName: text(64).optional(),
    accession: text(16).optional(),
    /** Inclusive; either end may be open. */
    studyDateFrom: z.string().regex(DATE, 'YYYYMMDD').optional(),
    studyDateTo: z.string().regex(DATE, 'YYYYMMDD').optional(),
    /** Studies that hold any of these modalities. Empty: any. */
    modalities: z
      .array(z.string().regex(/^[A-Z0-9]{1,16}$/, 'a modality code such as CR'))
      .max(16)
      .optional(),
    description: text(64).optional(),
  })
  .strict();
export type StudyQuery = z.infer<typeof studyQuerySchema>;

/** The modalities a chest-radiograph search asks for when the user says nothing. */
export const DEFAULT_MODALITIES = ['CR', 'DX'];

export const pageSchema = z
  .object({
    offset: z.number().int().min(0).max(1_000_000).default(0),
    limit: z.number().int().min(1).max(1000).default(50),
  })
  .strict();
export type Page = z.infer<typeof pageSchema>;

export interface StudyMatch {
  studyUid: string;
  patientId: string | null;
  patientName: string | null;
  accession: string | null;
  studyDate: string | null;
  studyTime: string | null;
  description: string | null;
  modalities: string[];
  seriesCount: number | null;
  instanceCount: number | null;
}

export interface StudyPage {
  studies: StudyMatch[];
  offset: number;
  /** Whether the server has matches after this page (it was asked for one more than the page). */
  more: boolean;
  /**
   * The archive stopped sending matches before this page was full though it holds more: its own result limit
   * (a C-FIND ended with "matching terminated", a QIDO answer that said more and sent none), or RadSift's bound
   * on a C-FIND. Matches past it cannot be listed by paging; a narrower search can reach them.
   */
  truncated?: boolean;
}

/** More instances than any study holds: a listing past it is an archive answering without end. */
export const MAX_STUDY_INSTANCES = 100_000;

/** One instance of a study, as a retrieve or a screen names it. */
export interface InstanceRef {
  studyUid: string;
  seriesUid: string;
  sopUid: string;
}

/** The date range as DICOM writes it: "20240101-20241231", "20240101-", "-20241231", or null. */
export function dateRange(q: StudyQuery): string | null {
  if (!q.studyDateFrom && !q.studyDateTo) return null;
  if (q.studyDateFrom && q.studyDateFrom === q.studyDateTo) return q.studyDateFrom;
  return `${q.studyDateFrom ?? ''}-${q.studyDateTo ?? ''}`;
}

/** "20240101-20241231" (or one date, or an open end) → the query's two ends; null when malformed. */
export function parseDateRange(text: string): Pick<StudyQuery, 'studyDateFrom' | 'studyDateTo'> | null {
  const m = /^(\d{8})?(-)?(\d{8})?$/.exec(text.trim());
  if (!m || (!m[1] && !m[3])) return null;
  if (!m[2]) return m[3] ? null : { studyDateFrom: m[1], studyDateTo: m[1] };
  return { ...(m[1] ? { studyDateFrom: m[1] } : {}), ...(m[3] ? { studyDateTo: m[3] } : {}) };
}
