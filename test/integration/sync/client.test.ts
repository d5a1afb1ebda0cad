/** The platform client against the reference platform: problem+json as typed errors, retries, Retry-After, timeouts. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PlatformClient, PlatformError } from '../../../electron/sync/index';
import { Wallet } from '../../../electron/sync/wire';
import { startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.sync.signIn('alice@example.com', 'studio-dev');
});
afterEach(() => h.platform.admin.clearFaults());
afterAll(() => h.stop());

const wallet = { method: 'GET', path: '/v1/wallet', signed: true, retryable: true } as const;

describe('the platform client', () => {
  it('turns problem+json into typed errors with the platform\'s code and details', async () => {
    const error = await h.sync.client
      .request({ method: 'POST', path: '/v1/wallet/consume', headers: { 'idempotency-key': 'too-expensive-1' }, body: { action: 'publish', width: 16384, height: 16384, bytes: 1 }, signed: true, retryable: true }, Wallet)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ code: 'INSUFFICIENT_TOKENS', status: 402, problemCode: 'INSUFFICIENT_TOKENS', details: { price: 1081, balance: 500 } });
  });

  it('waits what Retry-After says before trying a 429 again', async () => {
    h.platform.admin.setFaults({ seed: 1, rules: [{ route: 'getWallet', kind: 'rate_limit', retryAfterSeconds: 1, limit: 1 }] });
    const started = performance.now();
    expect(await h.sync.client.request(wallet, Wallet)).toEqual({ balance: 500 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(h.platform.admin.faultLog()).toHaveLength(1);
  });

  it('leaves a Retry-After past its cap to the caller, with the wait', async () => {
    h.platform.admin.setFaults({ seed: 1, rules: [{ route: 'getWallet', kind: 'rate_limit', retryAfterSeconds: 30 }] });
    await expect(h.sync.client.request(wallet, Wallet)).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 30_000 });
    expect(h.platform.admin.faultLog()).toHaveLength(1);
  });

  it('retries dropped connections and 5xx of retryable requests, never of the others', async () => {
    h.platform.admin.setFaults({ seed: 1, rules: [{ route: 'getWallet', kind: 'drop', limit: 1 }, { route: 'getWallet', kind: 'error', limit: 1 }] });
    expect(await h.sync.client.request(wallet, Wallet)).toEqual({ balance: 500 });
    h.platform.admin.setFaults({ seed: 1, rules: [{ route: 'getWallet', kind: 'error', status: 503, limit: 1 }] });
    await expect(h.sync.client.request({ ...wallet, retryable: false }, Wallet)).rejects.toMatchObject({ code: 'PLATFORM_UNAVAILABLE', status: 503 });
  });

  it('times out a slow answer as PLATFORM_UNAVAILABLE', async () => {
    const impatient = new PlatformClient({ baseUrl: h.platform.url, timeoutMs: 200, maxAttempts: 1 });
    h.platform.admin.setFaults({ seed: 1, rules: [{ route: 'getJwks', kind: 'latency', latencyMs: 600 }] });
    await expect(impatient.request({ method: 'GET', path: '/.well-known/jwks.json', signed: false, retryable: true }, Wallet)).rejects.toMatchObject({
      code: 'PLATFORM_UNAVAILABLE',
      details: { reason: 'timeout' },
    });
  });

  it('takes an answer cut short mid-body, or longer than it reads, as the platform unavailable', async () => {
    // A server that promises more than it sends and hangs up, and one that sends 17 MB: no platform does either
    // on purpose, a broken proxy or a wrong URL can.
    const server = createServer((request, response) => {
      if (request.url === '/short') {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        response.write('{"balance":');
        setTimeout(() => response.socket?.destroy(), 20);
      } else {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(Buffer.alloc(17 * 1024 * 1024, 32));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new PlatformClient({ baseUrl: `http://127.0.0.1:${port}`, maxAttempts: 1 });
    try {
      await expect(client.request({ method: 'GET', path: '/short', signed: false, retryable: true }, Wallet)).rejects.toMatchObject({ code: 'PLATFORM_UNAVAILABLE' });
      await expect(client.request({ method: 'GET', path: '/long', signed: false, retryable: true }, Wallet)).rejects.toMatchObject({ code: 'PLATFORM_UNAVAILABLE' });
    } finally {
      client.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses an answer that breaks the contract', async () => {
    await expect(h.sync.client.request({ method: 'GET', path: '/v1/me', signed: true, retryable: true }, Wallet)).rejects.toMatchObject({ code: 'PROTOCOL', status: 200 });
  });
});
