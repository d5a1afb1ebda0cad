/**
 * Turning any failure in main into an error as data for the renderer (CONVENTIONS.md › 4): library and engine
 * errors keep their codes, file-system errors become IO_ERROR, anything else is INTERNAL with a generic
 * sentence (its stack goes to the log, never to the user). Runtime: main-side Node.
 */
import { LibraryError } from '../../db/index';
import type { ErrorCode, StudioError } from '../contract';
import { EngineCallError } from './engine/host';

/** A failure the core itself raises, already in the contract's terms. */
export class StudioFailure extends Error {
  override readonly name = 'StudioFailure';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

const ENGINE_CODES: Readonly<Record<EngineCallError['code'], ErrorCode>> = {
  INVALID_INPUT: 'INVALID_INPUT',
  BAD_MESSAGE: 'INTERNAL',
  MODEL_INVALID: 'MODEL_INVALID',
  // The engine's MODEL_NOT_FOUND is a folder that is not there: to the user, a model folder that is not usable.
  MODEL_NOT_FOUND: 'MODEL_INVALID',
  CANCELLED: 'CANCELLED',
  BUSY: 'CONFLICT',
  ENGINE_FAILED: 'ENGINE_FAILED',
  ENGINE_CRASHED: 'ENGINE_CRASHED',
};

const IO_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'ENOSPC', 'EROFS', 'EISDIR', 'ENOTDIR', 'EEXIST', 'EMFILE', 'EIO']);

export type ErrorLog = (message: string, error: unknown) => void;

export function toStudioError(error: unknown, log: ErrorLog = () => undefined): StudioError {
  if (error instanceof StudioFailure) return withDetails(error.code, error.message, error.details);
  if (error instanceof LibraryError) return withDetails(error.code, error.message, error.details);
  if (error instanceof EngineCallError) return withDetails(ENGINE_CODES[error.code], error.message, error.error.details);
  if (error instanceof Error && 'code' in error && typeof error.code === 'string' && IO_CODES.has(error.code)) {
    return { code: 'IO_ERROR', message: error.message, details: { errno: error.code } };
  }
  log('unexpected failure', error);
  return { code: 'INTERNAL', message: 'Something went wrong in the studio; the details are in its log.' };
}

function withDetails(code: ErrorCode, message: string, details: Readonly<Record<string, unknown>> | undefined): StudioError {
  return details === undefined || Object.keys(details).length === 0 ? { code, message } : { code, message, details };
}
