import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSigningKey } from '../../platform/auth';
import { start, type RunningPlatform } from '../../platform/server';
import { call, expectProblem } from './client';

let platform: RunningPlatform;

// This file lets start() run its own s3rver, as a test that needs no objects may.
beforeAll(async () => {
  platform = await start();
});
afterAll(async () => {
  const violations = platform.admin.contractViolations();
  await platform.stop();
  expect(violations).toEqual([]);
});

interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: string;
}

describe('sign-in', () => {
  it('issues an ES256 access token that verifies against the published JWKS with issuer and audience', async () => {
    const reply = await call<TokenPair>(platform, 'POST', '/v1/auth/sign-in', { body: { email: 'alice@example.com', password: 'studio-dev' } });
    expect(reply.status).toBe(200);
    expect(reply.body.tokenType).toBe('Bearer');
    expect(reply.body.expiresIn).toBe(900);
    const jwks = await call<Parameters<typeof createLocalJWKSet>[0]>(platform, 'GET', '/.well-known/jwks.json');
    const { payload, protectedHeader } = await jwtVerify(reply.body.accessToken, createLocalJWKSet(jwks.body), {
      issuer: platform.url,
      audience: 'studio-desktop',
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.sub).toBe(platform.admin.userId('alice@example.com'));
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(900);
    const me = await call<{ email: string; plan: { id: string; moderationLevel: string } }>(platform, 'GET', '/v1/me', { token: reply.body.accessToken });
    expect(me.body).toMatchObject({ email: 'alice@example.com', plan: { id: 'pro', moderationLevel: 'standard' } });
  });

  it('refuses a wrong password and an unknown email alike', async () => {
    const wrong = await call(platform, 'POST', '/v1/auth/sign-in', { body: { email: 'alice@example.com', password: 'nope' } });
    const unknown = await call(platform, 'POST', '/v1/auth/sign-in', { body: { email: 'nobody@example.com', password: 'studio-dev' } });
    expectProblem(wrong, 401, 'INVALID_CREDENTIALS');
    expectProblem(unknown, 401, 'INVALID_CREDENTIALS');
    expect(unknown.body['detail']).toBe(wrong.body['detail']);
  });
});

describe('refresh and sign-out', () => {
  it('rotates refresh tokens, and a reused one revokes the session', async () => {
    const first = await call<TokenPair>(platform, 'POST', '/v1/auth/sign-in', { body: { email: 'bob@example.com', password: 'studio-dev' } });
    const second = await call<TokenPair>(platform, 'POST', '/v1/auth/refresh', { body: { refreshToken: first.body.refreshToken } });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
    expect((await call(platform, 'GET', '/v1/me', { token: second.body.accessToken })).status).toBe(200);

    expectProblem(await call(platform, 'POST', '/v1/auth/refresh', { body: { refreshToken: first.body.refreshToken } }), 401, 'UNAUTHORIZED');
    // The replay revoked the session: the newer tokens stop working too.
    expectProblem(await call(platform, 'POST', '/v1/auth/refresh', { body: { refreshToken: second.body.refreshToken } }), 401, 'UNAUTHORIZED');
    expectProblem(await call(platform, 'GET', '/v1/me', { token: second.body.accessToken }), 401, 'UNAUTHORIZED');
  });

  it('signs out: the access token and the refresh token stop working; signing out again is fine', async () => {
    const pair = await call<TokenPair>(platform, 'POST', '/v1/auth/sign-in', { body: { email: 'carol@example.com', password: 'studio-dev' } });
    expect((await call(platform, 'POST', '/v1/auth/sign-out', { body: { refreshToken: pair.body.refreshToken } })).status).toBe(204);
    expect((await call(platform, 'POST', '/v1/auth/sign-out', { body: { refreshToken: pair.body.refreshToken } })).status).toBe(204);
    expectProblem(await call(platform, 'GET', '/v1/me', { token: pair.body.accessToken }), 401, 'UNAUTHORIZED');
    expectProblem(await call(platform, 'POST', '/v1/auth/refresh', { body: { refreshToken: pair.body.refreshToken } }), 401, 'UNAUTHORIZED');
  });
});

describe('access tokens that must be refused', () => {
  it('accepts a token the platform signed for itself (the control case)', async () => {
    const token = await platform.admin.signAccessToken('alice@example.com');
    expect((await call(platform, 'GET', '/v1/wallet', { token })).status).toBe(200);
  });

  it.each([
    ['signed by another key', async () => platform.admin.signAccessToken('alice@example.com', { key: await createSigningKey() }), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
    ['for another audience', () => platform.admin.signAccessToken('alice@example.com', { aud: 'someone-else' }), 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['from another issuer', () => platform.admin.signAccessToken('alice@example.com', { iss: 'https://evil.example' }), 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['expired', () => platform.admin.signAccessToken('alice@example.com', { expiresAt: Math.floor(Date.now() / 1000) - 60 }), 'ERR_JWT_EXPIRED'],
    ['tampered with', async () => {
      const [header, payload, signature] = (await platform.admin.signAccessToken('alice@example.com')).split('.');
      const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
      claims['sub'] = platform.admin.userId('carol@example.com');
      return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
    }, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
    ['unsigned (alg none)', async () => {
      const [, payload] = (await platform.admin.signAccessToken('alice@example.com')).split('.');
      return `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    }, 'ERR_JOSE_ALG_NOT_ALLOWED'],
  ])('refuses a token %s', async (_name, makeToken, reason) => {
    const reply = await call(platform, 'GET', '/v1/wallet', { token: await makeToken() });
    expectProblem(reply, 401, 'UNAUTHORIZED');
    expect(reply.body['detail']).toContain(reason);
  });

  it('refuses a request without a token, or with a malformed header', async () => {
    expectProblem(await call(platform, 'GET', '/v1/me'), 401, 'UNAUTHORIZED');
    expectProblem(await call(platform, 'GET', '/v1/me', { headers: { authorization: 'Basic YWxpY2U6c3R1ZGlvLWRldg==' } }), 401, 'UNAUTHORIZED');
  });
});
