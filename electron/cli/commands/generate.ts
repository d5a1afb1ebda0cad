/**
 * `studio generate "prompt" [options]`: images from the embedded model (or --model), a progress bar on
 * stderr, the written paths on stdout. Files appear whole or not at all. Runtime: Node (CLI).
 */
import { randomInt } from 'node:crypto';
import { constants } from 'node:fs';
import { access, link, mkdir, open, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LIMITS, SAMPLERS, type GenerateRequest, type Sampler } from '../../../inference/protocol';
import { EngineCallError, type ProgressMessage } from '../../core/engine/host';
import { UsageError, type CliCommand, type CliIo } from '../command';
import { EMBEDDED_MODEL } from '../../core/models';
import { withEngine } from '../engine-session';

const USAGE = `Usage: studio generate "prompt" [options]

Options:
  --negative <text>    negative prompt
  --seed <n>           seed (default: random); image i of a batch uses seed + i
  --steps <n>          denoising steps, 1-${LIMITS.maxSteps} (default 20)
  --sampler <name>     ${SAMPLERS.join(', ')} (default: the model's own)
  --cfg <x>            guidance scale, 0-${LIMITS.maxGuidance} (default 7; 1 or less turns guidance off)
  -n, --count <n>      images, 1-${LIMITS.maxBatch} (default 1)
  --width <px>         multiple of 8 (default: the model's native size)
  --height <px>        multiple of 8 (default: the model's native size)
  --model <folder>     a diffusers ONNX model folder (default: the embedded demonstration model)
  --out <dir>          where to write the PNGs (default: ./outputs)`;

const OPTIONS = {
  negative: { type: 'string' },
  seed: { type: 'string' },
  steps: { type: 'string' },
  sampler: { type: 'string' },
  cfg: { type: 'string' },
  count: { type: 'string', short: 'n' },
  width: { type: 'string' },
  height: { type: 'string' },
  model: { type: 'string' },
  out: { type: 'string' },
} as const;

function integer(name: string, raw: string | undefined, fallback: number | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function side(name: string, raw: string | undefined): number | undefined {
  const value = integer(name, raw, undefined, LIMITS.minSide, LIMITS.maxSide);
  if (value !== undefined && value % 8 !== 0) throw new UsageError(`--${name} must be a multiple of 8, got ${value}`);
  return value;
}

export interface GenerateOptions {
  readonly prompt: string;
  readonly negative: string;
  readonly seed: number;
  readonly steps: number;
  readonly sampler: Sampler | undefined;
  readonly guidance: number;
  readonly count: number;
  readonly width: number | undefined;
  readonly height: number | undefined;
  readonly model: string;
  readonly out: string;
}

/** Parses and checks every option before anything starts; throws UsageError with one sentence. */
export function parseGenerateArgs(args: readonly string[], io: Pick<CliIo, 'cwd'>): GenerateOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError('give exactly one prompt, in quotes');
  const sampler = values.sampler;
  if (sampler !== undefined && !(SAMPLERS as readonly string[]).includes(sampler)) {
    throw new UsageError(`unknown sampler "${sampler}"; choose one of ${SAMPLERS.join(', ')}`);
  }
  const cfgRaw = values.cfg;
  const guidance = cfgRaw === undefined ? 7 : Number(cfgRaw);
  if (cfgRaw !== undefined && (cfgRaw.trim() === '' || !Number.isFinite(guidance) || guidance < 0 || guidance > LIMITS.maxGuidance)) {
    throw new UsageError(`--cfg must be a number from 0 to ${LIMITS.maxGuidance}, got "${cfgRaw}"`);
  }
  return {
    prompt: positionals[0] ?? '',
    negative: values.negative ?? '',
    seed: integer('seed', values.seed, undefined, 0, LIMITS.maxSeed) ?? randomInt(0, 2 ** 32),
    steps: integer('steps', values.steps, 20, 1, LIMITS.maxSteps) ?? 20,
    sampler: sampler as Sampler | undefined,
    guidance,
    count: integer('count', values.count, 1, 1, LIMITS.maxBatch) ?? 1,
    width: side('width', values.width),
    height: side('height', values.height),
    model: values.model ? resolve(io.cwd, values.model) : EMBEDDED_MODEL,
    out: resolve(io.cwd, values.out ?? 'outputs'),
  };
}

/** Creates the output folder and proves it writable before any work starts. */
async function prepareOutput(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (error) {
    throw new Error(`cannot write to ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * Writes a file whole or not at all: temp file, fsync, then a hard link to the final name (which, unlike
 * rename, never replaces an existing image), then the temp name goes. Returns the path written.
 */
export async function writeNew(dir: string, base: string, data: Uint8Array): Promise<string> {
  const temp = join(dir, `.${base}.${process.pid}.tmp`);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    for (let n = 1; ; n++) {
      const target = join(dir, `${base}${n === 1 ? '' : `-${n}`}.png`);
      try {
        await link(temp, target);
        const dirHandle = await open(dir, 'r');
        await dirHandle.sync().finally(() => dirHandle.close());
        return target;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

function stamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

function progressBar(io: CliIo, count: number) {
  let firstStep = 0;
  let lastLine = -1;
  return {
    update(p: ProgressMessage) {
      // Timed from the first step on: loading the model and encoding the prompt are not steps.
      if (p.step === 1) firstStep = performance.now();
      const rate = p.step > 1 ? `, ${((performance.now() - firstStep) / 1000 / (p.step - 1)).toFixed(2)} s/step` : '';
      const label = `${count > 1 ? `${count} images, ` : ''}step ${p.step}/${p.totalSteps}${rate}`;
      if (io.stderr.isTTY) {
        const width = 30;
        const done = Math.round((p.step / p.totalSteps) * width);
        io.stderr.write(`\r[${'#'.repeat(done)}${'-'.repeat(width - done)}] ${label}`);
        if (p.step === p.totalSteps) io.stderr.write('\n');
      } else {
        const quarter = Math.floor((p.step / p.totalSteps) * 4);
        if (quarter !== lastLine) {
          lastLine = quarter;
          io.stderr.write(`${label}\n`);
        }
      }
    },
  };
}

export const generateCommand: CliCommand = {
  name: 'generate',
  summary: 'Generate images from a prompt (the embedded model by default)',
  usage: USAGE,
  async run(args, io) {
    const options = parseGenerateArgs(args, io);
    await prepareOutput(options.out);
    const bar = progressBar(io, options.count);
    const job = `cli-${process.pid}`;
    try {
      const result = await withEngine(io, async (engine) => {
        const info = await engine.call({ type: 'load', model: options.model });
        const request: GenerateRequest = {
          prompt: options.prompt,
          negativePrompt: options.negative,
          model: options.model,
          sampler: options.sampler ?? info.defaultSampler,
          steps: options.steps,
          guidance: options.guidance,
          seed: options.seed,
          width: options.width ?? info.nativeWidth,
          height: options.height ?? info.nativeHeight,
          batchSize: options.count,
        };
        const interrupt = () => void engine.cancel(job).catch(() => undefined);
        process.once('SIGINT', interrupt);
        try {
          return await engine.call({ type: 'generate', request }, { id: job, onProgress: (p) => bar.update(p) });
        } finally {
          process.off('SIGINT', interrupt);
        }
      });
      if (result.truncatedTokens > 0) {
        io.stderr.write(`note: the prompt is longer than the model's ${result.model.maxTokens} tokens; the last ${result.truncatedTokens} were ignored\n`);
      }
      const base = stamp(new Date());
      for (const image of result.images) io.stdout.write(`${await writeNew(options.out, `${base}-${image.seed}`, image.png)}\n`);
      return 0;
    } catch (error) {
      if (error instanceof EngineCallError) {
        io.stderr.write(`${io.stderr.isTTY ? '\n' : ''}studio generate: ${error.message}\n`);
        return error.code === 'CANCELLED' ? 130 : 1;
      }
      throw error;
    }
  },
};
