import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPlatform } from '../../platform/server';
import { call, expectProblem, generation, newKey, publishImage, signIn, startPlatform, upload } from './client';

let platform: RunningPlatform;
let stop: () => Promise<void>;
let alice: string;

beforeAll(async () => {
  ({ platform, stop } = await startPlatform());
  alice = await signIn(platform, 'alice@example.com');
});
afterAll(() => stop());

const publish = { action: 'publish', width: 1024, height: 1024, bytes: 2_000_000 };
const consume = (token: string, key: string, body: unknown = publish) =>
  call<{ amount: number; balance: number; consumeKey: string; status: string }>(platform, 'POST', '/v1/wallet/consume', {
    token,
    headers: { 'idempotency-key': key },
    body,
  });
const balance = async (token: string) => (await call<{ balance: number }>(platform, 'GET', '/v1/wallet', { token })).body.balance;

/** Consume, upload and register an image without publishing it; returns its id. */
async function registerDraft(): Promise<string> {
  const consumeKey = newKey();
  expect((await consume(alice, consumeKey, { action: 'publish', width: 64, height: 64, bytes: 100 })).status).toBe(201);
  const originalUploadId = await upload(platform, alice, 'original', new Uint8Array(100));
  const thumbnailUploadId = await upload(platform, alice, 'thumbnail', new Uint8Array(10));
  const registered = await call<{ id: string }>(platform, 'POST', '/v1/images', {
    token: alice,
    body: { consumeKey, originalUploadId, thumbnailUploadId, width: 64, height: 64, generation: generation() },
  });
  expect(registered.status).toBe(201);
  return registered.body.id;
}

/** The ledger must always add up to the balance, and never dip below zero along the way. */
function expectLedgerBalanced(email: string): void {
  const entries = platform.admin.ledger(email);
  let running = 0;
  for (const entry of entries) {
    running += entry.amount;
    expect(running).toBeGreaterThanOrEqual(0);
  }
  expect(running).toBe(platform.admin.balance(email));
}

describe('quotes', () => {
  it('prices publishing by plan and size without charging', async () => {
    const bob = await signIn(platform, 'bob@example.com');
    const carol = await signIn(platform, 'carol@example.com');
    const before = await balance(alice);
    const quote = (token: string, width: number, height: number) =>
      call<{ price: number; sufficient: boolean; plan: string }>(platform, 'POST', '/v1/wallet/quotes', { token, body: { ...publish, width, height } });
    // base + started megapixels × rate: free 10 + 8/MP, pro 5 + 4/MP, studio 2 + 2/MP.
    expect((await quote(bob, 1024, 1024)).body).toMatchObject({ price: 10 + 2 * 8, plan: 'free' });
    expect((await quote(alice, 1024, 1024)).body).toMatchObject({ price: 5 + 2 * 4, plan: 'pro' });
    expect((await quote(alice, 512, 512)).body.price).toBe(5 + 4);
    expect((await quote(carol, 2048, 2048)).body.price).toBe(2 + 5 * 2);
    expect(await balance(alice)).toBe(before);
  });
});

describe('consume', () => {
  it('charges the quoted price once; the same key and body replays the first result', async () => {
    const before = await balance(alice);
    const key = newKey();
    const first = await consume(alice, key);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(first.body).toMatchObject({ consumeKey: key, amount: 13, balance: before - 13, status: 'charged' });

    const again = await consume(alice, key, { bytes: publish.bytes, height: 1024, width: 1024, action: 'publish' });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await balance(alice)).toBe(before - 13);
    expectLedgerBalanced('alice@example.com');
  });

  it('refuses the same key with another body (422) and charges nothing', async () => {
    const key = newKey();
    await consume(alice, key);
    const before = await balance(alice);
    expectProblem(await consume(alice, key, { ...publish, width: 2048 }), 422, 'IDEMPOTENCY_MISMATCH');
    expect(await balance(alice)).toBe(before);
  });

  it('keys belong to their user: another user may use the same key string', async () => {
    const key = newKey();
    const carol = await signIn(platform, 'carol@example.com');
    expect((await consume(alice, key)).status).toBe(201);
    const other = await consume(carol, key, { ...publish, width: 64 });
    expect(other.status).toBe(201);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
  });

  it('answers 409 to a second request while the first with that key is in flight, then replays', async () => {
    platform.admin.setSettleDelay(300);
    try {
      const before = await balance(alice);
      const key = newKey();
      const [a, b] = await Promise.all([consume(alice, key), consume(alice, key)]);
      const statuses = [a.status, b.status].sort();
      expect(statuses).toEqual([201, 409]);
      expectProblem(a.status === 409 ? a : b, 409, 'IDEMPOTENCY_CONFLICT');
      const later = await consume(alice, key);
      expect(later.status).toBe(201);
      expect(later.headers.get('idempotent-replayed')).toBe('true');
      expect(await balance(alice)).toBe(before - 13);
    } finally {
      platform.admin.setSettleDelay(0);
    }
  });

  it('many concurrent consumptions with distinct keys never take the balance below zero', async () => {
    const bob = await signIn(platform, 'bob@example.com');
    platform.admin.setSettleDelay(20);
    try {
      const replies = await Promise.all(Array.from({ length: 12 }, () => consume(bob, newKey(), { ...publish, width: 512, height: 512 })));
      const charged = replies.filter((reply) => reply.status === 201);
      const refused = replies.filter((reply) => reply.status !== 201);
      // Bob starts with 60 tokens on the free plan: 18 per image, so three fit.
      expect(charged).toHaveLength(3);
      for (const reply of refused) {
        expectProblem(reply, 402, 'INSUFFICIENT_TOKENS');
        expect(reply.body).toMatchObject({ price: 18 });
      }
      expect(await balance(bob)).toBe(60 - 3 * 18);
      expectLedgerBalanced('bob@example.com');
    } finally {
      platform.admin.setSettleDelay(0);
    }
  });

  it('a refused consumption releases its key: after a top-up the same key succeeds', async () => {
    const bob = await signIn(platform, 'bob@example.com');
    const key = newKey();
    const needed = 18 - (await balance(bob));
    expectProblem(await consume(bob, key, { ...publish, width: 512, height: 512 }), 402, 'INSUFFICIENT_TOKENS');
    platform.admin.grantTokens('bob@example.com', needed);
    const retried = await consume(bob, key, { ...publish, width: 512, height: 512 });
    expect(retried.status).toBe(201);
    expect(retried.body.balance).toBe(0);
    expectLedgerBalanced('bob@example.com');
  });

  it('requires a well-formed Idempotency-Key', async () => {
    const missing = await call(platform, 'POST', '/v1/wallet/consume', { token: alice, body: publish });
    expectProblem(missing, 400, 'VALIDATION_FAILED');
    expect(missing.body['errors']).toEqual([expect.objectContaining({ in: 'header', pointer: '/idempotency-key' })]);
    expectProblem(await consume(alice, 'short'), 400, 'VALIDATION_FAILED');
  });
});

describe('refund', () => {
  it('gives back exactly what was charged, once; repeating it replays the refund', async () => {
    const before = await balance(alice);
    const key = newKey();
    await consume(alice, key);
    const refund = await call<{ amount: number; balance: number }>(platform, 'POST', `/v1/wallet/consumptions/${key}/refund`, { token: alice, body: { reason: 'upload failed' } });
    expect(refund.status).toBe(200);
    expect(refund.body).toMatchObject({ consumeKey: key, amount: 13, balance: before, reason: 'upload failed' });
    const again = await call(platform, 'POST', `/v1/wallet/consumptions/${key}/refund`, { token: alice, body: { reason: 'retry' } });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(refund.body);
    expect(await balance(alice)).toBe(before);
    expect(platform.admin.ledger('alice@example.com').filter((entry) => entry.consumeKey === key).map((entry) => entry.amount)).toEqual([-13, 13]);

    const state = await call(platform, 'GET', `/v1/wallet/consumptions/${key}`, { token: alice });
    expect(state.body).toMatchObject({ status: 'refunded', amount: 13 });
    // A refunded key stays spent: consuming with it again replays the original charge, not a new one.
    const replay = await consume(alice, key);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await balance(alice)).toBe(before);
    expectLedgerBalanced('alice@example.com');
  });

  it('refuses unknown keys, other users’ keys, and consumptions that paid for a published image', async () => {
    expectProblem(await call(platform, 'POST', `/v1/wallet/consumptions/${newKey()}/refund`, { token: alice, body: { reason: 'x' } }), 404, 'NOT_FOUND');
    const key = newKey();
    await consume(alice, key);
    const carol = await signIn(platform, 'carol@example.com');
    expectProblem(await call(platform, 'POST', `/v1/wallet/consumptions/${key}/refund`, { token: carol, body: { reason: 'x' } }), 404, 'NOT_FOUND');

    const imageId = await publishImage(platform, alice);
    const { consumeKey } = (await call<{ consumeKey: string }>(platform, 'GET', `/v1/images/${imageId}`, { token: alice })).body;
    const refund = () => call(platform, 'POST', `/v1/wallet/consumptions/${consumeKey}/refund`, { token: alice, body: { reason: 'x' } });
    expectProblem(await refund(), 409, 'CONSUMPTION_IN_USE');
    // Published once is delivered: unpublishing or deleting does not make it refundable.
    expect((await call(platform, 'POST', `/v1/images/${imageId}/unpublish`, { token: alice })).status).toBe(200);
    expectProblem(await refund(), 409, 'CONSUMPTION_IN_USE');
    expect((await call(platform, 'DELETE', `/v1/images/${imageId}`, { token: alice })).status).toBe(204);
    expectProblem(await refund(), 409, 'CONSUMPTION_IN_USE');
    expectLedgerBalanced('alice@example.com');
  });

  it('refunds a consumption whose image was registered but never published, which then cannot be published', async () => {
    const imageId = await registerDraft();
    const { consumeKey } = (await call<{ consumeKey: string }>(platform, 'GET', `/v1/images/${imageId}`, { token: alice })).body;
    expect((await call(platform, 'POST', `/v1/wallet/consumptions/${consumeKey}/refund`, { token: alice, body: { reason: 'publish failed' } })).status).toBe(200);
    expectProblem(await call(platform, 'POST', `/v1/images/${imageId}/publish`, { token: alice }), 409, 'CONSUMPTION_REFUNDED');
    expectLedgerBalanced('alice@example.com');
  });
});
