/**
 * Accounts and tokens: scrypt password hashes, ES256 access tokens signed by a key made at start-up and
 * published as a JWKS, and opaque single-use refresh tokens (stored hashed) that rotate within a session.
 */
import { createHash, randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { PlatformDatabase } from './database';
import { Problem } from './problem';

export const accessTokenAlgorithm = 'ES256';

export interface TokenSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
}

export interface SigningKey {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly kid: string;
}

export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(accessTokenAlgorithm, { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { privateKey, publicKey, kid, publicJwk: { ...jwk, kid, alg: accessTokenAlgorithm, use: 'sig' } };
}

const scryptParameters = { N: 16384, r: 8, p: 1 } as const;

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 32, scryptParameters);
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = scryptSync(password, Buffer.from(salt, 'base64url'), expected.length, scryptParameters);
  return timingSafeEqual(actual, expected);
}

/** A hash of a password nobody has, so unknown emails cost as much time as wrong passwords. */
const decoyHash = hashPassword(randomUUID());

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

export interface AccessClaims {
  readonly sub: string;
  readonly sid: string;
}

export interface TokenPair {
  readonly tokenType: 'Bearer';
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly refreshToken: string;
  readonly refreshExpiresIn: number;
}

/** Verified access tokens kept by their text, so that a client's burst of requests checks the signature once. */
const KEPT_TOKENS = 1024;

export class Authority {
  private readonly verified = new Map<string, JWTPayload>();

  constructor(
    private readonly db: PlatformDatabase,
    readonly key: SigningKey,
    readonly settings: TokenSettings,
  ) {}

  jwks(): { readonly keys: readonly JWK[] } {
    return { keys: [this.key.publicJwk] };
  }

  /** Signs an access token; tests pass other claims (or another key) to build tokens that must be refused. */
  async signAccessToken(claims: AccessClaims & { readonly aud?: string; readonly iss?: string; readonly expiresAt?: number }, key = this.key): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sid: claims.sid })
      .setProtectedHeader({ alg: accessTokenAlgorithm, kid: key.kid, typ: 'at+jwt' })
      .setSubject(claims.sub)
      .setIssuer(claims.iss ?? this.settings.issuer)
      .setAudience(claims.aud ?? this.settings.audience)
      .setIssuedAt(now)
      .setJti(randomUUID())
      .setExpirationTime(claims.expiresAt ?? now + this.settings.accessTokenTtlSeconds)
      .sign(key.privateKey);
  }

  async signIn(email: string, password: string): Promise<TokenPair> {
    const user = this.db.prepare('SELECT id, password_hash FROM users WHERE email = ?').get(email) as
      | { id: string; password_hash: string }
      | undefined;
    const valid = verifyPassword(password, user?.password_hash ?? decoyHash);
    if (user === undefined || !valid) throw new Problem('INVALID_CREDENTIALS');
    const sessionId = `ses_${randomBytes(12).toString('base64url')}`;
    this.db.prepare('INSERT INTO sessions (id, user_id, created_at) VALUES (?, ?, ?)').run(sessionId, user.id, new Date().toISOString());
    return this.issue(user.id, sessionId);
  }

  /**
   * Spends a refresh token for a new pair. Presenting a spent token again means it leaked (or a client
   * raced itself): the whole session is revoked, as OAuth's security best practice asks.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const row = this.db
      .prepare(
        `SELECT r.session_id, r.expires_at, r.used_at, s.user_id, s.revoked_at
         FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id WHERE r.token_hash = ?`,
      )
      .get(sha256(refreshToken)) as
      | { session_id: string; expires_at: number; used_at: string | null; user_id: string; revoked_at: string | null }
      | undefined;
    if (row === undefined || row.revoked_at !== null || row.expires_at <= Date.now()) {
      throw new Problem('UNAUTHORIZED', 'The refresh token is not valid.');
    }
    if (row.used_at !== null) {
      this.revokeSession(row.session_id);
      throw new Problem('UNAUTHORIZED', 'The refresh token was already used; the session is revoked.');
    }
    this.db.prepare('UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?').run(new Date().toISOString(), sha256(refreshToken));
    return this.issue(row.user_id, row.session_id);
  }

  signOut(refreshToken: string): void {
    const row = this.db.prepare('SELECT session_id FROM refresh_tokens WHERE token_hash = ?').get(sha256(refreshToken)) as
      | { session_id: string }
      | undefined;
    if (row !== undefined) this.revokeSession(row.session_id);
  }

  /** Checks signature, algorithm, issuer, audience, expiry, and that the session is still open. */
  async verify(authorization: string | undefined): Promise<{ readonly userId: string; readonly sessionId: string }> {
    const match = /^Bearer ([A-Za-z0-9._-]+)$/.exec(authorization ?? '');
    if (match?.[1] === undefined) throw new Problem('UNAUTHORIZED', 'A bearer access token is required.');
    const token = match[1];
    let payload = this.verified.get(token);
    // A kept token still expires: its expiry is checked again on every use, as jwtVerify checks it.
    if (payload !== undefined && (payload.exp ?? 0) <= Math.floor(Date.now() / 1000)) {
      this.verified.delete(token);
      throw new Problem('UNAUTHORIZED', 'The access token is not valid (ERR_JWT_EXPIRED).');
    }
    if (payload === undefined) {
      try {
        ({ payload } = await jwtVerify(token, this.key.publicKey, {
          algorithms: [accessTokenAlgorithm],
          issuer: this.settings.issuer,
          audience: this.settings.audience,
          requiredClaims: ['sub', 'exp', 'iat'],
        }));
      } catch (error) {
        const reason = error instanceof Error && 'code' in error ? String(error.code) : 'ERR_JWT_INVALID';
        throw new Problem('UNAUTHORIZED', `The access token is not valid (${reason}).`);
      }
      if (this.verified.size >= KEPT_TOKENS) this.verified.clear();
      this.verified.set(token, payload);
    }
    const sessionId = typeof payload['sid'] === 'string' ? payload['sid'] : '';
    const session = this.db.prepare('SELECT user_id, revoked_at FROM sessions WHERE id = ?').get(sessionId) as
      | { user_id: string; revoked_at: string | null }
      | undefined;
    if (session === undefined || session.revoked_at !== null || session.user_id !== payload.sub) {
      throw new Problem('UNAUTHORIZED', 'The session of this access token has ended.');
    }
    return { userId: session.user_id, sessionId };
  }

  private revokeSession(sessionId: string): void {
    this.db.prepare('UPDATE sessions SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?').run(new Date().toISOString(), sessionId);
  }

  private async issue(userId: string, sessionId: string): Promise<TokenPair> {
    const refreshToken = randomBytes(32).toString('base64url');
    this.db
      .prepare('INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES (?, ?, ?)')
      .run(sha256(refreshToken), sessionId, Date.now() + this.settings.refreshTokenTtlSeconds * 1000);
    return {
      tokenType: 'Bearer',
      accessToken: await this.signAccessToken({ sub: userId, sid: sessionId }),
      expiresIn: this.settings.accessTokenTtlSeconds,
      refreshToken,
      refreshExpiresIn: this.settings.refreshTokenTtlSeconds,
    };
  }
}
