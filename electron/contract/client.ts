/**
 * Both ends of the contract, independent of the transport: `createStudioClient` turns a transport (Electron
 * IPC in the preload, a WebSocket in the web client) into a typed `StudioClient` that validates every reply and
 * event it receives; `createDispatcher` turns main's handlers into one function that validates every input it
 * receives and turns any failure into an error as data.
 *
 * Runtime: plain TypeScript (preload, web client, main, web host).
 */
import { z } from 'zod';
import { CALLS, CALL_NAMES, isCallName, type CallName, type StudioApi, type StudioHandlers } from './calls';
import { EVENTS, isEventName, type EventName, type EventPayload } from './events';
import { fail, ok, resultSchema, type Result, type StudioError } from './result';

/** How a client reaches main. */
export interface ClientTransport {
  /** Sends a call; resolves with main's raw reply, rejects when the connection is lost before it comes. */
  call(name: CallName, input: unknown): Promise<unknown>;
  /** Receives every raw event; returns the unsubscribe function. */
  subscribe(listener: (name: string, payload: unknown) => void): () => void;
}

/** What the renderer sees as `window.studio`. */
export interface StudioClient extends StudioApi {
  /** Listens to one event; returns the unsubscribe function. */
  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void;
  /** The URL of a library file (`ImageSummary.filePath`, `.thumbnailPath`) for an <img>. */
  fileUrl(relativePath: string): string;
}

export interface ClientOptions {
  readonly fileUrl: (relativePath: string) => string;
  /** Where replies and events that fail validation are reported (they are dropped). */
  readonly onInvalid?: (what: string, error: z.ZodError) => void;
}

const resultSchemas = new Map<CallName, z.ZodType>(CALL_NAMES.map((name) => [name, resultSchema(CALLS[name].output)]));

export function createStudioClient(transport: ClientTransport, options: ClientOptions): StudioClient {
  const invoke = async (name: CallName, input: unknown): Promise<Result<unknown>> => {
    let raw: unknown;
    try {
      raw = await transport.call(name, input);
    } catch (error) {
      return fail('DISCONNECTED', 'The studio is not reachable; check that it is still running, then try again.', {
        cause: error instanceof Error ? error.message : String(error),
      });
    }
    const checked = (resultSchemas.get(name) as z.ZodType).safeParse(raw);
    if (checked.success) return checked.data as Result<unknown>;
    options.onInvalid?.(`reply to ${name}`, checked.error);
    return fail('INTERNAL', 'The studio sent a reply this window does not understand.', { call: name });
  };
  const calls = Object.fromEntries(CALL_NAMES.map((name) => [name, (input?: unknown) => invoke(name, input)]));
  return {
    ...(calls as unknown as StudioApi),
    on(name, listener) {
      return transport.subscribe((eventName, payload) => {
        if (eventName !== name) return;
        const checked = EVENTS[name].safeParse(payload);
        if (checked.success) listener(checked.data as EventPayload<typeof name>);
        else options.onInvalid?.(`event ${name}`, checked.error);
      });
    },
    fileUrl: options.fileUrl,
  };
}

/** Main's side: validates the call name and input, runs the handler, and returns a result, never throws. */
export type Dispatch = (name: unknown, input: unknown) => Promise<Result<unknown>>;

export function createDispatcher(handlers: StudioHandlers, toError: (error: unknown) => StudioError): Dispatch {
  return async (name, input) => {
    if (!isCallName(name)) return fail('INVALID_INPUT', 'The studio has no such call.', { call: String(name).slice(0, 100) });
    const parsed = CALLS[name].input.safeParse(input);
    if (!parsed.success) {
      return fail('INVALID_INPUT', z.prettifyError(parsed.error), { call: name, issues: parsed.error.issues });
    }
    try {
      const handler = handlers[name] as (input: unknown) => Promise<unknown>;
      return ok(await handler(parsed.data));
    } catch (error) {
      return { ok: false, error: toError(error) };
    }
  };
}

/** Checks an event before main sends it: a payload that fails here is a bug in main, caught in tests. */
export function checkEvent(name: unknown, payload: unknown): { name: EventName; payload: unknown } {
  if (!isEventName(name)) throw new Error(`unknown event ${String(name)}`);
  return { name, payload: EVENTS[name].parse(payload) };
}
