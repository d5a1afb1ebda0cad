import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLibrary } from '../../../db/index';
import { FileSecretStore, PlatformError, PlatformSync, type SecretStore, type SecretStoreStatus, type SecretWriteOptions } from '../../../electron/sync/index';
import { createSigningKey } from '../../platform/auth';
import { start } from '../../platform/server';
import { startS3, type RunningS3 } from '../../platform/storage';
import { call } from '../platform/client';
import { startHarness, type Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const sessionFile = () => path.join(h.dir, 'config', 'platform-session.json');

/** What a desktop without a keyring gives: safeStorage would write plain text, so the store says so. */
class NoKeyringStore implements SecretStore {
  secret: string | null = null;
  async status(): Promise<SecretStoreStatus> {
    return { protection: 'unavailable', detail: 'No keyring: only plain text could be stored.' };
  }
  async read(): Promise<string | null> {
    return this.secret;
  }
  async write(secret: string, options: SecretWriteOptions = {}): Promise<void> {
    if (options.allowUnprotected !== true) throw new PlatformError('SECRET_STORE_UNAVAILABLE', 'Not without consent.');
    this.secret = secret;
  }
  async clear(): Promise<void> {
    this.secret = null;
  }
}

describe('signing in and out', () => {
  it('signs in, keeps the refresh token in a 0600 file, reads the account, and signs out everywhere', async () => {
    expect(await h.sync.account()).toMatchObject({ signedIn: false, secretStore: { protection: 'owner-only-file' } });
    const account = await h.sync.signIn('alice@example.com', 'studio-dev');
    expect(account).toMatchObject({ signedIn: true, email: 'alice@example.com', displayName: 'Alice', plan: { id: 'pro', moderationLevel: 'standard' }, remembered: true });
    expect(account.balance).toBe(h.platform.admin.balance('alice@example.com'));
    expect((await stat(sessionFile())).mode & 0o777).toBe(0o600);
    const { refreshToken } = JSON.parse(await readFile(sessionFile(), 'utf8')) as { refreshToken: string };

    expect(await h.sync.signOut()).toMatchObject({ signedIn: false });
    await expect(stat(sessionFile())).rejects.toThrow(/ENOENT/);
    const refresh = await call(h.platform, 'POST', '/v1/auth/refresh', { body: { refreshToken } });
    expect(refresh.status).toBe(401);
    expect(h.logs.join('\n')).not.toContain(refreshToken);
  });

  it('refuses a wrong password with INVALID_CREDENTIALS and a signed-out call with UNAUTHENTICATED', async () => {
    await expect(h.sync.signIn('alice@example.com', 'not-the-password')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401 });
    await expect(h.sync.quotePublish([1])).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(h.logs.join('\n')).not.toContain('not-the-password');
  });

  it('keeps the session in memory only where the store cannot protect it, unless the user allows plain text', async () => {
    const store = new NoKeyringStore();
    const other = await startHarness({ sync: { secrets: store } });
    try {
      const account = await other.sync.signIn('bob@example.com', 'studio-dev');
      expect(account).toMatchObject({ signedIn: true, remembered: false, secretStore: { protection: 'unavailable' } });
      expect(store.secret).toBeNull();
      expect(await other.sync.signIn('bob@example.com', 'studio-dev', true)).toMatchObject({ signedIn: true, remembered: true });
      expect(store.secret).toContain('refreshToken');
    } finally {
      await other.stop();
    }
  });
});

describe('access tokens', () => {
  it('accepts the platform\'s tokens and refuses expired, forged, wrong-audience and wrong-issuer ones', async () => {
    const admin = h.platform.admin;
    const valid = await admin.signAccessToken('alice@example.com');
    expect((await h.sync.auth.verifyAccessToken(valid)).sub).toBe(admin.userId('alice@example.com'));
    const refused = async (token: string, reason: string) => {
      const error = await h.sync.auth.verifyAccessToken(token).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PlatformError);
      expect(error).toMatchObject({ code: 'PROTOCOL', details: { reason } });
    };
    await refused(await admin.signAccessToken('alice@example.com', { expiresAt: Math.floor(Date.now() / 1000) - 60 }), 'ERR_JWT_EXPIRED');
    await refused(await admin.signAccessToken('alice@example.com', { aud: 'someone-else' }), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    await refused(await admin.signAccessToken('alice@example.com', { iss: 'https://evil.example' }), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    // Signed by a key the platform does not publish, under the kid of a key it does not have.
    await refused(await admin.signAccessToken('alice@example.com', { key: await createSigningKey() }), 'ERR_JWKS_NO_MATCHING_KEY');
    // The platform's kid on another key's signature.
    const forged = await createSigningKey();
    const jwks = (await call<{ keys: { kid: string }[] }>(h.platform, 'GET', '/.well-known/jwks.json')).body;
    await refused(await admin.signAccessToken('alice@example.com', { key: { ...forged, kid: jwks.keys[0]?.kid ?? '' } }), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });
});

describe('refresh on 401', () => {
  let s3: RunningS3;
  let dir: string;
  beforeAll(async () => {
    s3 = await startS3();
    dir = await mkdtemp(path.join(tmpdir(), 'studio-sync-auth-'));
  });
  afterAll(async () => {
    await s3.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('renews a refused access token once for all the requests that were refused with it', async () => {
    const database = path.join(dir, 'platform.sqlite');
    const first = await start({ s3: s3.target, database });
    const port = Number(new URL(first.url).port);
    // A platform restarted on the same address and data signs with a new key: access tokens from before are
    // refused with 401, refresh tokens still work.
    const { library } = await openLibrary(path.join(dir, 'library'));
    const logs: string[] = [];
    const sync = new PlatformSync({ library, baseUrl: first.url, secrets: new FileSecretStore(path.join(dir, 'session.json')), log: (_l, m) => logs.push(m) });
    try {
      await sync.signIn('carol@example.com', 'studio-dev');
      const stored = await readFile(path.join(dir, 'session.json'), 'utf8');
      await first.stop();
      const second = await start({ s3: s3.target, database, port });
      try {
        const accounts = await Promise.all(Array.from({ length: 5 }, () => sync.account()));
        // Had two requests refreshed, the second would have presented a spent refresh token and ended the session.
        expect(accounts.map((a) => a.signedIn)).toEqual([true, true, true, true, true]);
        expect(accounts.map((a) => a.email)).toEqual(Array(5).fill('carol@example.com'));
        expect(await readFile(path.join(dir, 'session.json'), 'utf8')).not.toBe(stored);
        expect(second.admin.contractViolations()).toEqual([]);
      } finally {
        await sync.close();
        await second.stop();
      }
    } finally {
      await library.close();
    }
    expect(logs.join('\n')).not.toContain(JSON.parse(await readFile(path.join(dir, 'session.json'), 'utf8')).refreshToken);
  });
});

describe('two processes sharing one session file', () => {
  it('spend the newest refresh token either of them stored, so neither ends the session', async () => {
    // Access tokens of 31 s are renewed after 1 s (30 s before they expire): every pause below forces a refresh.
    const a = await startHarness({ platform: { accessTokenTtlSeconds: 31 } });
    const b = new PlatformSync({ library: a.library, baseUrl: a.platform.url, secrets: new FileSecretStore(path.join(a.dir, 'config', 'platform-session.json')) });
    const pause = () => new Promise((resolve) => setTimeout(resolve, 1100));
    try {
      await a.sync.signIn('bob@example.com', 'studio-dev');
      expect((await b.account()).signedIn).toBe(true);
      await pause();
      expect((await a.sync.account()).signedIn).toBe(true);
      await pause();
      expect((await b.account()).signedIn).toBe(true);
      expect((await a.sync.account()).signedIn).toBe(true);
    } finally {
      await b.close();
      await a.stop();
    }
  });
});
