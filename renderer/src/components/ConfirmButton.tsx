import { useState } from 'react';
import type { MessageKey, Vars } from '../i18n';
import { useT } from '../store/react';

/**
 * A button for what cannot be undone: the first click asks (the question, a danger button that does it, and
 * Cancel); only the second does it. Test ids: `testId` for the button, `${testId}-confirm` for the one that acts.
 */
export function ConfirmButton({
  label,
  question,
  vars,
  act,
  testId,
}: {
  label: MessageKey;
  question: MessageKey;
  vars?: Vars;
  act: () => Promise<void>;
  testId: string;
}) {
  const t = useT();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="danger" data-testid={testId} onClick={() => setAsking(true)}>
        {t(label)}
      </button>
    );
  }
  return (
    <span className="confirm" role="group">
      <span className="small">{t(question, vars)}</span>
      <button
        type="button"
        className="danger"
        data-testid={`${testId}-confirm`}
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void act().finally(() => {
            setBusy(false);
            setAsking(false);
          });
        }}
      >
        {t('common.delete')}
      </button>
      <button type="button" disabled={busy} onClick={() => setAsking(false)}>
        {t('common.cancel')}
      </button>
    </span>
  );
}
