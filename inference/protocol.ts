/**
 * The engine protocol: every message between the host (Electron main, the CLI, tests) and the engine
 * process, as zod schemas with the types inferred from them. Both sides validate what they receive.
 *
 * Runtime: plain TypeScript (imported by the engine process and by main-side code).
 */
import { z } from 'zod';

/** The samplers the engine offers; `dpmpp-2m-karras` is DPM++ 2M with Karras sigmas. */
export const SAMPLERS = ['euler', 'euler-a', 'ddim', 'dpmpp-2m', 'dpmpp-2m-karras', 'lcm'] as const;
export type Sampler = (typeof SAMPLERS)[number];

export const PROVIDERS = ['cuda', 'dml', 'coreml', 'cpu'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const LIMITS = {
  maxSteps: 150,
  maxGuidance: 30,
  minSide: 64,
  maxSide: 2048,
  maxBatch: 16,
  maxPromptChars: 20_000,
  /** Seeds are JSON numbers: integers up to 2^53 − 1, like AUTOMATIC1111's and ComfyUI's UIs. */
  maxSeed: Number.MAX_SAFE_INTEGER,
} as const;

const side = z
  .number()
  .int()
  .min(LIMITS.minSide)
  .max(LIMITS.maxSide)
  .refine((v) => v % 8 === 0, { message: 'must be a multiple of 8' });

export const GenerateRequest = z.object({
  prompt: z.string().max(LIMITS.maxPromptChars),
  negativePrompt: z.string().max(LIMITS.maxPromptChars),
  /** Absolute path of a model folder in the diffusers ONNX layout. */
  model: z.string().min(1),
  sampler: z.enum(SAMPLERS),
  steps: z.number().int().min(1).max(LIMITS.maxSteps),
  guidance: z.number().min(0).max(LIMITS.maxGuidance),
  seed: z.number().int().min(0).max(LIMITS.maxSeed),
  width: side,
  height: side,
  batchSize: z.number().int().min(1).max(LIMITS.maxBatch),
  /** Previews every this many steps; 0 for none. Absent: about every quarter of the run. */
  previewEvery: z.number().int().min(0).max(LIMITS.maxSteps).optional(),
});
export type GenerateRequest = Readonly<z.infer<typeof GenerateRequest>>;

export const ERROR_CODES = [
  'INVALID_INPUT',
  'BAD_MESSAGE',
  'MODEL_INVALID',
  'MODEL_NOT_FOUND',
  'CANCELLED',
  'BUSY',
  'ENGINE_FAILED',
  'ENGINE_CRASHED',
] as const;
export type EngineErrorCode = (typeof ERROR_CODES)[number];

export const EngineError = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  /** The offending file, value or key, for logs and for precise messages. */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type EngineError = Readonly<z.infer<typeof EngineError>>;

// ------------------------------------------------------------------------------------------ host → engine
const id = z.string().min(1).max(100);

export const HostMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('devices'), id }),
  z.object({ type: z.literal('inspect'), id, model: z.string().min(1) }),
  z.object({ type: z.literal('load'), id, model: z.string().min(1), providers: z.array(z.enum(PROVIDERS)).min(1).optional() }),
  z.object({ type: z.literal('unload'), id, model: z.string().min(1).optional() }),
  z.object({ type: z.literal('tokenize'), id, model: z.string().min(1), text: z.string().max(LIMITS.maxPromptChars) }),
  z.object({ type: z.literal('generate'), id, request: GenerateRequest }),
  z.object({ type: z.literal('cancel'), id, job: id }),
]);
export type HostMessage = z.infer<typeof HostMessage>;

// ------------------------------------------------------------------------------------------ engine → host
export const DeviceInfo = z.object({
  platform: z.string(),
  arch: z.string(),
  /** Execution providers in this build of onnxruntime-node, in the order this platform prefers them. */
  providers: z.array(z.object({ name: z.enum(PROVIDERS), available: z.boolean(), reason: z.string().optional() })),
  cpus: z.number().int(),
  onnxruntime: z.string(),
});
export type DeviceInfo = Readonly<z.infer<typeof DeviceInfo>>;

export const ModelInfo = z.object({
  path: z.string(),
  name: z.string(),
  /** First 10 hex digits of the UNet's SHA-256 (AUTOMATIC1111's "Model hash"). */
  hash: z.string(),
  family: z.enum(['sd1', 'sd2', 'sdxl', 'custom']),
  nativeWidth: z.number().int(),
  nativeHeight: z.number().int(),
  maxTokens: z.number().int(),
  predictionType: z.string(),
  defaultSampler: z.enum(SAMPLERS),
  /** The provider each loaded session runs on; absent from `inspect`. */
  provider: z.enum(PROVIDERS).optional(),
});
export type ModelInfo = Readonly<z.infer<typeof ModelInfo>>;

export const TokenizeResult = z.object({
  ids: z.array(z.number().int()),
  tokenCount: z.number().int(),
  maxTokens: z.number().int(),
  truncated: z.number().int(),
});
export type TokenizeResult = Readonly<z.infer<typeof TokenizeResult>>;

/** Bytes cross the process boundary as Uint8Arrays (structured clone), whatever buffer backs them. */
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected bytes' });

export const Preview = z.object({
  width: z.number().int(),
  height: z.number().int(),
  /** RGB, 3 bytes per pixel, at latent resolution. */
  rgb: bytes,
});
export type Preview = Readonly<z.infer<typeof Preview>>;

export const GeneratedImage = z.object({
  index: z.number().int(),
  seed: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  /** The PNG with its metadata chunks, ready to be written as is. */
  png: bytes,
});
export type GeneratedImage = Readonly<z.infer<typeof GeneratedImage>>;

export const StageTimings = z.object({
  tokenizeMs: z.number(),
  textEncodeMs: z.number(),
  unetMs: z.number(),
  schedulerMs: z.number(),
  previewMs: z.number(),
  vaeDecodeMs: z.number(),
  pngMs: z.number(),
  totalMs: z.number(),
  /** Time spent inside onnxruntime's session.run, for the pipeline-overhead figure. */
  onnxMs: z.number(),
});
export type StageTimings = Readonly<z.infer<typeof StageTimings>>;

export const GenerateResult = z.object({
  images: z.array(GeneratedImage),
  model: ModelInfo,
  truncatedTokens: z.number().int(),
  timings: StageTimings,
});
export type GenerateResult = Readonly<z.infer<typeof GenerateResult>>;

export const EngineMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), pid: z.number().int() }),
  z.object({ type: z.literal('reply'), id, value: z.unknown() }),
  z.object({ type: z.literal('failed'), id, error: EngineError }),
  z.object({
    type: z.literal('progress'),
    id,
    step: z.number().int(),
    totalSteps: z.number().int(),
    /** Present every `previewEvery` steps: one preview per image of the batch. */
    previews: z.array(Preview).optional(),
  }),
  /** A message the engine could not read at all (no usable id). */
  z.object({ type: z.literal('rejected'), error: EngineError }),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string() }),
]);
export type EngineMessage = z.infer<typeof EngineMessage>;

/** What each request message's successful reply carries. */
export interface ReplyValues {
  devices: DeviceInfo;
  inspect: ModelInfo;
  load: ModelInfo;
  unload: { readonly unloaded: readonly string[] };
  tokenize: TokenizeResult;
  generate: GenerateResult;
  cancel: { readonly cancelled: boolean; readonly atStep?: number };
}
export const ReplySchemas = {
  devices: DeviceInfo,
  inspect: ModelInfo,
  load: ModelInfo,
  unload: z.object({ unloaded: z.array(z.string()) }),
  tokenize: TokenizeResult,
  generate: GenerateResult,
  /** `atStep`: the steps done when the engine saw the cancel; the job stops at the next step boundary. */
  cancel: z.object({ cancelled: z.boolean(), atStep: z.number().int().optional() }),
} as const;
