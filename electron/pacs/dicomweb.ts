/**
 * A DICOMweb client: QIDO-RS to search, WADO-RS to retrieve. Retrieval asks for the instance as it is
 * stored (`transfer-syntax=*`: no transcoding on the server, which is where servers are slowest and
 * least robust) and, when what comes is a syntax RadSift cannot decode, asks again for Explicit VR
 * Little Endian, which every server must offer. Nothing is buffered beyond one instance.
 */
import { supportsTransferSyntax } from '../dicom/codecs/registry.js';
import { parseDicom } from '../dicom/parse.js';
import { TS } from '../dicom/transfer-syntax.js';
import { checkListed, checkSearchAndRetrieve, incomplete, type PacsClient } from './client.js';
import { dicomWebLabel } from './connection.js';
import { checkUid, datasets, instanceRef, isUid, studyMatch } from './dicom-json.js';
import { PacsError } from './errors.js';
import { get, getJson, readFailure, requestUrl, type HttpTarget } from './http.js';
import { MAX_INSTANCE_BYTES } from './limits.js';
import { boundaryOf, readMultipart } from './multipart.js';
import { MAX_INSPECTED_INFLATE, readPart10Meta } from './part10-meta.js';
import { saysMoreResults, walkEnd, walkQido, type QidoAnswer } from './qido-walk.js';
import {
  dateRange,
  MAX_STUDY_INSTANCES,
  type InstanceRef,
  type Page,
  type StudyMatch,
  type StudyPage,
  type StudyQuery,
} from './query.js';

const DICOM_JSON = 'application/dicom+json';
const multipartDicom = (ts: string) => `multipart/related; type="application/dicom"; transfer-syntax=${ts}`;
/** QIDO pages when walking every instance of a query (a server may send fewer: see qido-walk). */
const WALK_PAGE = 200;

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

export interface DicomWebClientOptions {
  /** The largest instance (multipart part) a retrieval accepts (default MAX_INSTANCE_BYTES). */
  maxInstanceBytes?: number;
}

export class DicomWebClient implements PacsClient {
  readonly #maxInstanceBytes: number;

  constructor(
    readonly target: HttpTarget,
    options: DicomWebClientOptions = {},
  ) {
    requestUrl(target, '/'); // a bad URL fails here, at configuration, not at first use
    this.#maxInstanceBytes = options.maxInstanceBytes ?? MAX_INSTANCE_BYTES;
  }

  /** The server's identity as an index key and in messages: no credentials, no query. */
  get label(): string {
    return dicomWebLabel(this.target.baseUrl);
  }

  /** The QIDO study request for a query: server-side filters, the fields a study row shows, a window. */
  async #studies(
    query: StudyQuery,
    offset: number,
    limit: number,
    withModalities: boolean,
    signal?: AbortSignal,
  ): Promise<QidoAnswer<StudyMatch>> {
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
    const { json, headers } = await getJson(this.target, { path: `/studies?${params}`, accept: DICOM_JSON, signal });
    return { rows: datasets(json, source).map((d) => studyMatch(d, source)), more: saysMoreResults(headers) };
  }

  /**
   * Up to `count` studies from the `from`th: a server that sends fewer per answer than asked for is asked again
   * from where it stopped until the window is full or it has no more. `cut`: it said it had more, then sent none.
   */
  async #window(query: StudyQuery, from: number, count: number, signal?: AbortSignal) {
    const end = walkEnd();
    const rows: StudyMatch[] = [];
    const ask = (offset: number, limit: number) => this.#studies(query, offset, limit, true, signal);
    for await (const study of walkQido(ask, (s) => s.studyUid, { page: count, from, until: count }, end))
      rows.push(study);
    return { rows, cut: end.cut };
  }

  /**
   * One page of studies; one more than the page is asked for, to know whether there are more. With a
   * modality filter, a short answer past the first page is asked again from the first match: Orthanc 1.10
   * applies `limit` before `offset` when ModalitiesInStudy is set (offset 10, limit 10 returns nothing;
   * offset 5, limit 11 returns 6 rows), and a window from 0 is right on every server. A server that pages
   * correctly answers short only on the last page, so only that page costs the longer window.
   */
  async searchStudies(query: StudyQuery, page: Page, signal?: AbortSignal): Promise<StudyPage> {
    let { rows: found, cut } = await this.#window(query, page.offset, page.limit + 1, signal);
    if (query.modalities?.length && page.offset > 0 && found.length <= page.limit) {
      ({ rows: found, cut } = await this.#window(query, 0, page.offset + page.limit + 1, signal));
      found = found.slice(page.offset);
    }
    const more = found.length > page.limit;
    return {
      studies: found.slice(0, page.limit),
      offset: page.offset,
      more,
      ...(cut && !more ? { truncated: true } : {}),
    };
  }

  /** Every instance of a study, page by page; INCOMPLETE (after the instances listed) when the archive lists only part. */
  async *studyInstances(studyUid: string, signal?: AbortSignal): AsyncGenerator<InstanceRef> {
    checkUid(studyUid);
    // The study's own count tells a listing the archive cut short (Orthanc caps it silently) from the end.
    yield* this.#instances(studyUid, await this.#instanceCount(studyUid, signal), signal);
  }

  /** What the archive counts in a study (NumberOfStudyRelatedInstances), or null when it does not say. */
  async #instanceCount(studyUid: string, signal?: AbortSignal): Promise<number | null> {
    const source = `QIDO ${this.label}/studies`;
    const path = `/studies?StudyInstanceUID=${studyUid}&includefield=00201208`;
    const { json } = await getJson(this.target, { path, accept: DICOM_JSON, signal });
    const match = datasets(json, source)
      .map((d) => studyMatch(d, source))
      .find((s) => s.studyUid === studyUid);
    return match?.instanceCount ?? null;
  }

  /**
   * A study's instances, page by page. Each is yielded once; a server that ignores `offset` (or `limit`) cannot make
   * the walk page for ever (qido-walk). Fewer than `counted`, or a server that said it had more and sent none, is
   * INCOMPLETE once the instances listed are yielded.
   */
  async *#instances(studyUid: string, counted: number | null, signal?: AbortSignal): AsyncGenerator<InstanceRef> {
    const source = `QIDO ${this.label}/studies/${studyUid}/instances`;
    const ask = async (offset: number, limit: number): Promise<QidoAnswer<InstanceRef>> => {
      const path = `/studies/${studyUid}/instances?offset=${offset}&limit=${limit}`;
      const { json, headers } = await getJson(this.target, { path, accept: DICOM_JSON, signal });
      return {
        rows: datasets(json, source).map((d) => instanceRef(d, studyUid, source)),
        more: saysMoreResults(headers),
      };
    };
    const end = walkEnd();
    const max = {
      rows: MAX_STUDY_INSTANCES,
      message: `${source}: more than ${MAX_STUDY_INSTANCES} instances in one study`,
    };
    yield* walkQido(ask, (ref) => ref.sopUid, { page: WALK_PAGE, max }, end);
    if (end.cut)
      throw new PacsError(
        'INCOMPLETE',
        `${this.label}: the archive says study ${studyUid} holds more than the ${end.count} instances it lists, and lists no more (it limits its answers); raise that limit on the archive to get them all`,
      );
    checkListed(this.label, studyUid, end.count, counted);
  }

  /**
   * Every instance of every study matching a query, studies page by page: memory stays flat. The modality
   * filter is applied here, on each page, rather than by the server (see searchStudies: a server-side one
   * pages wrongly on Orthanc 1.10, and a walk cannot ask for every window from the start). A study listed in
   * part does not stop the walk: the others are walked, and INCOMPLETE comes at the end, naming what was cut.
   */
  async *queryInstances(query: StudyQuery, signal?: AbortSignal): AsyncGenerator<InstanceRef> {
    const wanted = query.modalities?.length ? new Set(query.modalities) : null;
    const cut: PacsError[] = [];
    const end = walkEnd();
    const ask = (offset: number, limit: number) => this.#studies(query, offset, limit, false, signal);
    for await (const study of walkQido(ask, (s) => s.studyUid, { page: WALK_PAGE, remember: 'page' }, end)) {
      // A server that does not answer ModalitiesInStudy: the study is walked (decoding weeds out the rest)
      // rather than silently skipped.
      if (wanted && study.modalities.length && !study.modalities.some((m) => wanted.has(m))) continue;
      try {
        yield* this.#instances(study.studyUid, study.instanceCount, signal);
      } catch (error) {
        if (!(error instanceof PacsError && error.code === 'INCOMPLETE')) throw error;
        cut.push(error);
      }
    }
    if (end.cut)
      cut.unshift(
        new PacsError(
          'INCOMPLETE',
          `${this.label}: the archive says more studies match than the ${end.count} it lists, and lists no more (it limits its answers); narrow the query`,
        ),
      );
    if (cut.length) throw incomplete(cut);
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
      // An instance asked for is one part; a study, at most as many as a study holds.
      const maxParts = withSeries ? MAX_STUDY_INSTANCES : 1;
      for await (const part of readMultipart(res, boundary, {
        source,
        maxPartBytes: this.#maxInstanceBytes,
        maxParts,
      })) {
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
