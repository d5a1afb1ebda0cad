/**
 * Errors cross the renderer↔main boundary as data (CONVENTIONS.md › 4): a call resolves to
 * `{ ok: true, value }` or `{ ok: false, error }`, never rejects. The codes are a closed set so that the
 * renderer can choose a sentence and an action per code; `message` is already a sentence for the user and
 * `details` is for logs.
 *
 * Runtime: plain TypeScript (renderer, preload, main, web host, web client).
 */
import { z } from 'zod';

export const ERROR_CODES = [
  /** The input failed validation; `details.issues` lists where. */
  'INVALID_INPUT',
  /** The model folder is not a usable diffusers ONNX model. */
  'MODEL_INVALID',
  /** The model id is not in the model list (removed, or its folder moved). */
  'MODEL_NOT_FOUND',
  'CANCELLED',
  'NOT_FOUND',
  /** The thing is not in a state that allows this (a running job cannot be moved, an album name is taken…). */
  'CONFLICT',
  'DB_CORRUPT',
  'DB_TOO_NEW',
  'DB_MIGRATION_FAILED',
  /** A file could not be read or written (disk full, permissions). */
  'IO_ERROR',
  'ENGINE_FAILED',
  'ENGINE_CRASHED',
  'PLATFORM_UNAVAILABLE',
  /** Not signed in to the platform, or the session ended: sign in (again). */
  'UNAUTHENTICATED',
  'INSUFFICIENT_TOKENS',
  /** The platform's moderation refuses the prompt at the user's plan (`details.verdict`: block or review). */
  'MODERATION_BLOCKED',
  /** The connection to main (the web host's WebSocket) is gone; the call may or may not have run. */
  'DISCONNECTED',
  /** A bug: logged with its stack in main, shown to the user as a generic sentence. */
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const StudioError = z
  .object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).readonly().optional(),
  })
  .readonly();
export type StudioError = z.infer<typeof StudioError>;

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: StudioError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string, details?: Readonly<Record<string, unknown>>): Result<never> => ({
  ok: false,
  error: details === undefined ? { code, message } : { code, message, details },
});

/** The schema of a result carrying `value`: what a client checks a reply against. */
export function resultSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), value }), z.object({ ok: z.literal(false), error: StudioError })]);
}
