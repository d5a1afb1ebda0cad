/**
 * The reference platform: a real HTTP server implementing electron/sync/platform-api.yaml over SQLite and an
 * S3-compatible object store, for integration and end-to-end tests and for trying the app by hand.
 *
 * `start()` registers one route per operation of the OpenAPI document, validates requests with the
 * document's schemas (and, unless turned off, checks each response against them too), and answers every
 * error as RFC 9457 problem+json. Fault injection and a few admin powers are available in-process through
 * `admin` and over HTTP under `/__admin` (bearer `admin.token`); neither is part of the platform contract.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Authority, createSigningKey, hashPassword, type SigningKey, type TokenSettings } from './auth';
import { loadContract, type Operation } from './contract';
import { openPlatformDatabase, type PlatformDatabase } from './database';
import { faultConfigSchema, FaultInjector, type FaultConfig, type FaultEvent } from './faults';
import { Images, newId, type GalleryQuery, type RegisterImageRequest } from './images';
import { moderate } from './moderation';
import { plans, type Plan, type PlanId } from './plans';
import { Problem, problemContentType } from './problem';
import { devSeed, type Seed } from './seed';
import { ObjectStore, startS3, type RunningS3, type S3Target } from './storage';
import { Wallet, type LedgerEntry, type PriceRequest } from './wallet';

export interface PlatformOptions {
  /** 127.0.0.1 unless given. */
  readonly host?: string;
  /** A free port unless given. */
  readonly port?: number;
  /** A SQLite file; `:memory:` unless given. */
  readonly database?: string;
  /** Where objects go; when left out, an s3rver is started over a temporary directory and stopped with the server. */
  readonly s3?: S3Target;
  /** Users and companions to create (existing emails are kept); `devSeed` unless given. */
  readonly seed?: Seed;
  /** The `iss` of access tokens; the server's URL unless given. */
  readonly issuer?: string;
  readonly audience?: string;
  readonly accessTokenTtlSeconds?: number;
  readonly refreshTokenTtlSeconds?: number;
  /** Files above this size upload in parts of this size. S3 needs at least 5 MiB; tests use less with s3rver. */
  readonly partSize?: number;
  readonly presignTtlSeconds?: number;
  readonly faults?: FaultConfig;
  /** Check every response against the contract; a mismatch becomes a 500 and is listed by `admin.contractViolations()`. */
  readonly validateResponses?: boolean;
  /** Log requests (method, URL, status; never headers or bodies) to stdout. */
  readonly logRequests?: boolean;
}

export interface PlatformAdmin {
  /** The bearer token of the `/__admin` routes. */
  readonly token: string;
  setFaults(config: FaultConfig): void;
  clearFaults(): void;
  faultLog(): readonly FaultEvent[];
  /** Delay between reserving an idempotency key and settling a consumption (to make requests overlap). */
  setSettleDelay(ms: number): void;
  userId(email: string): string;
  grantTokens(email: string, amount: number): number;
  balance(email: string): number;
  ledger(email: string): readonly LedgerEntry[];
  approveImage(imageId: string): void;
  /** An access token for a new session of `email`, signed by the platform's key unless `key` is given. */
  signAccessToken(email: string, overrides?: { readonly aud?: string; readonly iss?: string; readonly expiresAt?: number; readonly key?: SigningKey }): Promise<string>;
  contractViolations(): readonly string[];
}

export interface RunningPlatform {
  readonly url: string;
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string;
  readonly s3: S3Target;
  readonly admin: PlatformAdmin;
  stop(): Promise<void>;
}

interface Caller {
  readonly userId: string;
  readonly plan: Plan;
}

interface Call {
  readonly caller: Caller | undefined;
  readonly params: Readonly<Record<string, string>>;
  readonly query: unknown;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

type Handler = (call: Call) => Answer | Promise<Answer>;

const ok = (body: unknown, status = 200): Answer => ({ status, body });
const replayable = (result: { readonly value: unknown; readonly replayed: boolean }, status: number): Answer => ({
  status,
  body: result.value,
  headers: result.replayed ? { 'idempotent-replayed': 'true' } : {},
});

function signedIn(call: Call): Caller {
  if (call.caller === undefined) throw new Problem('UNAUTHORIZED');
  return call.caller;
}

/** A JSON Pointer for an Ajv error, pointing at the missing property for `required`. */
function pointer(error: ErrorObject): string {
  const missing = error.keyword === 'required' ? (error.params as { missingProperty?: string }).missingProperty : undefined;
  const additional = error.keyword === 'additionalProperties' ? (error.params as { additionalProperty?: string }).additionalProperty : undefined;
  const tail = missing ?? additional;
  return tail === undefined ? error.instancePath : `${error.instancePath}/${tail}`;
}

const partNames: Readonly<Record<string, string>> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

export async function start(options: PlatformOptions = {}): Promise<RunningPlatform> {
  const { operations } = loadContract();
  const db: PlatformDatabase = openPlatformDatabase(options.database ?? ':memory:');
  const ownS3: RunningS3 | undefined = options.s3 === undefined ? await startS3() : undefined;
  const s3Target = options.s3 ?? ownS3?.target;
  if (s3Target === undefined) throw new Error('no S3 target');
  const presignTtlSeconds = options.presignTtlSeconds ?? 900;
  const store = new ObjectStore(s3Target, presignTtlSeconds);
  await store.ensureBucket();

  // Mutable until the server listens: the issuer defaults to its URL.
  const tokenSettings: { -readonly [K in keyof TokenSettings]: TokenSettings[K] } = {
    issuer: options.issuer ?? '',
    audience: options.audience ?? 'studio-desktop',
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 900,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 30 * 24 * 3600,
  };
  const authority = new Authority(db, await createSigningKey(), tokenSettings);
  const wallet = new Wallet(db);
  const images = new Images(db, store, wallet, options.partSize ?? 8 * 1024 * 1024, presignTtlSeconds);
  const faults = new FaultInjector();
  if (options.faults !== undefined) faults.configure(options.faults);
  const violations: string[] = [];
  seed(db, wallet, options.seed ?? devSeed);

  const userPlan = (userId: string): Plan => {
    const row = db.prepare('SELECT plan FROM users WHERE id = ?').get(userId) as { plan: PlanId } | undefined;
    if (row === undefined) throw new Problem('UNAUTHORIZED', 'The account no longer exists.');
    return plans[row.plan];
  };
  const userId = (email: string): string => {
    const row = db.prepare('SELECT id FROM users WHERE email = ?').get(email) as { id: string } | undefined;
    if (row === undefined) throw new Problem('NOT_FOUND', `No user ${email}.`);
    return row.id;
  };
  const companion = (id: string) => {
    const row = db.prepare('SELECT id, name, description, updated_at FROM companions WHERE id = ?').get(id) as
      | { id: string; name: string; description: string; updated_at: string }
      | undefined;
    if (row === undefined) throw new Problem('NOT_FOUND', `No companion ${id}.`);
    const traits = db.prepare('SELECT key, label, value FROM companion_traits WHERE companion_id = ? ORDER BY position').all(id);
    return { id: row.id, name: row.name, description: row.description, traits, updatedAt: row.updated_at };
  };

  const handlers: Readonly<Record<string, Handler>> = {
    getJwks: () => ok(authority.jwks()),
    signIn: async ({ body }) => {
      const { email, password } = body as { email: string; password: string };
      return ok(await authority.signIn(email, password));
    },
    refreshTokens: async ({ body }) => ok(await authority.refresh((body as { refreshToken: string }).refreshToken)),
    signOut: ({ body }) => {
      authority.signOut((body as { refreshToken: string }).refreshToken);
      return { status: 204 };
    },
    getMe: (call) => {
      const { userId: id, plan } = signedIn(call);
      const row = db.prepare('SELECT id, email, display_name, created_at FROM users WHERE id = ?').get(id) as {
        id: string;
        email: string;
        display_name: string;
        created_at: string;
      };
      return ok({ id: row.id, email: row.email, displayName: row.display_name, plan, createdAt: row.created_at });
    },
    getWallet: (call) => ok({ balance: wallet.balance(signedIn(call).userId) }),
    quotePrice: (call) => {
      const { userId: id, plan } = signedIn(call);
      return ok(wallet.quote(id, plan, call.body as PriceRequest));
    },
    consumeTokens: async (call) => {
      const { userId: id, plan } = signedIn(call);
      const key = String(call.headers['idempotency-key']);
      return replayable(await wallet.consume(id, plan, key, call.body as PriceRequest), 201);
    },
    getConsumption: (call) => ok(wallet.consumption(signedIn(call).userId, call.params['consumeKey'] ?? '')),
    refundConsumption: (call) => {
      const { userId: id } = signedIn(call);
      const key = call.params['consumeKey'] ?? '';
      return replayable(wallet.refund(id, key, (call.body as { reason: string }).reason, () => images.consumptionInUse(id, key)), 200);
    },
    checkPrompt: (call) => ok(moderate(signedIn(call).plan.moderationLevel, (call.body as { prompt: string }).prompt)),
    listCompanions: (call) => {
      signedIn(call);
      const ids = db.prepare('SELECT id FROM companions ORDER BY name').all() as { id: string }[];
      return ok({ items: ids.map(({ id }) => companion(id)) });
    },
    getCompanion: (call) => {
      signedIn(call);
      return ok(companion(call.params['companionId'] ?? ''));
    },
    listCompanionTraits: (call) => {
      signedIn(call);
      return ok({ items: companion(call.params['companionId'] ?? '').traits });
    },
    createUpload: async (call) =>
      ok(
        await images.createUpload(
          signedIn(call).userId,
          call.body as { purpose: 'original' | 'thumbnail'; contentType: string; size: number; transfer?: 'presigned' | 'credentials' },
        ),
        201,
      ),
    abortUpload: async (call) => {
      await images.abortUpload(signedIn(call).userId, call.params['uploadId'] ?? '');
      return { status: 204 };
    },
    completeUpload: async (call) =>
      ok(
        await images.completeUpload(
          signedIn(call).userId,
          call.params['uploadId'] ?? '',
          (call.body as { parts: { partNumber: number; etag: string }[] }).parts,
        ),
      ),
    registerImage: (call) => {
      const { userId: id, plan } = signedIn(call);
      const { image, created } = images.register(id, plan.id, call.body as RegisterImageRequest);
      return ok(image, created ? 201 : 200);
    },
    getImage: (call) => ok(images.get(call.params['imageId'] ?? '', call.caller?.userId)),
    deleteImage: async (call) => {
      await images.delete(call.params['imageId'] ?? '', signedIn(call).userId);
      return { status: 204 };
    },
    publishImage: (call) => ok(images.publish(call.params['imageId'] ?? '', signedIn(call).userId)),
    unpublishImage: (call) => ok(images.unpublish(call.params['imageId'] ?? '', signedIn(call).userId)),
    downloadOriginal: async (call) => ok(await images.download(call.params['imageId'] ?? '', signedIn(call).userId)),
    getLikes: (call) => ok(images.likes(call.params['imageId'] ?? '', call.caller?.userId)),
    likeImage: (call) => ok(images.like(call.params['imageId'] ?? '', signedIn(call).userId, true)),
    unlikeImage: (call) => ok(images.like(call.params['imageId'] ?? '', signedIn(call).userId, false)),
    listGallery: async (call) => ok(await images.gallery(call.query as GalleryQuery, call.caller?.userId)),
  };

  const documented = new Set(operations.map((operation) => operation.operationId));
  const unimplemented = [...documented].filter((id) => !(id in handlers));
  const undocumented = Object.keys(handlers).filter((id) => !documented.has(id));
  if (unimplemented.length > 0 || undocumented.length > 0) {
    throw new Error(`contract and server disagree: unimplemented ${unimplemented.join(', ') || '-'}; undocumented ${undocumented.join(', ') || '-'}`);
  }

  // OpenAPI 3.1 schemas are JSON Schema 2020-12. Path, query and header values arrive as strings and are
  // coerced; bodies and responses are checked exactly as sent.
  const ajvOptions = { allErrors: true, allowUnionTypes: true, strict: true, useDefaults: true } as const;
  const coercing = addFormats(new Ajv2020({ ...ajvOptions, coerceTypes: 'array' }));
  const exact = addFormats(new Ajv2020(ajvOptions));
  const responseAjv = addFormats(new Ajv2020({ ...ajvOptions, useDefaults: false }));

  // Compiled up front, so a schema Ajv cannot compile stops the start, not a request.
  const responseValidators = new Map(
    operations.flatMap((operation) => Object.entries(operation.responses).map(([status, schema]) => [`${operation.operationId} ${status}`, responseAjv.compile(schema)] as const)),
  );
  const checkResponse = (operation: Operation, status: number, payload: unknown): string | undefined => {
    if (status < 400 && !operation.statuses.includes(String(status))) return `${operation.operationId} answered ${status}, which the contract does not list`;
    if (status === 204 || typeof payload !== 'string') return undefined;
    const validate = responseValidators.get(`${operation.operationId} ${status}`) ?? responseValidators.get(`${operation.operationId} default`);
    if (validate === undefined) return `${operation.operationId} has no response schema for ${status}`;
    if (validate(JSON.parse(payload))) return undefined;
    return `${operation.operationId} ${status} breaks the contract: ${responseAjv.errorsText(validate.errors)}`;
  };

  // stop() ends every connection, kept-alive or mid-answer (a fault may be holding one): a test server must not outlive its test.
  const app = Fastify({ logger: options.logRequests === true, bodyLimit: 1024 * 1024, forceCloseConnections: true });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? exact : coercing).compile(schema));

  const problemReply = (reply: FastifyReply, request: FastifyRequest, problem: Problem, headers: Readonly<Record<string, string>> = {}) =>
    reply.code(problem.status).headers(headers).type(problemContentType).send(problem.body(request.url));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof Problem) return problemReply(reply, request, error);
    if (error.validation !== undefined) {
      const where = partNames[error.validationContext ?? 'body'] ?? 'body';
      const errors = error.validation.map((e) => ({ in: where, pointer: pointer(e as ErrorObject), message: e.message ?? 'invalid' }));
      return problemReply(reply, request, new Problem('VALIDATION_FAILED', `The ${where} is not valid.`, { errors }));
    }
    const status = error.statusCode ?? 500;
    if (status === 413) return problemReply(reply, request, new Problem('PAYLOAD_TOO_LARGE'));
    if (status === 415) return problemReply(reply, request, new Problem('UNSUPPORTED_MEDIA_TYPE', error.message));
    if (status >= 400 && status < 500) return problemReply(reply, request, new Problem('VALIDATION_FAILED', error.message, { errors: [] }));
    console.error('platform: unexpected error', request.method, request.url, error);
    return problemReply(reply, request, new Problem('INTERNAL'));
  });
  app.setNotFoundHandler((request, reply) => problemReply(reply, request, new Problem('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`)));

  const callers = new WeakMap<FastifyRequest, Caller>();
  const operationOf = new WeakMap<FastifyRequest, Operation>();
  // A request answered by a fault before its handler is not also hit after it.
  const faulted = new WeakSet<FastifyRequest>();

  /** Applies the decided fault: the problem body to answer with, 'dropped', or undefined to carry on. */
  const inject = async (request: FastifyRequest, reply: FastifyReply, operation: Operation, when: 'before' | 'after'): Promise<string | undefined | 'dropped'> => {
    const decision = faults.decide(operation, request.method, request.url, when);
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    const rule = decision.terminal?.rule;
    if (rule === undefined) return undefined;
    if (rule.kind === 'drop') {
      request.raw.socket.destroy();
      return 'dropped';
    }
    const problem =
      rule.kind === 'rate_limit'
        ? new Problem('RATE_LIMITED', 'Injected rate limit.', { retryAfter: rule.retryAfterSeconds ?? 1 })
        : new Problem('INTERNAL', 'Injected fault.', {}, rule.status ?? 500);
    reply.code(problem.status).type(problemContentType);
    if (rule.kind === 'rate_limit') reply.header('retry-after', String(rule.retryAfterSeconds ?? 1));
    return JSON.stringify(problem.body(request.url));
  };

  for (const operation of operations) {
    app.route({
      method: operation.method,
      url: operation.routePath,
      schema: {
        ...(operation.params === undefined ? {} : { params: operation.params }),
        ...(operation.querystring === undefined ? {} : { querystring: operation.querystring }),
        ...(operation.headers === undefined ? {} : { headers: operation.headers }),
        ...(operation.body === undefined ? {} : { body: operation.body }),
      },
      onRequest: async (request, reply) => {
        operationOf.set(request, operation);
        const injected = await inject(request, reply, operation, 'before');
        if (injected !== undefined) faulted.add(request);
        if (injected === 'dropped') return reply.hijack();
        if (injected !== undefined) return reply.send(injected);
        const authorization = request.headers.authorization;
        if (operation.auth === 'required' || (operation.auth === 'optional' && authorization !== undefined)) {
          const { userId: id } = await authority.verify(authorization);
          callers.set(request, { userId: id, plan: userPlan(id) });
        }
        return undefined;
      },
      handler: async (request, reply) => {
        const handler = handlers[operation.operationId];
        if (handler === undefined) throw new Error(`no handler for ${operation.operationId}`);
        const answer = await handler({
          caller: callers.get(request),
          params: request.params as Record<string, string>,
          query: request.query,
          body: request.body,
          headers: request.headers,
        });
        reply.code(answer.status).headers(answer.headers ?? {});
        return answer.status === 204 ? reply.send() : reply.send(answer.body);
      },
    });
  }

  app.addHook('onSend', async (request, reply, payload) => {
    const operation = operationOf.get(request);
    if (operation === undefined) return payload;
    if (options.validateResponses !== false) {
      const violation = checkResponse(operation, reply.statusCode, payload);
      if (violation !== undefined) {
        violations.push(violation);
        reply.code(500).type(problemContentType);
        return JSON.stringify(new Problem('INTERNAL', violation).body(request.url));
      }
    }
    if (faulted.has(request)) return payload;
    const injected = await inject(request, reply, operation, 'after');
    if (injected === 'dropped') return payload;
    return injected ?? payload;
  });

  const adminToken = randomBytes(24).toString('base64url');
  const admin: PlatformAdmin = {
    token: adminToken,
    setFaults: (config) => faults.configure(config),
    clearFaults: () => faults.clear(),
    faultLog: () => faults.log(),
    setSettleDelay: (ms) => {
      wallet.settleDelayMs = ms;
    },
    userId,
    grantTokens: (email, amount) => wallet.grant(userId(email), amount, 'admin grant'),
    balance: (email) => wallet.balance(userId(email)),
    ledger: (email) => wallet.entries(userId(email)),
    approveImage: (imageId) => images.approve(imageId),
    signAccessToken: async (email, overrides = {}) => {
      const id = userId(email);
      const sid = newId('ses');
      db.prepare('INSERT INTO sessions (id, user_id, created_at) VALUES (?, ?, ?)').run(sid, id, new Date().toISOString());
      const { key, ...claims } = overrides;
      return authority.signAccessToken({ sub: id, sid, ...claims }, key);
    },
    contractViolations: () => [...violations],
  };
  registerAdminRoutes(app, admin);
  registerWebPages(app);

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the platform is not listening on TCP');
  const url = `http://${options.host ?? '127.0.0.1'}:${address.port}`;
  if (options.issuer === undefined) tokenSettings.issuer = url;

  return {
    url,
    jwksUrl: `${url}/.well-known/jwks.json`,
    issuer: tokenSettings.issuer,
    audience: tokenSettings.audience,
    s3: s3Target,
    admin,
    async stop() {
      await app.close();
      store.destroy();
      db.close();
      await ownS3?.stop();
    },
  };
}

function seed(db: PlatformDatabase, wallet: Wallet, data: Seed): void {
  const now = new Date().toISOString();
  for (const user of data.users) {
    const id = newId('usr');
    const inserted = db
      .prepare('INSERT OR IGNORE INTO users (id, email, display_name, password_hash, plan, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, user.email, user.displayName, hashPassword(user.password), user.plan, now).changes;
    if (inserted > 0 && user.tokens > 0) wallet.grant(id, user.tokens, 'welcome tokens');
  }
  for (const companion of data.companions) {
    db.transaction(() => {
      db.prepare('INSERT OR REPLACE INTO companions (id, name, description, updated_at) VALUES (?, ?, ?, ?)').run(companion.id, companion.name, companion.description, now);
      db.prepare('DELETE FROM companion_traits WHERE companion_id = ?').run(companion.id);
      companion.traits.forEach((trait, position) =>
        db.prepare('INSERT INTO companion_traits (companion_id, position, key, label, value) VALUES (?, ?, ?, ?, ?)').run(companion.id, position, trait.key, trait.label, trait.value),
      );
    })();
  }
}

/** The pages the app opens in the browser (platform-api.yaml › Web pages); the reference ones only say what a real one does. */
function registerWebPages(app: FastifyInstance): void {
  app.get('/wallet/buy', async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'")
      .send(
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>Buy tokens</title>' +
          '<h1>Buy tokens</h1><p>The platform signs you in and takes the payment here. The reference platform sells nothing: ' +
          'its tokens are granted by <code>PlatformAdmin.grantTokens</code> and the seeded accounts of <code>npm run platform:dev</code>.</p></html>',
      ),
  );
}

function registerAdminRoutes(app: FastifyInstance, admin: PlatformAdmin): void {
  const expected = Buffer.from(admin.token);
  const guard = async (request: FastifyRequest) => {
    const given = Buffer.from((request.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Problem('UNAUTHORIZED', 'The admin token is required.');
  };
  app.put('/__admin/faults', { onRequest: guard, schema: { body: faultConfigSchema } }, async (request, reply) => {
    admin.setFaults(request.body as FaultConfig);
    return reply.code(204).send();
  });
  app.delete('/__admin/faults', { onRequest: guard }, async (_request, reply) => {
    admin.clearFaults();
    return reply.code(204).send();
  });
  app.get('/__admin/faults/log', { onRequest: guard }, async () => ({ events: admin.faultLog() }));
  app.post(
    '/__admin/grants',
    {
      onRequest: guard,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['email', 'amount'],
          properties: { email: { type: 'string' }, amount: { type: 'integer', minimum: 1, maximum: 1_000_000 } },
        },
      },
    },
    async (request) => {
      const { email, amount } = request.body as { email: string; amount: number };
      return { balance: admin.grantTokens(email, amount) };
    },
  );
  app.post('/__admin/images/:imageId/approve', { onRequest: guard }, async (request, reply) => {
    admin.approveImage((request.params as { imageId: string }).imageId);
    return reply.code(204).send();
  });
}
