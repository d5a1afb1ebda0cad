/**
 * Errors the library raises. Each carries a stable `code` from a closed set so that callers across a process
 * boundary (CLI, main → renderer) can map it to `{ ok: false, error }` without parsing messages.
 */
export type LibraryErrorCode =
  | 'DB_CORRUPT'
  | 'DB_TOO_NEW'
  | 'DB_MIGRATION_FAILED'
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'IO_ERROR';

export class LibraryError extends Error {
  override readonly name = 'LibraryError';
  readonly code: LibraryErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: LibraryErrorCode, message: string, details: Readonly<Record<string, unknown>> = {}, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

/** SQLite result codes that mean the file is not a usable database (better-sqlite3 exposes them as `code`). */
const CORRUPTION_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_VTAB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE']);

export function isCorruptionError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    CORRUPTION_CODES.has(error.code)
  );
}
