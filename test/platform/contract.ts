/**
 * Reads the OpenAPI document (electron/sync/platform-api.yaml) into what the server needs: one entry per
 * operation with JSON Schemas for its path, query, header and body, its security, and its response schemas.
 * The server registers exactly these routes, so an operation without a handler (or a handler without an
 * operation) fails at start-up.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const contractPath = fileURLToPath(new URL('../../electron/sync/platform-api.yaml', import.meta.url));

export type JsonSchema = Readonly<Record<string, unknown>>;

export interface Operation {
  readonly operationId: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The OpenAPI path template, e.g. `/v1/images/{imageId}`. */
  readonly path: string;
  /** The same path in the router's syntax, e.g. `/v1/images/:imageId`. */
  readonly routePath: string;
  readonly auth: 'required' | 'optional' | 'none';
  readonly params?: JsonSchema;
  readonly querystring?: JsonSchema;
  readonly headers?: JsonSchema;
  readonly body?: JsonSchema;
  /** Response body schemas by status code (`default` included). */
  readonly responses: Readonly<Record<string, JsonSchema>>;
  /** Every documented status code, with a body or not. */
  readonly statuses: readonly string[];
}

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
type JsonObject = { readonly [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: Json | undefined, where: string): JsonObject {
  if (!isObject(value)) throw new Error(`platform-api.yaml: ${where} is not an object`);
  return value;
}

/** Replaces every local `$ref` by its target; the document has no recursive schemas. */
function dereference(node: Json, root: JsonObject, seen: readonly string[] = []): Json {
  if (Array.isArray(node)) return node.map((item: Json) => dereference(item, root, seen));
  if (!isObject(node)) return node;
  const ref = node['$ref'];
  if (typeof ref === 'string') {
    if (!ref.startsWith('#/') || seen.includes(ref)) throw new Error(`platform-api.yaml: cannot resolve ${ref}`);
    let target: Json | undefined = root;
    for (const part of ref.slice(2).split('/')) target = isObject(target) ? target[part] : undefined;
    if (target === undefined) throw new Error(`platform-api.yaml: dangling ${ref}`);
    return dereference(target, root, [...seen, ref]);
  }
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, dereference(value, root, seen)]));
}

function parameterSchema(parameters: readonly JsonObject[], location: string): JsonSchema | undefined {
  const selected = parameters.filter((parameter) => parameter['in'] === location);
  if (selected.length === 0) return location === 'header' ? undefined : { type: 'object', additionalProperties: false };
  // Header names arrive lower-cased; other headers a client sends are not the contract's business.
  const name = (parameter: JsonObject) => (location === 'header' ? String(parameter['name']).toLowerCase() : String(parameter['name']));
  return {
    type: 'object',
    additionalProperties: location === 'header',
    properties: Object.fromEntries(selected.map((parameter) => [name(parameter), parameter['schema'] ?? {}])),
    required: selected.filter((parameter) => parameter['required'] === true).map(name),
  };
}

export function loadContract(path = contractPath): { readonly document: JsonObject; readonly operations: readonly Operation[] } {
  const raw = parse(readFileSync(path, 'utf8')) as Json;
  const root = asObject(raw, 'the document');
  const document = asObject(dereference(root, root), 'the document');
  const defaultSecurity = document['security'];
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(asObject(document['paths'], 'paths'))) {
    for (const [method, value] of Object.entries(asObject(item, path))) {
      const operation = asObject(value, `${method} ${path}`);
      const security = operation['security'] ?? defaultSecurity;
      const requirements = Array.isArray(security) ? (security as readonly Json[]) : [];
      const auth =
        requirements.length === 0 ? 'none' : requirements.some((r) => isObject(r) && Object.keys(r).length === 0) ? 'optional' : 'required';
      const parameters = ((operation['parameters'] ?? []) as readonly Json[]).map((p) => asObject(p, `${method} ${path} parameter`));
      const requestBody = operation['requestBody'];
      const body = isObject(requestBody) ? asObject(asObject(requestBody['content'], 'content')['application/json'], 'body')['schema'] : undefined;
      const responses: Record<string, JsonSchema> = {};
      for (const [status, response] of Object.entries(asObject(operation['responses'], 'responses'))) {
        const content = asObject(response, status)['content'];
        if (!isObject(content)) continue;
        const media = content['application/json'] ?? content['application/problem+json'];
        if (isObject(media) && isObject(media['schema'])) responses[status] = media['schema'];
      }
      operations.push({
        operationId: String(operation['operationId']),
        method: method.toUpperCase() as Operation['method'],
        path,
        routePath: path.replace(/\{(\w+)\}/g, ':$1'),
        auth,
        params: parameterSchema(parameters, 'path'),
        querystring: parameterSchema(parameters, 'query'),
        headers: parameterSchema(parameters, 'header'),
        body: isObject(body) ? body : undefined,
        responses,
        statuses: Object.keys(asObject(operation['responses'], 'responses')),
      });
    }
  }
  return { document, operations };
}
