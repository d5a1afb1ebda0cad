import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelFolderError, parsePythonJson, readModelFolder } from '../../../../inference/models/folder';
import { EMBEDDED_MODEL } from '../../../support/paths';

describe('JSON as Python writes it', () => {
  it('reads bare -Infinity, Infinity and NaN as numbers, and leaves strings alone', () => {
    const parsed = parsePythonJson('{"lambda_min_clipped": -Infinity, "a": [Infinity, NaN, 1.5], "s": "NaN \\" -Infinity", "t": "\\\\"}') as Record<string, unknown>;
    expect(parsed['lambda_min_clipped']).toBe(-Infinity);
    expect(parsed['a']).toEqual([Infinity, NaN, 1.5]);
    expect(parsed['s']).toBe('NaN " -Infinity');
    expect(parsed['t']).toBe('\\');
  });

  it('still rejects what is not JSON', () => {
    expect(() => parsePythonJson('{ nope')).toThrow(SyntaxError);
    expect(() => parsePythonJson('{"a": Infinit}')).toThrow(SyntaxError);
  });
});

describe('model folders', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'studio-folder-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function copy(name: string): Promise<string> {
    const path = join(dir, name);
    await cp(EMBEDDED_MODEL, path, { recursive: true });
    return path;
  }

  it('reads the embedded model: parts, VAE settings and scheduler config', async () => {
    const folder = await readModelFolder(EMBEDDED_MODEL);
    expect(folder.name).toBe('studio-shapes');
    expect(folder.family).toBe('custom');
    expect(folder.vae).toMatchObject({ scaleFactor: 8, latentChannels: 4 });
    expect(folder.vae.latentRgb?.factors).toHaveLength(4);
    expect(folder.scheduler.className).toBe('EulerAncestralDiscreteScheduler');
    expect(folder.unetSampleSize).toBe(8);
  });

  it.each([
    ['model_index.json', 'missing'],
    ['text_encoder/model.onnx', 'missing (the text encoder)'],
    ['tokenizer/vocab.json', 'missing (the tokenizer vocabulary)'],
    ['scheduler/scheduler_config.json', 'missing'],
  ])('names the file when %s is missing', async (file, problem) => {
    const path = await copy(`missing-${file.replace(/\W/g, '-')}`);
    await rm(join(path, file));
    const error = await readModelFolder(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFolderError);
    expect((error as ModelFolderError).file).toBe(join(path, file));
    expect((error as Error).message).toBe(`${join(path, file)}: ${problem}`);
  });

  it('refuses malformed configs with the key and the value', async () => {
    const path = await copy('bad-vae');
    await writeFile(join(path, 'vae_decoder', 'config.json'), '{"scaling_factor": -1}');
    await expect(readModelFolder(path)).rejects.toThrow(`${join(path, 'vae_decoder', 'config.json')}: "scaling_factor" must be a positive number, got -1`);
    await writeFile(join(path, 'vae_decoder', 'config.json'), '{"latent_rgb_factors": [[1, 2]]}');
    await expect(readModelFolder(path)).rejects.toThrow('"latent_rgb_factors" must be 4 rows of 3 numbers');
  });

  it('falls back to Stable Diffusion defaults when component configs are absent', async () => {
    const path = await copy('no-configs');
    await rm(join(path, 'vae_decoder', 'config.json'));
    await rm(join(path, 'unet', 'config.json'));
    const folder = await readModelFolder(path);
    expect(folder.vae).toMatchObject({ scalingFactor: 0.18215, scaleFactor: 8, latentRgb: null });
    expect(folder.unetSampleSize).toBeNull();
  });

  it('refuses SDXL with a clear message rather than failing later', async () => {
    const path = await copy('xl');
    await writeFile(join(path, 'model_index.json'), '{"text_encoder_2": ["diffusers", "OnnxRuntimeModel"]}');
    await expect(readModelFolder(path)).rejects.toThrow(/SDXL \(two text encoders\) is not supported yet/);
  });

  it('refuses a path that is not a folder', async () => {
    await expect(readModelFolder(join(dir, 'nothing'))).rejects.toThrow('no such folder');
    await writeFile(join(dir, 'file'), '');
    await expect(readModelFolder(join(dir, 'file'))).rejects.toThrow('not a folder');
  });
});
