/**
 * What can go wrong between Studio and the platform, as a closed set of codes (CONVENTIONS.md › 4). The
 * platform's problem+json codes are many; the sync module folds them into the few a user can act on, and
 * keeps the platform's own code in `problemCode` for the log. Runtime: main-side Node.
 */

export const PLATFORM_ERROR_CODES = [
  /** The platform could not be reached, timed out, or failed (5xx): try again later. */
  'PLATFORM_UNAVAILABLE',
  /** 429: the platform asked to slow down; `retryAfterMs` says for how long. */
  'RATE_LIMITED',
  /** Not signed in, or the session ended (refresh refused): sign in again. */
  'UNAUTHENTICATED',
  /** Wrong email or password. */
  'INVALID_CREDENTIALS',
  'INSUFFICIENT_TOKENS',
  /** The prompt is blocked at the user's plan level (by the local lists or by the platform). */
  'MODERATION_BLOCKED',
  /** The prompt needs a moderator's approval at the user's plan level; it is not published from the app. */
  'MODERATION_REVIEW',
  'NOT_FOUND',
  /** The request conflicts with the platform's state (idempotency conflict, consumption refunded or in use…). */
  'CONFLICT',
  /** The request or the image is not acceptable (missing generation metadata, a validation failure). */
  'INVALID_INPUT',
  /** Sign-in tokens cannot be kept encrypted here (no OS keyring), and plain-text storage was not allowed. */
  'SECRET_STORE_UNAVAILABLE',
  /** The platform answered something the contract does not allow (or a token that does not verify). */
  'PROTOCOL',
] as const;
export type PlatformErrorCode = (typeof PLATFORM_ERROR_CODES)[number];

/** The platform's problem codes, as platform-api.yaml lists them. */
const PROBLEM_CODES: Readonly<Record<string, PlatformErrorCode>> = {
  VALIDATION_FAILED: 'INVALID_INPUT',
  UNAUTHORIZED: 'UNAUTHENTICATED',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  FORBIDDEN: 'UNAUTHENTICATED',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'PROTOCOL',
  PAYLOAD_TOO_LARGE: 'INVALID_INPUT',
  UNSUPPORTED_MEDIA_TYPE: 'PROTOCOL',
  INSUFFICIENT_TOKENS: 'INSUFFICIENT_TOKENS',
  IDEMPOTENCY_CONFLICT: 'CONFLICT',
  IDEMPOTENCY_MISMATCH: 'CONFLICT',
  CONSUMPTION_IN_USE: 'CONFLICT',
  CONSUMPTION_REFUNDED: 'CONFLICT',
  MODERATION_BLOCKED: 'MODERATION_BLOCKED',
  MODERATION_REVIEW: 'MODERATION_REVIEW',
  UPLOAD_INCOMPLETE: 'CONFLICT',
  UPLOAD_MISMATCH: 'CONFLICT',
  UPLOAD_COMPLETED: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL: 'PLATFORM_UNAVAILABLE',
};

export function platformCodeOf(problemCode: string | undefined, status: number): PlatformErrorCode {
  const known = problemCode === undefined ? undefined : PROBLEM_CODES[problemCode];
  if (known !== undefined) return known;
  if (status === 429) return 'RATE_LIMITED';
  if (status === 401 || status === 403) return 'UNAUTHENTICATED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status >= 500) return 'PLATFORM_UNAVAILABLE';
  return 'PROTOCOL';
}

export interface PlatformErrorInit {
  /** The HTTP status, when there was an answer. */
  readonly status?: number;
  /** The platform's problem code (`IDEMPOTENCY_CONFLICT`…), when there was one. */
  readonly problemCode?: string;
  /** How long the platform asked to wait (429 Retry-After). */
  readonly retryAfterMs?: number;
  /** Safe to show and to log: never a token or a body that could hold one. */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

export class PlatformError extends Error {
  override readonly name = 'PlatformError';
  readonly status: number | undefined;
  readonly problemCode: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    readonly code: PlatformErrorCode,
    message: string,
    init: PlatformErrorInit = {},
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.problemCode = init.problemCode;
    this.retryAfterMs = init.retryAfterMs;
    this.details = init.details ?? {};
  }

  /**
   * Whether trying the same request again later can succeed: the platform was away or busy, or an
   * idempotent request is still in flight on its side (IDEMPOTENCY_CONFLICT, UPLOAD_INCOMPLETE after a lost PUT).
   */
  get transient(): boolean {
    return (
      this.code === 'PLATFORM_UNAVAILABLE' ||
      this.code === 'RATE_LIMITED' ||
      this.problemCode === 'IDEMPOTENCY_CONFLICT' ||
      this.problemCode === 'UPLOAD_INCOMPLETE'
    );
  }
}

/** A one-line description for logs and the outbox row's `last_error`: code, problem code and message. */
export function describeError(error: unknown): string {
  if (error instanceof PlatformError) {
    return `${error.code}${error.problemCode === undefined || error.problemCode === error.code ? '' : ` (${error.problemCode})`}: ${error.message}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
