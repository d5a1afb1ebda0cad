import { describeError } from '../../errors';
import { useStudio, useT } from '../../store/react';

/** Errors and notes, bottom right; errors stay until dismissed. */
export function Notices() {
  const t = useT();
  const notices = useStudio((s) => s.notices);
  const dismiss = useStudio((s) => s.dismiss);
  return (
    <div className="notices" aria-live="polite">
      {notices.map((notice) => {
        if (notice.kind === 'info') {
          return (
            <div key={notice.id} className="notice info" data-testid="notice-info">
              <span>{t(notice.message, notice.vars)}</span>
              <button type="button" className="icon" aria-label={t('common.close')} onClick={() => dismiss(notice.id)}>
                ×
              </button>
            </div>
          );
        }
        const { sentence, detail } = describeError(t, notice.error);
        return (
          <div key={notice.id} className="notice error" role="alert" data-testid="notice-error" data-code={notice.error.code}>
            <div>
              <strong>{sentence}</strong>
              {detail !== null && <div className="error-detail">{detail}</div>}
            </div>
            <button type="button" className="icon" aria-label={t('common.close')} onClick={() => dismiss(notice.id)}>
              ×
            </button>
          </div>
        );
      })}
    </div>
  );
}
