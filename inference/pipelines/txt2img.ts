/**
 * Text to image, as a numbered recipe after diffusers' StableDiffusionPipeline. Runtime: engine process.
 */
import type ort from 'onnxruntime-node';
import packageJson from '../../package.json' with { type: 'json' };
import type { GenerateRequest, GenerateResult, Preview, StageTimings } from '../protocol';
import { LIMITS } from '../protocol';
import type { LoadedModel } from '../models/model';
import type { OpenSession } from '../models/sessions';
import { encodePng } from '../image/png';
import { formatParameters } from '../image/parameters';
import { latentPreview, SD_LATENT_RGB } from '../image/preview';
import { TorchGenerator } from '../rng';
import { createScheduler, type SchedulerName } from '../schedulers';
import { floatData, floatTensor, numberTensor } from './tensors';

/** Bad input caught by `checkInputs`: the message names the offending values. */
export class InputError extends Error {
  override readonly name = 'InputError';
  readonly code = 'INVALID_INPUT';
}

export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  readonly code = 'CANCELLED';
  /** Denoising steps finished before the cancel was seen. */
  constructor(readonly completedSteps: number) {
    super('the generation was cancelled');
  }
}

export interface ProgressEvent {
  readonly step: number;
  readonly totalSteps: number;
  readonly previews?: readonly Preview[];
}

export interface RunOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
}

/**
 * Image i of a batch uses seed + i (AUTOMATIC1111's convention), each drawn from its own generator as
 * `torch.randn([1, C, H/8, W/8], generator=torch.manual_seed(seed + i))`: any image of a batch is
 * reproduced alone from the seed its metadata records.
 */
export function imageSeed(seed: number, index: number): number {
  return seed + index;
}

/**
 * One PyTorch generator per image of the batch. A draw of shape [batch, …] concatenates each image's own
 * draw of [1, …], so the ancestral samplers' step noise also follows each image's seed, and image i of a
 * batch equals a batch of one with seed + i.
 */
export class BatchNoise {
  private readonly generators: readonly TorchGenerator[];

  constructor(seed: number, batch: number) {
    // PyTorch computes randn with a vectorised kernel on x86-64 (AVX2) and with libm elsewhere (Apple
    // silicon, ARM Linux): follow the machine we run on, as PyTorch itself would here.
    const normalKernel = process.arch === 'x64' ? 'avx2' : 'scalar';
    this.generators = Array.from({ length: batch }, (_, i) => new TorchGenerator(imageSeed(seed, i), { normalKernel }));
  }

  randn(shape: readonly number[]): Float32Array {
    const [rows = 1, ...rest] = shape;
    if (rows !== this.generators.length) throw new Error(`noise for ${rows} images requested from a batch of ${this.generators.length}`);
    const per = rest.reduce((a, b) => a * b, 1);
    const out = new Float32Array(rows * per);
    this.generators.forEach((g, i) => out.set(g.randn([1, ...rest]), i * per));
    return out;
  }
}

/** Text-encoder outputs cached per model and prompt: re-running a prompt skips the encoder. */
const textCache = new Map<string, { readonly data: Float32Array; readonly dims: readonly number[] }>();
const TEXT_CACHE_SIZE = 32;

class Clock {
  readonly timings = { tokenizeMs: 0, textEncodeMs: 0, unetMs: 0, schedulerMs: 0, previewMs: 0, vaeDecodeMs: 0, pngMs: 0, totalMs: 0, onnxMs: 0 };
  private readonly start = performance.now();

  time<T>(stage: keyof Omit<StageTimings, 'totalMs' | 'onnxMs'>, fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.timings[stage] += performance.now() - t0;
    }
  }

  async timeAsync<T>(stage: keyof Omit<StageTimings, 'totalMs' | 'onnxMs'>, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.timings[stage] += performance.now() - t0;
    }
  }

  async run(session: OpenSession, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.ReturnType> {
    const t0 = performance.now();
    try {
      return await session.session.run(feeds);
    } finally {
      this.timings.onnxMs += performance.now() - t0;
    }
  }

  finish(): StageTimings {
    this.timings.totalMs = performance.now() - this.start;
    return { ...this.timings };
  }
}

function firstOutput(result: ort.InferenceSession.ReturnType, preferred: string): ort.Tensor {
  const tensor = result[preferred] ?? Object.values(result)[0];
  if (!tensor) throw new Error('the graph returned no output');
  return tensor;
}

/** 1. Check inputs against the model: throws with the offending values, never corrects them. */
export function checkInputs(model: LoadedModel, request: GenerateRequest): void {
  const unit = model.folder.vae.scaleFactor;
  for (const [name, value] of [['width', request.width], ['height', request.height]] as const) {
    if (!Number.isInteger(value) || value % 8 !== 0 || value % unit !== 0) {
      throw new InputError(`${name} must be a multiple of ${Math.max(8, unit)}, got ${value}`);
    }
    if (value < LIMITS.minSide || value > LIMITS.maxSide) throw new InputError(`${name} must be between ${LIMITS.minSide} and ${LIMITS.maxSide}, got ${value}`);
  }
  if (!Number.isInteger(request.steps) || request.steps < 1 || request.steps > LIMITS.maxSteps) {
    throw new InputError(`steps must be an integer from 1 to ${LIMITS.maxSteps}, got ${request.steps}`);
  }
  if (!(request.guidance >= 0 && request.guidance <= LIMITS.maxGuidance)) {
    throw new InputError(`guidance must be between 0 and ${LIMITS.maxGuidance}, got ${request.guidance}`);
  }
  if (!Number.isSafeInteger(request.seed) || request.seed < 0 || request.seed + request.batchSize - 1 > LIMITS.maxSeed) {
    throw new InputError(`seed must be an integer from 0 to ${LIMITS.maxSeed - request.batchSize + 1} for a batch of ${request.batchSize}, got ${request.seed}`);
  }
}

export async function txt2img(model: LoadedModel, request: GenerateRequest, options: RunOptions = {}): Promise<GenerateResult> {
  const clock = new Clock();
  const { signal, onProgress } = options;
  let completedSteps = 0;
  const throwIfCancelled = () => {
    if (signal?.aborted) throw new CancelledError(completedSteps);
  };

  // 1. check inputs
  checkInputs(model, request);
  const batch = request.batchSize;
  const doGuidance = request.guidance > 1;

  // 2. encode the prompt (and the negative prompt for classifier-free guidance)
  const cond = await encodeText(model, request.prompt, clock);
  const uncond = doGuidance ? await encodeText(model, request.negativePrompt, clock) : null;
  throwIfCancelled();

  // 3. prepare the scheduler and its timesteps
  const { name, config } = schedulerFor(request.sampler, model.folder.scheduler.config);
  const scheduler = createScheduler(name, config);
  scheduler.setTimesteps(request.steps);

  // 4. prepare latents: each image's own seed, scaled by the scheduler's initial sigma
  const channels = model.folder.vae.latentChannels;
  const h = request.height / model.folder.vae.scaleFactor;
  const w = request.width / model.folder.vae.scaleFactor;
  const perImage = channels * h * w;
  const shape = [batch, channels, h, w] as const;
  const generator = new BatchNoise(request.seed, batch);
  let latents = generator.randn(shape);
  for (let i = 0; i < latents.length; i++) latents[i] = (latents[i] ?? 0) * scheduler.initNoiseSigma;

  // 5. denoise
  const timesteps = scheduler.timesteps;
  const previewEvery = request.previewEvery ?? Math.max(1, Math.round(timesteps.length / 4));
  const rgb = model.folder.vae.latentRgb ?? (channels === 4 ? SD_LATENT_RGB : null);
  const hidden = concatHidden(uncond, cond.prompt, batch);
  for (let i = 0; i < timesteps.length; i++) {
    throwIfCancelled();
    const t = timesteps[i] ?? 0;
    const modelInput = clock.time('schedulerMs', () => scheduler.scaleModelInput(latents, t));
    const unetInput = doGuidance ? repeat(modelInput, 2) : modelInput;
    const noisePred = await clock.timeAsync('unetMs', () => runUnet(model, clock, unetInput, doGuidance ? 2 * batch : batch, shape, t, hidden));
    const guided = doGuidance ? applyGuidance(noisePred, request.guidance) : noisePred;
    latents = clock.time('schedulerMs', () => scheduler.step(guided, t, latents, { generator, shape }));
    const step = i + 1;
    completedSteps = step;
    let previews: Preview[] | undefined;
    if (rgb && previewEvery > 0 && (step % previewEvery === 0) && step < timesteps.length) {
      previews = clock.time('previewMs', () =>
        Array.from({ length: batch }, (_, b) => ({ width: w, height: h, rgb: latentPreview(latents, b, channels, h, w, rgb) })),
      );
    }
    onProgress?.(previews ? { step, totalSteps: timesteps.length, previews } : { step, totalSteps: timesteps.length });
  }
  throwIfCancelled();

  // 6. decode with the VAE, one image at a time (its memory grows with the pixel count)
  const images = [];
  for (let b = 0; b < batch; b++) {
    const z = latents.slice(b * perImage, (b + 1) * perImage);
    for (let i = 0; i < z.length; i++) z[i] = (z[i] ?? 0) / model.folder.vae.scalingFactor;
    const spec = model.vaeDecoder.inputs.get('latent_sample');
    if (!spec) throw new Error('vae_decoder has no latent_sample input');
    const decoded = await clock.timeAsync('vaeDecodeMs', async () => floatData(firstOutput(await clock.run(model.vaeDecoder, { latent_sample: floatTensor(spec, z, [1, channels, h, w]) }), 'sample')));
    const pixels = clock.time('vaeDecodeMs', () => toRgbBytes(decoded, request.width, request.height));
    throwIfCancelled();

    // 7. PNG with the metadata other tools read, and the complete request
    const seed = imageSeed(request.seed, b);
    const png = await clock.timeAsync('pngMs', () => encodePng(pixels, request.width, request.height, metadata(model, request, b, seed), ['studio']));
    images.push({ index: b, seed, width: request.width, height: request.height, png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength) });
  }
  return { images, model: model.info, truncatedTokens: cond.truncated, timings: clock.finish() };
}

function metadata(model: LoadedModel, request: GenerateRequest, index: number, seed: number) {
  const parameters = formatParameters({
    prompt: request.prompt,
    negativePrompt: request.negativePrompt,
    steps: request.steps,
    sampler: request.sampler,
    guidance: request.guidance,
    seed,
    width: request.width,
    height: request.height,
    modelHash: model.info.hash,
    modelName: model.info.name,
    version: `Studio ${packageJson.version}`,
  });
  const studio = JSON.stringify({
    format: 'studio/1',
    request,
    image: { index, seed },
    model: { name: model.info.name, hash: model.info.hash },
  });
  return [
    { keyword: 'parameters', text: parameters },
    { keyword: 'studio', text: studio },
  ];
}

/** The scheduler and config for a sampler: DPM++ 2M Karras is DPM++ 2M with Karras sigmas forced on. */
function schedulerFor(sampler: GenerateRequest['sampler'], config: Readonly<Record<string, unknown>>): { name: SchedulerName; config: Readonly<Record<string, unknown>> } {
  switch (sampler) {
    case 'dpmpp-2m-karras':
      return { name: 'dpmpp-2m', config: { ...config, use_karras_sigmas: true } };
    case 'dpmpp-2m':
      return { name: 'dpmpp-2m', config: { ...config, use_karras_sigmas: false } };
    default:
      return { name: sampler, config };
  }
}

async function encodeText(model: LoadedModel, text: string, clock: Clock): Promise<{ prompt: { data: Float32Array; dims: readonly number[] }; truncated: number }> {
  const encoded = clock.time('tokenizeMs', () => model.tokenizer.encode(text));
  const key = `${model.folder.path}\u0000${encoded.ids.join(',')}`;
  const cached = textCache.get(key);
  if (cached) {
    textCache.delete(key);
    textCache.set(key, cached);
    return { prompt: cached, truncated: encoded.truncated };
  }
  const spec = model.textEncoder.inputs.get('input_ids');
  if (!spec) throw new Error('text_encoder has no input_ids input');
  const out = await clock.timeAsync('textEncodeMs', async () => firstOutput(await clock.run(model.textEncoder, { input_ids: numberTensor(spec, encoded.ids, [1, encoded.ids.length]) }), 'last_hidden_state'));
  const prompt = { data: floatData(out).slice(), dims: out.dims };
  textCache.set(key, prompt);
  if (textCache.size > TEXT_CACHE_SIZE) textCache.delete(textCache.keys().next().value ?? '');
  return { prompt, truncated: encoded.truncated };
}

/** [uncond × batch, cond × batch] (diffusers' order), or cond × batch without guidance. */
function concatHidden(uncond: { prompt: { data: Float32Array; dims: readonly number[] } } | null, cond: { data: Float32Array; dims: readonly number[] }, batch: number) {
  const [, seq = 0, dim = 0] = cond.dims;
  const parts = [...(uncond ? Array<Float32Array>(batch).fill(uncond.prompt.data) : []), ...Array<Float32Array>(batch).fill(cond.data)];
  const data = new Float32Array(parts.length * seq * dim);
  parts.forEach((p, i) => data.set(p, i * seq * dim));
  return { data, rows: parts.length, seq, dim };
}

function repeat(data: Float32Array, times: number): Float32Array {
  const out = new Float32Array(data.length * times);
  for (let i = 0; i < times; i++) out.set(data, i * data.length);
  return out;
}

function applyGuidance(pred: Float32Array, scale: number): Float32Array {
  const half = pred.length / 2;
  const out = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    const u = pred[i] ?? 0;
    out[i] = u + scale * ((pred[half + i] ?? 0) - u);
  }
  return out;
}

/** Runs the UNet over `rows` samples, in chunks when the graph's batch dimension is fixed. */
async function runUnet(model: LoadedModel, clock: Clock, input: Float32Array, rows: number, shape: readonly number[], t: number, hidden: { data: Float32Array; seq: number; dim: number }): Promise<Float32Array> {
  const { unet } = model;
  const sampleSpec = unet.inputs.get('sample');
  const timeSpec = unet.inputs.get('timestep');
  const hiddenSpec = unet.inputs.get('encoder_hidden_states');
  if (!sampleSpec || !timeSpec || !hiddenSpec) throw new Error('unet inputs were not checked');
  const fixed = sampleSpec.shape[0];
  const chunk = typeof fixed === 'number' && fixed > 0 ? fixed : rows;
  const [, c = 0, h = 0, w = 0] = shape;
  const per = c * h * w;
  const out = new Float32Array(rows * per);
  for (let start = 0; start < rows; start += chunk) {
    const n = Math.min(chunk, rows - start);
    const timeDims = timeSpec.shape.length === 0 ? [] : [n];
    const feeds = {
      sample: floatTensor(sampleSpec, input.subarray(start * per, (start + n) * per), [n, c, h, w]),
      timestep: numberTensor(timeSpec, timeDims.length ? Array<number>(n).fill(t) : [t], timeDims),
      encoder_hidden_states: floatTensor(hiddenSpec, hidden.data.subarray(start * hidden.seq * hidden.dim, (start + n) * hidden.seq * hidden.dim), [n, hidden.seq, hidden.dim]),
    };
    out.set(floatData(firstOutput(await clock.run(unet, feeds), 'out_sample')), start * per);
  }
  return out;
}

/** [-1, 1] CHW floats to RGB bytes, as diffusers does: (x / 2 + 0.5).clamp(0, 1) * 255, rounded. */
function toRgbBytes(chw: Float32Array, width: number, height: number): Uint8Array {
  const plane = width * height;
  const out = new Uint8Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const v = Math.min(1, Math.max(0, (chw[c * plane + p] ?? 0) / 2 + 0.5));
      out[p * 3 + c] = Math.round(v * 255);
    }
  }
  return out;
}
