/**
 * The engine: serves the protocol (protocol.ts) over any message transport. One generation at a time;
 * everything else (cancel, tokenize, devices, inspect) is answered while it runs, because every UNet step
 * awaits onnxruntime's own threads and so yields to incoming messages. Runtime: engine process.
 */
import os from 'node:os';
import ort from 'onnxruntime-node';
import { z } from 'zod';
import { HostMessage, type EngineError, type EngineMessage, type Provider, type ReplyValues } from './protocol';
import { ModelFolderError } from './models/folder';
import { inspectModel, loadModel, releaseModel, type LoadedModel } from './models/model';
import { preferredProviders, providerAvailability } from './models/providers';
import { TokenizerFilesError } from './text';
import { CancelledError, InputError, txt2img } from './pipelines/txt2img';

export interface Transport {
  send(message: EngineMessage): void;
  onMessage(handler: (message: unknown) => void): void;
}

export interface EngineOptions {
  /** onnxruntime intra-op threads (STUDIO_THREADS); undefined: all physical cores. */
  readonly threads?: number;
}

export function toEngineError(error: unknown): EngineError {
  if (error instanceof CancelledError) return { code: 'CANCELLED', message: error.message, details: { completedSteps: error.completedSteps } };
  if (error instanceof InputError) return { code: 'INVALID_INPUT', message: error.message };
  if (error instanceof ModelFolderError) return { code: 'MODEL_INVALID', message: error.message, details: { file: error.file } };
  if (error instanceof TokenizerFilesError) return { code: 'MODEL_INVALID', message: error.message, details: { file: error.file } };
  if (error instanceof z.ZodError) return { code: 'BAD_MESSAGE', message: z.prettifyError(error) };
  if (error instanceof Error) return { code: 'ENGINE_FAILED', message: error.message, details: { stack: error.stack } };
  return { code: 'ENGINE_FAILED', message: String(error) };
}

export function startEngine(transport: Transport, options: EngineOptions = {}): void {
  const models = new Map<string, Promise<LoadedModel>>();
  const running = new Map<string, { readonly controller: AbortController; step: number }>();
  const log = (level: 'info' | 'warn', message: string) => transport.send({ type: 'log', level, message });

  const load = (path: string, providers?: readonly Provider[]): Promise<LoadedModel> => {
    let model = models.get(path);
    if (!model) {
      const settings = { providers: providers ?? preferredProviders(process.platform), ...(options.threads ? { threads: options.threads } : {}) };
      model = loadModel(path, settings, log);
      models.set(path, model);
      // A failed load is not cached: fixing the folder and trying again must work.
      model.catch(() => models.delete(path));
    }
    return model;
  };

  const handlers: { [K in HostMessage['type']]: (m: Extract<HostMessage, { type: K }>) => Promise<ReplyValues[K]> } = {
    devices: async () => ({
      platform: process.platform,
      arch: process.arch,
      providers: providerAvailability(process.platform, process.arch).map((p) => ({ ...p })),
      cpus: os.availableParallelism(),
      onnxruntime: ort.env.versions.common,
    }),
    inspect: (m) => inspectModel(m.model),
    load: async (m) => (await load(m.model, m.providers)).info,
    unload: async (m) => {
      const paths = m.model ? [m.model].filter((p) => models.has(p)) : [...models.keys()];
      for (const path of paths) {
        const model = models.get(path);
        models.delete(path);
        await model?.then(releaseModel, () => undefined);
      }
      return { unloaded: paths };
    },
    tokenize: async (m) => {
      const model = await load(m.model);
      const encoded = model.tokenizer.encode(m.text);
      return { ids: [...encoded.ids], tokenCount: encoded.tokenCount, maxTokens: encoded.maxLength, truncated: encoded.truncated };
    },
    generate: async (m) => {
      if (running.size > 0) throw Object.assign(new Error('the engine is already generating; wait for it or cancel it'), { busy: true });
      const job = { controller: new AbortController(), step: 0 };
      running.set(m.id, job);
      try {
        const model = await load(m.request.model);
        return await txt2img(model, m.request, {
          signal: job.controller.signal,
          onProgress: (p) => {
            job.step = p.step;
            transport.send({ type: 'progress', id: m.id, ...p, previews: p.previews ? [...p.previews] : undefined });
          },
        });
      } finally {
        running.delete(m.id);
      }
    },
    cancel: async (m) => {
      const job = running.get(m.job);
      job?.controller.abort();
      return job ? { cancelled: true, atStep: job.step } : { cancelled: false };
    },
  };

  transport.onMessage((raw) => {
    const parsed = HostMessage.safeParse(raw);
    if (!parsed.success) {
      const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : null;
      const error: EngineError = { code: 'BAD_MESSAGE', message: `malformed message: ${z.prettifyError(parsed.error)}` };
      transport.send(id ? { type: 'failed', id, error } : { type: 'rejected', error });
      return;
    }
    const message = parsed.data;
    const handler = handlers[message.type] as (m: HostMessage) => Promise<unknown>;
    handler(message).then(
      (value) => transport.send({ type: 'reply', id: message.id, value }),
      (error: unknown) => {
        const busy = error instanceof Error && 'busy' in error;
        transport.send({ type: 'failed', id: message.id, error: busy ? { code: 'BUSY', message: (error as Error).message } : toEngineError(error) });
      },
    );
  });
  transport.send({ type: 'ready', pid: process.pid });
}
