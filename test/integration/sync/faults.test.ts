/**
 * 200 publishes through a platform that fails about 30% of requests — 5xx before or after committing,
 * connections reset before or after committing, answers slower than the client's timeout, 429s with
 * Retry-After — with the worker's retries shortened so the run takes seconds. Whatever the faults did:
 * every image ends published exactly once or refunded, each publish is charged once, and the ledger balances.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listPublishes } from '../../../db/index';
import { call } from '../platform/client';
import { addImages, settled, startHarness, type Harness } from './harness';

let h: Harness;
const COUNT = 200;

beforeAll(async () => {
  h = await startHarness({
    sync: {
      client: { timeoutMs: 1000, maxAttempts: 2, retryBaseMs: 5, retryCapMs: 50 },
      publisher: { concurrency: 16, maxAttempts: 5, backoffBaseMs: 5, backoffCapMs: 80 },
    },
  });
  h.platform.admin.grantTokens('alice@example.com', 5000);
  await h.sync.signIn('alice@example.com', 'studio-dev');
});
afterAll(() => h.stop());

it('publishes each image at most once and charges each publish once, refunding every final failure', { timeout: 240_000 }, async () => {
  const before = h.platform.admin.balance('alice@example.com');
  const imageIds = await addImages(h.library, COUNT);
  h.platform.admin.setFaults({
    seed: 20261129,
    rules: [
      { route: '/v1/*', kind: 'error', probability: 0.08 },
      { route: '/v1/*', kind: 'error', when: 'after', probability: 0.05, status: 503 },
      { route: '/v1/*', kind: 'drop', probability: 0.04 },
      { route: '/v1/*', kind: 'drop', when: 'after', probability: 0.05 },
      { route: '/v1/*', kind: 'rate_limit', probability: 0.05, retryAfterSeconds: 1 },
      { route: '/v1/*', kind: 'latency', when: 'after', probability: 0.03, latencyMs: 1500 },
    ],
  });
  const started = performance.now();
  await h.sync.publish(imageIds);
  h.sync.start();
  // Seconds on an idle machine; the bound is for two cores shared with other work.
  await settled(h.library, 220_000);
  const seconds = (performance.now() - started) / 1000;
  const injected = h.platform.admin.faultLog();
  h.platform.admin.clearFaults();

  const rows = await listPublishes(h.library.db);
  expect(rows).toHaveLength(COUNT);
  const published = rows.filter((r) => r.state === 'published');
  const refunded = rows.filter((r) => r.state === 'refunded');
  const failed = rows.filter((r) => r.state === 'failed');
  expect(published.length + refunded.length + failed.length).toBe(COUNT);
  expect(published.length).toBeGreaterThan(COUNT / 2);

  // The gallery holds exactly the published rows' images, each once.
  const token = await h.sync.auth.current();
  const gallery: string[] = [];
  for (let cursor: string | null = null, first = true; first || cursor !== null; first = false) {
    const page: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await call(
      h.platform,
      'GET',
      `/v1/gallery?sort=newest&limit=100${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
      { token },
    );
    expect(page.status).toBe(200);
    gallery.push(...page.body.items.map((item) => item.id));
    cursor = page.body.nextCursor;
  }
  expect(new Set(gallery).size).toBe(gallery.length);
  expect(new Set(gallery)).toEqual(new Set(published.map((r) => r.remoteImageId)));

  // The ledger: one charge per published image, never refunded; refunded rows charged once and refunded once.
  const ledger = h.platform.admin.ledger('alice@example.com');
  const entries = (key: string, kind: 'consume' | 'refund') => ledger.filter((e) => e.consumeKey === key && e.kind === kind);
  for (const row of published) {
    expect(entries(row.idempotencyKey, 'consume').map((e) => -e.amount)).toEqual([row.tokensCharged]);
    expect(entries(row.idempotencyKey, 'refund')).toEqual([]);
  }
  for (const row of refunded) {
    expect(entries(row.idempotencyKey, 'consume')).toHaveLength(1);
    expect(entries(row.idempotencyKey, 'refund').map((e) => e.amount)).toEqual(entries(row.idempotencyKey, 'consume').map((e) => -e.amount));
  }
  for (const row of failed) expect(entries(row.idempotencyKey, 'consume').length).toBe(entries(row.idempotencyKey, 'refund').length);
  const charged = published.reduce((sum, row) => sum + row.tokensCharged, 0);
  expect(h.platform.admin.balance('alice@example.com')).toBe(before - charged);

  // The faults did happen, of every kind, and the worker retried through them.
  const kinds = new Set(injected.map((e) => `${e.kind}/${e.when}`));
  expect(kinds).toEqual(new Set(['error/before', 'error/after', 'drop/before', 'drop/after', 'rate_limit/before', 'latency/after']));
  console.warn(
    `faults: ${COUNT} publishes in ${seconds.toFixed(1)} s, ${injected.length} faults injected; ${published.length} published, ${refunded.length} refunded, ${failed.length} failed; ` +
      `claims per publish: mean ${(rows.reduce((s, r) => s + r.attempts, 0) / COUNT).toFixed(2)}, max ${Math.max(...rows.map((r) => r.attempts))}`,
  );

  // No token, refresh token or password in any log line or stored error.
  const session = JSON.parse(await readFile(path.join(h.dir, 'config', 'platform-session.json'), 'utf8')) as { refreshToken: string };
  const secrets = [token, session.refreshToken, 'studio-dev'];
  const written = [...h.logs, ...rows.map((r) => r.lastError ?? '')].join('\n');
  for (const secret of secrets) expect(written.includes(secret)).toBe(false);
  expect(h.logs.length).toBeGreaterThan(0);
});
