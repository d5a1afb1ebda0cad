/**
 * Fault injection: rules that make chosen routes fail the way networks and overloaded services do. Whether
 * the n-th request matching rule i is hit depends only on (seed, i, n), so a run with the same seed and the
 * same requests per route injects the same faults, however requests to different routes interleave.
 */

export type FaultKind = 'error' | 'latency' | 'drop' | 'rate_limit';

export interface FaultRule {
  /** An operationId (`consumeTokens`), or a path template glob (`/v1/images/*`, `*`). */
  readonly route: string;
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /**
   * error: answer 5xx problem+json; latency: wait `latencyMs`; drop: destroy the connection without an
   * answer; rate_limit: answer 429 with Retry-After.
   */
  readonly kind: FaultKind;
  /** Chance that a matching request is hit; 1 when left out. */
  readonly probability?: number;
  /**
   * before: instead of running the handler. after: the handler runs (and commits), then the answer is
   * delayed, replaced or lost — the case that tests a client's idempotency.
   */
  readonly when?: 'before' | 'after';
  readonly latencyMs?: number;
  /** For error: the status, 500 when left out. */
  readonly status?: number;
  /** For rate_limit: the Retry-After seconds, 1 when left out. */
  readonly retryAfterSeconds?: number;
  /** Hit at most this many requests. */
  readonly limit?: number;
}

export interface FaultConfig {
  readonly seed: number;
  readonly rules: readonly FaultRule[];
}

export interface FaultEvent {
  readonly rule: number;
  /** Which matching request of the rule it was (0-based). */
  readonly n: number;
  readonly operationId: string;
  readonly method: string;
  readonly url: string;
  readonly kind: FaultKind;
  readonly when: 'before' | 'after';
}

/** A JSON Schema for FaultConfig, for the admin endpoint. */
export const faultConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['seed', 'rules'],
  properties: {
    seed: { type: 'integer', minimum: 0, maximum: 4294967295 },
    rules: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['route', 'kind'],
        properties: {
          route: { type: 'string', minLength: 1, maxLength: 200 },
          method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'DELETE'] },
          kind: { type: 'string', enum: ['error', 'latency', 'drop', 'rate_limit'] },
          probability: { type: 'number', minimum: 0, maximum: 1 },
          when: { type: 'string', enum: ['before', 'after'] },
          latencyMs: { type: 'integer', minimum: 0, maximum: 120000 },
          status: { type: 'integer', minimum: 500, maximum: 599 },
          retryAfterSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
          limit: { type: 'integer', minimum: 0 },
        },
      },
    },
  },
} as const;

/** A uniform draw in [0, 1) from (seed, rule, n): a 32-bit integer hash (murmur3's finaliser) of the three. */
function draw(seed: number, rule: number, n: number): number {
  let h = (seed ^ Math.imul(rule + 1, 0x9e3779b1) ^ Math.imul(n + 1, 0x85ebca77)) >>> 0;
  for (let round = 0; round < 2; round++) {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return (h >>> 0) / 2 ** 32;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`);
}

export interface FaultDecision {
  readonly latencyMs: number;
  readonly terminal?: { readonly rule: FaultRule; readonly event: FaultEvent };
}

export class FaultInjector {
  private config: FaultConfig = { seed: 0, rules: [] };
  private patterns: readonly RegExp[] = [];
  private seen: number[] = [];
  private hits: number[] = [];
  private readonly events: FaultEvent[] = [];

  configure(config: FaultConfig): void {
    this.config = config;
    this.patterns = config.rules.map((rule) => globToRegExp(rule.route));
    this.seen = config.rules.map(() => 0);
    this.hits = config.rules.map(() => 0);
    this.events.length = 0;
  }

  clear(): void {
    this.configure({ seed: 0, rules: [] });
  }

  log(): readonly FaultEvent[] {
    return [...this.events];
  }

  /**
   * What to do to this request in this phase: the sum of the latency rules that hit, and the first error,
   * drop or rate limit that hits. Each matching rule counts the request, hit or not.
   */
  decide(operation: { readonly operationId: string; readonly path: string }, method: string, url: string, when: 'before' | 'after'): FaultDecision {
    let latencyMs = 0;
    let terminal: FaultDecision['terminal'];
    this.config.rules.forEach((rule, index) => {
      if ((rule.when ?? 'before') !== when || (rule.method !== undefined && rule.method !== method)) return;
      if (rule.route !== operation.operationId && !this.patterns[index]?.test(operation.path)) return;
      const n = this.seen[index]++;
      if (rule.limit !== undefined && this.hits[index] >= rule.limit) return;
      if (draw(this.config.seed, index, n) >= (rule.probability ?? 1)) return;
      if (rule.kind !== 'latency' && terminal !== undefined) return;
      this.hits[index]++;
      const event: FaultEvent = { rule: index, n, operationId: operation.operationId, method, url, kind: rule.kind, when };
      this.events.push(event);
      if (rule.kind === 'latency') latencyMs += rule.latencyMs ?? 0;
      else terminal = { rule, event };
    });
    return terminal === undefined ? { latencyMs } : { latencyMs, terminal };
  }
}
