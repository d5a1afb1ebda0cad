/**
 * A loaded model: its folder, tokenizer and open sessions, checked against what the pipelines need.
 * Runtime: engine process.
 */
import type { ModelInfo, Sampler } from '../protocol';
import { loadTokenizer, type ClipTokenizer } from '../text';
import { readModelFolder, ModelFolderError, type ModelFolder } from './folder';
import { modelHash } from './hash';
import { expectTensors, openSession, type Log, type OpenSession, type SessionSettings } from './sessions';

export interface LoadedModel {
  readonly folder: ModelFolder;
  readonly info: ModelInfo;
  readonly tokenizer: ClipTokenizer;
  readonly textEncoder: OpenSession;
  readonly unet: OpenSession;
  readonly vaeDecoder: OpenSession;
}

const FLOATS = ['float32', 'float16'] as const;

/** Opens every session of a folder and checks their inputs and outputs; releases them all on failure. */
export async function loadModel(path: string, settings: SessionSettings, log: Log): Promise<LoadedModel> {
  const folder = await readModelFolder(path);
  const tokenizer = await loadTokenizer(folder.files.tokenizer);
  const opened: OpenSession[] = [];
  try {
    const open = async (file: string) => {
      const s = await openSession(file, settings, log);
      opened.push(s);
      return s;
    };
    const textEncoder = await open(folder.files.textEncoder);
    expectTensors(folder.files.textEncoder, 'input', textEncoder.inputs, [{ name: 'input_ids', types: ['int32', 'int64'], rank: 2 }]);
    if (textEncoder.outputs.size === 0) throw new ModelFolderError(folder.files.textEncoder, 'the graph declares no outputs');

    const unet = await open(folder.files.unet);
    expectTensors(folder.files.unet, 'input', unet.inputs, [
      { name: 'sample', types: FLOATS, rank: 4 },
      { name: 'timestep', types: ['int64', 'int32', 'float32', 'float16'] },
      { name: 'encoder_hidden_states', types: FLOATS, rank: 3 },
    ]);
    if (unet.outputs.size === 0) throw new ModelFolderError(folder.files.unet, 'the graph declares no outputs');

    const vaeDecoder = await open(folder.files.vaeDecoder);
    expectTensors(folder.files.vaeDecoder, 'input', vaeDecoder.inputs, [{ name: 'latent_sample', types: FLOATS, rank: 4 }]);
    if (vaeDecoder.outputs.size === 0) throw new ModelFolderError(folder.files.vaeDecoder, 'the graph declares no outputs');

    return { folder, tokenizer, textEncoder, unet, vaeDecoder, info: await describe(folder, tokenizer.maxLength, unet.provider) };
  } catch (error) {
    await Promise.all(opened.map((s) => s.session.release()));
    throw error;
  }
}

export async function releaseModel(model: LoadedModel): Promise<void> {
  await Promise.all([model.textEncoder, model.unet, model.vaeDecoder].map((s) => s.session.release()));
}

/** What `inspect` reports without opening sessions (the folder and its tokenizer only). */
export async function inspectModel(path: string): Promise<ModelInfo> {
  const folder = await readModelFolder(path);
  const tokenizer = await loadTokenizer(folder.files.tokenizer);
  return describe(folder, tokenizer.maxLength, undefined);
}

async function describe(folder: ModelFolder, maxTokens: number, provider: ModelInfo['provider']): Promise<ModelInfo> {
  const latentSide = folder.unetSampleSize ?? 64;
  const native = latentSide * folder.vae.scaleFactor;
  const prediction = folder.scheduler.config['prediction_type'];
  return {
    path: folder.path,
    name: folder.name,
    hash: await modelHash(folder.files.unet),
    family: folder.family,
    nativeWidth: native,
    nativeHeight: native,
    maxTokens,
    predictionType: typeof prediction === 'string' ? prediction : 'epsilon',
    defaultSampler: defaultSampler(folder),
    ...(provider ? { provider } : {}),
  };
}

/** The sampler matching the folder's own scheduler; Euler a for schedulers Studio does not offer (PNDM). */
function defaultSampler(folder: ModelFolder): Sampler {
  switch (folder.scheduler.className) {
    case 'EulerDiscreteScheduler':
      return 'euler';
    case 'DDIMScheduler':
      return 'ddim';
    case 'DPMSolverMultistepScheduler':
      return folder.scheduler.config['use_karras_sigmas'] === true ? 'dpmpp-2m-karras' : 'dpmpp-2m';
    case 'LCMScheduler':
      return 'lcm';
    default:
      return 'euler-a';
  }
}
