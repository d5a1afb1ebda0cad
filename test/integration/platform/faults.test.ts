import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaultConfig } from '../../platform/faults';
import type { RunningPlatform } from '../../platform/server';
import { call, expectProblem, newKey, signIn, startPlatform } from './client';

let platform: RunningPlatform;
let stop: () => Promise<void>;
let alice: string;

beforeAll(async () => {
  ({ platform, stop } = await startPlatform());
  alice = await signIn(platform, 'alice@example.com');
});
afterEach(() => platform.admin.clearFaults());
afterAll(() => stop());

/** The statuses of `count` sequential wallet reads under `config`. */
async function statuses(config: FaultConfig, count: number): Promise<number[]> {
  platform.admin.setFaults(config);
  const result: number[] = [];
  for (let index = 0; index < count; index++) result.push((await call(platform, 'GET', '/v1/wallet', { token: alice })).status);
  return result;
}

describe('fault injection', () => {
  it('fails about the configured share of matching requests, the same ones for the same seed', async () => {
    const config: FaultConfig = { seed: 42, rules: [{ route: 'getWallet', kind: 'error', probability: 0.3 }] };
    const first = await statuses(config, 60);
    const failures = first.filter((status) => status === 500).length;
    expect(failures).toBeGreaterThanOrEqual(8);
    expect(failures).toBeLessThanOrEqual(30);
    expect(first.every((status) => status === 200 || status === 500)).toBe(true);
    expect(await statuses(config, 60)).toEqual(first);
    const reseeded = await statuses({ ...config, seed: 43 }, 60);
    expect(reseeded).not.toEqual(first);
    expect(platform.admin.faultLog()).toHaveLength(reseeded.filter((status) => status === 500).length);
  });

  it('answers injected errors as problem+json and leaves other routes alone', async () => {
    platform.admin.setFaults({ seed: 1, rules: [{ route: '/v1/wallet/*', kind: 'error', status: 503 }] });
    const quote = await call(platform, 'POST', '/v1/wallet/quotes', { token: alice, body: { action: 'publish', width: 8, height: 8, bytes: 8 } });
    expectProblem(quote, 503, 'INTERNAL');
    expect((await call(platform, 'GET', '/v1/wallet', { token: alice })).status).toBe(200);
    expect(platform.admin.faultLog()).toEqual([expect.objectContaining({ operationId: 'quotePrice', kind: 'error', when: 'before', rule: 0, n: 0 })]);
  });

  it('answers 429 with Retry-After', async () => {
    platform.admin.setFaults({ seed: 1, rules: [{ route: 'getMe', kind: 'rate_limit', retryAfterSeconds: 7 }] });
    const reply = await call(platform, 'GET', '/v1/me', { token: alice });
    expectProblem(reply, 429, 'RATE_LIMITED');
    expect(reply.headers.get('retry-after')).toBe('7');
    expect(reply.body['retryAfter']).toBe(7);
  });

  it('delays answers', async () => {
    platform.admin.setFaults({ seed: 1, rules: [{ route: 'getMe', kind: 'latency', latencyMs: 300 }] });
    const started = performance.now();
    expect((await call(platform, 'GET', '/v1/me', { token: alice })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('drops connections, and stops after `limit` hits', async () => {
    platform.admin.setFaults({ seed: 1, rules: [{ route: 'getWallet', method: 'GET', kind: 'drop', limit: 2 }] });
    await expect(call(platform, 'GET', '/v1/wallet', { token: alice })).rejects.toThrow(/fetch failed/);
    await expect(call(platform, 'GET', '/v1/wallet', { token: alice })).rejects.toThrow(/fetch failed/);
    expect((await call(platform, 'GET', '/v1/wallet', { token: alice })).status).toBe(200);
  });

  it('loses the answer after the charge committed; the retry with the same key replays it and charges once', async () => {
    const before = platform.admin.balance('alice@example.com');
    const key = newKey();
    const request = () => call(platform, 'POST', '/v1/wallet/consume', { token: alice, headers: { 'idempotency-key': key }, body: { action: 'publish', width: 512, height: 512, bytes: 10 } });
    platform.admin.setFaults({ seed: 7, rules: [{ route: 'consumeTokens', kind: 'drop', when: 'after', limit: 1 }] });
    await expect(request()).rejects.toThrow(/fetch failed/);
    expect(platform.admin.balance('alice@example.com')).toBe(before - 9);
    const retry = await request();
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(platform.admin.balance('alice@example.com')).toBe(before - 9);

    platform.admin.setFaults({ seed: 7, rules: [{ route: 'consumeTokens', kind: 'error', when: 'after', limit: 1 }] });
    const other = newKey();
    const failed = await call(platform, 'POST', '/v1/wallet/consume', { token: alice, headers: { 'idempotency-key': other }, body: { action: 'publish', width: 512, height: 512, bytes: 10 } });
    expectProblem(failed, 500, 'INTERNAL');
    expect(platform.admin.balance('alice@example.com')).toBe(before - 18);
  });

  it('is configurable over HTTP with the admin token, and at start', async () => {
    const admin = (method: string, path: string, body?: unknown, token = platform.admin.token) =>
      call(platform, method, path, { token, ...(body === undefined ? {} : { body }) });
    expectProblem(await admin('PUT', '/__admin/faults', { seed: 1, rules: [] }, 'wrong'), 401, 'UNAUTHORIZED');
    expectProblem(await admin('PUT', '/__admin/faults', { seed: 1, rules: [{ route: 'getMe', kind: 'explode' }] }), 400, 'VALIDATION_FAILED');
    expect((await admin('PUT', '/__admin/faults', { seed: 1, rules: [{ route: 'getMe', kind: 'error' }] })).status).toBe(204);
    expect((await call(platform, 'GET', '/v1/me', { token: alice })).status).toBe(500);
    expect((await admin('GET', '/__admin/faults/log')).body['events']).toHaveLength(1);
    expect((await admin('DELETE', '/__admin/faults')).status).toBe(204);
    expect((await call(platform, 'GET', '/v1/me', { token: alice })).status).toBe(200);
    expect((await admin('POST', '/__admin/grants', { email: 'bob@example.com', amount: 5 })).body).toEqual({ balance: 65 });

    const other = await startPlatform({ faults: { seed: 3, rules: [{ route: '*', kind: 'rate_limit' }] } });
    try {
      expect((await call(other.platform, 'GET', '/.well-known/jwks.json')).status).toBe(429);
    } finally {
      other.platform.admin.clearFaults();
      await other.stop();
    }
  });
});
