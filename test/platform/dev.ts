/**
 * `npm run platform:dev`: the reference platform for trying the studio by hand. Starts s3rver and the
 * platform with the seeded users and companions, publishes a few gallery images through the platform's own
 * API (so the dev data went the same way the app's will), and prints where everything is.
 *
 * Options: --port N (8787), --data DIR (keeps the database and objects between runs; a fresh temporary
 * folder otherwise), --memory (the database in memory: for benchmarks, where a platform's own storage
 * latency is not what is measured), --unchecked (its answers are not checked against the contract, as a
 * production platform's are not: for benchmarks; tests and the default check every one), --log (log requests).
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { devPassword, devSeed } from './seed';
import { start } from './server';
import { startS3 } from './storage';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '8787' }, data: { type: 'string' }, memory: { type: 'boolean', default: false }, unchecked: { type: 'boolean', default: false }, log: { type: 'boolean', default: false } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, not ${values.port}`);
const dataDir = values.data ?? (await mkdtemp(join(tmpdir(), 'studio-platform-')));
await mkdir(join(dataDir, 's3'), { recursive: true });

const s3 = await startS3({ directory: join(dataDir, 's3') });
const platform = await start({ port, database: values.memory ? ':memory:' : join(dataDir, 'platform.sqlite'), s3: s3.target, logRequests: values.log, validateResponses: !values.unchecked });

async function json<T>(method: string, path: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(platform.url + path, {
    method,
    headers: { ...headers, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text === '' ? {} : JSON.parse(text)) as T;
}

async function put(platformUpload: { url: string | null; headers: Record<string, string> }, bytes: Buffer): Promise<void> {
  const response = await fetch(platformUpload.url ?? '', { method: 'PUT', headers: platformUpload.headers, body: bytes });
  if (!response.ok) throw new Error(`PUT to S3: ${response.status}`);
}

/** Publishes one picture the way the studio does: consume, upload, register, publish. */
async function publishSample(email: string, index: number, companionId: string | undefined): Promise<void> {
  const { accessToken } = await json<{ accessToken: string }>('POST', '/v1/auth/sign-in', undefined, { email, password: devPassword });
  const hue = (index * 47) % 360;
  const background = { r: Math.round(128 + 100 * Math.cos((hue * Math.PI) / 180)), g: 90 + (index * 23) % 120, b: Math.round(128 + 100 * Math.sin((hue * Math.PI) / 180)) };
  const original = await sharp({ create: { width: 512, height: 512, channels: 3, background } }).png().toBuffer();
  const thumbnail = await sharp(original).resize(128, 128).png().toBuffer();
  const consumeKey = `dev-sample-${index}`;
  await json('POST', '/v1/wallet/consume', accessToken, { action: 'publish', width: 512, height: 512, bytes: original.length }, { 'idempotency-key': consumeKey });
  const uploadIds: string[] = [];
  for (const [purpose, bytes] of [['original', original], ['thumbnail', thumbnail]] as const) {
    const upload = await json<{ id: string; url: string | null; headers: Record<string, string> }>('POST', '/v1/uploads', accessToken, { purpose, contentType: 'image/png', size: bytes.length });
    await put(upload, bytes);
    await json('POST', `/v1/uploads/${upload.id}/complete`, accessToken, { parts: [] });
    uploadIds.push(upload.id);
  }
  const image = await json<{ id: string }>('POST', '/v1/images', accessToken, {
    consumeKey,
    originalUploadId: uploadIds[0],
    thumbnailUploadId: uploadIds[1],
    width: 512,
    height: 512,
    title: `Sample ${index + 1}`,
    ...(companionId === undefined ? {} : { companionId }),
    generation: { prompt: `a calm landscape study number ${index + 1}, soft light`, model: index % 2 === 0 ? 'studio-embedded' : 'sd15', sampler: 'euler_a', steps: 20, cfgScale: 7, seed: 1000 + index },
  });
  await json('POST', `/v1/images/${image.id}/publish`, accessToken);
}

const gallery = await json<{ items: unknown[] }>('GET', '/v1/gallery?limit=1', undefined);
if (gallery.items.length === 0) {
  const authors = ['carol@example.com', 'alice@example.com'];
  for (let index = 0; index < 6; index++) {
    // Three companions over four slots: every fourth sample depicts none.
    await publishSample(authors[index % authors.length] ?? 'carol@example.com', index, devSeed.companions[index % 4]?.id);
  }
}

console.log(`Studio reference platform at ${platform.url}`);
console.log(`  contract: electron/sync/platform-api.yaml   JWKS: ${platform.jwksUrl}`);
console.log(`  issuer ${platform.issuer}, audience ${platform.audience}`);
console.log(`  S3 (s3rver) at ${platform.s3.endpoint}, bucket ${platform.s3.bucket}`);
console.log(`  data in ${dataDir}`);
console.log(`  admin token (for /__admin/*): ${platform.admin.token}`);
console.log('  users (password "studio-dev"):');
for (const user of devSeed.users) console.log(`    ${user.email.padEnd(20)} ${user.plan.padEnd(7)} ${platform.admin.balance(user.email)} tokens`);
console.log('Ctrl-C stops it.');

const shutdown = async () => {
  await platform.stop();
  await s3.stop();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
