/**
 * Where an image stands with the platform: not published, waiting, publishing, published, or failed. It takes
 * its label already translated (`sync.<state>`) and uses no hook, so the gallery's thousands of tiles can show
 * it without each subscribing to the store.
 */
import type { Translate } from '../../i18n';
import type { SyncState } from './publish-slice';
import './publish.css';

/** Every state's label, for a list that passes them down instead of translating per item. */
export function syncLabels(t: Translate): Readonly<Record<SyncState, string>> {
  return { local: t('sync.local'), queued: t('sync.queued'), publishing: t('sync.publishing'), published: t('sync.published'), failed: t('sync.failed') };
}

const ICONS: Readonly<Record<SyncState, string>> = { local: '○', queued: '◷', publishing: '↑', published: '●', failed: '!' };

export function SyncBadge({ state, label, withLabel = false }: { state: SyncState; label: string; withLabel?: boolean }) {
  return (
    <span className={`badge sync-badge sync-${state}`} data-testid="sync-badge" data-sync-state={state} title={label}>
      <span aria-hidden="true">{ICONS[state]}</span>
      {withLabel ? <span className="sync-label">{label}</span> : <span className="visually-hidden">{label}</span>}
    </span>
  );
}
