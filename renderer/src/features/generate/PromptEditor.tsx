import { useEffect, useId } from 'react';
import { useStudio, useStudioShallow, useT } from '../../store/react';
import type { PromptField } from './generate-slice';

/** How long typing must pause before the prompt is tokenized again. */
export const TOKENIZE_DEBOUNCE_MS = 200;

/** A prompt editor with its live token count against the model's limit. */
export function PromptEditor({ field, testId }: { field: PromptField; testId: string }) {
  const t = useT();
  const id = useId();
  const { text, modelId, count } = useStudioShallow((s) => ({ text: s.form[field], modelId: s.form.modelId, count: s.tokens[field] }));
  const setForm = useStudio((s) => s.setForm);
  const tokenize = useStudio((s) => s.tokenize);
  const submit = useStudio((s) => s.submit);

  useEffect(() => {
    const timer = setTimeout(() => void tokenize(field), TOKENIZE_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, modelId, field, tokenize]);

  const over = count !== null && count.truncated > 0;
  return (
    <div className="prompt-editor">
      <label htmlFor={id} className="field-label">
        {t(field === 'prompt' ? 'generate.prompt' : 'generate.negativePrompt')}
      </label>
      <textarea
        id={id}
        data-testid={testId}
        value={text}
        rows={field === 'prompt' ? 4 : 2}
        placeholder={t(field === 'prompt' ? 'generate.promptPlaceholder' : 'generate.negativePlaceholder')}
        onChange={(event) => setForm({ [field]: event.target.value })}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            void submit();
          }
        }}
      />
      <div className={over ? 'token-count over' : 'token-count'} data-testid={`${testId}-tokens`} aria-live="polite">
        {count === null ? '\u00a0' : t(over ? 'generate.tokensOver' : 'generate.tokens', { count: count.tokenCount, max: count.maxTokens, over: count.truncated })}
      </div>
    </div>
  );
}
