/**
 * The token wallet: an append-only ledger (grants, consumptions, refunds) whose sum is the balance, and the
 * idempotency records that make a consumption happen once per key however often a client retries.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PlatformDatabase } from './database';
import { type Plan, publishPrice } from './plans';
import { Problem } from './problem';

export interface PriceRequest {
  readonly action: 'publish';
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
}

export interface Consumption {
  readonly consumeKey: string;
  readonly action: 'publish';
  readonly amount: number;
  readonly balance: number;
  readonly status: 'charged' | 'refunded';
  readonly createdAt: string;
}

export interface Refund {
  readonly consumeKey: string;
  readonly amount: number;
  readonly balance: number;
  readonly reason: string;
  readonly createdAt: string;
}

export interface Replayable<T> {
  readonly value: T;
  readonly replayed: boolean;
}

export interface LedgerEntry {
  readonly id: number;
  readonly kind: 'grant' | 'consume' | 'refund';
  readonly amount: number;
  readonly consumeKey: string | null;
  readonly reason: string | null;
  readonly createdAt: string;
}

/** A reservation older than this belongs to a request that died with its process; it may be taken over. */
const abandonedAfterMs = 60_000;

/** A stable digest of a JSON body: the same fields in any order give the same fingerprint. */
export function fingerprint(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : typeof v === 'object' && v !== null
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, canonical(x)]))
        : v;
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('base64url');
}

export class Wallet {
  /**
   * Time spent between reserving an idempotency key and committing the charge, as a payment backend
   * would take. Tests raise it to make two requests with one key overlap.
   */
  settleDelayMs = 0;

  constructor(private readonly db: PlatformDatabase) {}

  balance(userId: string): number {
    const row = this.db.prepare('SELECT coalesce(sum(amount), 0) AS balance FROM ledger_entries WHERE user_id = ?').get(userId) as { balance: number };
    return row.balance;
  }

  entries(userId: string): readonly LedgerEntry[] {
    return this.db
      .prepare(
        `SELECT id, kind, amount, consume_key AS consumeKey, reason, created_at AS createdAt
         FROM ledger_entries WHERE user_id = ? ORDER BY id`,
      )
      .all(userId) as LedgerEntry[];
  }

  grant(userId: string, amount: number, reason: string): number {
    this.db
      .prepare("INSERT INTO ledger_entries (user_id, kind, amount, reason, created_at) VALUES (?, 'grant', ?, ?, ?)")
      .run(userId, amount, reason, new Date().toISOString());
    return this.balance(userId);
  }

  quote(userId: string, plan: Plan, request: PriceRequest) {
    const price = publishPrice(plan, request.width, request.height);
    const balance = this.balance(userId);
    return { action: request.action, price, balance, balanceAfter: balance - price, sufficient: balance >= price, plan: plan.id };
  }

  /**
   * Charges once per key: reserve the key, settle, store the outcome. A replay returns the stored outcome; a
   * failed charge (402) releases the key so the client can retry it once the balance allows.
   */
  async consume(userId: string, plan: Plan, key: string, request: PriceRequest): Promise<Replayable<Consumption>> {
    const print = fingerprint(request);
    const reserved = this.db.transaction(() => {
      const row = this.db
        .prepare('SELECT fingerprint, state, response, created_at FROM idempotency_keys WHERE user_id = ? AND operation = ? AND key = ?')
        .get(userId, 'consume', key) as { fingerprint: string; state: string; response: string | null; created_at: number } | undefined;
      if (row !== undefined) {
        if (row.fingerprint !== print) throw new Problem('IDEMPOTENCY_MISMATCH', `Idempotency-Key ${key} was used with another body.`);
        if (row.state === 'done' && row.response !== null) return JSON.parse(row.response) as Consumption;
        if (Date.now() - row.created_at < abandonedAfterMs) {
          throw new Problem('IDEMPOTENCY_CONFLICT', `A request with Idempotency-Key ${key} is in progress; retry later.`);
        }
        this.db.prepare('DELETE FROM idempotency_keys WHERE user_id = ? AND operation = ? AND key = ?').run(userId, 'consume', key);
      }
      this.db
        .prepare("INSERT INTO idempotency_keys (user_id, operation, key, fingerprint, state, created_at) VALUES (?, 'consume', ?, ?, 'processing', ?)")
        .run(userId, key, print, Date.now());
      return undefined;
    })();
    if (reserved !== undefined) return { value: reserved, replayed: true };

    try {
      if (this.settleDelayMs > 0) await sleep(this.settleDelayMs);
      const value = this.db.transaction(() => {
        const price = publishPrice(plan, request.width, request.height);
        const balance = this.balance(userId);
        if (balance < price) throw new Problem('INSUFFICIENT_TOKENS', `Publishing costs ${price} tokens; the balance is ${balance}.`, { balance, price });
        const createdAt = new Date().toISOString();
        this.db
          .prepare("INSERT INTO ledger_entries (user_id, kind, amount, consume_key, action, created_at) VALUES (?, 'consume', ?, ?, ?, ?)")
          .run(userId, -price, key, request.action, createdAt);
        const consumption: Consumption = { consumeKey: key, action: request.action, amount: price, balance: balance - price, status: 'charged', createdAt };
        this.db
          .prepare("UPDATE idempotency_keys SET state = 'done', status_code = 201, response = ? WHERE user_id = ? AND operation = 'consume' AND key = ?")
          .run(JSON.stringify(consumption), userId, key);
        return consumption;
      })();
      return { value, replayed: false };
    } catch (error) {
      this.db.prepare("DELETE FROM idempotency_keys WHERE user_id = ? AND operation = 'consume' AND key = ? AND state = 'processing'").run(userId, key);
      throw error;
    }
  }

  consumption(userId: string, key: string): Consumption {
    const rows = this.db
      .prepare("SELECT kind, amount, action, created_at FROM ledger_entries WHERE user_id = ? AND consume_key = ? AND kind IN ('consume', 'refund')")
      .all(userId, key) as { kind: 'consume' | 'refund'; amount: number; action: 'publish'; created_at: string }[];
    const charge = rows.find((row) => row.kind === 'consume');
    if (charge === undefined) throw new Problem('NOT_FOUND', `No consumption has the key ${key}.`);
    const stored = this.db
      .prepare("SELECT response FROM idempotency_keys WHERE user_id = ? AND operation = 'consume' AND key = ? AND state = 'done'")
      .get(userId, key) as { response: string };
    const balanceAfter = (JSON.parse(stored.response) as Consumption).balance;
    return {
      consumeKey: key,
      action: charge.action,
      amount: -charge.amount,
      balance: balanceAfter,
      status: rows.some((row) => row.kind === 'refund') ? 'refunded' : 'charged',
      createdAt: charge.created_at,
    };
  }

  /**
   * Gives back exactly what the consumption charged, once: the ledger's unique index refuses a second refund
   * row, and a repeated call returns the first refund. `inUse` says whether an image it paid for was published.
   */
  refund(userId: string, key: string, reason: string, inUse: () => boolean): Replayable<Refund> {
    return this.db.transaction(() => {
      const rows = this.db
        .prepare("SELECT kind, amount, reason, created_at FROM ledger_entries WHERE user_id = ? AND consume_key = ? ORDER BY id")
        .all(userId, key) as { kind: 'consume' | 'refund'; amount: number; reason: string | null; created_at: string }[];
      const charge = rows.find((row) => row.kind === 'consume');
      if (charge === undefined) throw new Problem('NOT_FOUND', `No consumption has the key ${key}.`);
      const earlier = rows.find((row) => row.kind === 'refund');
      if (earlier !== undefined) {
        const balance = this.balanceThrough(userId, key);
        return { value: { consumeKey: key, amount: earlier.amount, balance, reason: earlier.reason ?? '', createdAt: earlier.created_at }, replayed: true };
      }
      if (inUse()) throw new Problem('CONSUMPTION_IN_USE', 'An image paid by this consumption was published; it cannot be refunded.');
      const createdAt = new Date().toISOString();
      this.db
        .prepare("INSERT INTO ledger_entries (user_id, kind, amount, consume_key, action, reason, created_at) VALUES (?, 'refund', ?, ?, 'publish', ?, ?)")
        .run(userId, -charge.amount, key, reason, createdAt);
      return { value: { consumeKey: key, amount: -charge.amount, balance: this.balance(userId), reason, createdAt }, replayed: false };
    })();
  }

  /** The balance right after the refund of `key` was written, so a replayed refund reads as the first did. */
  private balanceThrough(userId: string, key: string): number {
    const row = this.db
      .prepare(
        `SELECT coalesce(sum(amount), 0) AS balance FROM ledger_entries WHERE user_id = ?
         AND id <= (SELECT id FROM ledger_entries WHERE user_id = ? AND kind = 'refund' AND consume_key = ?)`,
      )
      .get(userId, userId, key) as { balance: number };
    return row.balance;
  }
}
