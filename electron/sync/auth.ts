/**
 * The platform session: sign-in and sign-out, the access token (in memory only) and the refresh token (in the
 * `SecretStore`). Every access token the platform hands over is verified against its JWKS before use: ES256,
 * the platform's issuer, the `studio-desktop` audience, not expired. An access token close to expiry, or
 * refused with 401, is renewed with the refresh token — once, shared by every request waiting for it, because
 * the platform's refresh tokens are single use and presenting one twice ends the session.
 *
 * A refresh whose answer is lost (a dropped connection) is not retried: the token may be spent already, and a
 * second try would look like theft to the platform. The next request tries again with the stored token; if
 * that one was spent, the platform refuses it and the user signs in again.
 *
 * Runtime: main-side Node.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import type { AccessTokens, PlatformClient, SyncLog } from './client';
import { PlatformError } from './errors';
import type { SecretStore, SecretStoreStatus } from './secrets';
import { Empty, TokenPair } from './wire';

export const PLATFORM_AUDIENCE = 'studio-desktop';

/** Renew an access token this long before it expires, so a request never leaves with one about to lapse. */
const RENEW_BEFORE_MS = 30_000;

/** What the secret store keeps. */
const StoredSession = z.object({ refreshToken: z.string().min(16), email: z.string() });
type StoredSession = z.infer<typeof StoredSession>;

export interface AuthOptions {
  /** The expected `iss`; the platform's base URL unless given. */
  readonly issuer?: string;
  readonly audience?: string;
  /** The JWKS; `<base URL>/.well-known/jwks.json` unless given. */
  readonly jwksUrl?: string;
  readonly log?: SyncLog;
}

export interface SignInResult {
  readonly email: string;
  /** Whether the session was written to the secret store (false: memory only, see `SecretStore`). */
  readonly remembered: boolean;
}

export class PlatformAuth implements AccessTokens {
  private access: { readonly token: string; readonly expiresAt: number } | null = null;
  /** The session while signed in: from the store at start, or in memory only when the store may not keep it. */
  private session: StoredSession | null | undefined;
  private remembered = false;
  private refreshing: Promise<string> | null = null;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  private readonly issuer: string;
  private readonly audience: string;
  private readonly log: SyncLog;

  constructor(
    private readonly client: PlatformClient,
    private readonly store: SecretStore,
    options: AuthOptions = {},
  ) {
    this.issuer = options.issuer ?? client.baseUrl;
    this.audience = options.audience ?? PLATFORM_AUDIENCE;
    // An unknown kid fetches the key set again at once (no cooldown): the platform rotated its key, or
    // restarted with a new one. Tokens only ever come from the platform's own answers, so this cannot be
    // used to make Studio hammer the JWKS.
    this.jwks = createRemoteJWKSet(new URL(options.jwksUrl ?? `${client.baseUrl}/.well-known/jwks.json`), {
      timeoutDuration: 10_000,
      cooldownDuration: 0,
    });
    this.log = options.log ?? (() => undefined);
    client.useTokens(this);
  }

  secretStoreStatus(): Promise<SecretStoreStatus> {
    return this.store.status();
  }

  /** Who is signed in (from the store on first call), or null. */
  async signedInAs(): Promise<{ readonly email: string; readonly remembered: boolean } | null> {
    const session = await this.loadSession();
    return session === null ? null : { email: session.email, remembered: this.remembered };
  }

  async signIn(email: string, password: string, options: { readonly allowUnprotected?: boolean } = {}): Promise<SignInResult> {
    const pair = await this.client.request(
      { method: 'POST', path: '/v1/auth/sign-in', body: { email, password }, signed: false, retryable: false },
      TokenPair,
    );
    const payload = await this.verifyAccessToken(pair.accessToken);
    await this.endLocalSession();
    const session = { refreshToken: pair.refreshToken, email };
    this.remembered = await this.keep(session, options.allowUnprotected === true);
    this.session = session;
    this.access = { token: pair.accessToken, expiresAt: (payload.exp ?? 0) * 1000 };
    this.log('info', `platform: signed in as ${email}${this.remembered ? '' : ' (this session is not remembered: the secret store cannot protect it)'}`);
    return { email, remembered: this.remembered };
  }

  /** Ends the session on the platform (best effort) and forgets it here in any case. */
  async signOut(): Promise<void> {
    const session = await this.loadSession();
    await this.endLocalSession();
    if (session === null) return;
    try {
      await this.client.request({ method: 'POST', path: '/v1/auth/sign-out', body: { refreshToken: session.refreshToken }, signed: false, retryable: true }, Empty);
    } catch (error) {
      // The session is forgotten here; the platform lets it lapse with its refresh token.
      this.log('warn', `platform: sign-out could not reach the platform (${error instanceof PlatformError ? error.code : 'error'}); the session was forgotten locally`);
    }
    this.log('info', 'platform: signed out');
  }

  async current(): Promise<string> {
    const access = this.access;
    if (access !== null && access.expiresAt - RENEW_BEFORE_MS > Date.now()) return access.token;
    return this.renew(access?.token ?? '');
  }

  renew(rejected: string): Promise<string> {
    if (this.access !== null && this.access.token !== rejected && this.access.expiresAt - RENEW_BEFORE_MS > Date.now()) {
      return Promise.resolve(this.access.token);
    }
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /**
   * Checks an access token as the platform's resource servers do: signature by a key of the JWKS (ES256 only),
   * issuer, audience, expiry, subject. Throws PROTOCOL for a token that fails, PLATFORM_UNAVAILABLE when the
   * JWKS cannot be fetched.
   */
  async verifyAccessToken(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        algorithms: ['ES256'],
        issuer: this.issuer,
        audience: this.audience,
        requiredClaims: ['sub', 'exp'],
      });
      return payload;
    } catch (error) {
      const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
      if (code !== undefined && /^ERR_(JWT|JWS|JWK|JOSE)_|^ERR_JWKS_(NO_MATCHING_KEY|MULTIPLE_MATCHING_KEYS|INVALID)/.test(code)) {
        throw new PlatformError('PROTOCOL', `The platform's access token was refused (${code}).`, { details: { reason: code } });
      }
      throw new PlatformError('PLATFORM_UNAVAILABLE', 'The platform\'s signing keys cannot be fetched.', { details: { reason: code ?? 'fetch' }, cause: error });
    }
  }

  private async refresh(): Promise<string> {
    let session = await this.loadSession();
    if (session === null) throw new PlatformError('UNAUTHENTICATED', 'Sign in to the platform first.');
    // Another process sharing the store (the CLI beside `studio serve`) may have rotated the token since: its
    // newer one is the one to spend, the one in memory is spent already.
    if (this.remembered) {
      const stored = parseSession(await this.store.read());
      if (stored !== null && stored.email === session.email) session = stored;
    }
    let pair: TokenPair;
    try {
      pair = await this.client.request(
        { method: 'POST', path: '/v1/auth/refresh', body: { refreshToken: session.refreshToken }, signed: false, retryable: false },
        TokenPair,
      );
    } catch (error) {
      if (error instanceof PlatformError && error.code === 'UNAUTHENTICATED') {
        await this.endLocalSession();
        throw new PlatformError('UNAUTHENTICATED', 'The platform session ended; sign in again.', { status: error.status ?? 401 });
      }
      throw error;
    }
    const payload = await this.verifyAccessToken(pair.accessToken);
    const next = { refreshToken: pair.refreshToken, email: session.email };
    // The new refresh token is kept before the access token is used: the old one is spent already.
    if (this.remembered) await this.store.write(JSON.stringify(next), { allowUnprotected: true });
    this.session = next;
    this.access = { token: pair.accessToken, expiresAt: (payload.exp ?? 0) * 1000 };
    return pair.accessToken;
  }

  /** Writes the session to the store when it can protect it (or the user allowed plain text); says whether it did. */
  private async keep(session: StoredSession, allowUnprotected: boolean): Promise<boolean> {
    const status = await this.store.status();
    if (status.protection === 'unavailable' && !allowUnprotected) return false;
    await this.store.write(JSON.stringify(session), { allowUnprotected });
    return true;
  }

  private async loadSession(): Promise<StoredSession | null> {
    if (this.session !== undefined) return this.session;
    const text = await this.store.read();
    const parsed = parseSession(text);
    if (text !== null && parsed === null) this.log('warn', 'platform: the stored session could not be read; sign in again');
    this.session = parsed;
    this.remembered = parsed !== null;
    return parsed;
  }

  private async endLocalSession(): Promise<void> {
    this.access = null;
    this.session = null;
    this.remembered = false;
    await this.store.clear();
  }
}

function parseSession(text: string | null): StoredSession | null {
  if (text === null) return null;
  try {
    const result = StoredSession.safeParse(JSON.parse(text));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}
