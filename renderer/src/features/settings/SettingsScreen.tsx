import { useId, useState } from 'react';
import { GENERATION_LIMITS, type Settings } from '../../../../electron/contract';
import { ErrorText } from '../../components/ErrorText';
import { NumberField } from '../../components/NumberField';
import { SamplerSelect } from '../../components/SamplerSelect';
import { useStudio, useStudioShallow, useT } from '../../store/react';
import { usableModels } from '../generate/generate-slice';

export function SettingsScreen() {
  const t = useT();
  const settings = useStudio((s) => s.settings);
  if (settings === null) return <p className="empty">{t('settings.loading')}</p>;
  return (
    <div className="settings-screen" data-testid="settings-screen">
      <h1>{t('settings.title')}</h1>
      <GeneralSettings settings={settings} />
      <ModelFolders settings={settings} />
      <DefaultSettings settings={settings} />
    </div>
  );
}

function GeneralSettings({ settings }: { settings: Settings }) {
  const t = useT();
  const ids = { language: useId(), provider: useId(), library: useId() };
  const { systemInfo, saveSettings } = useStudioShallow((s) => ({ systemInfo: s.systemInfo, saveSettings: s.saveSettings }));
  const [library, setLibrary] = useState(settings.libraryDir ?? '');
  const pendingLibrary = systemInfo !== null && settings.libraryDir !== null && settings.libraryDir !== systemInfo.libraryDir;
  return (
    <section className="panel settings-section">
      <h2>{t('settings.general')}</h2>
      <label className="field" htmlFor={ids.language}>
        <span className="field-label">{t('settings.language')}</span>
        <select id={ids.language} data-testid="settings-language" value={settings.language} onChange={(e) => void saveSettings({ language: e.target.value as Settings['language'] })}>
          <option value="system">{t('settings.languageSystem')}</option>
          <option value="en">English</option>
          <option value="fr">Français</option>
        </select>
      </label>
      <label className="field" htmlFor={ids.provider}>
        <span className="field-label">{t('settings.provider')}</span>
        <select
          id={ids.provider}
          data-testid="settings-provider"
          value={settings.executionProvider}
          onChange={(e) => void saveSettings({ executionProvider: e.target.value as Settings['executionProvider'] })}
        >
          <option value="auto">{t('settings.providerAuto')}</option>
          {(systemInfo?.providers ?? []).map((p) => (
            <option key={p.name} value={p.name} disabled={!p.available}>
              {t(`provider.${p.name}`)}
              {p.available ? '' : ` — ${t('settings.providerUnavailable')}`}
            </option>
          ))}
        </select>
      </label>
      <form
        className="field"
        onSubmit={(e) => {
          e.preventDefault();
          void saveSettings({ libraryDir: library.trim() === '' ? null : library.trim() });
        }}
      >
        <label className="field-label" htmlFor={ids.library}>
          {t('settings.library')}
        </label>
        <div className="inline-form">
          <input id={ids.library} data-testid="settings-library" value={library} placeholder={systemInfo?.libraryDir ?? ''} onChange={(e) => setLibrary(e.target.value)} />
          <button type="submit" data-testid="settings-library-save">
            {t('common.save')}
          </button>
        </div>
        <span className="hint">
          {systemInfo !== null && t('settings.libraryInUse', { path: systemInfo.libraryDir })}
          {pendingLibrary && ` ${t('settings.libraryNextStart')}`}
        </span>
      </form>
    </section>
  );
}

function ModelFolders({ settings }: { settings: Settings }) {
  const t = useT();
  const id = useId();
  const { models, systemInfo, modelFolderError, adding } = useStudioShallow((s) => ({
    models: s.models,
    systemInfo: s.systemInfo,
    modelFolderError: s.modelFolderError,
    adding: s.addingModelFolder,
  }));
  const { addModelFolder, removeModelFolder } = useStudioShallow((s) => ({ addModelFolder: s.addModelFolder, removeModelFolder: s.removeModelFolder }));
  const [path, setPath] = useState('');
  const added = new Set(settings.modelFolders);
  return (
    <section className="panel settings-section">
      <h2>{t('settings.models')}</h2>
      <ul className="model-list" data-testid="model-list">
        {models.map((m) => (
          <li key={m.id} className="model-item" data-testid="model-item" data-usable={m.usable}>
            <div>
              <strong>{m.usable ? m.name : m.path}</strong>
              <span className="muted small">
                {m.usable ? ` ${t(`family.${m.family}`)} · ${m.nativeWidth}×${m.nativeHeight}` : ''}
                {m.builtin ? ` · ${t('settings.builtin')}` : ''}
              </span>
              <div className="muted small path">{m.path}</div>
              {!m.usable && <ErrorText error={m.error} />}
            </div>
            {!m.builtin && added.has(m.path) && (
              <button type="button" onClick={() => void removeModelFolder(m.id)}>
                {t('common.remove')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <form
        className="field"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim() === '') return;
          void addModelFolder(path.trim()).then((ok) => ok && setPath(''));
        }}
      >
        <label className="field-label" htmlFor={id}>
          {t('settings.addModelFolder')}
        </label>
        <div className="inline-form">
          <input id={id} data-testid="settings-model-folder" value={path} placeholder={t('settings.modelFolderPlaceholder')} onChange={(e) => setPath(e.target.value)} />
          <button type="submit" data-testid="settings-model-folder-add" disabled={adding}>
            {t(adding ? 'settings.checking' : 'common.add')}
          </button>
        </div>
        {modelFolderError !== null && <ErrorText error={modelFolderError} testId="settings-model-folder-error" />}
        <span className="hint">{systemInfo !== null && t('settings.modelsFolder', { path: systemInfo.modelsFolder })}</span>
      </form>
    </section>
  );
}

function DefaultSettings({ settings }: { settings: Settings }) {
  const t = useT();
  const ids = { model: useId(), negative: useId() };
  const { models, saveSettings, applyDefaults, inform } = useStudioShallow((s) => ({ models: s.models, saveSettings: s.saveSettings, applyDefaults: s.applyDefaults, inform: s.inform }));
  const [defaults, setDefaults] = useState(settings.defaults);
  const set = (patch: Partial<Settings['defaults']>) => setDefaults({ ...defaults, ...patch });
  return (
    <form
      className="panel settings-section"
      data-testid="settings-defaults"
      onSubmit={(e) => {
        e.preventDefault();
        void saveSettings({ defaults }).then((ok) => {
          if (!ok) return;
          applyDefaults(defaults);
          inform('settings.saved');
        });
      }}
    >
      <h2>{t('settings.defaults')}</h2>
      <div className="form-grid">
        <label className="field" htmlFor={ids.model}>
          <span className="field-label">{t('generate.model')}</span>
          <select id={ids.model} data-testid="settings-default-model" value={defaults.modelId ?? ''} onChange={(e) => set({ modelId: e.target.value === '' ? null : e.target.value })}>
            <option value="">{t('settings.defaultModelAuto')}</option>
            {usableModels(models).map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <SamplerSelect
          label={t('generate.sampler')}
          testId="settings-default-sampler"
          value={defaults.sampler}
          emptyLabel={t('settings.defaultSamplerModel')}
          onChange={(sampler) => set({ sampler })}
        />
        <NumberField label={t('generate.steps')} testId="settings-default-steps" value={defaults.steps} min={1} max={GENERATION_LIMITS.maxSteps} onChange={(steps) => set({ steps })} />
        <NumberField
          label={t('generate.guidance')}
          testId="settings-default-guidance"
          value={defaults.guidance}
          min={0}
          max={GENERATION_LIMITS.maxGuidance}
          step={0.5}
          integer={false}
          onChange={(guidance) => set({ guidance })}
        />
        <NumberField label={t('generate.batchSize')} value={defaults.batchSize} min={1} max={GENERATION_LIMITS.maxBatchSize} onChange={(batchSize) => set({ batchSize })} />
        <NumberField label={t('generate.batchCount')} value={defaults.batchCount} min={1} max={GENERATION_LIMITS.maxBatchCount} onChange={(batchCount) => set({ batchCount })} />
      </div>
      <label className="field" htmlFor={ids.negative}>
        <span className="field-label">{t('generate.negativePrompt')}</span>
        <textarea id={ids.negative} rows={2} value={defaults.negativePrompt} onChange={(e) => set({ negativePrompt: e.target.value })} />
      </label>
      <button type="submit" className="primary" data-testid="settings-defaults-save">
        {t('common.save')}
      </button>
    </form>
  );
}
