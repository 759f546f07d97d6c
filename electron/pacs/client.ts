/**
 * What RadSift needs from an archive, whichever protocol reaches it: DICOMweb (dicomweb.ts) or DIMSE
 * (dimse.ts). Search, list a query's instances, retrieve one instance or a whole study, and say which
 * services work.
 */
import type { RetrievedInstance, ServiceCheck } from './dicomweb.js';
import { isUid } from './dicom-json.js';
import { PacsError } from './errors.js';
import type { InstanceRef, Page, StudyPage, StudyQuery } from './query.js';

export interface PacsClient {
  /** The archive's name in messages and index keys (no credentials). */
  readonly label: string;
  searchStudies(query: StudyQuery, page: Page, signal?: AbortSignal): Promise<StudyPage>;
  studyInstances(studyUid: string, signal?: AbortSignal): AsyncIterable<InstanceRef>;
  /** Every instance of every matching study, without holding them all. */
  queryInstances(query: StudyQuery, signal?: AbortSignal): AsyncIterable<InstanceRef>;
  retrieveInstance(ref: InstanceRef, signal?: AbortSignal): Promise<RetrievedInstance>;
  /** A study's instances as they arrive. */
  retrieveStudy(studyUid: string, signal?: AbortSignal): AsyncIterable<RetrievedInstance>;
  check(signal?: AbortSignal): Promise<ServiceCheck[]>;
  close(): Promise<void>;
}

/** The index key of an instance: the archive's label and the instance's UIDs, as a WADO-RS-like path. */
export function instanceKey(label: string, ref: InstanceRef): string {
  return `${label}/studies/${ref.studyUid}/series/${ref.seriesUid}/instances/${ref.sopUid}`;
}

/** An index key back to its archive label and instance, or null when it is not one. */
export function parseInstanceKey(key: string): { label: string; ref: InstanceRef } | null {
  const m = /^(.+)\/studies\/([0-9.]+)\/series\/([0-9.]+)\/instances\/([0-9.]+)$/.exec(key);
  // "1..2" or ".." match the pattern but are no UIDs: not a key (NOT_FOUND), not a deeper CONFIG error.
  if (!m || !m.slice(2).every(isUid)) return null;
  return { label: m[1]!, ref: { studyUid: m[2]!, seriesUid: m[3]!, sopUid: m[4]! } };
}

/**
 * A study's instances as listed, against the count the archive gives for the study (NumberOfStudyRelatedInstances,
 * when it gives one): fewer listed than counted is an archive that caps its answers without saying so (Orthanc's
 * LimitFindInstances does, over QIDO). More is fine: instances stored since the count.
 */
export function checkListed(label: string, studyUid: string, listed: number, counted: number | null): void {
  if (counted !== null && listed < counted)
    throw new PacsError(
      'INCOMPLETE',
      `${label}: the archive lists ${listed} of the ${counted} instances of study ${studyUid} (it limits how many one query answers, e.g. Orthanc's LimitFindInstances); raise that limit on the archive to get them all`,
    );
}

/** One INCOMPLETE error for several studies listed in part: the first one's reason and how many. */
export function incomplete(errors: readonly PacsError[]): PacsError {
  if (errors.length === 1) return errors[0]!;
  return new PacsError(
    'INCOMPLETE',
    `${errors.length} listings were cut short by the archive; the first: ${errors[0]!.message}`,
  );
}

export function describe(error: unknown): string {
  return error instanceof PacsError ? `${error.code}: ${error.message}` : String((error as Error).message ?? error);
}

/** The search and retrieve checks of `check()`: a one-study search, then that study's first instance. */
export async function checkSearchAndRetrieve(
  client: Pick<PacsClient, 'searchStudies' | 'studyInstances' | 'retrieveInstance'>,
  search: ServiceCheck['service'],
  retrieve: ServiceCheck['service'],
  signal?: AbortSignal,
): Promise<ServiceCheck[]> {
  const checks: ServiceCheck[] = [];
  let first: InstanceRef | null = null;
  try {
    const page = await client.searchStudies({}, { offset: 0, limit: 1 }, signal);
    checks.push({
      service: search,
      ok: true,
      detail: page.studies.length ? 'search works' : 'search works (no studies)',
    });
    if (page.studies[0])
      for await (const i of client.studyInstances(page.studies[0].studyUid, signal)) {
        first = i;
        break;
      }
  } catch (error) {
    checks.push({ service: search, ok: false, detail: describe(error) });
  }
  if (!first) checks.push({ service: retrieve, ok: null, detail: 'not tried: no instance to retrieve' });
  else
    try {
      const got = await client.retrieveInstance(first, signal);
      checks.push({ service: retrieve, ok: true, detail: `retrieved one instance (${got.bytes.length} bytes)` });
    } catch (error) {
      checks.push({ service: retrieve, ok: false, detail: describe(error) });
    }
  return checks;
}
