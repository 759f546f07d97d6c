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
   * Opens files the user dropped and answers with the `studies.openDropped` envelope. The paths
   * never pass through the page: the preload resolves them (webUtils.getPathForFile, '' for a File
   * the page made itself) and sends the method itself; the bridge client asks the bridge, which
   * dispatches it server-side. Both end in `openDroppedPaths`.
   */
  openDropped(files: readonly File[]): Promise<unknown>;
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
 * Methods the page may not call with arguments of its own: only a transport calls them, with
 * values the page cannot forge (the paths of dropped files). `call()` refuses them, and so does
 * the loopback bridge's `/__bridge/invoke` (test/bridge/server.ts).
 */
export const CLIENT_ONLY_METHODS: ReadonlySet<string> = new Set<MethodName>(['studies.openDropped']);

export const NOTHING_DROPPED_MESSAGE = 'Nothing that was dropped is a file on this computer';

/**
 * The one implementation of a drop, shared by the preload and the bridge: keeps the non-empty
 * paths (the OS's paths of the dropped files) and sends `studies.openDropped` through `invoke`,
 * or answers BAD_REQUEST when none is left. Resolves with the envelope.
 */
export async function openDroppedPaths(paths: readonly string[], invoke: Transport['invoke']): Promise<unknown> {
  const real = paths.filter((p) => typeof p === 'string' && p.length > 0);
  if (!real.length) {
    const envelope: Envelope<never> = { ok: false, error: { code: 'BAD_REQUEST', message: NOTHING_DROPPED_MESSAGE } };
    return envelope;
  }
  return invoke('studies.openDropped', { paths: real });
}

export function createClient(transport: Transport): RadsiftApi {
  async function invoke<M extends MethodName>(method: M, request: Request<M>): Promise<Response<M>> {
    return unwrap(method, await transport.invoke(method, request));
  }
  function unwrap<M extends MethodName>(method: M, reply: unknown): Response<M> {
    const envelope = reply as Envelope<Response<M>> | undefined;
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
      return unwrap('studies.openDropped', await transport.openDropped(files));
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
