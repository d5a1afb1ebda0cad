/**
 * ONNX Runtime sessions: opened on the preferred provider with a logged fallback, and described by what the
 * graph itself declares (input names, dtypes, shapes). Runtime: engine process.
 */
import ort from 'onnxruntime-node';
import type { Provider } from '../protocol';
import { ModelFolderError } from './folder';
import { providerAvailability } from './providers';

export type Log = (level: 'info' | 'warn', message: string) => void;

export interface TensorSpec {
  readonly name: string;
  readonly type: ort.Tensor.Type;
  readonly shape: readonly (number | string)[];
}

export interface OpenSession {
  readonly session: ort.InferenceSession;
  readonly provider: Provider;
  readonly inputs: ReadonlyMap<string, TensorSpec>;
  readonly outputs: ReadonlyMap<string, TensorSpec>;
}

function specs(metadata: readonly ort.InferenceSession.ValueMetadata[]): Map<string, TensorSpec> {
  const map = new Map<string, TensorSpec>();
  for (const m of metadata) {
    if (m.isTensor) map.set(m.name, { name: m.name, type: m.type, shape: m.shape });
  }
  return map;
}

export interface SessionSettings {
  readonly providers: readonly Provider[];
  /** onnxruntime's intra-op threads; undefined lets it use every physical core. */
  readonly threads?: number;
}

/**
 * Opens `file` on the first provider of `settings.providers` that works. A provider that fails is logged
 * with onnxruntime's reason and the next one is tried; CPU always works unless the file itself is broken.
 */
export async function openSession(file: string, settings: SessionSettings, log: Log): Promise<OpenSession> {
  let lastError: unknown;
  const available = new Map(providerAvailability(process.platform, process.arch).map((p) => [p.name, p]));
  for (const provider of settings.providers) {
    const availability = available.get(provider);
    if (provider !== 'cpu' && availability && !availability.available) {
      // Asking onnxruntime anyway only makes it print a native error: say why once, in our words.
      log('info', `${file}: not trying ${provider}: ${availability.reason ?? 'unavailable'}`);
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(file, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        ...(settings.threads === undefined ? {} : { intraOpNumThreads: settings.threads, interOpNumThreads: 1 }),
      });
      log('info', `${file}: running on ${provider}`);
      return { session, provider, inputs: specs(session.inputMetadata), outputs: specs(session.outputMetadata) };
    } catch (error) {
      lastError = error;
      if (provider !== 'cpu') log('warn', `${file}: ${provider} unavailable (${(error as Error).message.split('\n')[0]}); trying the next provider`);
    }
  }
  throw new ModelFolderError(file, `onnxruntime could not load it: ${(lastError as Error | undefined)?.message.split('\n')[0] ?? 'no provider'}`);
}

type Expectation = { readonly name: string; readonly types: readonly ort.Tensor.Type[]; readonly rank?: number };

/** Checks that a session declares the inputs (or outputs) a pipeline needs, naming the file on failure. */
export function expectTensors(file: string, kind: 'input' | 'output', declared: ReadonlyMap<string, TensorSpec>, expected: readonly Expectation[]): void {
  for (const e of expected) {
    const spec = declared.get(e.name);
    if (!spec) {
      const names = [...declared.keys()].join(', ') || 'none';
      throw new ModelFolderError(file, `expected an ${kind} named "${e.name}", the graph declares: ${names}`);
    }
    if (!e.types.includes(spec.type)) {
      throw new ModelFolderError(file, `${kind} "${e.name}" has dtype ${spec.type}, expected ${e.types.join(' or ')}`);
    }
    if (e.rank !== undefined && spec.shape.length !== 0 && spec.shape.length !== e.rank) {
      throw new ModelFolderError(file, `${kind} "${e.name}" has rank ${spec.shape.length} ([${spec.shape.join(', ')}]), expected ${e.rank}`);
    }
  }
}
