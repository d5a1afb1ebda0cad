import { randomBytes } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPlatform } from '../../platform/server';
import { createS3Client } from '../../platform/storage';
import { call, expectProblem, generation, newKey, publishImage, signIn, startPlatform, upload } from './client';

let platform: RunningPlatform;
let stop: () => Promise<void>;
let alice: string;
let bob: string;

beforeAll(async () => {
  // Parts of 64 KiB: s3rver accepts parts below S3's 5 MiB minimum, which keeps these files small.
  ({ platform, stop } = await startPlatform({ partSize: 64 * 1024 }));
  alice = await signIn(platform, 'alice@example.com');
  bob = await signIn(platform, 'bob@example.com');
});
afterAll(() => stop());

async function download(imageId: string, token: string): Promise<Buffer> {
  const link = await call<{ url: string; size: number }>(platform, 'GET', `/v1/images/${imageId}/original`, { token });
  expect(link.status).toBe(200);
  const response = await fetch(link.body.url);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

async function consume(token: string, width = 64, height = 64): Promise<string> {
  const key = newKey('img');
  const reply = await call(platform, 'POST', '/v1/wallet/consume', { token, headers: { 'idempotency-key': key }, body: { action: 'publish', width, height, bytes: 100 } });
  expect(reply.status).toBe(201);
  return key;
}

describe('uploads through presigned URLs', () => {
  it('stores a small file with one PUT and a large one in parts, byte for byte', async () => {
    const small = randomBytes(10_000);
    const large = randomBytes(200_000 + 123);
    for (const bytes of [small, large]) {
      const id = await upload(platform, alice, 'original', bytes);
      const created = await call<{ key: string }>(platform, 'POST', `/v1/uploads/${id}/complete`, { token: alice, body: { parts: [] } });
      // Completing again answers as the first time did.
      expect(created.status).toBe(200);
      const object = await createS3Client(platform.s3).send(new GetObjectCommand({ Bucket: platform.s3.bucket, Key: created.body.key }));
      expect(Buffer.from(await object.Body?.transformToByteArray() ?? [])).toEqual(bytes);
    }
  });

  it('describes the multipart plan: parts of partSize, the last one shorter', async () => {
    const reply = await call<{ method: string; url: string | null; parts: { partNumber: number }[]; partSize: number }>(platform, 'POST', '/v1/uploads', {
      token: alice,
      body: { purpose: 'original', contentType: 'image/png', size: 3 * 64 * 1024 + 1 },
    });
    expect(reply.body).toMatchObject({ method: 'multipart', url: null, partSize: 64 * 1024 });
    expect(reply.body.parts.map((part) => part.partNumber)).toEqual([1, 2, 3, 4]);
  });

  it('refuses to complete before the bytes are there, or with a size other than declared', async () => {
    const missing = await call<{ id: string }>(platform, 'POST', '/v1/uploads', { token: alice, body: { purpose: 'thumbnail', contentType: 'image/png', size: 50 } });
    expectProblem(await call(platform, 'POST', `/v1/uploads/${missing.body.id}/complete`, { token: alice, body: { parts: [] } }), 409, 'UPLOAD_INCOMPLETE');

    const short = await call<{ id: string; url: string; headers: Record<string, string> }>(platform, 'POST', '/v1/uploads', {
      token: alice,
      body: { purpose: 'thumbnail', contentType: 'image/png', size: 50 },
    });
    await fetch(short.body.url, { method: 'PUT', headers: short.body.headers, body: new Uint8Array(49) });
    expectProblem(await call(platform, 'POST', `/v1/uploads/${short.body.id}/complete`, { token: alice, body: { parts: [] } }), 422, 'UPLOAD_MISMATCH');
  });

  it('issues URLs that expire', async () => {
    const shortLived = await startPlatform({ presignTtlSeconds: 1 });
    try {
      const token = await signIn(shortLived.platform, 'alice@example.com');
      const created = await call<{ url: string; headers: Record<string, string> }>(shortLived.platform, 'POST', '/v1/uploads', {
        token,
        body: { purpose: 'thumbnail', contentType: 'image/png', size: 4 },
      });
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const put = await fetch(created.body.url, { method: 'PUT', headers: created.body.headers, body: new Uint8Array(4) });
      expect(put.status).toBe(403);
      expect(await put.text()).toContain('Request has expired');
    } finally {
      await shortLived.stop();
    }
  });

  it('aborts a pending upload once, and not a completed one; others cannot see it', async () => {
    const pending = await call<{ id: string }>(platform, 'POST', '/v1/uploads', { token: alice, body: { purpose: 'original', contentType: 'image/png', size: 200_000 } });
    expectProblem(await call(platform, 'DELETE', `/v1/uploads/${pending.body.id}`, { token: bob }), 404, 'NOT_FOUND');
    expect((await call(platform, 'DELETE', `/v1/uploads/${pending.body.id}`, { token: alice })).status).toBe(204);
    expect((await call(platform, 'DELETE', `/v1/uploads/${pending.body.id}`, { token: alice })).status).toBe(204);
    const done = await upload(platform, alice, 'thumbnail', new Uint8Array(20));
    expectProblem(await call(platform, 'DELETE', `/v1/uploads/${done}`, { token: alice }), 409, 'UPLOAD_COMPLETED');
  });
});

describe('images', () => {
  it('registers with generation metadata and a companion, publishes, and downloads the original back', async () => {
    const bytes = randomBytes(150_000);
    const consumeKey = await consume(alice);
    const original = await upload(platform, alice, 'original', bytes);
    const thumbnail = await upload(platform, alice, 'thumbnail', randomBytes(500));
    const body = { consumeKey, originalUploadId: original, thumbnailUploadId: thumbnail, width: 64, height: 64, title: 'Aurora', companionId: 'cmp_aurora01', generation: generation() };
    const registered = await call<{ id: string; status: string }>(platform, 'POST', '/v1/images', { token: alice, body });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ status: 'draft', companionId: 'cmp_aurora01', generation: generation(), moderation: { verdict: 'allow' }, publishedAt: null });

    // A retry of the same registration returns the same image; another body with that key is refused.
    const again = await call<{ id: string }>(platform, 'POST', '/v1/images', { token: alice, body });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(registered.body.id);
    expectProblem(await call(platform, 'POST', '/v1/images', { token: alice, body: { ...body, title: 'Other' } }), 422, 'IDEMPOTENCY_MISMATCH');

    const id = registered.body.id;
    expectProblem(await call(platform, 'GET', `/v1/images/${id}`, { token: bob }), 404, 'NOT_FOUND');
    const published = await call<{ status: string; publishedAt: string }>(platform, 'POST', `/v1/images/${id}/publish`, { token: alice });
    expect(published.body.status).toBe('published');
    const republished = await call<{ publishedAt: string }>(platform, 'POST', `/v1/images/${id}/publish`, { token: alice });
    expect(republished.body.publishedAt).toBe(published.body.publishedAt);
    expect((await call(platform, 'GET', `/v1/images/${id}`)).status).toBe(200);
    expect(await download(id, bob)).toEqual(bytes);
    expectProblem(await call(platform, 'POST', `/v1/images/${id}/publish`, { token: bob }), 404, 'NOT_FOUND');

    expect((await call<{ status: string }>(platform, 'POST', `/v1/images/${id}/unpublish`, { token: alice })).body.status).toBe('unpublished');
    expectProblem(await call(platform, 'GET', `/v1/images/${id}`, { token: bob }), 404, 'NOT_FOUND');
    expect((await call(platform, 'GET', `/v1/images/${id}`, { token: alice })).status).toBe(200);
  });

  it('refuses registration without a valid payment, with foreign or incomplete uploads, or twice for one upload', async () => {
    const original = await upload(platform, alice, 'original', randomBytes(100));
    const thumbnail = await upload(platform, alice, 'thumbnail', randomBytes(10));
    const body = (consumeKey: string, extra: object = {}) => ({ consumeKey, originalUploadId: original, thumbnailUploadId: thumbnail, width: 64, height: 64, generation: generation(), ...extra });

    expectProblem(await call(platform, 'POST', '/v1/images', { token: alice, body: body(newKey()) }), 404, 'NOT_FOUND');
    const cheap = await consume(alice, 64, 64);
    expectProblem(await call(platform, 'POST', '/v1/images', { token: alice, body: body(cheap, { width: 4096, height: 4096 }) }), 402, 'INSUFFICIENT_TOKENS');
    expectProblem(await call(platform, 'POST', '/v1/images', { token: alice, body: body(cheap, { originalUploadId: thumbnail }) }), 422, 'UPLOAD_MISMATCH');
    expectProblem(await call(platform, 'POST', '/v1/images', { token: alice, body: body(cheap, { companionId: 'cmp_nobody00' }) }), 400, 'VALIDATION_FAILED');
    const bobsKey = await consume(bob);
    expectProblem(await call(platform, 'POST', '/v1/images', { token: bob, body: body(bobsKey) }), 404, 'NOT_FOUND');

    expect((await call(platform, 'POST', '/v1/images', { token: alice, body: body(cheap) })).status).toBe(201);
    expectProblem(await call(platform, 'POST', '/v1/images', { token: alice, body: body(await consume(alice)) }), 422, 'UPLOAD_MISMATCH');
  });

  it('deletes an image and its objects; deleting again is a 404 and the payment stays spent', async () => {
    const id = await publishImage(platform, alice);
    const image = await call<{ original: { key: string }; consumeKey: string }>(platform, 'GET', `/v1/images/${id}`, { token: alice });
    expect((await call(platform, 'DELETE', `/v1/images/${id}`, { token: bob })).status).toBe(404);
    expect((await call(platform, 'DELETE', `/v1/images/${id}`, { token: alice })).status).toBe(204);
    expectProblem(await call(platform, 'DELETE', `/v1/images/${id}`, { token: alice }), 404, 'NOT_FOUND');
    expectProblem(await call(platform, 'GET', `/v1/images/${id}`, { token: alice }), 404, 'NOT_FOUND');
    await expect(createS3Client(platform.s3).send(new GetObjectCommand({ Bucket: platform.s3.bucket, Key: image.body.original.key }))).rejects.toThrow(/NoSuchKey|not exist/);
  });
});

describe('moderation by plan', () => {
  const check = (token: string, prompt: string) =>
    call<{ verdict: string; level: string; categories: { category: string; verdict: string; terms: string[] }[] }>(platform, 'POST', '/v1/moderation/check', { token, body: { prompt } });

  it('is strict on free, standard on pro, relaxed on studio', async () => {
    const carol = await signIn(platform, 'carol@example.com');
    const verdicts = async (prompt: string) => [(await check(bob, prompt)).body.verdict, (await check(alice, prompt)).body.verdict, (await check(carol, prompt)).body.verdict];
    expect(await verdicts('a knight with a sword in the rain')).toEqual(['review', 'allow', 'allow']);
    expect(await verdicts('a battlefield covered in blood')).toEqual(['block', 'review', 'allow']);
    expect(await verdicts('NSFW portrait')).toEqual(['block', 'block', 'review']);
    expect(await verdicts('a workshop for counterfeit money')).toEqual(['block', 'block', 'block']);
    expect(await verdicts('a bloodhound named Gunther')).toEqual(['allow', 'allow', 'allow']);
    const detail = await check(bob, 'gore and a rifle');
    expect(detail.body).toEqual({
      verdict: 'block',
      level: 'strict',
      categories: [
        { category: 'violence', verdict: 'block', terms: ['gore'] },
        { category: 'weapons', verdict: 'review', terms: ['rifle'] },
      ],
    });
  });

  it('blocks registration of a blocked prompt, and holds a review verdict back from the gallery until approved', async () => {
    const original = await upload(platform, bob, 'original', randomBytes(100));
    const thumbnail = await upload(platform, bob, 'thumbnail', randomBytes(10));
    const body = (consumeKey: string, prompt: string) => ({ consumeKey, originalUploadId: original, thumbnailUploadId: thumbnail, width: 64, height: 64, generation: generation(prompt) });
    const key = await consume(bob);
    const blocked = await call(platform, 'POST', '/v1/images', { token: bob, body: body(key, 'a corpse in the snow') });
    expectProblem(blocked, 422, 'MODERATION_BLOCKED');
    expect(blocked.body['moderation']).toMatchObject({ verdict: 'block', level: 'strict' });

    const held = await call<{ id: string }>(platform, 'POST', '/v1/images', { token: bob, body: body(key, 'a dragon and a knife') });
    expect(held.status).toBe(201);
    expectProblem(await call(platform, 'POST', `/v1/images/${held.body.id}/publish`, { token: bob }), 403, 'MODERATION_REVIEW');
    platform.admin.approveImage(held.body.id);
    expect((await call(platform, 'POST', `/v1/images/${held.body.id}/publish`, { token: bob })).status).toBe(200);
  });
});

describe('companions', () => {
  it('lists companions with traits, one by id, and its traits in template order', async () => {
    const list = await call<{ items: { id: string; traits: unknown[] }[] }>(platform, 'GET', '/v1/companions', { token: bob });
    expect(list.body.items.map((companion) => companion.id)).toEqual(['cmp_aurora01', 'cmp_kenji002', 'cmp_pip00003']);
    const one = await call<{ name: string }>(platform, 'GET', '/v1/companions/cmp_kenji002', { token: bob });
    expect(one.body.name).toBe('Kenji');
    const traits = await call<{ items: { key: string }[] }>(platform, 'GET', '/v1/companions/cmp_aurora01/traits', { token: bob });
    expect(traits.body.items.map((trait) => trait.key)).toEqual(['hair', 'eyes', 'outfit', 'accessory']);
    expectProblem(await call(platform, 'GET', '/v1/companions/cmp_nobody00', { token: bob }), 404, 'NOT_FOUND');
    expectProblem(await call(platform, 'GET', '/v1/companions'), 401, 'UNAUTHORIZED');
  });
});
