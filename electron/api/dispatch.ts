/**
 * Transport-agnostic dispatch: validates the method name and payload, runs the
 * handler, validates its response, and always resolves with an envelope —
 * a bad payload or a failing handler never throws across the transport.
 */
import type { z } from 'zod';
import { ApiError, type ApiErrorPayload } from './errors.js';
import { toApiError } from './error-mapping.js';
import {
  events,
  isMethodName,
  methods,
  type EventName,
  type EventPayload,
  type MethodName,
  type Response,
} from './contract.js';

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiErrorPayload };

/** What a handler may use beyond its request: how to push events to this caller. */
export interface HandlerContext {
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
}

/** The request as the handler sees it: after schema parsing (defaults applied). */
export type ParsedRequest<M extends MethodName> = z.output<(typeof methods)[M]['request']>;

export type Handler<M extends MethodName> = (
  request: ParsedRequest<M>,
  ctx: HandlerContext,
) => Promise<Response<M>> | Response<M>;

export type Handlers = { [M in MethodName]: Handler<M> };

export interface DispatchOptions {
  /** Called with unexpected errors (bugs), for the log. Never receives request payloads. */
  onInternalError?: (method: string, error: unknown) => void;
}

export async function dispatch(
  handlers: Handlers,
  method: unknown,
  payload: unknown,
  ctx: HandlerContext,
  options: DispatchOptions = {},
): Promise<Envelope<unknown>> {
  if (!isMethodName(method)) {
    const shown = typeof method === 'string' ? method.slice(0, 100) : typeof method;
    return fail(new ApiError('UNKNOWN_METHOD', `Unknown API method: ${shown}`));
  }
  const spec = methods[method];
  const parsed = spec.request.safeParse(payload ?? {});
  if (!parsed.success) {
    return fail(
      new ApiError('BAD_REQUEST', `Invalid request for ${method}`, {
        issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
      }),
    );
  }
  try {
    const handler = handlers[method] as (req: unknown, ctx: HandlerContext) => unknown;
    const value = await handler(parsed.data, ctx);
    const checked = spec.response.safeParse(value);
    if (!checked.success) {
      options.onInternalError?.(method, checked.error);
      return fail(new ApiError('INTERNAL', `The main process produced an invalid response for ${method}`));
    }
    return { ok: true, value: checked.data };
  } catch (error) {
    const mapped = toApiError(error);
    if (mapped) return fail(mapped);
    options.onInternalError?.(method, error);
    return fail(new ApiError('INTERNAL', `Unexpected error in ${method}; see the log for details`));
  }
}

/** Validates an event payload before it leaves the main process. */
export function checkEvent<E extends EventName>(event: E, payload: EventPayload<E>): EventPayload<E> {
  return events[event].parse(payload) as EventPayload<E>;
}

function fail(error: ApiError): Envelope<never> {
  return { ok: false, error: error.toPayload() };
}
