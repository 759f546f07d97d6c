/**
 * The renderer-facing API object (`window.radsift`), built over any transport:
 * the Electron preload passes ipcRenderer-backed functions, the test bridge
 * passes fetch/WebSocket ones. Plain TypeScript, no Node or Electron imports,
 * so it bundles into both the preload and the bridge client.
 */
import { isApiErrorPayload, type ApiErrorPayload, type ErrorCode } from './errors.js';
import type { EventName, EventPayload, MethodName, Request, Response } from './contract.js';
import type { Envelope } from './dispatch.js';

export interface Transport {
  invoke(method: string, payload: unknown): Promise<unknown>;
  /** Subscribes to every event; returns an unsubscribe function. */
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
  /** URL under which the scan:// protocol (or its bridge twin) serves a local file. */
  scanUrl(path: string, query?: Record<string, string | number>): string;
  /**
   * The paths of files the user dropped (Electron: webUtils.getPathForFile; '' for a File the
   * page made itself, so a page cannot name paths this way).
   */
  pathsForFiles(files: readonly File[]): Promise<string[]>;
}

/** Error thrown in the renderer when a call fails; `code` says what kind of failure. */
export class RadsiftError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(payload: ApiErrorPayload) {
    super(payload.message);
    this.name = 'RadsiftError';
    this.code = payload.code;
    this.details = payload.details;
  }
}

export interface RadsiftApi {
  call<M extends MethodName>(method: M, request: Request<M>): Promise<Response<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  scanUrl(path: string, query?: Record<string, string | number>): string;
  /** Opens files and folders dropped on the window (their paths never pass through the page). */
  openDropped(files: readonly File[]): Promise<Response<'studies.openDropped'>>;
}

/**
 * Methods the page may not call with arguments of its own: the client calls them itself, with
 * values the page cannot forge (the paths of dropped files).
 */
const CLIENT_ONLY_METHODS: ReadonlySet<string> = new Set(['studies.openDropped']);

export function createClient(transport: Transport): RadsiftApi {
  async function invoke<M extends MethodName>(method: M, request: Request<M>): Promise<Response<M>> {
    const envelope = (await transport.invoke(method, request)) as Envelope<Response<M>> | undefined;
    if (envelope && envelope.ok === true) return envelope.value;
    if (envelope && envelope.ok === false && isApiErrorPayload(envelope.error)) {
      throw new RadsiftError(envelope.error);
    }
    throw new RadsiftError({ code: 'INTERNAL', message: `Malformed reply to ${method}` });
  }
  return Object.freeze({
    async call<M extends MethodName>(method: M, request: Request<M>): Promise<Response<M>> {
      if (CLIENT_ONLY_METHODS.has(method))
        throw new RadsiftError({ code: 'FORBIDDEN', message: `${method} is not callable from the page` });
      return invoke(method, request);
    },
    async openDropped(files: readonly File[]): Promise<Response<'studies.openDropped'>> {
      const paths = (await transport.pathsForFiles(files)).filter((p) => p.length > 0);
      if (!paths.length)
        throw new RadsiftError({ code: 'BAD_REQUEST', message: 'Nothing that was dropped is a file on this computer' });
      return invoke('studies.openDropped', { paths });
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      return transport.subscribe((name, payload) => {
        if (name === event) listener(payload as EventPayload<E>);
      });
    },
    scanUrl(path: string, query?: Record<string, string | number>): string {
      return transport.scanUrl(path, query);
    },
  });
}
