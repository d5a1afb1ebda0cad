/**
 * Turns the text metadata of a file into the searchable generation fields, for each tool's format:
 * ours (`studio` iTXt, JSON), AUTOMATIC1111 `parameters` (also in EXIF `UserComment`), Fooocus (JSON or A1111
 * text in `parameters`), InvokeAI `invokeai_metadata`, ComfyUI `prompt` (API graph) with `workflow` as a fallback.
 * Input is untrusted: every value is checked for its type, and a format that does not parse falls through to
 * the next one rather than failing the import.
 */
import type { ImageSource } from '../schema';

export interface GenerationFields {
  readonly prompt: string;
  readonly negativePrompt: string;
  readonly modelName: string | null;
  readonly modelHash: string | null;
  readonly sampler: string | null;
  readonly steps: number | null;
  readonly guidance: number | null;
  readonly seed: number | null;
}

export interface InterpretedMetadata {
  readonly source: ImageSource;
  readonly fields: GenerationFields;
}

export const EMPTY_FIELDS: GenerationFields = {
  prompt: '',
  negativePrompt: '',
  modelName: null,
  modelHash: null,
  sampler: null,
  steps: null,
  guidance: null,
  seed: null,
};

type Json = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function num(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : null;
}

function int(value: unknown): number | null {
  const n = num(value);
  return n !== null && Number.isSafeInteger(n) ? n : null;
}

// ---- Studio's own chunk -------------------------------------------------------------------------------------

function readStudio(text: string): GenerationFields | undefined {
  const doc = parseJson(text);
  if (!isObject(doc) || doc.format !== 'studio/1' || !isObject(doc.request)) return undefined;
  const request = doc.request;
  const model = isObject(doc.model) ? doc.model : {};
  const image = isObject(doc.image) ? doc.image : {};
  return {
    prompt: str(request.prompt) ?? '',
    negativePrompt: str(request.negativePrompt) ?? '',
    modelName: str(model.name) ?? str(request.model),
    modelHash: str(model.hash),
    sampler: str(request.sampler),
    steps: int(request.steps),
    guidance: num(request.guidance),
    seed: int(image.seed) ?? int(request.seed),
  };
}

// ---- AUTOMATIC1111 `parameters` -----------------------------------------------------------------------------

/** `Key: value` pairs of the last line; a value may be double-quoted to contain commas. */
const PARAM = /\s*([\w][\w \-/()]*):\s*("(?:\\.|[^\\"])*"|[^,]*)(?:,|$)/gu;

function parseParamsLine(line: string): ReadonlyMap<string, string> {
  const params = new Map<string, string>();
  for (const match of line.matchAll(PARAM)) {
    const key = match[1]?.trim();
    let value = match[2]?.trim() ?? '';
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      const unquoted = parseJson(value);
      value = typeof unquoted === 'string' ? unquoted : value.slice(1, -1);
    }
    if (key !== undefined && key !== '') params.set(key, value);
  }
  return params;
}

export function parseA1111(text: string): { fields: GenerationFields; version: string | null } | undefined {
  const lines = text.replace(/\r\n?/gu, '\n').trim().split('\n');
  const last = lines.at(-1) ?? '';
  if (!/(^|, )Steps: /u.test(last)) return undefined;
  lines.pop();
  const params = parseParamsLine(last);
  const negativeAt = lines.findIndex((line) => line.startsWith('Negative prompt:'));
  const promptLines = negativeAt < 0 ? lines : lines.slice(0, negativeAt);
  const negativeLines = negativeAt < 0 ? [] : lines.slice(negativeAt);
  const negative = negativeLines.join('\n').replace(/^Negative prompt:\s*/u, '');
  return {
    fields: {
      prompt: promptLines.join('\n').trim(),
      negativePrompt: negative.trim(),
      modelName: str(params.get('Model')),
      modelHash: str(params.get('Model hash')),
      sampler: str(params.get('Sampler')),
      steps: int(params.get('Steps')),
      guidance: num(params.get('CFG scale')),
      seed: int(params.get('Seed')),
    },
    version: str(params.get('Version')),
  };
}

// ---- Fooocus (JSON scheme) ----------------------------------------------------------------------------------

function readFooocusJson(doc: Json): GenerationFields {
  return {
    prompt: str(doc.prompt) ?? str(doc.full_prompt) ?? '',
    negativePrompt: str(doc.negative_prompt) ?? '',
    modelName: str(doc.base_model),
    modelHash: str(doc.base_model_hash),
    sampler: str(doc.sampler),
    steps: int(doc.steps),
    guidance: num(doc.guidance_scale),
    seed: int(doc.seed),
  };
}

// ---- InvokeAI -----------------------------------------------------------------------------------------------

function readInvokeAi(text: string): GenerationFields | undefined {
  const doc = parseJson(text);
  if (!isObject(doc)) return undefined;
  const model = isObject(doc.model) ? doc.model : {};
  return {
    prompt: str(doc.positive_prompt) ?? '',
    negativePrompt: str(doc.negative_prompt) ?? '',
    modelName: str(model.name) ?? str(model.model_name) ?? str(doc.model),
    modelHash: str(model.hash),
    sampler: str(doc.scheduler),
    steps: int(doc.steps),
    guidance: num(doc.cfg_scale),
    seed: int(doc.seed),
  };
}

// ---- ComfyUI ------------------------------------------------------------------------------------------------

const MAX_LINK_DEPTH = 16;

/** Follows `[nodeId, output]` links through the API graph to a literal of the wanted kind. */
function resolveInput(graph: Json, value: unknown, keys: readonly string[], depth = 0): unknown {
  if (!Array.isArray(value)) return value;
  if (depth >= MAX_LINK_DEPTH) return undefined;
  const node = graph[String(value[0])];
  if (!isObject(node) || !isObject(node.inputs)) return undefined;
  for (const key of keys) {
    if (key in node.inputs) return resolveInput(graph, node.inputs[key], keys, depth + 1);
  }
  return undefined;
}

const TEXT_KEYS = ['text', 'text_g', 'string', 'value', 'prompt', 'conditioning', 'positive'];
const MODEL_KEYS = ['ckpt_name', 'unet_name', 'model_name', 'model'];

function readComfyPrompt(text: string): GenerationFields | undefined {
  const graph = parseJson(text);
  if (!isObject(graph)) return undefined;
  const sampler = Object.values(graph).find(
    (node): node is Json & { inputs: Json } => isObject(node) && isObject(node.inputs) && 'positive' in node.inputs,
  );
  if (sampler === undefined) return undefined;
  const inputs = sampler.inputs;
  const textOf = (value: unknown) => str(resolveInput(graph, value, TEXT_KEYS));
  return {
    prompt: textOf(inputs.positive) ?? '',
    negativePrompt: textOf(inputs.negative) ?? '',
    modelName: str(resolveInput(graph, inputs.model, MODEL_KEYS)),
    modelHash: null,
    sampler: str(resolveInput(graph, inputs.sampler_name, ['sampler_name', 'value'])),
    steps: int(resolveInput(graph, inputs.steps, ['steps', 'value'])),
    guidance: num(resolveInput(graph, inputs.cfg, ['cfg', 'value'])),
    seed: int(resolveInput(graph, inputs.seed ?? inputs.noise_seed, ['seed', 'noise_seed', 'value'])),
  };
}

/** The UI workflow has no typed links to follow; its text-encode nodes, in order, are the best we can read. */
function readComfyWorkflow(text: string): GenerationFields | undefined {
  const doc = parseJson(text);
  if (!isObject(doc) || !Array.isArray(doc.nodes)) return undefined;
  const texts = doc.nodes
    .filter((node): node is Json => isObject(node) && typeof node.type === 'string' && node.type.startsWith('CLIPTextEncode'))
    .map((node) => (Array.isArray(node.widgets_values) ? str(node.widgets_values[0]) : null))
    .filter((t): t is string => t !== null);
  if (texts.length === 0) return undefined;
  return { ...EMPTY_FIELDS, prompt: texts[0] ?? '', negativePrompt: texts[1] ?? '' };
}

// ---- Dispatch -----------------------------------------------------------------------------------------------

export function interpretTexts(texts: ReadonlyMap<string, string>): InterpretedMetadata {
  const studio = texts.get('studio');
  const ours = studio === undefined ? undefined : readStudio(studio);
  if (ours !== undefined) return { source: 'studio', fields: ours };

  const parameters = texts.get('parameters') ?? texts.get('UserComment') ?? texts.get('Comment');
  if (parameters !== undefined) {
    const doc = parameters.trimStart().startsWith('{') ? parseJson(parameters) : undefined;
    if (isObject(doc) && ('prompt' in doc || 'full_prompt' in doc)) return { source: 'fooocus', fields: readFooocusJson(doc) };
    const a1111 = parseA1111(parameters);
    if (a1111 !== undefined) {
      const fooocus = texts.get('fooocus_scheme') !== undefined || (a1111.version ?? '').startsWith('Fooocus');
      return { source: fooocus ? 'fooocus' : 'a1111', fields: a1111.fields };
    }
  }

  const invoke = texts.get('invokeai_metadata');
  const invokeFields = invoke === undefined ? undefined : readInvokeAi(invoke);
  if (invokeFields !== undefined) return { source: 'invokeai', fields: invokeFields };

  const comfyPrompt = texts.get('prompt');
  const comfy = comfyPrompt === undefined ? undefined : readComfyPrompt(comfyPrompt);
  if (comfy !== undefined) return { source: 'comfyui', fields: comfy };
  const workflow = texts.get('workflow');
  const comfyWorkflow = workflow === undefined ? undefined : readComfyWorkflow(workflow);
  if (comfyWorkflow !== undefined) return { source: 'comfyui', fields: comfyWorkflow };

  // A prompt with no recognisable parameters line (e.g. a bare A1111 prompt) is still worth searching.
  if (parameters !== undefined && parameters.trim() !== '') {
    return { source: 'unknown', fields: { ...EMPTY_FIELDS, prompt: parameters.trim() } };
  }
  return { source: 'unknown', fields: EMPTY_FIELDS };
}
