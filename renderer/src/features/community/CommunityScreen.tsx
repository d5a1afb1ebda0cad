/**
 * The Community tab: the platform's public gallery, newest or most liked first. The next page loads as the
 * end of the list comes into view (and from the "more" button, for the keyboard); each image can be liked
 * and its original downloaded into the library.
 */
import { useEffect, useRef, useState } from 'react';
import type { CommunityItem } from '../../../../electron/contract';
import { ErrorText } from '../../components/ErrorText';
import { useStudio, useStudioShallow, useT } from '../../store/react';
import type { CommunitySort } from './community-slice';
import './community.css';

const SORTS: readonly CommunitySort[] = ['newest', 'most_liked'];

export function CommunityScreen() {
  const t = useT();
  const state = useStudioShallow((s) => ({
    sort: s.communitySort,
    items: s.communityItems,
    cursor: s.communityCursor,
    loading: s.communityLoading,
    loaded: s.communityLoaded,
    error: s.communityError,
  }));
  const actions = useStudioShallow((s) => ({ load: s.loadCommunity, loadMore: s.loadMoreCommunity, setSort: s.setCommunitySort }));
  useEffect(() => void actions.load(), [actions]);

  const end = useRef<HTMLDivElement>(null);
  const hasMore = state.cursor !== null;
  useEffect(() => {
    const element = end.current;
    if (element === null || !hasMore) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void actions.loadMore();
    }, { rootMargin: '400px' });
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasMore, actions, state.items.length]);

  return (
    <div className="community-screen" data-testid="community-screen">
      <header className="community-header">
        <h1>{t('community.title')}</h1>
        <div className="segmented" role="group" aria-label={t('community.sort')}>
          {SORTS.map((sort) => (
            <button
              key={sort}
              type="button"
              className={state.sort === sort ? 'active' : ''}
              aria-pressed={state.sort === sort}
              data-testid={`community-sort-${sort}`}
              onClick={() => actions.setSort(sort)}
            >
              {t(`community.sort.${sort}`)}
            </button>
          ))}
        </div>
        <span className="spacer" />
        <button type="button" data-testid="community-refresh" disabled={state.loading} onClick={() => void actions.load()}>
          {t('community.refresh')}
        </button>
      </header>
      {state.error !== null && <ErrorText error={state.error} testId="community-error" />}
      {state.loaded && state.error === null && state.items.length === 0 && (
        <p className="empty" data-testid="community-empty">
          {t('community.empty')}
        </p>
      )}
      <ul className="community-grid" data-testid="community-grid" data-count={state.items.length} aria-busy={state.loading}>
        {state.items.map((item) => (
          <CommunityCard key={item.id} item={item} />
        ))}
      </ul>
      <div ref={end} className="community-end">
        {state.loading && <span className="muted">{t('community.loading')}</span>}
        {!state.loading && hasMore && (
          <button type="button" data-testid="community-more" onClick={() => void actions.loadMore()}>
            {t('community.more')}
          </button>
        )}
      </div>
    </div>
  );
}

function CommunityCard({ item }: { item: CommunityItem }) {
  const t = useT();
  const { toggleLike, download } = useStudioShallow((s) => ({ toggleLike: s.toggleLike, download: s.downloadCommunityImage }));
  const downloading = useStudio((s) => s.downloading.has(item.id));
  const locale = useStudio((s) => s.locale);
  const published = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
  // The thumbnail's address is short-lived: one that failed (expired while the tab stayed open) says so until a refresh.
  const [failed, setFailed] = useState<string | null>(null);
  return (
    <li className="community-card" data-testid="community-item" data-remote-id={item.id}>
      <div className="community-thumb">
        {failed === item.thumbnailUrl ? (
          <span className="muted small" data-testid="community-thumbnail-failed">
            {t('community.thumbnailFailed')}
          </span>
        ) : (
          <img src={item.thumbnailUrl} alt={item.title} loading="lazy" decoding="async" width={item.width} height={item.height} onError={() => setFailed(item.thumbnailUrl)} />
        )}
      </div>
      <div className="community-info">
        {/* Studio publishes without a title: the model names the image then. */}
        <p className="community-title" title={item.title || item.model}>
          {item.title || item.model}
        </p>
        <p className="muted small">{t('community.byline', { author: item.author.displayName, date: published.format(new Date(item.publishedAt)) })}</p>
      </div>
      <div className="community-actions">
        <button
          type="button"
          className={item.likedByMe ? 'toggle active like' : 'toggle like'}
          aria-pressed={item.likedByMe}
          aria-label={t(item.likedByMe ? 'community.unlike' : 'community.like')}
          data-testid="community-like"
          data-like-count={item.likeCount}
          onClick={() => void toggleLike(item.id)}
        >
          ♥ <span data-testid="community-like-count">{item.likeCount}</span>
        </button>
        <button type="button" data-testid="community-download" disabled={downloading} onClick={() => void download(item.id)}>
          {t(downloading ? 'community.downloading' : 'community.download')}
        </button>
      </div>
    </li>
  );
}
