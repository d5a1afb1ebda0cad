/**
 * A small fetch client for the platform tests: every call returns status, headers and the parsed body, so
 * tests assert on what went over the wire.
 */
import { expect } from 'vitest';
import { devPassword } from '../../platform/seed';
import { start, type PlatformOptions, type RunningPlatform } from '../../platform/server';
import { startS3, type RunningS3 } from '../../platform/storage';

export interface Reply<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export async function call<T = Record<string, unknown>>(platform: RunningPlatform, method: string, path: string, options: CallOptions = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(platform.url + path, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text === '' ? {} : JSON.parse(text)) as T };
}

export async function signIn(platform: RunningPlatform, email: string, password = devPassword): Promise<string> {
  const reply = await call<{ accessToken: string }>(platform, 'POST', '/v1/auth/sign-in', { body: { email, password } });
  expect(reply.status).toBe(200);
  return reply.body.accessToken;
}

/** Asserts an RFC 9457 problem with this status and code. */
export function expectProblem(reply: Reply<object>, status: number, code: string): void {
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({ status, code, type: `https://platform.studio.dev/problems/${code.toLowerCase().replaceAll('_', '-')}` });
  expect(typeof (reply.body as Record<string, unknown>)['title']).toBe('string');
  expect(reply.status).toBe(status);
}

/** Starts s3rver and the platform; `stop` stops both and checks that no response broke the contract. */
export async function startPlatform(options: PlatformOptions = {}): Promise<{ platform: RunningPlatform; s3: RunningS3; stop(): Promise<void> }> {
  const s3 = await startS3();
  const platform = await start({ s3: s3.target, partSize: 64 * 1024, ...options });
  return {
    platform,
    s3,
    async stop() {
      const violations = platform.admin.contractViolations();
      await platform.stop();
      await s3.stop();
      expect(violations).toEqual([]);
    },
  };
}

let keyCounter = 0;
/** A fresh idempotency key. */
export const newKey = (label = 'key') => `${label}-${process.pid}-${Date.now()}-${++keyCounter}`;

/** Uploads bytes through the presigned URLs of a new upload and completes it; returns the upload id. */
export async function upload(platform: RunningPlatform, token: string, purpose: 'original' | 'thumbnail', bytes: Uint8Array): Promise<string> {
  const created = await call<{ id: string; method: string; url: string | null; partSize: number; parts: { partNumber: number; url: string }[]; headers: Record<string, string> }>(
    platform,
    'POST',
    '/v1/uploads',
    { token, body: { purpose, contentType: 'image/png', size: bytes.byteLength } },
  );
  expect(created.status).toBe(201);
  const { id, url, parts, partSize, headers } = created.body;
  const etags: { partNumber: number; etag: string }[] = [];
  if (url !== null) {
    const put = await fetch(url, { method: 'PUT', headers, body: bytes });
    expect(put.status).toBe(200);
  } else {
    for (const part of parts) {
      const chunk = bytes.subarray((part.partNumber - 1) * partSize, part.partNumber * partSize);
      const put = await fetch(part.url, { method: 'PUT', headers, body: chunk });
      expect(put.status).toBe(200);
      etags.push({ partNumber: part.partNumber, etag: put.headers.get('etag') ?? '' });
    }
  }
  const completed = await call(platform, 'POST', `/v1/uploads/${id}/complete`, { token, body: { parts: etags } });
  expect(completed.status).toBe(200);
  return id;
}

export const generation = (prompt = 'a lighthouse at dawn, watercolor', model = 'studio-embedded') => ({
  prompt,
  negativePrompt: 'blurry',
  model,
  sampler: 'euler_a',
  steps: 20,
  cfgScale: 7,
  seed: 1234,
});

/** Consume, upload, register and publish one image; returns its id. */
export async function publishImage(
  platform: RunningPlatform,
  token: string,
  options: { readonly prompt?: string; readonly model?: string; readonly companionId?: string; readonly title?: string } = {},
): Promise<string> {
  const consumeKey = newKey('publish');
  const consumed = await call(platform, 'POST', '/v1/wallet/consume', {
    token,
    headers: { 'idempotency-key': consumeKey },
    body: { action: 'publish', width: 64, height: 64, bytes: 100 },
  });
  expect(consumed.status).toBe(201);
  const original = await upload(platform, token, 'original', new Uint8Array(100).fill(7));
  const thumbnail = await upload(platform, token, 'thumbnail', new Uint8Array(10).fill(3));
  const registered = await call<{ id: string }>(platform, 'POST', '/v1/images', {
    token,
    body: {
      consumeKey,
      originalUploadId: original,
      thumbnailUploadId: thumbnail,
      width: 64,
      height: 64,
      title: options.title ?? 'untitled',
      ...(options.companionId === undefined ? {} : { companionId: options.companionId }),
      generation: generation(options.prompt, options.model),
    },
  });
  expect(registered.status).toBe(201);
  const published = await call(platform, 'POST', `/v1/images/${registered.body.id}/publish`, { token });
  expect(published.status).toBe(200);
  return registered.body.id;
}
