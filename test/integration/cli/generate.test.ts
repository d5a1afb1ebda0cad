/** The `studio` command as a user runs it: a real process, the embedded model, real files. */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_MODEL } from '../../support/paths';

const STUDIO = fileURLToPath(new URL('../../../electron/cli/studio.js', import.meta.url));

function studio(args: readonly string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [STUDIO, ...args], { cwd, env: { ...process.env, STUDIO_THREADS: '1', STUDIO_MODELS: join(cwd, 'models') } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('studio CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'studio-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('generates images with the embedded model and prints their paths', async () => {
    const run = await studio(['generate', 'a small yellow square on a purple background', '--seed', '42', '--steps', '8', '--sampler', 'dpmpp-2m-karras', '--cfg', '6', '-n', '2', '--out', 'shots'], dir);
    expect(run.stderr).toMatch(/step 8\/8/);
    expect(run.code).toBe(0);
    const paths = run.stdout.trim().split('\n');
    expect(paths).toHaveLength(2);
    expect(paths[0]).toMatch(new RegExp(`^${join(dir, 'shots')}/\\d{8}-\\d{6}-42\\.png$`));
    expect(paths[1]).toMatch(/-43\.png$/);
    const meta = await sharp(paths[1]).metadata();
    expect(meta.comments?.[0]?.text).toContain('Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6, Seed: 43, Size: 64x64');
    expect((await readdir(join(dir, 'shots'))).sort()).toEqual(paths.map((p) => p.split('/').at(-1)).sort());
  });

  it.each([
    [['--sampler', 'plms'], /unknown sampler "plms"; choose one of euler, euler-a/],
    [['--width', '65'], /--width must be a multiple of 8, got 65/],
    [['--steps', '0'], /--steps must be a whole number from 1 to 150, got "0"/],
    [['--steps', '151'], /--steps must be a whole number from 1 to 150/],
    [['--cfg', '31'], /--cfg must be a number from 0 to 30, got "31"/],
    [['--cfg', 'lots'], /--cfg must be a number/],
    [['--seed', '-1'], /--seed/],
    [['--count', '17'], /--count must be a whole number from 1 to 16/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('refuses %j with one sentence, exit code 2 and no file', async (args, message) => {
    const run = await studio(['generate', 'a red circle', '--out', 'refused', ...args], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toBe('');
    await expect(readdir(join(dir, 'refused'))).rejects.toThrow();
  });

  it('names the problem when the model folder is missing or broken, and writes nothing', async () => {
    const missing = await studio(['generate', 'a red circle', '--model', 'nowhere', '--out', 'none'], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`${join(dir, 'nowhere')}: no such folder`);

    const broken = join(dir, 'broken-model');
    await cp(EMBEDDED_MODEL, broken, { recursive: true });
    await rm(join(broken, 'vae_decoder', 'model.onnx'));
    const run = await studio(['generate', 'a red circle', '--model', broken, '--out', 'none'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`studio generate: ${join(broken, 'vae_decoder', 'model.onnx')}: missing (the VAE decoder)`);
    expect(await readdir(join(dir, 'none'))).toEqual([]);
  });

  it('refuses an output folder it cannot write to before doing any work', async () => {
    await writeFile(join(dir, 'a-file'), 'x');
    const run = await studio(['generate', 'a red circle', '--out', join(dir, 'a-file', 'sub')], dir);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`studio generate: cannot write to ${join(dir, 'a-file', 'sub')} (ENOTDIR)`);
  });

  it('tokenizes a prompt as JSON, with the count against the limit', async () => {
    const run = await studio(['tokenize', 'a red circle'], dir);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ tokenCount: 5, maxTokens: 32, truncated: 0 });
    expect(result.ids).toHaveLength(32);
  });

  it('lists the providers and the models, including a broken one with its problem', async () => {
    await cp(EMBEDDED_MODEL, join(dir, 'models', 'copy'), { recursive: true });
    await writeFile(join(dir, 'models', 'copy', 'scheduler', 'scheduler_config.json'), '[]');
    const run = await studio(['models'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/cpu\s+available/);
    expect(run.stdout).toMatch(/studio-shapes {2}custom, 64x64, 32 tokens, hash [0-9a-f]{10}/);
    expect(run.stdout).toContain('scheduler_config.json: expected a JSON object');
  });

  it('prints help and refuses an unknown command', async () => {
    expect((await studio(['--help'], dir)).stdout).toContain('generate');
    const run = await studio(['paint'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command "paint"');
  });
});
