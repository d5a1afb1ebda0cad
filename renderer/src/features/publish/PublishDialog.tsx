/**
 * Publishing from the viewer: the button in its action row, and the dialog it opens — each image's price and
 * moderation verdict (with the words that block it), the total against the balance, the companion to link,
 * the visibility, then the outbox's progress for each image once confirmed. Errors are sentences.
 */
import { useEffect, useId, useRef } from 'react';
import type { ImageDetails, PublishQuote } from '../../../../electron/contract';
import { ErrorText } from '../../components/ErrorText';
import { ProgressBar } from '../../components/ProgressBar';
import { useStudio, useStudioShallow, useT } from '../../store/react';
import type { SyncProgress } from './publish-slice';
import { SyncBadge } from './SyncBadge';
import './publish.css';

/** The most images one publish takes (the contract's limit). */
const MAX_PUBLISH = 100;

/** The viewer's Publish button (Unpublish once published). */
export function PublishButton({ details }: { details: ImageDetails }) {
  const t = useT();
  const { openPublish, unpublish } = useStudioShallow((s) => ({ openPublish: s.openPublish, unpublish: s.unpublishViewerImage }));
  if (details.syncState === 'published') {
    return (
      <button type="button" data-testid="unpublish-button" onClick={() => void unpublish()}>
        {t('publish.unpublish')}
      </button>
    );
  }
  return (
    <button
      type="button"
      className="primary"
      data-testid="publish-button"
      disabled={details.syncState === 'queued' || details.syncState === 'publishing' || details.deletedAt !== null}
      onClick={() => void openPublish([details.id], details.companionId)}
    >
      {t('publish.open')}
    </button>
  );
}

/** The gallery selection bar's Publish button: for up to MAX_PUBLISH images picked one by one (not "select all"). */
export function PublishSelectionButton() {
  const t = useT();
  const { ids, openPublish } = useStudioShallow((s) => ({ ids: s.allSelected ? null : s.selected, openPublish: s.openPublish }));
  if (ids === null || ids.size === 0) return null;
  return (
    <button
      type="button"
      data-testid="bulk-publish"
      disabled={ids.size > MAX_PUBLISH}
      title={ids.size > MAX_PUBLISH ? t('publish.tooMany', { max: MAX_PUBLISH }) : undefined}
      onClick={() => void openPublish([...ids], null)}
    >
      {t('publish.open')}
    </button>
  );
}

/** The dialog, over whatever opened it (mounted once by the app). */
export function PublishDialogHost() {
  const open = useStudio((s) => s.publishTarget !== null);
  return open ? <PublishDialog /> : null;
}

export function PublishDialog() {
  const t = useT();
  const ids = { companion: useId(), title: useId() };
  const state = useStudioShallow((s) => ({
    target: s.publishTarget,
    quote: s.quote,
    quoteError: s.quoteError,
    companionId: s.publishCompanionId,
    companions: s.companions,
    publishing: s.publishing,
    publishError: s.publishError,
    queued: s.publishQueued,
  }));
  const actions = useStudioShallow((s) => ({
    close: s.closePublish,
    confirm: s.confirmPublish,
    setCompanion: s.setPublishCompanion,
    navigate: s.navigate,
    closeViewer: s.closeViewer,
  }));
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => dialog.current?.focus(), []);
  if (state.target === null) return null;
  const count = state.target.length;
  const blocked = state.quote?.items.some((i) => i.moderation === 'block') ?? false;
  const canConfirm = state.quote !== null && state.quote.sufficient && !blocked && !state.publishing;

  return (
    <div
      className="publish-backdrop"
      onClick={(e) => {
        if (e.target === e.currentTarget) actions.close();
      }}
    >
      <div
        ref={dialog}
        className="publish-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={ids.title}
        data-testid="publish-dialog"
        tabIndex={-1}
        onKeyDown={(e) => {
          // The viewer underneath closes on Escape too: only this dialog should.
          e.stopPropagation();
          if (e.key === 'Escape') actions.close();
        }}
      >
        <h2 id={ids.title}>{count === 1 ? t('publish.titleOne') : t('publish.title', { count })}</h2>
        {state.queued ? (
          <PublishProgress imageIds={state.target} />
        ) : (
          <>
            {state.quoteError !== null && (
              <>
                <ErrorText error={state.quoteError} testId="publish-quote-error" />
                {state.quoteError.code === 'UNAUTHENTICATED' && (
                  <div className="button-row">
                    <button
                      type="button"
                      className="primary"
                      data-testid="publish-sign-in"
                      onClick={() => {
                        actions.close();
                        actions.closeViewer();
                        actions.navigate('account');
                      }}
                    >
                      {t('publish.goSignIn')}
                    </button>
                  </div>
                )}
              </>
            )}
            {state.quote === null && state.quoteError === null && (
              <p className="muted" data-testid="publish-quoting">
                {t('publish.quoting')}
              </p>
            )}
            {state.quote !== null && <QuoteView quote={state.quote} />}
            {state.quote !== null && (
              <>
                <label className="field" htmlFor={ids.companion}>
                  <span className="field-label">{t('publish.companion')}</span>
                  <select
                    id={ids.companion}
                    data-testid="publish-companion"
                    value={state.companionId ?? ''}
                    onChange={(e) => actions.setCompanion(e.target.value === '' ? null : e.target.value)}
                  >
                    <option value="">{t('companions.none')}</option>
                    {state.companionId !== null && !state.companions.some((c) => c.id === state.companionId) && <option value={state.companionId}>{state.companionId}</option>}
                    {state.companions.map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.name}
                      </option>
                    ))}
                  </select>
                </label>
                <div className="field">
                  <span className="field-label">{t('publish.visibility')}</span>
                  <span data-testid="publish-visibility">{t('publish.visibilityPublic')}</span>
                </div>
              </>
            )}
            {state.publishError !== null && <ErrorText error={state.publishError} testId="publish-error" />}
          </>
        )}
        <div className="button-row publish-actions">
          {!state.queued && (
            <button type="button" className="primary" data-testid="publish-confirm" disabled={!canConfirm} onClick={() => void actions.confirm()}>
              {state.publishing ? t('publish.confirming') : state.quote === null ? t('publish.confirm') : t('publish.confirmPrice', { price: state.quote.total })}
            </button>
          )}
          <button type="button" data-testid="publish-close" onClick={actions.close}>
            {t(state.queued ? 'common.close' : 'common.cancel')}
          </button>
        </div>
      </div>
    </div>
  );
}

function QuoteView({ quote }: { quote: PublishQuote }) {
  const t = useT();
  return (
    <div className="publish-quote" data-testid="publish-quote">
      <ul className="publish-items">
        {quote.items.map((item) => (
          <li key={item.imageId} data-testid="publish-item" data-image-id={item.imageId} data-moderation={item.moderation}>
            <span className={`verdict verdict-${item.moderation}`} data-testid="publish-verdict">
              {t(`publish.verdict.${item.moderation}`)}
            </span>
            {item.terms.length > 0 && (
              <span className="verdict-terms" data-testid="publish-terms">
                {t('publish.terms', { terms: item.terms.join(', ') })}
              </span>
            )}
            <span className="spacer" />
            <span className="publish-price">{t('account.tokens', { count: item.price })}</span>
          </li>
        ))}
      </ul>
      <dl className="meta publish-totals">
        <div>
          <dt>{t('publish.price')}</dt>
          <dd data-testid="publish-price">{t('account.tokens', { count: quote.total })}</dd>
        </div>
        <div>
          <dt>{t('account.balance')}</dt>
          <dd data-testid="publish-balance">{t('account.tokens', { count: quote.balance })}</dd>
        </div>
        <div>
          <dt>{t('publish.balanceAfter')}</dt>
          <dd data-testid="publish-balance-after" className={quote.balanceAfter < 0 ? 'negative' : undefined}>
            {t('account.tokens', { count: quote.balanceAfter })}
          </dd>
        </div>
      </dl>
      {!quote.sufficient && (
        <p className="error-text" role="alert" data-testid="publish-insufficient">
          <strong>{t('error.INSUFFICIENT_TOKENS')}</strong>
        </p>
      )}
      {quote.items.some((i) => i.moderation === 'block') && (
        <p className="error-text" role="alert" data-testid="publish-blocked">
          <strong>{t('error.MODERATION_BLOCKED')}</strong>
        </p>
      )}
      {quote.items.some((i) => i.moderation === 'review') && <p className="banner">{t('publish.reviewNote')}</p>}
    </div>
  );
}

function PublishProgress({ imageIds }: { imageIds: readonly number[] }) {
  const t = useT();
  const progress = useStudio((s) => s.publishProgress);
  return (
    <ul className="publish-progress" data-testid="publish-progress">
      {imageIds.map((id) => (
        <ProgressRow key={id} imageId={id} progress={progress[id]} label={t('publish.imageLabel', { id })} />
      ))}
    </ul>
  );
}

function ProgressRow({ imageId, progress, label }: { imageId: number; progress: SyncProgress | undefined; label: string }) {
  const t = useT();
  const syncState = progress?.syncState ?? 'queued';
  return (
    <li data-testid="publish-progress-item" data-image-id={imageId} data-state={progress?.state ?? 'pending'} data-sync-state={syncState}>
      <div className="publish-progress-head">
        <span>{label}</span>
        <span className="spacer" />
        <SyncBadge state={syncState} label={t(`sync.${syncState}`)} withLabel />
      </div>
      <span className="hint">{t(`publish.state.${progress?.state ?? 'pending'}`)}</span>
      {progress !== undefined && progress.bytes !== null && <ProgressBar value={progress.bytes.sent} max={progress.bytes.total} label={t('publish.uploadProgress')} />}
      {progress !== undefined && progress.lastError !== null && syncState !== 'published' && (
        <span className="hint" data-testid="publish-progress-error">
          {t(progress.state === 'failed' || progress.state === 'refunded' ? 'publish.failedWith' : 'publish.retrying', { error: progress.lastError })}
        </span>
      )}
    </li>
  );
}
