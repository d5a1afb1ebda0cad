/**
 * An error as the user reads it: a sentence chosen by its code (in the interface's language) that says what to
 * do, and, where main's own message names the specific thing (a folder, a field, an album), that message too.
 * Never a stack: main's messages are sentences, and `details` stays in the logs.
 */
import type { ErrorCode, StudioError } from '../../electron/contract';
import type { MessageKey, Translate } from './i18n';

const SENTENCES: Readonly<Record<ErrorCode, MessageKey>> = {
  INVALID_INPUT: 'error.INVALID_INPUT',
  MODEL_INVALID: 'error.MODEL_INVALID',
  MODEL_NOT_FOUND: 'error.MODEL_NOT_FOUND',
  CANCELLED: 'error.CANCELLED',
  NOT_FOUND: 'error.NOT_FOUND',
  CONFLICT: 'error.CONFLICT',
  DB_CORRUPT: 'error.DB_CORRUPT',
  DB_TOO_NEW: 'error.DB_TOO_NEW',
  DB_MIGRATION_FAILED: 'error.DB_MIGRATION_FAILED',
  IO_ERROR: 'error.IO_ERROR',
  ENGINE_FAILED: 'error.ENGINE_FAILED',
  ENGINE_CRASHED: 'error.ENGINE_CRASHED',
  PLATFORM_UNAVAILABLE: 'error.PLATFORM_UNAVAILABLE',
  UNAUTHENTICATED: 'error.UNAUTHENTICATED',
  MODERATION_BLOCKED: 'error.MODERATION_BLOCKED',
  INSUFFICIENT_TOKENS: 'error.INSUFFICIENT_TOKENS',
  DISCONNECTED: 'error.DISCONNECTED',
  INTERNAL: 'error.INTERNAL',
};

/** Codes whose message from main names what is wrong (worth showing under the sentence). */
const SPECIFIC: ReadonlySet<ErrorCode> = new Set(['INVALID_INPUT', 'MODEL_INVALID', 'MODEL_NOT_FOUND', 'NOT_FOUND', 'CONFLICT', 'IO_ERROR', 'ENGINE_FAILED', 'MODERATION_BLOCKED']);

export function describeError(t: Translate, error: StudioError): { readonly sentence: string; readonly detail: string | null } {
  return { sentence: t(SENTENCES[error.code]), detail: SPECIFIC.has(error.code) && error.message.trim() !== '' ? error.message : null };
}
