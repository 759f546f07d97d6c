/**
 * A DICOMweb client: QIDO-RS to search, WADO-RS to retrieve. Retrieval asks for the instance as it is
 * stored (`transfer-syntax=*`: no transcoding on the server, which is where servers are slowest and
 * least robust) and, when what comes is a syntax RadSift cannot decode, asks again for Explicit VR
 * Little Endian, which every server must offer. Nothing is buffered beyond one instance.
 */
import { supportsTransferSyntax } from '../dicom/codecs/registry.js';
import { parseDicom } from '../dicom/parse.js';
import { TS } from '../dicom/transfer-syntax.js';
import { checkSearchAndRetrieve, type PacsClient } from './client.js';
import { dicomWebLabel } from './connection.js';
import { checkUid, datasets, instanceRef, isUid, studyMatch } from './dicom-json.js';
import { PacsError } from './errors.js';
import { get, getJson, readFailure, requestUrl, type HttpTarget } from './http.js';
import { boundaryOf, readMultipart } from './multipart.js';
import { MAX_INSPECTED_INFLATE, readPart10Meta } from './part10-meta.js';
import { dateRange, type InstanceRef, type Page, type StudyPage, type StudyQuery } from './query.js';

const DICOM_JSON = 'application/dicom+json';
const multipartDicom = (ts: string) => `multipart/related; type="application/dicom"; transfer-syntax=${ts}`;
/** QIDO pages when walking every instance of a query. */
const WALK_PAGE = 200;
/** More instances than any study holds: a walk past it is a server answering the same pages for ever. */
const MAX_STUDY_INSTANCES = 100_000;

export interface RetrievedInstance {
  ref: InstanceRef;
  /** A DICOM Part 10 file. */
  bytes: Buffer;
  transferSyntaxUID: string;
}

/**
 * The header facts of a retrieved part that decide whether to keep it. The meta header gives the syntax
 * and the SOP Instance UID; the study and series are read from the dataset only when asked for (a study's
 * parts), which for a deflated dataset means inflating it. Every UID must be one: the server's answer names
 * files in the cache and in `radsift pacs retrieve --out` ("../x" must never reach a path).
 */
function inspect(
  bytes: Buffer,
  source: string,
  withSeries: boolean,
): { transferSyntaxUID: string; studyUid: string; seriesUid: string; sopUid: string } {
  let facts: { transferSyntaxUID: string; studyUid: string; seriesUid: string; sopUid: string };
  try {
    const meta = readPart10Meta(bytes);
    if (meta && !withSeries)
      facts = { transferSyntaxUID: meta.transferSyntaxUID, studyUid: '', seriesUid: '', sopUid: meta.sopInstanceUID };
    else {
      const parsed = parseDicom(bytes, { untilTag: 'x0020000e', maxInflatedBytes: MAX_INSPECTED_INFLATE });
      const d = parsed.dataSet;
      facts = {
        transferSyntaxUID: parsed.transferSyntaxUID,
        studyUid: d.string('x0020000d') ?? '',
        seriesUid: d.string('x0020000e') ?? '',
        sopUid: d.string('x00080018') ?? meta?.sopInstanceUID ?? '',
      };
    }
  } catch (error) {
    throw new PacsError(
      'PROTOCOL',
      `${source}: a part that is not a readable DICOM file (${(error as Error).message})`,
    );
  }
  for (const uid of [facts.sopUid, ...(withSeries ? [facts.seriesUid, facts.studyUid] : [])])
    if (!isUid(uid)) throw new PacsError('PROTOCOL', `${source}: a part whose UIDs are not DICOM UIDs`);
  return facts;
}

export class DicomWebClient implements PacsClient {
  constructor(readonly target: HttpTarget) {
    requestUrl(target, '/'); // a bad URL fails here, at configuration, not at first use
  }

  /** The server's identity as an index key and in messages: no credentials, no query. */
  get label(): string {
    return dicomWebLabel(this.target.baseUrl);
  }

  /** The QIDO study request for a query: server-side filters, the fields a study row shows, a window. */
  async #studies(query: StudyQuery, offset: number, limit: number, withModalities: boolean, signal?: AbortSignal) {
    const params = new URLSearchParams();
    if (query.patientId) params.set('PatientID', query.patientId);
    if (query.patientName) params.set('PatientName', query.patientName);
    if (query.accession) params.set('AccessionNumber', query.accession);
    const dates = dateRange(query);
    if (dates) params.set('StudyDate', dates);
    if (withModalities && query.modalities?.length) params.set('ModalitiesInStudy', query.modalities.join(','));
    if (query.description) params.set('StudyDescription', query.description);
    for (const field of ['00081030', '00201206', '00201208', '00080061']) params.append('includefield', field);
    params.set('offset', String(offset));
    params.set('limit', String(limit));
    const source = `QIDO ${this.label}/studies`;
    const json = await getJson(this.target, { path: `/studies?${params}`, accept: DICOM_JSON, signal });
    return datasets(json, source).map((d) => studyMatch(d, source));
  }

  /**
   * One page of studies; one more than the page is asked for, to know whether there are more. With a
   * modality filter, a short answer past the first page is asked again from the first match: Orthanc 1.10
   * applies `limit` before `offset` when ModalitiesInStudy is set (offset 10, limit 10 returns nothing;
   * offset 5, limit 11 returns 6 rows), and a window from 0 is right on every server. A server that pages
   * correctly answers short only on the last page, so only that page costs the longer window.
   */
  async searchStudies(query: StudyQuery, page: Page, signal?: AbortSignal): Promise<StudyPage> {
    let found = await this.#studies(query, page.offset, page.limit + 1, true, signal);
    if (query.modalities?.length && page.offset > 0 && found.length <= page.limit)
      found = (await this.#studies(query, 0, page.offset + page.limit + 1, true, signal)).slice(page.offset);
    return { studies: found.slice(0, page.limit), offset: page.offset, more: found.length > page.limit };
  }

  /**
   * Every instance of a study, page by page. A server that ignores `offset` (or `limit`) would page for ever:
   * each instance is yielded once, and a page that brings none new ends the walk, as a short one does.
   */
  async *studyInstances(studyUid: string, signal?: AbortSignal): AsyncGenerator<InstanceRef> {
    checkUid(studyUid);
    const source = `QIDO ${this.label}/studies/${studyUid}/instances`;
    const seen = new Set<string>();
    for (let offset = 0; ;) {
      const path = `/studies/${studyUid}/instances?offset=${offset}&limit=${WALK_PAGE}`;
      const page = datasets(await getJson(this.target, { path, accept: DICOM_JSON, signal }), source);
      let fresh = 0;
      for (const d of page) {
        const ref = instanceRef(d, studyUid, source);
        if (seen.has(ref.sopUid)) continue;
        if (seen.size >= MAX_STUDY_INSTANCES)
          throw new PacsError('PROTOCOL', `${source}: more than ${MAX_STUDY_INSTANCES} instances in one study`);
        seen.add(ref.sopUid);
        fresh++;
        yield ref;
      }
      if (page.length < WALK_PAGE || !fresh) return;
      offset += page.length;
    }
  }

  /**
   * Every instance of every study matching a query, studies page by page: memory stays flat. The modality
   * filter is applied here, on each page, rather than by the server (see searchStudies: a server-side one
   * pages wrongly on Orthanc 1.10, and a walk cannot ask for every window from the start). A page that holds
   * only studies of the page before (a server that ignores `offset`) ends the walk.
   */
  async *queryInstances(query: StudyQuery, signal?: AbortSignal): AsyncGenerator<InstanceRef> {
    const wanted = query.modalities?.length ? new Set(query.modalities) : null;
    let before = new Set<string>();
    for (let offset = 0; ;) {
      const page = await this.#studies(query, offset, WALK_PAGE, false, signal);
      const uids = new Set(page.map((study) => study.studyUid));
      if (page.length && [...uids].every((uid) => before.has(uid))) return;
      for (const study of page)
        // A server that does not answer ModalitiesInStudy: the study is walked (decoding weeds out the rest)
        // rather than silently skipped.
        if (
          !before.has(study.studyUid) &&
          (!wanted || !study.modalities.length || study.modalities.some((m) => wanted.has(m)))
        )
          yield* this.studyInstances(study.studyUid, signal);
      if (page.length < WALK_PAGE) return;
      before = uids;
      offset += page.length;
    }
  }

  /** The parts of a WADO-RS answer as they arrive, each checked to be a DICOM file. */
  private async *retrieve(
    path: string,
    transferSyntax: string,
    signal: AbortSignal | undefined,
    studyUid: string,
    withSeries: boolean,
  ): AsyncGenerator<RetrievedInstance> {
    const source = `WADO ${this.label}${path}`;
    const res = await get(this.target, { path, accept: multipartDicom(transferSyntax), signal });
    const boundary = boundaryOf(res.headers['content-type']);
    if (!boundary) {
      res.destroy();
      throw new PacsError(
        'PROTOCOL',
        `${source}: expected a multipart/related answer, got ${res.headers['content-type'] ?? 'no type'}`,
      );
    }
    try {
      for await (const part of readMultipart(res, boundary, { source })) {
        const facts = inspect(part.body, source, withSeries);
        // An instance of another study is not one asked for: it would be filed under this one.
        if (withSeries && facts.studyUid !== studyUid) continue;
        yield {
          ref: { studyUid, seriesUid: facts.seriesUid, sopUid: facts.sopUid },
          bytes: part.body,
          transferSyntaxUID: facts.transferSyntaxUID,
        };
      }
    } catch (error) {
      // The HTTP body arrived whole but the multipart inside it did not close: the server's fault, not the network's.
      if (error instanceof PacsError && error.code === 'INTERRUPTED' && res.complete)
        throw new PacsError('PROTOCOL', `${source}: malformed multipart answer (it has no closing delimiter)`);
      throw readFailure(error, source, signal);
    } finally {
      res.destroy();
    }
  }

  /** One instance as a Part 10 file, in a syntax RadSift decodes when the server can make one. */
  async retrieveInstance(ref: InstanceRef, signal?: AbortSignal): Promise<RetrievedInstance> {
    const path = `/studies/${checkUid(ref.studyUid)}/series/${checkUid(ref.seriesUid)}/instances/${checkUid(ref.sopUid)}`;
    let fallback = false;
    for (;;) {
      let got: RetrievedInstance | null = null;
      for await (const part of this.retrieve(path, fallback ? TS.explicitLittle : '*', signal, ref.studyUid, false)) {
        if (part.ref.sopUid !== ref.sopUid)
          throw new PacsError(
            'PROTOCOL',
            `WADO ${this.label}: asked for instance ${ref.sopUid}, got ${part.ref.sopUid || 'none'}`,
          );
        got = { ...part, ref };
      }
      if (!got)
        throw new PacsError('NOT_FOUND', `WADO ${this.label}: instance ${ref.sopUid} is no longer on the server`);
      if (supportsTransferSyntax(got.transferSyntaxUID) || fallback) return got;
      fallback = true;
    }
  }

  /** A whole study, instance by instance as the server sends them (the viewer shows each as it comes). */
  async *retrieveStudy(studyUid: string, signal?: AbortSignal): AsyncGenerator<RetrievedInstance> {
    yield* this.retrieve(`/studies/${checkUid(studyUid)}`, '*', signal, studyUid, true);
  }

  async close(): Promise<void> {}

  /** What works on this server: QIDO (a one-study search) and WADO (that study's first instance). */
  check(signal?: AbortSignal): Promise<ServiceCheck[]> {
    return checkSearchAndRetrieve(this, 'QIDO-RS', 'WADO-RS', signal);
  }
}

export interface ServiceCheck {
  service: 'QIDO-RS' | 'WADO-RS' | 'C-ECHO' | 'C-FIND' | 'C-GET' | 'C-MOVE';
  /** null: could not be tried. */
  ok: boolean | null;
  detail: string;
}
