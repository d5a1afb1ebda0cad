/**
 * The contract: its copies of main-side lists agree with the originals, inputs are validated on receipt by the
 * dispatcher, replies and events on receipt by the client, and failures come back as data.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { IMAGE_SORTS as DB_SORTS } from '../../../../db/index';
import { LIMITS, PROVIDERS, SAMPLERS as ENGINE_SAMPLERS } from '../../../../inference/protocol';
import {
  CALL_NAMES,
  EXECUTION_PROVIDERS,
  GENERATION_LIMITS,
  GenerationInput,
  IMAGE_SORTS,
  SAMPLERS,
  createDispatcher,
  createStudioClient,
  type ClientTransport,
  type StudioHandlers,
} from '../../../../electron/contract';
import { toStudioError } from '../../../../electron/core/errors';
import { LibraryError } from '../../../../db/index';

const valid = { modelId: 'embedded', prompt: 'a red circle', sampler: 'euler', steps: 20, guidance: 7, seed: null, width: 512, height: 768 } as const;

describe('contract', () => {
  it('agrees with the engine and the library on samplers, providers, sorts and limits', () => {
    expect(SAMPLERS).toEqual(ENGINE_SAMPLERS);
    expect(EXECUTION_PROVIDERS).toEqual(PROVIDERS);
    expect(IMAGE_SORTS).toEqual(DB_SORTS);
    expect(GENERATION_LIMITS).toMatchObject({
      maxSteps: LIMITS.maxSteps,
      maxGuidance: LIMITS.maxGuidance,
      minSide: LIMITS.minSide,
      maxSide: LIMITS.maxSide,
      maxBatchSize: LIMITS.maxBatch,
      maxPromptChars: LIMITS.maxPromptChars,
      maxSeed: LIMITS.maxSeed,
    });
  });

  it('checks a generation request: defaults filled, bad sizes and unknown keys refused', () => {
    expect(GenerationInput.parse(valid)).toMatchObject({ negativePrompt: '', batchSize: 1, batchCount: 1, seed: null });
    expect(GenerationInput.safeParse({ ...valid, width: 500 }).success).toBe(false);
    expect(GenerationInput.safeParse({ ...valid, steps: 0 }).success).toBe(false);
    expect(GenerationInput.safeParse({ ...valid, sampler: 'plms' }).success).toBe(false);
    expect(GenerationInput.safeParse({ ...valid, model: '/etc' }).success).toBe(false);
  });
});

describe('dispatcher', () => {
  // Only the calls a test makes are implemented; the others are never reached.
  const handlers = {
    getImage: async ({ imageId }: { imageId: number }) => {
      throw new LibraryError('NOT_FOUND', `There is no image ${imageId}.`, { imageId });
    },
    listQueue: async (input: { finishedLimit: number } | undefined) => ({ paused: false, jobs: [], limit: input?.finishedLimit }),
    listTags: async () => {
      throw new TypeError('a bug');
    },
  } as unknown as StudioHandlers;
  const dispatch = createDispatcher(handlers, (e) => toStudioError(e));

  it('refuses unknown calls and invalid input before any handler runs', async () => {
    expect(await dispatch('dropDatabase', {})).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const bad = await dispatch('getImage', { imageId: -1 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', details: { call: 'getImage' } } });
    expect(await dispatch('getImage', { imageId: 1, extra: true })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('returns failures as data: library codes kept, a bug as INTERNAL without its message', async () => {
    expect(await dispatch('getImage', { imageId: 5 })).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'There is no image 5.', details: { imageId: 5 } } });
    const bug = await dispatch('listTags', undefined);
    expect(bug).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(bug)).not.toContain('a bug');
  });

  it('fills defaults before the handler sees the input', async () => {
    expect(await dispatch('listQueue', {})).toMatchObject({ ok: true, value: { limit: 50 } });
  });
});

describe('client', () => {
  const transport = (reply: (name: string, input: unknown) => Promise<unknown>): ClientTransport & { emit(name: string, payload: unknown): void } => {
    const listeners = new Set<(name: string, payload: unknown) => void>();
    return {
      call: reply,
      subscribe: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      emit: (name, payload) => listeners.forEach((l) => l(name, payload)),
    };
  };

  it('has one method per call', () => {
    const client = createStudioClient(transport(async () => null), { fileUrl: (p) => p });
    for (const name of CALL_NAMES) expect(typeof client[name], name).toBe('function');
  });

  it('checks replies: a valid one passes, a malformed one becomes INTERNAL, a lost connection DISCONNECTED', async () => {
    const invalid: string[] = [];
    const replies: unknown[] = [{ ok: true, value: { count: 3 } }, { ok: true, value: { count: 'three' } }];
    const client = createStudioClient(
      transport(async () => {
        if (replies.length === 0) throw new Error('socket closed');
        return replies.shift();
      }),
      { fileUrl: (p) => p, onInvalid: (what) => invalid.push(what) },
    );
    expect(await client.countImages({})).toEqual({ ok: true, value: { count: 3 } });
    expect(await client.countImages({})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(invalid).toEqual(['reply to countImages']);
    expect(await client.countImages({})).toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });
  });

  it('delivers events by name and drops payloads that do not match', () => {
    const t = transport(async () => null);
    const invalid: string[] = [];
    const client = createStudioClient(t, { fileUrl: (p) => p, onInvalid: (what) => invalid.push(what) });
    const got: unknown[] = [];
    const stop = client.on('library.changed', (p) => got.push(p.what));
    t.emit('library.changed', { what: 'albums' });
    t.emit('library.changed', { what: 'everything' });
    t.emit('job.progress', { jobId: 1, step: 1, totalSteps: 2 });
    stop();
    t.emit('library.changed', { what: 'images' });
    expect(got).toEqual(['albums']);
    expect(invalid).toEqual(['event library.changed']);
  });
});

describe('web client', () => {
  it('imports nothing but the contract, so it runs in a browser', async () => {
    const source = await readFile(new URL('../../../../electron/web/client.ts', import.meta.url), 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports).toEqual(['../contract']);
  });
});
