/**
 * RFC 9457 problems: the only shape an error leaves the platform in. Handlers throw a `Problem`; the error
 * handler in server.ts writes it as `application/problem+json`.
 */

export type ProblemCode =
  | 'VALIDATION_FAILED'
  | 'UNAUTHORIZED'
  | 'INVALID_CREDENTIALS'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'INSUFFICIENT_TOKENS'
  | 'IDEMPOTENCY_CONFLICT'
  | 'IDEMPOTENCY_MISMATCH'
  | 'CONSUMPTION_IN_USE'
  | 'CONSUMPTION_REFUNDED'
  | 'MODERATION_BLOCKED'
  | 'MODERATION_REVIEW'
  | 'UPLOAD_INCOMPLETE'
  | 'UPLOAD_MISMATCH'
  | 'UPLOAD_COMPLETED'
  | 'RATE_LIMITED'
  | 'INTERNAL';

const titles: Readonly<Record<ProblemCode, readonly [status: number, title: string]>> = {
  VALIDATION_FAILED: [400, 'The request is not valid'],
  UNAUTHORIZED: [401, 'Authentication is required'],
  INVALID_CREDENTIALS: [401, 'Email or password is wrong'],
  FORBIDDEN: [403, 'Not allowed'],
  NOT_FOUND: [404, 'Not found'],
  METHOD_NOT_ALLOWED: [405, 'Method not allowed'],
  PAYLOAD_TOO_LARGE: [413, 'The request body is too large'],
  UNSUPPORTED_MEDIA_TYPE: [415, 'Unsupported content type'],
  INSUFFICIENT_TOKENS: [402, 'Not enough tokens'],
  IDEMPOTENCY_CONFLICT: [409, 'A request with this idempotency key is still in progress'],
  IDEMPOTENCY_MISMATCH: [422, 'This idempotency key was used with another request'],
  CONSUMPTION_IN_USE: [409, 'This consumption pays for an image'],
  CONSUMPTION_REFUNDED: [409, 'This consumption was refunded'],
  MODERATION_BLOCKED: [422, 'The prompt is not allowed on this plan'],
  MODERATION_REVIEW: [403, 'The image awaits moderation review'],
  UPLOAD_INCOMPLETE: [409, 'The upload is not complete'],
  UPLOAD_MISMATCH: [422, 'The stored object does not match the upload'],
  UPLOAD_COMPLETED: [409, 'The upload is already complete'],
  RATE_LIMITED: [429, 'Too many requests'],
  INTERNAL: [500, 'Internal error'],
};

export const problemTypeBase = 'https://platform.studio.dev/problems/';

export type ProblemExtensions = Readonly<Record<string, unknown>>;

export class Problem extends Error {
  readonly status: number;
  readonly title: string;

  constructor(
    readonly code: ProblemCode,
    readonly detail?: string,
    readonly extensions: ProblemExtensions = {},
    /** For codes that cover a range (INTERNAL: any 5xx). */
    status?: number,
  ) {
    super(detail ?? titles[code][1]);
    this.name = 'Problem';
    [this.status, this.title] = titles[code];
    if (status !== undefined) this.status = status;
  }

  body(instance: string): Record<string, unknown> {
    return {
      type: problemTypeBase + this.code.toLowerCase().replaceAll('_', '-'),
      title: this.title,
      status: this.status,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      instance,
      code: this.code,
      ...this.extensions,
    };
  }
}

export const problemContentType = 'application/problem+json; charset=utf-8';
