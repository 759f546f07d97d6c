/**
 * A DIMSE client over dcmjs-dimse: C-ECHO, C-FIND (study and image level), C-GET (instances come back
 * on the same association) and C-MOVE (to RadSift's own storage SCP, started for the move). Each
 * operation is one association: archives limit how long one may stay open, and a failed one leaves
 * nothing behind. A C-FIND keeps a bounded number of matches; a retrieval answers each instance as soon as it
 * is held (inbox.ts: in memory up to a budget, past it in a scratch file) and hands them over one at a time, in
 * order, never a whole study in memory, each as the bytes the archive sent (dimse-store.ts), at most
 * MAX_INSTANCE_BYTES. Every PDU a peer sends is checked against the maximum PDU length RadSift announced before
 * dcmjs-dimse reads it (pdu-guard.ts).
 */
import { isIP, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import dimse from 'dcmjs-dimse';
import { supportsTransferSyntax } from '../dicom/codecs/registry.js';
import { parseDicom } from '../dicom/parse.js';
import { checkListed, checkSearchAndRetrieve, incomplete, type PacsClient } from './client.js';
import { connectionLabel, type DimseConnection } from './connection.js';
import { checkUid, isUid } from './dicom-json.js';
import { installStoreHooks, storedFile, storeHooks } from './dimse-store.js';
import { MAX_INSTANCE_BYTES, MAX_PDU_BYTES, tooLarge } from './limits.js';
import { MAX_INSPECTED_INFLATE } from './part10-meta.js';
import type { RetrievedInstance, ServiceCheck } from './dicomweb.js';
import { describe } from './client.js';
import { PacsError } from './errors.js';
import { Inbox } from './inbox.js';
import { guardPdus, P_DATA_TF, refusalText } from './pdu-guard.js';
import { addressesOf, normaliseAddress } from './peer-address.js';
import {
  dateRange,
  MAX_STUDY_INSTANCES,
  type InstanceRef,
  type Page,
  type StudyMatch,
  type StudyPage,
  type StudyQuery,
} from './query.js';

const { Client, Server, Scp } = dimse;
/** The C-MOVE in progress (or last) per storage port: moves queue behind it. */
const MOVES = new Map<number, Promise<unknown>>();
// dcmjs-dimse logs every association and dataset at INFO: patient data must not reach a log.
dimse.log.setLevel('silent');
// What every A-ASSOCIATE (RadSift's request, its storage SCP's accept) announces as the longest PDU RadSift receives.
dimse.Implementation.setMaxPduLength(MAX_PDU_BYTES);
const { CEchoRequest, CFindRequest, CGetRequest, CMoveRequest } = dimse.requests;
const { CStoreResponse } = dimse.responses;
const { Status, PresentationContextResult, TransferSyntax, SopClass, StorageClass } = dimse.constants;
const { RejectResult, RejectSource, RejectReason } = dimse.constants;

type Dataset = InstanceType<typeof dimse.Dataset>;
type Elements = Record<string, unknown>;
type DimseClientSocket = InstanceType<typeof Client>;
type DimseResponse = InstanceType<typeof dimse.responses.Response>;

/**
 * At most this many studies from one study-level C-FIND. C-FIND has no paging: the archive sends every match, and
 * each is held until the search ends. A search past it is cut (`truncated`) and says so.
 */
export const MAX_FIND_STUDIES = 10_000;
/** Matches an archive may still send after it was asked to cancel (those in flight) before it is aborted. */
const CANCEL_GRACE = 100;
/**
 * Received instances waiting for the caller in memory, in bytes, at most (besides the next in line): past it they
 * wait in scratch files. A few radiographs; a large CT instance goes to disk.
 */
export const HELD_MEMORY_BYTES = 64 * 2 ** 20;

/** The socket of a dcmjs-dimse client's network (opened in send(), named `network`). */
function clientSocket(client: DimseClientSocket): Socket {
  const socket = (client as unknown as { network?: { socket?: Socket } }).network?.socket;
  if (!socket) throw new Error('dcmjs-dimse: the client has no socket to receive on');
  return socket;
}

/** DIMSE status classes (PS3.7 C): 0x0000 success, 0xFF00/0xFF01 pending, 0xB000+ warning, the rest failure. */
const isPending = (s: number) => s === Status.Pending || s === 0xff01;
const isFailure = (s: number) => s !== Status.Success && !isPending(s) && (s & 0xf000) !== 0xb000 && s !== 0x0001;

function text(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() || null;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return text(v[0]);
  if (v && typeof v === 'object' && 'Alphabetic' in v) return text((v as { Alphabetic: unknown }).Alphabetic);
  return null;
}

function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(text).filter((x): x is string => !!x);
  const t = text(v);
  return t ? t.split('\\').filter(Boolean) : [];
}

/** A study-level C-FIND match as a study row, or null without a Study Instance UID. */
function studyMatch(e: Elements): StudyMatch | null {
  const uid = text(e.StudyInstanceUID);
  if (!uid) return null;
  const n = (v: unknown) => (text(v) !== null && Number.isFinite(Number(text(v))) ? Number(text(v)) : null);
  return {
    studyUid: uid,
    patientId: text(e.PatientID),
    patientName: text(e.PatientName),
    accession: text(e.AccessionNumber),
    studyDate: text(e.StudyDate),
    studyTime: text(e.StudyTime),
    description: text(e.StudyDescription),
    modalities: list(e.ModalitiesInStudy),
    seriesCount: n(e.NumberOfStudyRelatedSeries),
    instanceCount: n(e.NumberOfStudyRelatedInstances),
  };
}

/** A C-FIND failure status as an error, with the archive's comment. */
function findFailure(label: string, response: DimseResponse): PacsError {
  const status = response.getStatus();
  const comment = response.getErrorComment() ? `: ${response.getErrorComment()}` : '';
  // 0xA700 "out of resources": how some archives (dcm4chee-arc) refuse a search with too many matches.
  const hint = (status & 0xff00) === 0xa700 ? '; if the search matches very many studies, narrow it' : '';
  return new PacsError('SERVER_ERROR', `${label}: C-FIND failed (status 0x${status.toString(16)})${comment}${hint}`);
}

export interface DimseClientOptions {
  /** At most this many studies from one C-FIND (default MAX_FIND_STUDIES). */
  maxFindStudies?: number;
  /** The largest instance a retrieval accepts (default MAX_INSTANCE_BYTES). */
  maxInstanceBytes?: number;
  /** Bytes of received instances that wait in memory for the caller (default HELD_MEMORY_BYTES). */
  heldMemoryBytes?: number;
  /**
   * Where instances past that wait, each in a file removed when taken or when the retrieval ends (the app and the
   * CLI give the PACS cache's folder; default: the system's temporary folder).
   */
  scratchDir?: string;
}

/**
 * What a retrieval asked for: a study, or one instance of it. An instance sent that is not of it is dropped as it
 * comes (never held, never counted as arrived), so it can neither be filed under the study nor stand in for one of
 * its instances when the arrivals are checked against what the archive reports sent.
 */
interface Asked {
  studyUid: string;
  seriesUid?: string;
  sopUid?: string;
}

const isAsked = (asked: Asked, ref: InstanceRef) =>
  ref.studyUid === asked.studyUid &&
  (asked.seriesUid === undefined || ref.seriesUid === asked.seriesUid) &&
  (asked.sopUid === undefined || ref.sopUid === asked.sopUid);

/** One retrieval's arrivals: where those asked for wait to be taken, and how many others were dropped. */
interface Delivery {
  inbox: Inbox<RetrievedInstance>;
  asked: Asked;
  dropped: number;
}

/** At most this many refused peers are named in an error (a scan of the port would make a list of any length). */
const REFUSED_NAMED = 4;

/** An association under way: `done` settles when it ends; `stop` aborts it (the operation ends with `error`, or as is). */
interface Association {
  done: Promise<void>;
  stop(error?: PacsError): void;
}

export class DimseClient implements PacsClient {
  readonly label: string;
  readonly #maxFindStudies: number;
  readonly #maxInstanceBytes: number;
  readonly #heldMemoryBytes: number;
  readonly #scratchDir: string;

  constructor(
    readonly connection: DimseConnection,
    options: DimseClientOptions = {},
  ) {
    this.label = connectionLabel(connection);
    this.#maxFindStudies = options.maxFindStudies ?? MAX_FIND_STUDIES;
    this.#maxInstanceBytes = options.maxInstanceBytes ?? MAX_INSTANCE_BYTES;
    this.#heldMemoryBytes = options.heldMemoryBytes ?? HELD_MEMORY_BYTES;
    this.#scratchDir = options.scratchDir ?? tmpdir();
  }

  /** Runs requests on one association; resolves when it is released, rejects with a PacsError. */
  #associate(
    requests: InstanceType<typeof dimse.requests.Request>[],
    signal: AbortSignal | undefined,
    setup?: (client: DimseClientSocket, stop: Association['stop']) => void,
  ): Promise<void> {
    return this.#open(requests, signal, setup).done;
  }

  /** Opens an association that runs `requests`; `setup` sees the client before anything is sent. */
  #open(
    requests: InstanceType<typeof dimse.requests.Request>[],
    signal: AbortSignal | undefined,
    setup?: (client: DimseClientSocket, stop: Association['stop']) => void,
  ): Association {
    const c = this.connection;
    const where = `${this.label}`;
    let stop: Association['stop'] = () => undefined;
    const done = new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new PacsError('CANCELLED', 'cancelled'));
      const client = new Client();
      let settled = false;
      const finish = (error?: PacsError) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      stop = (error?: PacsError) => {
        if (settled) return;
        try {
          client.abort();
        } catch {
          // not associated yet: the socket closes with the client
        }
        finish(error);
      };
      const onAbort = () => stop(new PacsError('CANCELLED', 'cancelled'));
      signal?.addEventListener('abort', onAbort, { once: true });
      // dcmjs-dimse reports a peer's A-ABORT only as "closed": a request without its final (non-pending)
      // response by then was cut off, and its partial answers must not pass as complete.
      let finals = 0;
      for (const r of requests) {
        r.on('response', (response: DimseResponse) => {
          if (!isPending(response.getStatus())) finals++;
        });
        client.addRequest(r);
      }
      setup?.(client, stop);
      client.on('associationRejected', (result: { reason?: number }) =>
        finish(
          new PacsError(
            'AUTH_FAILED',
            `${where}: the archive refused the association (reason ${result?.reason ?? '?'}): check both AE titles and that the archive knows ${c.callingAet.trim()}`,
          ),
        ),
      );
      client.on('networkError', (e: NodeJS.ErrnoException) => {
        // dcmjs-dimse wraps socket errors in a plain Error whose message names the errno.
        const code = e?.code ?? /E[A-Z]{4,}/.exec(e?.message ?? '')?.[0] ?? '';
        if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN'].includes(code))
          finish(new PacsError('UNREACHABLE', `${where}: cannot reach the archive (${code})`));
        else if (/timeout/i.test(e?.message ?? '')) finish(new PacsError('TIMEOUT', `${where}: ${e.message}`));
        else finish(new PacsError('INTERRUPTED', `${where}: network error (${code || e?.message || 'unknown'})`));
      });
      client.on('closed', () =>
        finish(
          finals < requests.length
            ? new PacsError('INTERRUPTED', `${where}: the association ended before the archive's final answer`)
            : undefined,
        ),
      );
      const ms = c.timeoutSeconds * 1000;
      // What the A-ASSOCIATE-RQ announces (send() reads it): no PDU from the archive may declare more.
      const announced = dimse.Implementation.getMaxPduLength();
      client.send(c.host, c.port, c.callingAet, c.calledAet, {
        connectTimeout: ms,
        associationTimeout: ms,
        pduTimeout: ms,
      });
      guardPdus(
        clientSocket(client),
        () => announced,
        (r) =>
          stop(new PacsError('PROTOCOL', `${where}: the archive sent ${refusalText(r)}; the association was aborted`)),
      );
    });
    return { done, stop: (error) => stop(error) };
  }

  /**
   * Runs one C-FIND and keeps what `keep` makes of each match (the fields needed, not the dataset), at most `max`
   * matches: past them the C-FIND is cancelled (C-CANCEL; an archive that goes on regardless is aborted). `cut`:
   * the matches are not all the archive holds, because of RadSift's bound or the archive's own (it ended with
   * "matching terminated", 0xFE00, as Orthanc does past its LimitFindResults). A failure status is an error.
   */
  async #find<T>(
    request: InstanceType<typeof CFindRequest>,
    keep: (elements: Elements) => T | null,
    max: number,
    signal?: AbortSignal,
  ): Promise<{ matches: T[]; cut: 'archive' | 'radsift' | null }> {
    const matches: T[] = [];
    let received = 0;
    let cut: 'archive' | 'radsift' | null = null;
    let failure: PacsError | null = null;
    await this.#associate([request], signal, (client, stop) =>
      request.on('response', (response: DimseResponse) => {
        const status = response.getStatus();
        if (isPending(status) && response.hasDataset()) {
          if (++received <= max) {
            const match = keep((response.getDataset() as Dataset).getElements());
            if (match !== null) matches.push(match);
          } else if (!cut) {
            cut = 'radsift';
            try {
              client.cancel(request);
            } catch {
              stop(); // the association is gone already
            }
          } else if (received > max + CANCEL_GRACE) stop(); // the archive ignores the cancel
        } else if (status === Status.Cancel) cut ??= 'archive';
        else if (isFailure(status)) failure = findFailure(this.label, response);
      }),
    );
    if (failure) throw failure;
    return { matches, cut };
  }

  async searchStudies(query: StudyQuery, page: Page, signal?: AbortSignal): Promise<StudyPage> {
    const { studies, cut } = await this.#findStudies(query, signal);
    // C-FIND has no paging: the archive sends every match, the page is cut here.
    return {
      studies: studies.slice(page.offset, page.offset + page.limit),
      offset: page.offset,
      more: studies.length > page.offset + page.limit,
      ...(cut ? { truncated: true } : {}),
    };
  }

  async #findStudies(query: StudyQuery, signal?: AbortSignal): Promise<{ studies: StudyMatch[]; cut: string | null }> {
    const request = CFindRequest.createStudyFindRequest({
      PatientID: query.patientId ?? '',
      PatientName: query.patientName ?? '',
      AccessionNumber: query.accession ?? '',
      StudyDate: dateRange(query) ?? '',
      StudyTime: '',
      ModalitiesInStudy: query.modalities?.join('\\') ?? '',
      StudyDescription: query.description ?? '',
      StudyInstanceUID: '',
      NumberOfStudyRelatedSeries: '',
      NumberOfStudyRelatedInstances: '',
    });
    const { matches, cut } = await this.#find(request, studyMatch, this.#maxFindStudies, signal);
    const studies = matches.sort(
      (a, b) => (b.studyDate ?? '').localeCompare(a.studyDate ?? '') || a.studyUid.localeCompare(b.studyUid),
    );
    const why =
      cut === 'radsift'
        ? `RadSift keeps at most ${this.#maxFindStudies} studies from one search`
        : cut === 'archive'
          ? 'the archive ended the search at its limit (e.g. Orthanc’s LimitFindResults)'
          : null;
    return { studies, cut: why };
  }

  async *studyInstances(studyUid: string, signal?: AbortSignal): AsyncGenerator<InstanceRef> {
    yield* this.#instances(studyUid, null, signal);
  }

  /**
   * A study's instances (image-level C-FIND); INCOMPLETE once they are yielded when the archive ended the listing
   * early, or listed fewer than `counted`.
   */
  async *#instances(studyUid: string, counted: number | null, signal?: AbortSignal): AsyncGenerator<InstanceRef> {
    const request = CFindRequest.createImageFindRequest({
      StudyInstanceUID: checkUid(studyUid),
      SeriesInstanceUID: '',
      SOPInstanceUID: '',
    });
    const keep = (e: Elements): InstanceRef | null => {
      const seriesUid = text(e.SeriesInstanceUID);
      const sopUid = text(e.SOPInstanceUID);
      return seriesUid && sopUid ? { studyUid, seriesUid, sopUid } : null;
    };
    const { matches, cut } = await this.#find(request, keep, MAX_STUDY_INSTANCES, signal);
    yield* matches;
    if (cut)
      throw new PacsError(
        'INCOMPLETE',
        cut === 'radsift'
          ? `${this.label}: study ${studyUid} has more than ${MAX_STUDY_INSTANCES} instances, more than RadSift lists for one study`
          : `${this.label}: the archive ended the listing of study ${studyUid} after ${matches.length} instances (it limits how many one C-FIND answers, e.g. Orthanc's LimitFindInstances); raise that limit on the archive to get them all`,
      );
    checkListed(this.label, studyUid, matches.length, counted);
  }

  /**
   * Every instance of every matching study. A study listed in part does not stop the walk: the others are walked,
   * and INCOMPLETE comes at the end, naming what was cut.
   */
  async *queryInstances(query: StudyQuery, signal?: AbortSignal): AsyncGenerator<InstanceRef> {
    const { studies, cut } = await this.#findStudies(query, signal);
    const partial: PacsError[] = [];
    for (const study of studies)
      try {
        yield* this.#instances(study.studyUid, study.instanceCount, signal);
      } catch (error) {
        if (!(error instanceof PacsError && error.code === 'INCOMPLETE')) throw error;
        partial.push(error);
      }
    if (cut)
      partial.unshift(
        new PacsError(
          'INCOMPLETE',
          `${this.label}: the search sent ${studies.length} studies and no more (${cut}); narrow the query`,
        ),
      );
    if (partial.length) throw incomplete(partial);
  }

  /** A received Part 10 file's UIDs, checked: the sender's UIDs name files (the cache, `radsift pacs retrieve --out`). */
  #inspect(bytes: Buffer): RetrievedInstance {
    let parsed: ReturnType<typeof parseDicom>;
    try {
      parsed = parseDicom(bytes, { untilTag: 'x0020000e', maxInflatedBytes: MAX_INSPECTED_INFLATE });
    } catch (error) {
      throw new PacsError(
        'PROTOCOL',
        `${this.label}: an instance was sent that is not a readable DICOM dataset (${(error as Error).message})`,
      );
    }
    const d = parsed.dataSet;
    const ref = {
      studyUid: d.string('x0020000d') ?? '',
      seriesUid: d.string('x0020000e') ?? '',
      sopUid: d.string('x00080018') ?? '',
    };
    // Only UIDs, never "../x".
    if (![ref.studyUid, ref.seriesUid, ref.sopUid].every(isUid))
      throw new PacsError('PROTOCOL', `${this.label}: an instance was sent whose UIDs are not DICOM UIDs`);
    return { ref, bytes, transferSyntaxUID: parsed.transferSyntaxUID };
  }

  /** The hooks that collect a retrieval's C-STOREs; one too large ends `inbox` at once. */
  #hooks(inbox: Inbox<RetrievedInstance>) {
    return storeHooks(() => inbox.end(tooLarge(this.label, this.#maxInstanceBytes)), this.#maxInstanceBytes);
  }

  /** Where the instances of a retrieval of `asked` wait to be taken. */
  #delivery(asked: Asked): Delivery {
    return { inbox: new Inbox(this.#scratchDir, this.#heldMemoryBytes), asked, dropped: 0 };
  }

  /**
   * A received C-STORE: read, held in the delivery's inbox, and answered as soon as it is held (the archive's
   * time-outs never wait on the caller). One that cannot be read or held ends the inbox with the reason. One not of
   * what was asked for is answered as stored and dropped: only the archive sends here (C-GET: on RadSift's own
   * association; C-MOVE: the storage SCP accepts no other peer), and a failure would count against the retrieval.
   */
  #store(
    req: InstanceType<typeof dimse.requests.CStoreRequest>,
    callback: (response: InstanceType<typeof CStoreResponse>) => void,
    delivery: Delivery,
  ): void {
    const { inbox } = delivery;
    // Made now: the answer keeps no reference to the request (nor, through it, to the instance's bytes).
    const response = CStoreResponse.fromRequest(req);
    const answer = (status: number) => {
      response.setStatus(status);
      callback(response);
    };
    // 0xA700: refused, out of resources (the retrieval ended, too large, cannot be held); 0xC000: cannot understand.
    if (inbox.ended) return answer(0xa700);
    let got: RetrievedInstance;
    try {
      const bytes = storedFile(req, this.label, this.#maxInstanceBytes);
      if (!bytes) throw new Error('dcmjs-dimse passed a C-STORE the store hooks did not collect');
      got = this.#inspect(bytes);
    } catch (error) {
      inbox.end(error);
      return answer(0xc000);
    }
    if (!isAsked(delivery.asked, got.ref)) {
      delivery.dropped++;
      return answer(Status.Success);
    }
    inbox.put(got).then(
      () => answer(Status.Success),
      () => answer(0xa700),
    );
  }

  /**
   * The instances of a C-GET or C-MOVE as they are taken from the delivery's inbox (only those asked for), then the
   * outcome: a failure status, or sub-operations the archive reports failed, is an error once what came is yielded
   * (a study in part is never passed for all of it). A caller that stops early aborts the association. `refusal`:
   * the error that names why the retrieval fell short instead (the storage SCP refused a peer), or null.
   */
  async *#drain(
    delivery: Delivery,
    association: Association,
    operation: 'C-GET' | 'C-MOVE',
    final: () => DimseResponse | null,
    refusal: (count: number) => PacsError | null = () => null,
  ): AsyncGenerator<RetrievedInstance> {
    const { inbox } = delivery;
    association.done.then(
      () => inbox.end(),
      (error: unknown) => inbox.end(error),
    );
    let count = 0;
    try {
      for await (const got of inbox.take()) {
        count++;
        yield got;
      }
    } catch (error) {
      // An archive whose delivery was refused may give up on the association, or outlast the time-out, instead of
      // answering with a failure.
      const cut = error instanceof PacsError && (error.code === 'INTERRUPTED' || error.code === 'TIMEOUT');
      throw (cut && refusal(count)) || error;
    } finally {
      association.stop();
      await inbox.close();
    }
    const response = final();
    const error = response && this.#outcome(operation, response, count, delivery.dropped);
    if (error) throw refusal(count) ?? error;
  }

  /** What a retrieval's final answer says of it, given `count` instances asked for arrived: an error, or null. */
  #outcome(operation: 'C-GET' | 'C-MOVE', response: DimseResponse, count: number, dropped: number): PacsError | null {
    const status = response.getStatus();
    const comment = response.getErrorComment() ? `: ${response.getErrorComment()}` : '';
    if (isFailure(status))
      return new PacsError(
        operation === 'C-GET' && status === 0xc000 ? 'NOT_FOUND' : 'SERVER_ERROR',
        `${this.label}: ${operation} failed (status 0x${status.toString(16)})${comment}${count ? ` after ${count} instances` : ''}`,
      );
    const counts = response as InstanceType<typeof dimse.responses.CGetResponse>;
    const failed = counts.getFailures?.() ?? 0;
    if (failed > 0)
      return new PacsError(
        'SERVER_ERROR',
        `${this.label}: the archive could not send ${failed} of the instances asked for (${operation} status 0x${status.toString(16)}${comment}); ${count} arrived`,
      );
    // What the archive says it sent (completed, and completed with a warning) must all have come: a status alone
    // passes a move still under way, or instances lost on the way, for the whole study.
    const sent = (counts.getCompleted?.() ?? 0) + (counts.getWarnings?.() ?? 0);
    // "Done" and nothing came: an archive that answers a C-MOVE at once and sends later, to a storage SCP that is
    // gone by then (Orthanc with SynchronousCMove false, which even counts them sent).
    if (operation === 'C-MOVE' && count === 0 && !dropped)
      return new PacsError(
        'INCOMPLETE',
        `${this.label}: the archive answered the C-MOVE as done (${sent} instances sent) and none arrived: it moves asynchronously, and RadSift needs the instances before the answer; set the archive to move synchronously (Orthanc: "SynchronousCMove": true) or retrieve with C-GET`,
      );
    // Instances not asked for count as sent by the archive, not as arrived: it sent something else in their place.
    // Only those, and no count to compare (an archive may leave the counts out; they read as 0), is not an empty
    // study either.
    if (count < sent || (count === 0 && (operation === 'C-MOVE' || dropped > 0)))
      return new PacsError(
        'INCOMPLETE',
        `${this.label}: the archive reports ${sent} instances sent by ${operation}, ${count} of those asked for arrived${dropped ? ` and ${dropped} not asked for (dropped): the archive sent other instances than those asked for` : '; retrieve again'}`,
      );
    return null;
  }

  /** C-GET: the archive sends the instances back on this association, each handed over as it arrives. */
  async *#get(
    request: InstanceType<typeof CGetRequest>,
    asked: Asked,
    signal?: AbortSignal,
  ): AsyncGenerator<RetrievedInstance> {
    const delivery = this.#delivery(asked);
    let final: DimseResponse | null = null;
    request.on('response', (response: DimseResponse) => {
      if (!isPending(response.getStatus())) final = response;
    });
    const hooks = this.#hooks(delivery.inbox);
    const association = this.#open([request], signal, (client) => {
      client.on('connected', () => installStoreHooks(client, hooks));
      client.on(
        'cStoreRequest',
        (
          req: InstanceType<typeof dimse.requests.CStoreRequest>,
          callback: (r: InstanceType<typeof CStoreResponse>) => void,
        ) => this.#store(req, callback, delivery),
      );
    });
    yield* this.#drain(delivery, association, 'C-GET', () => final);
  }

  /**
   * C-MOVE: the archive sends the instances to a storage SCP RadSift starts for the move. One move at a time
   * per port (in this process): the archive delivers to the port, not to the move that asked, so concurrent
   * moves would receive each other's instances, and a second server could not listen there anyway.
   */
  async *#move(
    request: InstanceType<typeof CMoveRequest>,
    asked: Asked,
    signal?: AbortSignal,
  ): AsyncGenerator<RetrievedInstance> {
    const port = this.connection.storePort ?? 0;
    const previous = MOVES.get(port) ?? Promise.resolve();
    let finished = () => undefined as void;
    const mine = new Promise<void>((resolve) => (finished = resolve));
    MOVES.set(
      port,
      previous.then(() => mine),
    );
    try {
      // A move cancelled while it waits answers at once, not when the moves ahead of it end; the queue keeps its
      // place (the next move still waits for the one running).
      await (signal ? untilAborted(previous, signal) : previous);
      yield* this.#moveNow(request, asked, signal);
    } finally {
      finished();
    }
  }

  /**
   * The addresses the storage SCP accepts a C-MOVE's instances from: the archive's host as it resolves now, and
   * the connection's storePeers. Looked up at each move (an address may change); one that does not resolve is an
   * error before the move, not a refused delivery after it.
   */
  async #senders(signal?: AbortSignal): Promise<{ archive: string[]; all: ReadonlySet<string> }> {
    const c = this.connection;
    const resolve = async (name: string, fail: (code: string) => PacsError) => {
      try {
        const found = addressesOf(name);
        return await (signal ? untilAborted(found, signal) : found);
      } catch (error) {
        if (error instanceof PacsError) throw error;
        throw fail((error as NodeJS.ErrnoException).code ?? (error as Error).message);
      }
    };
    const archive = await resolve(
      c.host,
      (code) => new PacsError('UNREACHABLE', `${this.label}: cannot reach the archive (${code})`),
    );
    const peers: string[] = [];
    for (const peer of c.storePeers ?? [])
      peers.push(
        ...(await resolve(
          peer,
          (code) =>
            new PacsError('CONFIG', `${this.label}: storePeers: ${peer} is not an address that resolves (${code})`),
        )),
      );
    return { archive, all: new Set([...archive, ...peers]) };
  }

  async *#moveNow(
    request: InstanceType<typeof CMoveRequest>,
    asked: Asked,
    signal?: AbortSignal,
  ): AsyncGenerator<RetrievedInstance> {
    const c = this.connection;
    const storePort = c.storePort;
    if (!storePort)
      throw new PacsError('CONFIG', `${c.name}: C-MOVE needs the port of RadSift's storage SCP (storePort)`);
    // Only the archive may deliver: the AE title it calls is no secret, and any host that reaches the port while the
    // move runs could otherwise push instances into it.
    const senders = await this.#senders(signal);
    const refused = new Set<string>();
    const delivery = this.#delivery(asked);
    const store = (
      req: InstanceType<typeof dimse.requests.CStoreRequest>,
      callback: (r: InstanceType<typeof CStoreResponse>) => void,
    ) => this.#store(req, callback, delivery);
    const calling = c.callingAet.trim();
    const hooks = this.#hooks(delivery.inbox);
    const label = this.label;
    /** A peer the storage SCP aborted for a PDU it refused: what a move that then fails is told. */
    const overlong: { error?: PacsError } = {};
    /**
     * Every connection the storage SCP has open, closed when the move ends: dcmjs-dimse's close() destroys only
     * those it still counts as connected, and drops one it gave up on (its PDU time-out, 60 s here) after only
     * half-closing it, which a peer that never closes its side keeps open, and read, for ever.
     */
    const connections = new Set<Socket>();
    class StoreScp extends Scp {
      /** The longest P-DATA-TF this association receives: RadSift's maximum until its A-ASSOCIATE-AC says less. */
      #maxPData = dimse.Implementation.getMaxPduLength();
      readonly #socket: ConstructorParameters<typeof Scp>[0];
      /** Where the association comes from, as the socket says (normalised); null when it no longer knows. */
      readonly #peer: string | null;
      /**
       * Whether the association was accepted: a peer refused that goes on sending anyway (dcmjs-dimse reads what
       * comes on the socket until it closes) has nothing collected, held or answered.
       */
      #accepted = false;
      constructor(...args: ConstructorParameters<typeof Scp>) {
        super(...args);
        this.#socket = args[0];
        connections.add(this.#socket);
        this.#socket.once('close', () => connections.delete(this.#socket));
        const address = args[0].remoteAddress;
        this.#peer = address ? normaliseAddress(address) : null;
        const socket = args[0];
        guardPdus(
          socket,
          (type) => (type === P_DATA_TF ? this.#maxPData : dimse.Implementation.getMaxPduLength()),
          (r) => {
            // The guard reads a peer's first PDU before its association is checked: one that is not a sender is
            // dropped and says nothing of the move (it could otherwise rewrite why the archive's move failed).
            if (this.#peer !== null && senders.all.has(this.#peer))
              overlong.error ??= new PacsError(
                'PROTOCOL',
                `${label}: RadSift's storage SCP aborted an association from ${this.#peer}: it sent ${refusalText(r)}`,
              );
            this.sendAbort(); // dcmjs-dimse skips it before an association
          },
        );
      }
      /** Rejects the association and closes the connection once the rejection is sent. */
      #refuse(...reason: Parameters<InstanceType<typeof Scp>['sendAssociationReject']>): void {
        this.sendAssociationReject(...reason);
        this.#socket.end(() => this.#socket.destroy());
      }
      override createStoreWritableStream(
        ...args: Parameters<InstanceType<typeof Scp>['createStoreWritableStream']>
      ): ReturnType<InstanceType<typeof Scp>['createStoreWritableStream']> {
        if (this.#accepted) return hooks.createStoreWritableStream(...args);
        return new Writable({ write: (_chunk, _encoding, done) => done() });
      }
      override createDatasetFromStoreWritableStream(
        ...args: Parameters<InstanceType<typeof Scp>['createDatasetFromStoreWritableStream']>
      ): void {
        if (this.#accepted) hooks.createDatasetFromStoreWritableStream(...args);
      }
      override associationRequested(
        association: Parameters<InstanceType<typeof Scp>['associationRequested']>[0],
      ): void {
        if (this.#peer === null || !senders.all.has(this.#peer)) {
          // Kept to name in the error, should the move then fall short: an archive that sends from an address
          // of its own other than its host's (another interface, a gateway) is refused the same way.
          if (refused.size < REFUSED_NAMED) refused.add(this.#peer ?? 'an address the socket no longer knows');
          this.#refuse(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.NoReasonGiven);
          return;
        }
        if (association.getCalledAeTitle().trim() !== calling) {
          this.#refuse();
          return;
        }
        for (const context of association.getPresentationContexts()) {
          const pc = association.getPresentationContext(context.id);
          const storage = Object.values(StorageClass).includes(pc.getAbstractSyntaxUid());
          if (!storage && pc.getAbstractSyntaxUid() !== SopClass.Verification) {
            pc.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
            continue;
          }
          // Keep what the archive sends: no transcoding on either side.
          const offered = pc.getTransferSyntaxUids();
          const pick =
            offered.find((ts: string) => supportsTransferSyntax(ts)) ??
            offered[0] ??
            TransferSyntax.ImplicitVRLittleEndian;
          pc.setResult(PresentationContextResult.Accept, pick);
        }
        // dcmjs-dimse's accept announces the smaller of the peer's maximum and RadSift's, but 0 ("no maximum") when
        // the peer announced 0: RadSift's then.
        if (!association.getMaxPduLength()) association.setMaxPduLength(dimse.Implementation.getMaxPduLength());
        this.#accepted = true;
        this.sendAssociationAccept();
        this.#maxPData = association.getMaxPduLength();
      }
      override cStoreRequest(
        req: InstanceType<typeof dimse.requests.CStoreRequest>,
        callback: (r: InstanceType<typeof CStoreResponse>) => void,
      ): void {
        if (this.#accepted) store(req, callback);
      }
      override associationReleaseRequested(): void {
        this.sendAssociationReleaseResponse();
      }
    }
    const server = new Server(StoreScp);
    // dcmjs-dimse reports a port it cannot listen on as a networkError event; wait for one or the other.
    await new Promise<void>((resolve, reject) => {
      server.once('listening', () => resolve());
      server.once('networkError', (e: NodeJS.ErrnoException) =>
        reject(
          new PacsError(
            'CONFIG',
            `${c.name}: RadSift's storage SCP cannot listen on port ${storePort} (${e?.code ?? e?.message ?? 'error'})`,
          ),
        ),
      );
      server.listen(storePort);
    });
    try {
      let final: DimseResponse | null = null;
      request.on('response', (response: DimseResponse) => {
        if (!isPending(response.getStatus())) final = response;
      });
      yield* this.#drain(
        delivery,
        this.#open([request], signal),
        'C-MOVE',
        () => final,
        (count) => (refused.size ? this.#refusal([...refused], senders.archive, count) : null),
      );
    } catch (error) {
      // A peer the storage SCP aborted (it may have been the archive, sending the instances) explains a failed move.
      if (!overlong.error || (error instanceof PacsError && error.code === 'CANCELLED')) throw error;
      const ended = error instanceof Error ? error.message.replace(`${this.label}: `, '') : String(error);
      throw new PacsError('PROTOCOL', `${overlong.error.message}; then: ${ended}`, {
        cause: error,
      });
    } finally {
      server.close();
      for (const socket of connections) socket.destroy();
    }
  }

  /** Why a C-MOVE fell short when the storage SCP refused `refused`, which are not the archive's `archive`. */
  #refusal(refused: string[], archive: string[], count: number): PacsError {
    const c = this.connection;
    const host = isIP(c.host) ? c.host : `${c.host}: ${archive.join(', ')}`;
    return new PacsError(
      'CONFIG',
      `${this.label}: the storage SCP refused ${refused.length > 1 ? 'connections' : 'a connection'} from ${refused.join(', ')}, which ${refused.length > 1 ? 'are' : 'is'} not the archive's address (${host})${c.storePeers?.length ? ' nor in storePeers' : ''}, and ${count ? `only ${count}` : 'none'} of the instances asked for arrived; if the archive sends from another address, list it in storePeers (the connection's other sender addresses; --store-peers on the command line)`,
    );
  }

  /** The retrieval of `request` (C-GET or C-MOVE, as the connection says), instance by instance as they arrive. */
  #retrieve(
    get: InstanceType<typeof CGetRequest>,
    move: InstanceType<typeof CMoveRequest>,
    asked: Asked,
    signal?: AbortSignal,
  ) {
    return this.connection.retrieve === 'C-MOVE' ? this.#move(move, asked, signal) : this.#get(get, asked, signal);
  }

  async retrieveInstance(ref: InstanceRef, signal?: AbortSignal): Promise<RetrievedInstance> {
    const c = this.connection;
    const [st, se, sop] = [checkUid(ref.studyUid), checkUid(ref.seriesUid), checkUid(ref.sopUid)];
    let match: RetrievedInstance | null = null;
    try {
      // Only the instance asked for comes: anything else the archive sends is dropped as it comes.
      for await (const got of this.#retrieve(
        CGetRequest.createImageGetRequest(st, se, sop),
        CMoveRequest.createImageMoveRequest(c.callingAet, st, se, sop),
        { studyUid: st, seriesUid: se, sopUid: sop },
        signal,
      ))
        match = got;
    } catch (error) {
      if (!match) throw error;
    }
    if (!match) throw new PacsError('NOT_FOUND', `${this.label}: instance ${ref.sopUid} is no longer on the archive`);
    return match;
  }

  /**
   * A study's instances as they arrive, one at a time, in order (each answered to the archive as soon as it is
   * held, not when the caller takes it). Only the study asked for: an instance of another (an archive's mistake)
   * is dropped as it comes, and would otherwise be filed under this one.
   */
  async *retrieveStudy(studyUid: string, signal?: AbortSignal): AsyncGenerator<RetrievedInstance> {
    checkUid(studyUid);
    yield* this.#retrieve(
      CGetRequest.createStudyGetRequest(studyUid),
      CMoveRequest.createStudyMoveRequest(this.connection.callingAet, studyUid),
      { studyUid },
      signal,
    );
  }

  async check(signal?: AbortSignal): Promise<ServiceCheck[]> {
    const checks: ServiceCheck[] = [];
    try {
      await this.#associate([new CEchoRequest()], signal);
      checks.push({ service: 'C-ECHO', ok: true, detail: 'the archive answers' });
    } catch (error) {
      checks.push({ service: 'C-ECHO', ok: false, detail: describe(error) });
      return checks;
    }
    return [...checks, ...(await checkSearchAndRetrieve(this, 'C-FIND', this.connection.retrieve, signal))];
  }

  async close(): Promise<void> {}
}

/** `work`, or a CANCELLED rejection as soon as `signal` aborts (`work` itself goes on; its outcome is dropped). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new PacsError('CANCELLED', 'cancelled'));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new PacsError('CANCELLED', 'cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
