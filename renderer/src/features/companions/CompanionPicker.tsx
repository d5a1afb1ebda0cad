/**
 * The companion picker of the Generate form: choose a platform companion; its traits join the prompt by the
 * companion template, which is shown and can be edited, with the prompt the job will get.
 */
import { useEffect, useId } from 'react';
import { applyCompanionTemplate, companionTemplateProblems, isUsableCompanionTemplate, MAX_COMPANION_TEMPLATE_LENGTH } from '../../../../electron/contract';
import { ErrorText } from '../../components/ErrorText';
import { useStudio, useStudioShallow, useT } from '../../store/react';
import './companions.css';

export function CompanionPicker() {
  const t = useT();
  const ids = { select: useId(), template: useId() };
  const { companions, offline, companionId, companionTemplate, templateDraft, templateError, prompt } = useStudioShallow((s) => ({
    companions: s.companions,
    offline: s.companionsOffline,
    companionId: s.companionId,
    companionTemplate: s.companionTemplate,
    templateDraft: s.templateDraft,
    templateError: s.templateError,
    prompt: s.form.prompt,
  }));
  const actions = useStudioShallow((s) => ({ chooseCompanion: s.chooseCompanion, editTemplate: s.editTemplate, saveTemplate: s.saveTemplate }));
  const loadCompanions = useStudio((s) => s.loadCompanions);
  useEffect(() => void loadCompanions(), [loadCompanions]);

  const companion = companions.find((c) => c.id === companionId) ?? null;
  const problems = companionTemplateProblems(templateDraft);
  const usable = isUsableCompanionTemplate(templateDraft);
  const dirty = companionTemplate !== null && templateDraft !== companionTemplate.template;

  return (
    <fieldset className="companion-picker" data-testid="companion-picker">
      <legend className="field-label">{t('companions.title')}</legend>
      <label className="field" htmlFor={ids.select}>
        <select id={ids.select} data-testid="companion-select" value={companionId ?? ''} onChange={(e) => actions.chooseCompanion(e.target.value === '' ? null : e.target.value)}>
          <option value="">{t('companions.none')}</option>
          {companions.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
      {companions.length === 0 && <p className="hint">{t(offline ? 'companions.emptyOffline' : 'companions.empty')}</p>}
      {companions.length > 0 && offline && <p className="hint">{t('companions.offline')}</p>}
      {companion !== null && (
        <div className="companion-details" data-testid="companion-details">
          <p className="muted small">{companion.description}</p>
          <ul className="chips" data-testid="companion-traits">
            {companion.traits.map((trait) => (
              <li key={trait.key} className="chip" title={trait.label}>
                {trait.value}
              </li>
            ))}
          </ul>
          <label className="field" htmlFor={ids.template}>
            <span className="field-label">{t('companions.template')}</span>
            <textarea
              id={ids.template}
              rows={2}
              maxLength={2000}
              spellCheck={false}
              data-testid="companion-template"
              value={templateDraft}
              onChange={(e) => actions.editTemplate(e.target.value)}
            />
          </label>
          <p className="hint">{t('companions.templateHelp')}</p>
          {problems.tooLong && <p className="error-text" role="alert">{t('companions.templateTooLong', { max: String(MAX_COMPANION_TEMPLATE_LENGTH) })}</p>}
          {problems.missingPrompt && <p className="error-text" role="alert">{t('companions.templateNeedsPrompt')}</p>}
          {problems.unknown.length > 0 && (
            <p className="error-text" role="alert">
              {t('companions.templateUnknown', { names: problems.unknown.join(' ') })}
            </p>
          )}
          {templateError !== null && <ErrorText error={templateError} testId="companion-template-error" />}
          <div className="button-row">
            <button type="button" data-testid="companion-template-save" disabled={!dirty || !usable} onClick={() => void actions.saveTemplate(templateDraft)}>
              {t('common.save')}
            </button>
            <button
              type="button"
              data-testid="companion-template-reset"
              disabled={companionTemplate === null || templateDraft === companionTemplate.defaultTemplate}
              onClick={() => void actions.saveTemplate(null)}
            >
              {t('companions.templateDefault')}
            </button>
            {dirty && <span className="hint">{t('companions.templateUnsaved')}</span>}
          </div>
          <h3>{t('companions.resultingPrompt')}</h3>
          <p className="prompt-text" data-testid="companion-prompt-preview">
            {usable ? applyCompanionTemplate(templateDraft, prompt, companion) : '—'}
          </p>
        </div>
      )}
    </fieldset>
  );
}
