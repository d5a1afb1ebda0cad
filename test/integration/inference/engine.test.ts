/**
 * The engine process through the real host: a Node child process running onnxruntime-node on the
 * embedded model.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineCallError, EngineHost, forkEngine, type ProgressMessage } from '../../../electron/core/engine/host';
import type { GenerateRequest } from '../../../inference/protocol';
import { EMBEDDED_MODEL } from '../../support/paths';

const request: GenerateRequest = {
  prompt: 'a large red circle on a blue background',
  negativePrompt: '',
  model: EMBEDDED_MODEL,
  sampler: 'euler-a',
  steps: 12,
  guidance: 7,
  seed: 42,
  width: 64,
  height: 64,
  batchSize: 2,
};

function callError(promise: Promise<unknown>): Promise<EngineCallError> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => {
      if (!(error instanceof EngineCallError)) throw error;
      return error;
    },
  );
}

describe('engine process', () => {
  let engine: EngineHost;
  let scratch: string;

  beforeAll(async () => {
    engine = new EngineHost(forkEngine({ ...process.env, STUDIO_THREADS: '1' }));
    await engine.ready;
    scratch = await mkdtemp(join(tmpdir(), 'studio-engine-'));
  });
  afterAll(async () => {
    await engine.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('reports the devices and providers', async () => {
    const devices = await engine.call({ type: 'devices' });
    expect(devices.providers.at(-1)).toEqual({ name: 'cpu', available: true });
    expect(devices.providers.map((p) => p.name)).toContain(process.platform === 'linux' ? 'cuda' : 'cpu');
  });

  it('loads the embedded model, reading its size, token limit and sampler from the folder', async () => {
    const info = await engine.call({ type: 'load', model: EMBEDDED_MODEL });
    expect(info).toMatchObject({ name: 'studio-shapes', nativeWidth: 64, nativeHeight: 64, maxTokens: 32, provider: 'cpu', defaultSampler: 'euler-a' });
    expect(info.hash).toMatch(/^[0-9a-f]{10}$/);
  });

  it('generates a batch with progress on every step and previews about every quarter', async () => {
    const progress: ProgressMessage[] = [];
    const result = await engine.call({ type: 'generate', request }, { onProgress: (p) => progress.push(p) });
    expect(progress.map((p) => p.step)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const withPreview = progress.filter((p) => p.previews);
    expect(withPreview.map((p) => p.step)).toEqual([3, 6, 9]);
    expect(withPreview[0]?.previews).toHaveLength(2);
    expect(withPreview[0]?.previews?.[0]).toMatchObject({ width: 8, height: 8 });
    expect(withPreview[0]?.previews?.[0]?.rgb).toHaveLength(8 * 8 * 3);

    expect(result.images.map((i) => [i.index, i.seed])).toEqual([[0, 42], [1, 43]]);
    const [first] = result.images;
    const meta = await sharp(first?.png).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 64, height: 64 });
    const parameters = meta.comments?.find((c) => c.keyword === 'parameters')?.text ?? '';
    expect(parameters).toMatch(/^a large red circle on a blue background\nSteps: 12, Sampler: Euler a, Schedule type: Automatic, CFG scale: 7, Seed: 42, Size: 64x64, Model hash: [0-9a-f]{10}, Model: studio-shapes, Version: Studio /);
    const studio = JSON.parse(meta.comments?.find((c) => c.keyword === 'studio')?.text ?? '{}');
    expect(studio).toMatchObject({ format: 'studio/1', request, image: { index: 0, seed: 42 } });
    expect(result.timings.totalMs).toBeGreaterThan(result.timings.onnxMs);
  });

  it('gives image i of a batch exactly the image a batch of one gives with seed + i', async () => {
    const batch = await engine.call({ type: 'generate', request });
    const single = await engine.call({ type: 'generate', request: { ...request, seed: 43, batchSize: 1 } });
    const pixels = (png: Uint8Array | undefined) => sharp(png).raw().toBuffer();
    expect(await pixels(single.images[0]?.png)).toEqual(await pixels(batch.images[1]?.png));
  });

  it('cancels a running generation within one step of seeing the cancel', async () => {
    const job = 'cancel-me';
    let cancel: Promise<{ readonly cancelled: boolean; readonly atStep?: number }> | undefined;
    const running = engine.call({ type: 'generate', request: { ...request, steps: 60, batchSize: 1 } }, {
      id: job,
      onProgress: (p) => {
        if (p.step === 3) cancel = engine.cancel(job);
      },
    });
    const error = await callError(running);
    expect(error.code).toBe('CANCELLED');
    const seen = await cancel;
    expect(seen?.cancelled).toBe(true);
    const stoppedAfter = Number(error.error.details?.['completedSteps']);
    expect(stoppedAfter - (seen?.atStep ?? NaN)).toBeLessThanOrEqual(1);
    expect(stoppedAfter).toBeLessThan(60);
    expect(await engine.cancel(job)).toEqual({ cancelled: false });
  });

  it('answers a malformed message with an error and keeps serving', async () => {
    const bad = callError(engine.call({ type: 'generate', request: { ...request, sampler: 'plms' as never } }));
    expect((await bad).code).toBe('BAD_MESSAGE');
    engine.sendRaw({ type: 'no-such-message' });
    engine.sendRaw('not even an object');
    const bigSeed = await callError(engine.call({ type: 'generate', request: { ...request, width: 60 } }));
    expect(bigSeed.code).toBe('BAD_MESSAGE');
    expect((await engine.call({ type: 'tokenize', model: EMBEDDED_MODEL, text: 'a red circle' })).tokenCount).toBe(5);
  });

  it('tokenizes with the model tokenizer and reports the truncated tokens', async () => {
    const long = Array.from({ length: 40 }, () => 'red').join(' ');
    expect(await engine.call({ type: 'tokenize', model: EMBEDDED_MODEL, text: long })).toMatchObject({ tokenCount: 42, maxTokens: 32, truncated: 10 });
  });

  it('names the file when a model folder is broken, and serves again once it is fixed', async () => {
    const broken = join(scratch, 'broken');
    await cp(EMBEDDED_MODEL, broken, { recursive: true });
    await rm(join(broken, 'unet', 'model.onnx'));
    const missing = await callError(engine.call({ type: 'load', model: broken }));
    expect(missing.code).toBe('MODEL_INVALID');
    expect(missing.message).toContain(join(broken, 'unet', 'model.onnx'));

    await cp(join(EMBEDDED_MODEL, 'vae_decoder', 'model.onnx'), join(broken, 'unet', 'model.onnx'));
    const wrong = await callError(engine.call({ type: 'load', model: broken }));
    expect(wrong.message).toMatch(/unet[/\\]model\.onnx: expected an input named "sample"/);

    await writeFile(join(broken, 'unet', 'model.onnx'), 'not an onnx file');
    expect((await callError(engine.call({ type: 'load', model: broken }))).message).toMatch(/onnxruntime could not load it/);

    await cp(join(EMBEDDED_MODEL, 'unet', 'model.onnx'), join(broken, 'unet', 'model.onnx'));
    await writeFile(join(broken, 'scheduler', 'scheduler_config.json'), '{ nope');
    expect((await callError(engine.call({ type: 'load', model: broken }))).message).toMatch(/scheduler_config\.json: not valid JSON/);

    await cp(join(EMBEDDED_MODEL, 'scheduler'), join(broken, 'scheduler'), { recursive: true });
    await rm(join(broken, 'tokenizer', 'merges.txt'));
    expect((await callError(engine.call({ type: 'load', model: broken }))).message).toContain('merges.txt');

    await cp(join(EMBEDDED_MODEL, 'tokenizer'), join(broken, 'tokenizer'), { recursive: true });
    expect((await engine.call({ type: 'load', model: broken })).name).toBe('broken');
    expect((await engine.call({ type: 'unload', model: broken })).unloaded).toEqual([broken]);
  });
});

describe('engine crash', () => {
  it('is reported to the host with the job that was running', async () => {
    const engine = new EngineHost(forkEngine({ ...process.env, STUDIO_THREADS: '1' }));
    await engine.ready;
    const running = callError(engine.call({ type: 'generate', request: { ...request, steps: 100, batchSize: 1 } }, { id: 'doomed', onProgress: (p) => p.step === 2 && process.kill(engine.pid ?? 0, 'SIGKILL') }));
    const error = await running;
    expect(error.code).toBe('ENGINE_CRASHED');
    expect(error.message).toContain('doomed');
    expect(error.error.details).toMatchObject({ jobs: ['doomed'], signal: 'SIGKILL' });
    expect((await callError(engine.call({ type: 'devices' }))).code).toBe('ENGINE_CRASHED');
  });
});
