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
}

export function createClient(transport: Transport): RadsiftApi {
  return Object.freeze({
    async call<M extends MethodName>(method: M, request: Request<M>): Promise<Response<M>> {
      const envelope = (await transport.invoke(method, request)) as Envelope<Response<M>> | undefined;
      if (envelope && envelope.ok === true) return envelope.value;
      if (envelope && envelope.ok === false && isApiErrorPayload(envelope.error)) {
        throw new RadsiftError(envelope.error);
      }
      throw new RadsiftError({ code: 'INTERNAL', message: `Malformed reply to ${method}` });
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
