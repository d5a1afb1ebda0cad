import { useId } from 'react';
import { GENERATION_LIMITS } from '../../../../electron/contract';
import { NumberField } from '../../components/NumberField';
import { SamplerSelect } from '../../components/SamplerSelect';
import { CompanionPicker } from '../companions/CompanionPicker';
import { useStudioShallow, useT } from '../../store/react';
import { QueuePanel } from '../queue/QueuePanel';
import { usableModels } from './generate-slice';
import { PromptEditor } from './PromptEditor';
import { sizePresets } from './sizes';

export function GenerateScreen() {
  return (
    <div className="generate-screen">
      <GenerateForm />
      <QueuePanel />
    </div>
  );
}

function GenerateForm() {
  const t = useT();
  const ids = { model: useId(), size: useId() };
  const { form, models, submitting, hasJobs } = useStudioShallow((s) => ({ form: s.form, models: s.models, submitting: s.submitting, hasJobs: s.jobs.length > 0 }));
  const { setForm, submit, reuseLastSeed } = useStudioShallow((s) => ({ setForm: s.setForm, submit: s.submit, reuseLastSeed: s.reuseLastSeed }));
  const usable = usableModels(models);
  const model = usable.find((m) => m.id === form.modelId);
  const presets = sizePresets(model?.nativeWidth ?? 512, model?.nativeHeight ?? 512);
  const sizeKey = `${form.width}x${form.height}`;

  return (
    <form
      className="generate-form panel"
      data-testid="generate-form"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <PromptEditor field="prompt" testId="prompt-editor" />
      <PromptEditor field="negativePrompt" testId="negative-prompt-editor" />
      <CompanionPicker />

      <div className="form-grid">
        <label className="field" htmlFor={ids.model}>
          <span className="field-label">{t('generate.model')}</span>
          <select id={ids.model} data-testid="model-select" value={form.modelId} onChange={(e) => setForm({ modelId: e.target.value })}>
            {usable.length === 0 && <option value="">{t('generate.noModel')}</option>}
            {usable.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <SamplerSelect label={t('generate.sampler')} testId="sampler-select" value={form.sampler} onChange={(sampler) => sampler !== null && setForm({ sampler })} />
        <NumberField label={t('generate.steps')} testId="steps-input" value={form.steps} min={1} max={GENERATION_LIMITS.maxSteps} onChange={(steps) => setForm({ steps })} />
        <NumberField
          label={t('generate.guidance')}
          testId="guidance-input"
          value={form.guidance}
          min={0}
          max={GENERATION_LIMITS.maxGuidance}
          step={0.5}
          integer={false}
          onChange={(guidance) => setForm({ guidance })}
        />
      </div>

      <fieldset className="seed-control" data-testid="seed-control">
        <legend className="field-label">{t('generate.seed')}</legend>
        <div className="segmented">
          <button type="button" className={form.seedMode === 'random' ? 'active' : ''} data-testid="seed-random" aria-pressed={form.seedMode === 'random'} onClick={() => setForm({ seedMode: 'random' })}>
            {t('generate.seedRandom')}
          </button>
          <button type="button" className={form.seedMode === 'fixed' ? 'active' : ''} data-testid="seed-lock" aria-pressed={form.seedMode === 'fixed'} onClick={() => setForm({ seedMode: 'fixed' })}>
            {t('generate.seedLock')}
          </button>
          <button type="button" data-testid="seed-reuse" disabled={!hasJobs} onClick={reuseLastSeed} title={t('generate.seedReuseHint')}>
            {t('generate.seedReuse')}
          </button>
        </div>
        <NumberField
          label={t('generate.seedValue')}
          testId="seed-input"
          value={form.seed}
          min={0}
          max={GENERATION_LIMITS.maxSeed}
          disabled={form.seedMode === 'random'}
          onChange={(seed) => setForm({ seed, seedMode: 'fixed' })}
        />
      </fieldset>

      <div className="form-grid">
        <label className="field" htmlFor={ids.size}>
          <span className="field-label">{t('generate.size')}</span>
          <select
            id={ids.size}
            data-testid="size-select"
            value={presets.some((p) => `${p.width}x${p.height}` === sizeKey) ? sizeKey : 'custom'}
            onChange={(e) => {
              const preset = presets.find((p) => `${p.width}x${p.height}` === e.target.value);
              if (preset !== undefined) setForm({ width: preset.width, height: preset.height });
            }}
          >
            {presets.map((p) => (
              <option key={`${p.width}x${p.height}`} value={`${p.width}x${p.height}`}>
                {t('generate.sizeOption', { width: p.width, height: p.height })}
                {model !== undefined && p.width === model.nativeWidth && p.height === model.nativeHeight ? ` · ${t('generate.native')}` : ''}
              </option>
            ))}
            <option value="custom" disabled>
              {t('generate.sizeCustom')}
            </option>
          </select>
        </label>
        <NumberField label={t('generate.width')} testId="width-input" value={form.width} min={GENERATION_LIMITS.minSide} max={GENERATION_LIMITS.maxSide} step={8} onChange={(width) => setForm({ width })} />
        <NumberField label={t('generate.height')} testId="height-input" value={form.height} min={GENERATION_LIMITS.minSide} max={GENERATION_LIMITS.maxSide} step={8} onChange={(height) => setForm({ height })} />
        <NumberField label={t('generate.batchSize')} testId="batch-size-input" value={form.batchSize} min={1} max={GENERATION_LIMITS.maxBatchSize} onChange={(batchSize) => setForm({ batchSize })} />
        <NumberField label={t('generate.batchCount')} testId="batch-count-input" value={form.batchCount} min={1} max={GENERATION_LIMITS.maxBatchCount} onChange={(batchCount) => setForm({ batchCount })} />
      </div>

      <button type="submit" className="primary generate-button" data-testid="generate-button" disabled={submitting || model === undefined || form.prompt.trim() === ''}>
        {t(form.batchCount > 1 ? 'generate.submitMany' : 'generate.submit', { count: form.batchCount })}
      </button>
      <p className="hint">{t('generate.shortcut')}</p>
    </form>
  );
}
