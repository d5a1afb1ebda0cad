/**
 * The Generate form: its fields, the models to choose from, the prompts' live token counts, and submitting
 * (which queues jobs; their progress lives in the queue slice).
 */
import type { GenerationInput, GenerationParams, ModelEntry, Sampler, Settings, TokenCount } from '../../../../electron/contract';
import { valueOr, type SliceCreator } from '../../store';

export interface GenerateForm {
  readonly modelId: string;
  readonly prompt: string;
  readonly negativePrompt: string;
  readonly sampler: Sampler;
  readonly steps: number;
  readonly guidance: number;
  /** random: a new seed per submission; fixed: `seed`. */
  readonly seedMode: 'random' | 'fixed';
  readonly seed: number;
  readonly width: number;
  readonly height: number;
  readonly batchSize: number;
  readonly batchCount: number;
}

export type PromptField = 'prompt' | 'negativePrompt';

export interface GenerateSlice {
  readonly form: GenerateForm;
  readonly models: readonly ModelEntry[];
  readonly tokens: Readonly<Record<PromptField, TokenCount | null>>;
  readonly submitting: boolean;
  setForm(patch: Partial<GenerateForm>): void;
  loadModels(): Promise<void>;
  /** Counts the tokens of a prompt field against the model's limit (the editor debounces its calls). */
  tokenize(field: PromptField): Promise<void>;
  submit(): Promise<boolean>;
  /** Fills the form with a job's or an image's parameters, seed fixed, so that it generates the same again. */
  reuseParams(params: Partial<GenerationParams>): void;
  /** Fixes the seed to the one the most recent job used. */
  reuseLastSeed(): void;
  applyDefaults(defaults: Settings['defaults']): void;
}

export const INITIAL_FORM: GenerateForm = {
  modelId: '',
  prompt: '',
  negativePrompt: '',
  sampler: 'euler',
  steps: 20,
  guidance: 7,
  seedMode: 'random',
  seed: 0,
  width: 512,
  height: 512,
  batchSize: 1,
  batchCount: 1,
};

export function usableModels(models: readonly ModelEntry[]): Extract<ModelEntry, { usable: true }>[] {
  return models.filter((m): m is Extract<ModelEntry, { usable: true }> => m.usable);
}

export function toGenerationInput(form: GenerateForm): GenerationInput {
  return {
    modelId: form.modelId,
    prompt: form.prompt,
    negativePrompt: form.negativePrompt,
    sampler: form.sampler,
    steps: form.steps,
    guidance: form.guidance,
    seed: form.seedMode === 'random' ? null : form.seed,
    width: form.width,
    height: form.height,
    batchSize: form.batchSize,
    batchCount: form.batchCount,
  };
}

export const createGenerateSlice: SliceCreator<GenerateSlice> = (deps) => (set, get) => {
  const client = deps.host.client;
  // Only the latest count per field is kept: replies to older text arrive late and are dropped.
  const tokenRequests: Record<PromptField, number> = { prompt: 0, negativePrompt: 0 };
  /** Whether the user already chose the model or size (then loading models or defaults leaves them alone). */
  let chosen = { model: false, size: false };

  const fitModel = (modelId: string) => {
    const model = usableModels(get().models).find((m) => m.id === modelId);
    if (model === undefined) return {};
    return chosen.size ? { modelId } : { modelId, width: model.nativeWidth, height: model.nativeHeight, sampler: model.defaultSampler };
  };

  return {
    form: INITIAL_FORM,
    models: [],
    tokens: { prompt: null, negativePrompt: null },
    submitting: false,
    setForm: (patch) => {
      if (patch.width !== undefined || patch.height !== undefined) chosen = { ...chosen, size: true };
      if (patch.modelId !== undefined) {
        chosen = { ...chosen, model: true };
        set((s) => ({ form: { ...s.form, ...patch, ...fitModel(patch.modelId ?? s.form.modelId) } }));
        return;
      }
      set((s) => ({ form: { ...s.form, ...patch } }));
    },
    loadModels: async () => {
      const models = await valueOr(get, client.listModels());
      if (models === undefined) return;
      set({ models });
      const usable = usableModels(models);
      const current = usable.find((m) => m.id === get().form.modelId);
      if (current === undefined && usable.length > 0) {
        const preferred = usable.find((m) => m.id === get().settings?.defaults.modelId) ?? usable.find((m) => m.builtin) ?? usable[0];
        if (preferred !== undefined) set((s) => ({ form: { ...s.form, ...fitModel(preferred.id) } }));
      }
    },
    tokenize: async (field) => {
      const { form } = get();
      if (form.modelId === '') return;
      const request = ++tokenRequests[field];
      const result = await client.tokenize({ modelId: form.modelId, text: form[field] });
      if (request !== tokenRequests[field]) return;
      // A failed count only hides the counter: the submission reports any real problem.
      set((s) => ({ tokens: { ...s.tokens, [field]: result.ok ? result.value : null } }));
    },
    submit: async () => {
      if (get().submitting) return false;
      set({ submitting: true });
      try {
        const { form, companionId } = get();
        const input = toGenerationInput(form);
        const submitted = await valueOr(get, client.submitGeneration(companionId === null ? input : { ...input, companionId }));
        return submitted !== undefined;
      } finally {
        set({ submitting: false });
      }
    },
    reuseParams: (params) => {
      chosen = { model: true, size: true };
      set((s) => {
        const form = { ...s.form };
        const known = params.modelId !== undefined && s.models.some((m) => m.id === params.modelId);
        return {
          form: {
            ...form,
            ...(known && params.modelId !== undefined ? { modelId: params.modelId } : {}),
            ...(params.prompt === undefined ? {} : { prompt: params.prompt }),
            ...(params.negativePrompt === undefined ? {} : { negativePrompt: params.negativePrompt }),
            ...(params.sampler === undefined ? {} : { sampler: params.sampler }),
            ...(params.steps === undefined ? {} : { steps: params.steps }),
            ...(params.guidance === undefined ? {} : { guidance: params.guidance }),
            ...(params.seed === undefined ? {} : { seed: params.seed, seedMode: 'fixed' as const }),
            ...(params.width === undefined ? {} : { width: params.width }),
            ...(params.height === undefined ? {} : { height: params.height }),
            ...(params.batchSize === undefined ? {} : { batchSize: params.batchSize }),
          },
        };
      });
    },
    reuseLastSeed: () => {
      const latest = [...get().jobs].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)[0];
      if (latest !== undefined) set((s) => ({ form: { ...s.form, seed: latest.params.seed, seedMode: 'fixed' } }));
    },
    applyDefaults: (defaults) =>
      set((s) => ({
        form: {
          ...s.form,
          steps: defaults.steps,
          guidance: defaults.guidance,
          negativePrompt: s.form.negativePrompt === '' ? defaults.negativePrompt : s.form.negativePrompt,
          batchSize: defaults.batchSize,
          batchCount: defaults.batchCount,
          ...(defaults.sampler === null ? {} : { sampler: defaults.sampler }),
          ...(defaults.modelId !== null && !chosen.model && usableModels(s.models).some((m) => m.id === defaults.modelId) ? fitModel(defaults.modelId) : {}),
        },
      })),
  };
};
