/**
 * The web host's WebSocket messages (JSON text frames). The payloads inside (`input`, `result`, event
 * `payload`) are checked against the call and event tables by `createDispatcher` and `createStudioClient`.
 *
 * Runtime: plain TypeScript (web host and web client).
 */
import { z } from 'zod';

/** Browser → web host. */
export const WireCall = z.object({ kind: z.literal('call'), id: z.number().int().nonnegative(), name: z.string().max(100), input: z.unknown().optional() }).strict();
export type WireCall = z.infer<typeof WireCall>;

/** Web host → browser. */
export const WireMessage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('result'), id: z.number().int().nonnegative(), result: z.unknown() }),
  z.object({ kind: z.literal('event'), name: z.string(), payload: z.unknown() }),
]);
export type WireMessage = z.infer<typeof WireMessage>;

/** The query parameter (and cookie) that carries the web host's session token. */
export const TOKEN_PARAM = 'token';
/** The WebSocket endpoint's path. */
export const SOCKET_PATH = '/studio';
/** Where library files are served, followed by their library-relative path. */
export const FILES_PATH = '/library/';
/** The largest message either side accepts. */
export const MAX_WIRE_BYTES = 4 * 1024 * 1024;
/**
 * Where the browser uploads dropped files (it has no paths): `POST UPLOAD_PATH<batch>/<file name>` with the
 * file's bytes, once per file, then `POST UPLOAD_PATH<batch>` to import the batch; that answers with the
 * `importFiles` result as JSON. A batch id is 8 to 64 of [A-Za-z0-9_-].
 */
export const UPLOAD_PATH = '/upload/';
/** The largest file the web host accepts in an upload. */
export const MAX_UPLOAD_BYTES = 256 * 1024 * 1024;
export const UPLOAD_BATCH_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
