/**
 * PACS in the app: configured connections (in the settings, without secrets), their secrets (SecretStore),
 * search, retrieving a study into the cache with progress and cancel, opening what is cached like a
 * folder, and a query as a screening source. Nothing connects to a server until the user asks for
 * something that needs it: configuring a connection sends nothing.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { SettingsStore } from '../app/app-settings.js';
import type { SecretStore } from '../app/secret-store.js';
import { parseInstanceKey, type PacsClient } from '../pacs/client.js';
import { connectionLabel, connectionSchema, needsSecret, type PacsConnection } from '../pacs/connection.js';
import { readCertificateFile } from '../pacs/certificate.js';
import { PacsError } from '../pacs/errors.js';
import { InstanceCache } from '../pacs/instance-cache.js';
import { openClient } from '../pacs/open-client.js';
import type { Page, StudyPage, StudyQuery } from '../pacs/query.js';
import { pacsSource } from '../pacs/remote-source.js';
import type { RemoteSource } from '../screening/screen-job.js';
import { mapConcurrent } from '../util/map-concurrent.js';
import type { EventName, EventPayload, Request, Response } from './contract.js';
import { ApiError } from './errors.js';
import { makeFolders } from '../util/make-folders.js';

type Broadcast = <E extends EventName>(event: E, payload: EventPayload<E>) => void;
type CertificateView = Response<'pacs.chooseCertificate'>['certificate'];
/** A connection as the page sends it (no CA file path: see `ca` in save). */
export type ConnectionInput = Request<'pacs.saveConnection'>['connection'];
export type CaChoice = Request<'pacs.saveConnection'>['ca'];

/** The longest a scan opened in the viewer may take to retrieve (a large instance over a slow link included). */
const VIEW_DEADLINE_MS = 5 * 60_000;

export class PacsService {
  /**
   * Open caches by folder. One instance per folder for the life of the service: a second one would count the
   * same files apart, evict what the first has pinned and clear its partial writes; runs that started with a
   * folder keep it after the user moves the cache.
   */
  readonly #caches = new Map<string, Promise<InstanceCache>>();
  readonly #jobs = new Map<string, AbortController>();
  /** Certificate files chosen in a dialog this session, by the ref the page saves a connection with. */
  readonly #chosenCertificates = new Map<string, string>();

  constructor(
    private readonly dataDir: string,
    private readonly settings: SettingsStore,
    private readonly secrets: SecretStore,
    private readonly broadcast: Broadcast,
  ) {}

  /** The stored connections that still pass the schema (a hand-edited settings file may break one). */
  #connections(): PacsConnection[] {
    return this.settings
      .get()
      .pacs.connections.map((c) => connectionSchema.safeParse(c))
      .filter((r) => r.success)
      .map((r) => r.data);
  }

  #connection(name: string): PacsConnection {
    const found = this.#connections().find((c) => c.name === name);
    if (!found) throw new ApiError('NOT_FOUND', `No PACS connection named "${name}"`);
    return found;
  }

  cacheDir(): string {
    return path.resolve(this.settings.get().pacs.cacheDir ?? path.join(this.dataDir, 'pacs-cache'));
  }

  cache(): Promise<InstanceCache> {
    const dir = this.cacheDir();
    let cache = this.#caches.get(dir);
    if (!cache) {
      cache = InstanceCache.open(dir, this.#cacheBytes());
      cache.catch(() => this.#caches.delete(dir)); // a folder that failed to open is tried again next time
      this.#caches.set(dir, cache);
    }
    return cache;
  }

  #cacheBytes(): number {
    return this.settings.get().pacs.cacheGB * 1024 ** 3;
  }

  async list(): Promise<Response<'pacs.connections'>> {
    const connections = await Promise.all(
      this.#connections().map(async (connection) => ({
        connection,
        hasSecret: await this.secrets.has(connection.name),
        certificate:
          connection.kind === 'dicomweb' && connection.caFile ? await certificateView(connection.caFile) : null,
      })),
    );
    // The cache's size is read from disk only once it has been used (null until then): listing touches nothing.
    const open = this.#caches.get(this.cacheDir());
    const stats = open ? (await open.catch(() => null))?.stats() : null;
    return {
      connections,
      secretStorage: this.secrets.persistent ? 'os' : 'session',
      cache: {
        dir: this.cacheDir(),
        maxGB: this.settings.get().pacs.cacheGB,
        bytes: stats?.bytes ?? null,
        files: stats?.files ?? null,
      },
    };
  }

  /** A certificate file the user chose in a dialog: checked now, and named by a ref for `save`. */
  async chooseCertificate(file: string): Promise<Response<'pacs.chooseCertificate'>> {
    const { info } = await readCertificateFile(file, 'That file').catch((e: PacsError) => {
      throw new ApiError('BAD_REQUEST', e.message);
    });
    const ref = randomUUID();
    this.#chosenCertificates.set(ref, file);
    return { ref, certificate: info };
  }

  async save(
    input: ConnectionInput,
    secret: string | null | undefined,
    replaces?: string,
    ca: CaChoice = 'keep',
  ): Promise<void> {
    const previous = this.#connections().find((c) => c.name === (replaces ?? input.name));
    let caFile: string | undefined;
    if (ca === 'keep') caFile = previous?.kind === 'dicomweb' ? previous.caFile : undefined;
    else if (ca !== 'none') {
      caFile = this.#chosenCertificates.get(ca.ref);
      if (!caFile)
        throw new ApiError('BAD_REQUEST', 'That certificate was not chosen in this session: choose it again');
    }
    const connection = connectionSchema.parse(input.kind === 'dicomweb' && caFile ? { ...input, caFile } : input);
    const others = this.#connections().filter((c) => c.name !== (replaces ?? connection.name));
    // A new connection (no `replaces`) never takes over one of the same name, nor its secret or certificate.
    if (others.some((c) => c.name === connection.name) || (!replaces && previous))
      throw new ApiError('BAD_REQUEST', `A connection named "${connection.name}" exists already`);
    // A stored password or token goes only where it was given for: kept across an edit ("leave empty to keep")
    // only while the server (scheme, host, port), the way of signing in and the user stay the same. Otherwise an
    // edit of the address, from the page, would send it to any host, in the clear over http.
    if (
      secret === undefined &&
      previous &&
      needsSecret(connection) &&
      !sameSignIn(previous, connection) &&
      (await this.secrets.get(previous.name))
    )
      throw new ApiError(
        'BAD_REQUEST',
        'The server, the way of signing in or the user changed: enter the password or token again (a stored one is sent only where it was given for)',
      );
    if (replaces && replaces !== connection.name) await this.secrets.rename(replaces, connection.name);
    if (secret !== undefined) await this.secrets.set(connection.name, secret);
    if (!needsSecret(connection)) await this.secrets.set(connection.name, null);
    await this.settings.update((s) => ({ ...s, pacs: { ...s.pacs, connections: [...others, connection] } }));
  }

  /**
   * Moves or resizes the cache. A new size applies to the live cache at once (evicting down to it); after a
   * move, later retrievals use the new folder, runs under way keep the old one, and what it holds stays there.
   */
  async setCache(change: { dir?: string | null; maxGB?: number }): Promise<void> {
    if (change.dir) {
      if (!path.isAbsolute(change.dir)) throw new ApiError('BAD_REQUEST', 'The cache folder must be an absolute path');
      await makeFolders(change.dir).catch((e: Error) => {
        throw new ApiError('WRITE_FAILED', `Cannot use ${change.dir} for the cache: ${e.message}`);
      });
    }
    await this.settings.update((s) => ({
      ...s,
      pacs: {
        ...s.pacs,
        ...(change.dir !== undefined ? { cacheDir: change.dir } : {}),
        ...(change.maxGB !== undefined ? { cacheGB: change.maxGB } : {}),
      },
    }));
    // The cache in use follows the size at once; one the user moved away from keeps its limit (what it
    // holds stays there), and a folder not open yet opens with the new size on first use.
    const live = this.#caches.get(this.cacheDir());
    if (live) await (await live.catch(() => null))?.resize(this.#cacheBytes());
  }

  async remove(name: string): Promise<void> {
    this.#connection(name);
    await this.secrets.set(name, null);
    await this.settings.update((s) => ({
      ...s,
      pacs: { ...s.pacs, connections: s.pacs.connections.filter((c) => c.name !== name) },
    }));
  }

  /** A client for a connection, with its secret; closed by the caller. */
  async #open(name: string): Promise<PacsClient> {
    const connection = this.#connection(name);
    const secret = needsSecret(connection) ? await this.secrets.get(name) : null;
    if (needsSecret(connection) && !secret)
      throw new ApiError(
        'BAD_REQUEST',
        `${name}: no ${connection.kind === 'dicomweb' && connection.auth === 'bearer' ? 'token' : 'password'} stored; edit the connection to give one`,
      );
    return openClient(connection, secret, { scratchDir: this.cacheDir() });
  }

  async #with<T>(name: string, use: (client: PacsClient) => Promise<T>): Promise<T> {
    const client = await this.#open(name);
    try {
      return await use(client);
    } finally {
      await client.close();
    }
  }

  test(name: string): Promise<Response<'pacs.test'>> {
    return this.#with(name, async (client) => ({ checks: await client.check() }));
  }

  search(name: string, query: StudyQuery, page: Page): Promise<StudyPage> {
    return this.#with(name, (client) => client.searchStudies(query, page));
  }

  /** The folder of a study's cached instances (what pacs.openStudy catalogs). */
  async studyFolder(name: string, studyUid: string): Promise<string> {
    const cache = await this.cache();
    // The cache is keyed by the connection's label: no client (nor its secret) is needed to find the folder.
    const label = connectionLabel(this.#connection(name));
    const folder = path.dirname(cache.pathFor(label, { studyUid, seriesUid: '1', sopUid: '1' }));
    await makeFolders(folder);
    return folder;
  }

  /**
   * A screened instance (its index key) as a file the viewer can show: from the cache, or retrieved now.
   * Its study folder becomes readable by the scan protocol like any opened folder.
   */
  viewInstance(key: string): Promise<string> {
    // One retrieval per instance, however many ask meanwhile (the viewer asks ahead of a step, then steps).
    let pending = this.#viewing.get(key);
    if (!pending) {
      pending = this.#viewInstance(key).finally(() => this.#viewing.delete(key));
      this.#viewing.set(key, pending);
    }
    return pending;
  }

  readonly #viewing = new Map<string, Promise<string>>();

  async #viewInstance(key: string): Promise<string> {
    const parsed = parseInstanceKey(key);
    const connection = parsed && this.#connections().find((c) => connectionLabel(c) === parsed.label);
    if (!parsed || !connection) throw new ApiError('NOT_FOUND', 'That scan is not on a configured PACS connection');
    const cache = await this.cache();
    // A client (and its secret) only when the instance is not cached.
    // A deadline in all: the idle time-out alone lets a server that trickles a byte now and then hold this
    // instance's one retrieval (and every later ask for it) for ever.
    const deadline = AbortSignal.timeout(VIEW_DEADLINE_MS);
    return cache.fetch(parsed.label, parsed.ref, () =>
      this.#with(connection.name, async (client) => (await client.retrieveInstance(parsed.ref, deadline)).bytes),
    );
  }

  /** Starts retrieving a study into the cache; progress and the outcome come as job.progress events. */
  retrieve(name: string, studyUid: string): string {
    const jobId = `pacs-${randomUUID()}`;
    const stop = new AbortController();
    this.#jobs.set(jobId, stop);
    const emit = (done: number, total: number | null, message: string) =>
      this.broadcast('job.progress', { jobId, kind: 'pacs.retrieve', done, total, message });
    void (async () => {
      let done = 0;
      try {
        const cache = await this.cache();
        const cut = await this.#with(name, async (client) => {
          const refs = [];
          // A listing the archive cut short: what it listed is still retrieved (and shown), then the job fails
          // with the reason rather than passing part of the study as all of it.
          let cut: PacsError | null = null;
          try {
            for await (const ref of client.studyInstances(studyUid, stop.signal)) refs.push(ref);
          } catch (error) {
            if (!(error instanceof PacsError && error.code === 'INCOMPLETE') || !refs.length) throw error;
            cut = error;
          }
          if (!refs.length) throw new PacsError('NOT_FOUND', `study ${studyUid} has no instances on ${name}`);
          emit(0, refs.length, 'retrieving');
          // Cached instances cost nothing; the others come four at a time, each written whole or not at all. One
          // that fails ends the job: the others under way are stopped with it, not left running after it reported.
          const failed = new AbortController();
          const signal = AbortSignal.any([stop.signal, failed.signal]);
          for await (const failure of mapConcurrent(refs, 4, async (ref) => {
            try {
              await cache.fetch(client.label, ref, async () => (await client.retrieveInstance(ref, signal)).bytes);
              return null;
            } catch (error) {
              return error;
            }
          })) {
            if (failure) {
              failed.abort();
              throw failure;
            }
            emit(++done, refs.length, 'retrieving');
          }
          return cut;
        });
        if (cut) throw cut;
        emit(done, done, 'done');
      } catch (error) {
        const cancelled = stop.signal.aborted || (error as PacsError).code === 'CANCELLED';
        emit(done, null, cancelled ? 'cancelled' : `failed: ${(error as Error).message}`);
      } finally {
        this.#jobs.delete(jobId);
      }
    })();
    return jobId;
  }

  cancel(jobId: string): boolean {
    const job = this.#jobs.get(jobId);
    job?.abort();
    return !!job;
  }

  /** A query on a connection as a screening source (the job's client closes when the run ends). */
  async screeningSource(
    name: string,
    query: StudyQuery,
    signal: AbortSignal,
  ): Promise<RemoteSource & { close(): Promise<void> }> {
    const client = await this.#open(name);
    const source = pacsSource(client, await this.cache(), query, signal);
    return { ...source, close: () => client.close() };
  }

  close(): void {
    for (const job of this.#jobs.values()) job.abort();
  }
}

async function certificateView(file: string): Promise<CertificateView> {
  try {
    return (await readCertificateFile(file, 'The certificate')).info;
  } catch (error) {
    return { file: path.basename(file), error: (error as Error).message };
  }
}

/** Whether a stored secret may go with `next` as it went with `previous`: the same origin, auth kind and user. */
function sameSignIn(previous: PacsConnection, next: PacsConnection): boolean {
  if (previous.kind !== 'dicomweb' || next.kind !== 'dicomweb') return false;
  return (
    new URL(previous.url).origin === new URL(next.url).origin &&
    previous.auth === next.auth &&
    (previous.username ?? '') === (next.username ?? '')
  );
}
