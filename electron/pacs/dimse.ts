/**
 * A DIMSE client over dcmjs-dimse: C-ECHO, C-FIND (study and image level), C-GET (instances come back
 * on the same association) and C-MOVE (to RadSift's own storage SCP, started for the move). Each
 * operation is one association: archives limit how long one may stay open, and a failed one leaves
 * nothing behind. Received instances are written as Part 10 files by dcmjs and read back once.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dimse from 'dcmjs-dimse';
import { supportsTransferSyntax } from '../dicom/codecs/registry.js';
import { parseDicom } from '../dicom/parse.js';
import { checkSearchAndRetrieve, type PacsClient } from './client.js';
import { connectionLabel, type DimseConnection } from './connection.js';
import { checkUid, isUid } from './dicom-json.js';
import { MAX_INSPECTED_INFLATE } from './part10-meta.js';
import type { RetrievedInstance, ServiceCheck } from './dicomweb.js';
import { describe } from './client.js';
import { PacsError } from './errors.js';
import { dateRange, type InstanceRef, type Page, type StudyMatch, type StudyPage, type StudyQuery } from './query.js';

const { Client, Server, Scp } = dimse;
/** The C-MOVE in progress (or last) per storage port: moves queue behind it. */
const MOVES = new Map<number, Promise<unknown>>();
// dcmjs-dimse logs every association and dataset at INFO: patient data must not reach a log.
dimse.log.setLevel('silent');
const { CEchoRequest, CFindRequest, CGetRequest, CMoveRequest } = dimse.requests;
const { CStoreResponse } = dimse.responses;
const { Status, PresentationContextResult, TransferSyntax, SopClass, StorageClass } = dimse.constants;

type Dataset = InstanceType<typeof dimse.Dataset>;
type Elements = Record<string, unknown>;

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

export class DimseClient implements PacsClient {
  readonly label: string;
  readonly #scratch: string;

  constructor(
    readonly connection: DimseConnection,
    options: { scratchDir?: string } = {},
  ) {
    this.label = connectionLabel(connection);
    this.#scratch = options.scratchDir ?? path.join(tmpdir(), 'radsift-dimse');
  }

  /** Runs requests on one association; resolves when it is released, rejects with a PacsError. */
  #associate(
    requests: InstanceType<typeof dimse.requests.Request>[],
    signal: AbortSignal | undefined,
    setup?: (client: InstanceType<typeof Client>) => void,
  ): Promise<void> {
    const c = this.connection;
    const where = `${this.label}`;
    return new Promise((resolve, reject) => {
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
      const onAbort = () => {
        client.abort();
        finish(new PacsError('CANCELLED', 'cancelled'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // dcmjs-dimse reports a peer's A-ABORT only as "closed": a request without its final (non-pending)
      // response by then was cut off, and its partial answers must not pass as complete.
      let finals = 0;
      for (const r of requests) {
        r.on('response', (response: InstanceType<typeof dimse.responses.Response>) => {
          if (!isPending(response.getStatus())) finals++;
        });
        client.addRequest(r);
      }
      setup?.(client);
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
      client.send(c.host, c.port, c.callingAet, c.calledAet, {
        connectTimeout: ms,
        associationTimeout: ms,
        pduTimeout: ms,
      });
    });
  }

  /** Runs one C-FIND and collects the matches' datasets; a failure status is an error. */
  async #find(request: InstanceType<typeof CFindRequest>, signal?: AbortSignal): Promise<Elements[]> {
    const found: Elements[] = [];
    let failure: PacsError | null = null;
    request.on('response', (response: InstanceType<typeof dimse.responses.Response>) => {
      const status = response.getStatus();
      if (isPending(status) && response.hasDataset()) found.push((response.getDataset() as Dataset).getElements());
      else if (isFailure(status))
        failure = new PacsError(
          'SERVER_ERROR',
          `${this.label}: C-FIND failed (status 0x${status.toString(16)})${response.getErrorComment() ? `: ${response.getErrorComment()}` : ''}`,
        );
    });
    await this.#associate([request], signal);
    if (failure) throw failure;
    return found;
  }

  async searchStudies(query: StudyQuery, page: Page, signal?: AbortSignal): Promise<StudyPage> {
    const all = await this.#findStudies(query, signal);
    // C-FIND has no paging: the archive sends every match, the page is cut here.
    return {
      studies: all.slice(page.offset, page.offset + page.limit),
      offset: page.offset,
      more: all.length > page.offset + page.limit,
    };
  }

  async #findStudies(query: StudyQuery, signal?: AbortSignal): Promise<StudyMatch[]> {
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
    const found = await this.#find(request, signal);
    return found
      .map((e): StudyMatch | null => {
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
      })
      .filter((m): m is StudyMatch => m !== null)
      .sort((a, b) => (b.studyDate ?? '').localeCompare(a.studyDate ?? '') || a.studyUid.localeCompare(b.studyUid));
  }

  async *studyInstances(studyUid: string, signal?: AbortSignal): AsyncGenerator<InstanceRef> {
    const request = CFindRequest.createImageFindRequest({
      StudyInstanceUID: checkUid(studyUid),
      SeriesInstanceUID: '',
      SOPInstanceUID: '',
    });
    for (const e of await this.#find(request, signal)) {
      const seriesUid = text(e.SeriesInstanceUID);
      const sopUid = text(e.SOPInstanceUID);
      if (seriesUid && sopUid) yield { studyUid, seriesUid, sopUid };
    }
  }

  async *queryInstances(query: StudyQuery, signal?: AbortSignal): AsyncGenerator<InstanceRef> {
    for (const study of await this.#findStudies(query, signal)) yield* this.studyInstances(study.studyUid, signal);
  }

  /** Receives the instances a C-GET or C-MOVE sends, as files read back into memory one at a time. */
  async #receive(dataset: Dataset): Promise<RetrievedInstance> {
    await mkdir(this.#scratch, { recursive: true });
    const file = path.join(this.#scratch, `${randomBytes(8).toString('hex')}.dcm`);
    try {
      await new Promise<void>((resolve, reject) => dataset.toFile(file, (e) => (e ? reject(e) : resolve())));
      const bytes = await readFile(file);
      const parsed = parseDicom(bytes, { untilTag: 'x0020000e', maxInflatedBytes: MAX_INSPECTED_INFLATE });
      const d = parsed.dataSet;
      const ref = {
        studyUid: d.string('x0020000d') ?? '',
        seriesUid: d.string('x0020000e') ?? '',
        sopUid: d.string('x00080018') ?? '',
      };
      // The sender's UIDs name files (the cache, `radsift pacs retrieve --out`): only UIDs, never "../x".
      if (![ref.studyUid, ref.seriesUid, ref.sopUid].every(isUid))
        throw new PacsError('PROTOCOL', `${this.label}: an instance was sent whose UIDs are not DICOM UIDs`);
      return { ref, bytes, transferSyntaxUID: parsed.transferSyntaxUID };
    } finally {
      await rm(file, { force: true });
    }
  }

  /** C-GET: the archive sends the instances back on our association. */
  async #get(request: InstanceType<typeof CGetRequest>, signal?: AbortSignal): Promise<RetrievedInstance[]> {
    const got: Promise<RetrievedInstance>[] = [];
    let failure: PacsError | null = null;
    request.on('response', (response: InstanceType<typeof dimse.responses.Response>) => {
      const status = response.getStatus();
      if (isFailure(status))
        failure = new PacsError(
          status === 0xa701 || status === 0xa702 ? 'SERVER_ERROR' : status === 0xc000 ? 'NOT_FOUND' : 'SERVER_ERROR',
          `${this.label}: C-GET failed (status 0x${status.toString(16)})${response.getErrorComment() ? `: ${response.getErrorComment()}` : ''}`,
        );
    });
    await this.#associate([request], signal, (client) => {
      client.on(
        'cStoreRequest',
        (req: InstanceType<typeof dimse.requests.CStoreRequest>, callback: (r: unknown) => void) => {
          const received = this.#receive(req.getDataset() as Dataset);
          received.catch(() => undefined); // awaited below unless the association fails first
          got.push(received);
          const response = CStoreResponse.fromRequest(req);
          response.setStatus(Status.Success);
          callback(response);
        },
      );
    });
    const instances = await Promise.all(got);
    if (failure && !instances.length) throw failure;
    return instances;
  }

  /**
   * C-MOVE: the archive sends the instances to a storage SCP RadSift starts for the move. One move at a time
   * per port (in this process): the archive delivers to the port, not to the move that asked, so concurrent
   * moves would receive each other's instances, and a second server could not listen there anyway.
   */
  #move(request: InstanceType<typeof CMoveRequest>, signal?: AbortSignal): Promise<RetrievedInstance[]> {
    const port = this.connection.storePort ?? 0;
    const previous = MOVES.get(port) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(() => {
        if (signal?.aborted) throw new PacsError('CANCELLED', 'cancelled'); // given up while it waited its turn
        return this.#moveNow(request, signal);
      });
    MOVES.set(port, run);
    // A move cancelled while it waits answers at once, not when the moves ahead of it end; the queue keeps
    // its place (the next move still waits for the one running).
    return signal ? untilAborted(run, signal) : run;
  }

  async #moveNow(request: InstanceType<typeof CMoveRequest>, signal?: AbortSignal): Promise<RetrievedInstance[]> {
    const c = this.connection;
    const storePort = c.storePort;
    if (!storePort)
      throw new PacsError('CONFIG', `${c.name}: C-MOVE needs the port of RadSift's storage SCP (storePort)`);
    const got: Promise<RetrievedInstance>[] = [];
    const receive = (d: Dataset) => {
      const received = this.#receive(d);
      received.catch(() => undefined); // awaited below unless the association fails first
      got.push(received);
    };
    const calling = c.callingAet.trim();
    class StoreScp extends Scp {
      override associationRequested(
        association: Parameters<InstanceType<typeof Scp>['associationRequested']>[0],
      ): void {
        if (association.getCalledAeTitle().trim() !== calling) {
          this.sendAssociationReject();
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
        this.sendAssociationAccept();
      }
      override cStoreRequest(
        req: InstanceType<typeof dimse.requests.CStoreRequest>,
        callback: (r: InstanceType<typeof CStoreResponse>) => void,
      ): void {
        receive(req.getDataset() as Dataset);
        const response = CStoreResponse.fromRequest(req);
        response.setStatus(Status.Success);
        callback(response);
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
      let failure: PacsError | null = null;
      request.on('response', (response: InstanceType<typeof dimse.responses.Response>) => {
        const status = response.getStatus();
        if (isFailure(status))
          failure = new PacsError(
            'SERVER_ERROR',
            `${this.label}: C-MOVE failed (status 0x${status.toString(16)})${response.getErrorComment() ? `: ${response.getErrorComment()}` : ''}`,
          );
      });
      await this.#associate([request], signal);
      const instances = await Promise.all(got);
      if (failure && !instances.length) throw failure;
      return instances;
    } finally {
      server.close();
    }
  }

  async retrieveInstance(ref: InstanceRef, signal?: AbortSignal): Promise<RetrievedInstance> {
    const c = this.connection;
    const [st, se, sop] = [checkUid(ref.studyUid), checkUid(ref.seriesUid), checkUid(ref.sopUid)];
    const got =
      c.retrieve === 'C-MOVE'
        ? await this.#move(CMoveRequest.createImageMoveRequest(c.callingAet, st, se, sop), signal)
        : await this.#get(CGetRequest.createImageGetRequest(st, se, sop), signal);
    const match = got.find((g) => g.ref.sopUid === ref.sopUid);
    if (!match) throw new PacsError('NOT_FOUND', `${this.label}: instance ${ref.sopUid} is no longer on the archive`);
    return match;
  }

  async *retrieveStudy(studyUid: string, signal?: AbortSignal): AsyncGenerator<RetrievedInstance> {
    const c = this.connection;
    checkUid(studyUid);
    const got =
      c.retrieve === 'C-MOVE'
        ? await this.#move(CMoveRequest.createStudyMoveRequest(c.callingAet, studyUid), signal)
        : await this.#get(CGetRequest.createStudyGetRequest(studyUid), signal);
    // Only the study asked for: an instance of another (an archive's mistake, or a peer pushing to the storage
    // SCP during a move) would be filed under this one.
    yield* got.filter((g) => g.ref.studyUid === studyUid);
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
