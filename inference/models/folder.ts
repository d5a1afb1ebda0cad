/**
 * Model folders in the diffusers ONNX layout (what Optimum exports and ONNX model hubs publish):
 * model_index.json, text_encoder/ (+ text_encoder_2/ for SDXL), unet/, vae_decoder/, vae_encoder/,
 * tokenizer/ (vocab.json, merges.txt), scheduler/scheduler_config.json.
 *
 * Reading a folder checks that every part is there and that every config parses; what the graphs expect
 * (input names, dtypes, shapes) is checked once the sessions are open (sessions.ts). Runtime: engine process.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

export type ModelFamily = 'sd1' | 'sd2' | 'sdxl' | 'custom';

/** A problem with a model folder: names the file and what is wrong with it. */
export class ModelFolderError extends Error {
  override readonly name = 'ModelFolderError';
  readonly code = 'MODEL_INVALID';
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

export interface VaeSettings {
  readonly scalingFactor: number;
  /** Pixels per latent cell: 2^(number of VAE blocks − 1), 8 for every Stable Diffusion VAE. */
  readonly scaleFactor: number;
  readonly latentChannels: number;
  /** Linear latent → RGB approximation for previews, when the model folder provides one. */
  readonly latentRgb: { readonly factors: readonly (readonly number[])[]; readonly bias: readonly number[] } | null;
}

export interface ModelFolder {
  readonly path: string;
  readonly name: string;
  readonly family: ModelFamily;
  readonly files: {
    readonly textEncoder: string;
    readonly unet: string;
    readonly vaeDecoder: string;
    readonly vaeEncoder: string | null;
    readonly tokenizer: string;
  };
  readonly scheduler: { readonly className: string; readonly config: Readonly<Record<string, unknown>> };
  readonly vae: VaeSettings;
  /** The UNet's `sample_size` in latent cells, when its config says it. */
  readonly unetSampleSize: number | null;
}

type Json = Readonly<Record<string, unknown>>;

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

const NON_FINITE: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/**
 * JSON as Python's json module writes it: diffusers saves float('-inf') defaults (DPM-Solver's
 * `lambda_min_clipped`) as a bare `-Infinity`, which JSON.parse rejects. Bare NaN/Infinity/-Infinity outside
 * strings are read as numbers; everything else is strict JSON.
 */
export function parsePythonJson(text: string): unknown {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    const word = /^(-?Infinity|NaN)/.exec(text.slice(i, i + 9))?.[0];
    if (word) {
      out += `"\\u0000${word}"`;
      i += word.length - 1;
      continue;
    }
    out += c;
  }
  return JSON.parse(out, (_key, value: unknown) => {
    if (typeof value !== 'string' || !value.startsWith('\u0000')) return value;
    return NON_FINITE[value.slice(1)] ?? value;
  });
}

async function readJson(path: string, required: true): Promise<Json>;
async function readJson(path: string, required: false): Promise<Json | null>;
async function readJson(path: string, required: boolean): Promise<Json | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    if (required) throw new ModelFolderError(path, 'missing');
    return null;
  }
  let parsed: unknown;
  try {
    parsed = parsePythonJson(text);
  } catch (error) {
    throw new ModelFolderError(path, `not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ModelFolderError(path, 'expected a JSON object');
  }
  return parsed as Json;
}

async function requireFile(path: string, what: string): Promise<string> {
  if (!(await isFile(path))) throw new ModelFolderError(path, `missing (${what})`);
  return path;
}

function positiveNumber(config: Json, key: string, file: string, fallback: number): number {
  const value = config[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0)) throw new ModelFolderError(file, `"${key}" must be a positive number, got ${JSON.stringify(value)}`);
  return value;
}

function readLatentRgb(config: Json, file: string, channels: number): VaeSettings['latentRgb'] {
  const factors = config['latent_rgb_factors'];
  if (factors === undefined) return null;
  const bias = config['latent_rgb_bias'] ?? [0, 0, 0];
  const isRow = (row: unknown): row is number[] => Array.isArray(row) && row.length === 3 && row.every((v) => typeof v === 'number');
  if (!Array.isArray(factors) || factors.length !== channels || !factors.every(isRow) || !isRow(bias)) {
    throw new ModelFolderError(file, `"latent_rgb_factors" must be ${channels} rows of 3 numbers and "latent_rgb_bias" 3 numbers`);
  }
  return { factors, bias };
}

/** Reads and checks a model folder; throws `ModelFolderError` naming the first problem found. */
export async function readModelFolder(path: string): Promise<ModelFolder> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new ModelFolderError(path, 'no such folder');
  }
  if (!info.isDirectory()) throw new ModelFolderError(path, 'not a folder');

  const index = await readJson(join(path, 'model_index.json'), true);
  const isXl = index['text_encoder_2'] !== undefined || (await isFile(join(path, 'text_encoder_2', 'model.onnx')));
  if (isXl) {
    throw new ModelFolderError(join(path, 'text_encoder_2'), 'SDXL (two text encoders) is not supported yet by this version of Studio');
  }

  const textEncoder = await requireFile(join(path, 'text_encoder', 'model.onnx'), 'the text encoder');
  const unet = await requireFile(join(path, 'unet', 'model.onnx'), 'the UNet');
  const vaeDecoder = await requireFile(join(path, 'vae_decoder', 'model.onnx'), 'the VAE decoder');
  const vaeEncoderPath = join(path, 'vae_encoder', 'model.onnx');
  const vaeEncoder = (await isFile(vaeEncoderPath)) ? vaeEncoderPath : null;
  const tokenizer = join(path, 'tokenizer');
  await requireFile(join(tokenizer, 'vocab.json'), 'the tokenizer vocabulary');
  await requireFile(join(tokenizer, 'merges.txt'), 'the tokenizer merges');

  const schedulerFile = join(path, 'scheduler', 'scheduler_config.json');
  const schedulerConfig = await readJson(schedulerFile, true);
  const className = schedulerConfig['_class_name'];

  const vaeFile = join(path, 'vae_decoder', 'config.json');
  const vaeConfig = (await readJson(vaeFile, false)) ?? {};
  const blocks = vaeConfig['block_out_channels'];
  if (blocks !== undefined && (!Array.isArray(blocks) || blocks.length < 1)) {
    throw new ModelFolderError(vaeFile, '"block_out_channels" must be a non-empty array');
  }
  const latentChannels = positiveNumber(vaeConfig, 'latent_channels', vaeFile, 4);
  const unetConfig = (await readJson(join(path, 'unet', 'config.json'), false)) ?? {};
  const textConfig = (await readJson(join(path, 'text_encoder', 'config.json'), false)) ?? {};
  const sampleSize = unetConfig['sample_size'];

  return {
    path,
    name: basename(path),
    family: familyOf(textConfig, unetConfig),
    files: { textEncoder, unet, vaeDecoder, vaeEncoder, tokenizer },
    scheduler: { className: typeof className === 'string' ? className : 'unknown', config: schedulerConfig },
    vae: {
      // Stable Diffusion 1.x/2.x's factor is diffusers' default when a VAE config does not say.
      scalingFactor: positiveNumber(vaeConfig, 'scaling_factor', vaeFile, 0.18215),
      scaleFactor: 2 ** ((Array.isArray(blocks) ? blocks.length : 4) - 1),
      latentChannels,
      latentRgb: readLatentRgb(vaeConfig, vaeFile, latentChannels),
    },
    unetSampleSize: typeof sampleSize === 'number' && sampleSize > 0 ? sampleSize : null,
  };
}

/** Stable Diffusion 1.x: CLIP ViT-L (768); 2.x: OpenCLIP ViT-H (1024); anything else is custom. */
function familyOf(textConfig: Json, unetConfig: Json): ModelFamily {
  const cross = unetConfig['cross_attention_dim'] ?? textConfig['hidden_size'];
  if (cross === 768) return 'sd1';
  if (cross === 1024) return 'sd2';
  return 'custom';
}
