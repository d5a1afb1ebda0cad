// @vitest-environment jsdom
/** The Generate slice: the model chosen and its native size, the submitted request, token counts, reuse. */
import { describe, expect, it } from 'vitest';
import type { ModelEntry } from '../../../../../electron/contract';
import { EMBEDDED, fakeStudio, job, settle } from '../../support';

const broken: ModelEntry = { id: 'broken', path: '/models/broken', builtin: false, usable: false, error: { code: 'MODEL_INVALID', message: 'no unet' } };

describe('generate slice', () => {
  it('chooses the built-in model with its native size and sampler, and submits the form as a GenerationInput', async () => {
    const studio = fakeStudio({ listModels: async () => [broken, EMBEDDED], submitGeneration: async (input) => ({ jobIds: Array.from({ length: input.batchCount }, (_, i) => i + 1) }) });
    const s = () => studio.store.getState();
    await s().loadModels();
    expect(s().form).toMatchObject({ modelId: 'embedded', width: 64, height: 64, sampler: 'euler-a' });
    s().setForm({ prompt: 'a small green square on a white background', steps: 12, batchCount: 3 });
    expect(await s().submit()).toBe(true);
    expect(studio.calls.at(-1)).toEqual({
      name: 'submitGeneration',
      input: {
        modelId: 'embedded',
        prompt: 'a small green square on a white background',
        negativePrompt: '',
        sampler: 'euler-a',
        steps: 12,
        guidance: 7,
        seed: null,
        width: 64,
        height: 64,
        batchSize: 1,
        batchCount: 3,
      },
    });
  });

  it('reports a refused submission as a notice with its code', async () => {
    const studio = fakeStudio({ listModels: async () => [EMBEDDED] });
    await studio.store.getState().loadModels();
    studio.store.getState().setForm({ width: 65 });
    expect(await studio.store.getState().submit()).toBe(false);
    expect(studio.store.getState().notices).toEqual([expect.objectContaining({ kind: 'error', error: expect.objectContaining({ code: 'INVALID_INPUT' }) })]);
  });

  it('keeps only the latest token count when replies arrive out of order', async () => {
    const replies: (() => void)[] = [];
    const studio = fakeStudio({
      listModels: async () => [EMBEDDED],
      tokenize: (input) =>
        new Promise((resolve) => replies.push(() => resolve({ tokenCount: input.text.split(' ').length + 2, maxTokens: 32, truncated: 0 }))),
    });
    const s = () => studio.store.getState();
    await s().loadModels();
    s().setForm({ prompt: 'one' });
    const first = s().tokenize('prompt');
    s().setForm({ prompt: 'one two three' });
    const second = s().tokenize('prompt');
    await settle();
    replies[1]?.();
    await second;
    replies[0]?.();
    await first;
    expect(s().tokens.prompt).toEqual({ tokenCount: 5, maxTokens: 32, truncated: 0 });
  });

  it('reuses an image’s parameters with the seed fixed, and the last job’s seed', async () => {
    const studio = fakeStudio({ listModels: async () => [EMBEDDED] });
    const s = () => studio.store.getState();
    await s().loadModels();
    s().reuseParams({ prompt: 'a tiny black triangle', seed: 42, steps: 9, width: 128, height: 64, sampler: 'ddim' });
    expect(s().form).toMatchObject({ prompt: 'a tiny black triangle', seed: 42, seedMode: 'fixed', steps: 9, width: 128, height: 64, sampler: 'ddim' });
    s().setForm({ seedMode: 'random' });
    s().applyQueue({ paused: false, jobs: [job(1, { status: 'done' }), job(2, { status: 'done', createdAt: 1_800_000_000_000 })] });
    s().reuseLastSeed();
    expect(s().form).toMatchObject({ seed: 1002, seedMode: 'fixed' });
  });
});
