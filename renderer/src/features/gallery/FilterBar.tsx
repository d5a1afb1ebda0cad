import { useEffect, useId, useState } from 'react';
import { IMAGE_SORTS, SAMPLERS, type ImageFilters } from '../../../../electron/contract';
import { SamplerSelect } from '../../components/SamplerSelect';
import { useStudio, useStudioShallow, useT } from '../../store/react';
import { usableModels } from '../generate/generate-slice';
import { COUNT_CAP } from './gallery-slice';

/** How long typing in the search box must pause before the gallery searches. */
export const SEARCH_DEBOUNCE_MS = 250;

const day = (time: number | undefined) => (time === undefined ? '' : new Date(time).toISOString().slice(0, 10));
const fromDay = (value: string, endOfDay: boolean): number | undefined => {
  if (value === '') return undefined;
  const time = Date.parse(`${value}T00:00:00`);
  return Number.isNaN(time) ? undefined : time + (endOfDay ? 86_400_000 - 1 : 0);
};

export function FilterBar() {
  const t = useT();
  const ids = { search: useId(), sort: useId() };
  const { filters, sort, total, source } = useStudioShallow((s) => ({ filters: s.filters, sort: s.sort, total: s.total, source: s.source }));
  const { setFilters, setSort, clearFilters } = useStudioShallow((s) => ({ setFilters: s.setFilters, setSort: s.setSort, clearFilters: s.clearFilters }));
  const [text, setText] = useState(filters.text ?? '');
  const [open, setOpen] = useState(false);
  // The box follows the store when the filters are cleared or an album is opened.
  useEffect(() => setText(filters.text ?? ''), [filters.text]);
  useEffect(() => {
    if (text === (filters.text ?? '')) return;
    const timer = setTimeout(() => setFilters({ text: text.trim() === '' ? undefined : text }), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, filters.text, setFilters]);

  const active = Object.keys(filters).filter((k) => k !== 'text').length;
  return (
    <div className="filter-bar">
      <div className="toolbar">
        <input
          id={ids.search}
          type="search"
          className="search-box"
          data-testid="search-box"
          placeholder={t('gallery.searchPlaceholder')}
          aria-label={t('gallery.search')}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') setFilters({ text: text.trim() === '' ? undefined : text });
          }}
        />
        <button
          type="button"
          className={filters.favourite === true ? 'toggle active' : 'toggle'}
          aria-pressed={filters.favourite === true}
          data-testid="filter-favourite"
          onClick={() => setFilters({ favourite: filters.favourite === true ? undefined : true })}
        >
          ♥ {t('gallery.favourites')}
        </button>
        <button type="button" className={open ? 'toggle active' : 'toggle'} aria-expanded={open} data-testid="filters-toggle" onClick={() => setOpen(!open)}>
          {active > 0 ? t('gallery.filtersActive', { count: active }) : t('gallery.filters')}
        </button>
        <label className="inline-field" htmlFor={ids.sort}>
          <span className="field-label">{t('gallery.sort')}</span>
          <select id={ids.sort} data-testid="sort-select" value={sort} onChange={(e) => setSort(e.target.value as (typeof IMAGE_SORTS)[number])}>
            {IMAGE_SORTS.map((s) => (
              <option key={s} value={s} disabled={s === 'relevance' && filters.text === undefined}>
                {t(`sort.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <span className="muted count" data-testid="gallery-count" data-count={total ?? ''}>
          {total === null ? '' : total >= COUNT_CAP ? t('gallery.countMany', { count: COUNT_CAP }) : t(total === 1 ? 'gallery.countOne' : 'gallery.count', { count: total })}
        </span>
        {(active > 0 || filters.text !== undefined || sort !== 'newest') && (
          <button type="button" className="link" data-testid="filters-clear" onClick={clearFilters}>
            {t('gallery.clearFilters')}
          </button>
        )}
        {source.kind === 'library' && <SaveSmartAlbum filters={filters} />}
      </div>
      {open && <MoreFilters filters={filters} setFilters={setFilters} />}
    </div>
  );
}

function MoreFilters({ filters, setFilters }: { filters: ImageFilters; setFilters: (patch: Partial<ImageFilters>) => void }) {
  const t = useT();
  const { models, tags, albums } = useStudioShallow((s) => ({ models: s.models, tags: s.tags, albums: s.albums }));
  const id = useId();
  const modelNames = [...new Set(usableModels(models).map((m) => m.name))];
  const field = (name: string) => `${id}-${name}`;
  const yesNo = (value: boolean | undefined) => (value === undefined ? '' : value ? 'yes' : 'no');
  const fromYesNo = (value: string) => (value === '' ? undefined : value === 'yes');
  return (
    <div className="more-filters" data-testid="filters-panel">
      <label className="field" htmlFor={field('model')}>
        <span className="field-label">{t('filter.model')}</span>
        <select id={field('model')} data-testid="filter-model" value={filters.models?.[0] ?? ''} onChange={(e) => setFilters({ models: e.target.value === '' ? undefined : [e.target.value] })}>
          <option value="">{t('filter.any')}</option>
          {modelNames.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <SamplerSelect
        label={t('filter.sampler')}
        testId="filter-sampler"
        value={SAMPLERS.find((s) => s === filters.samplers?.[0]) ?? null}
        emptyLabel={t('filter.any')}
        onChange={(sampler) => setFilters({ samplers: sampler === null ? undefined : [sampler] })}
      />
      <label className="field" htmlFor={field('rating')}>
        <span className="field-label">{t('filter.minRating')}</span>
        <select id={field('rating')} data-testid="filter-rating" value={filters.minRating ?? ''} onChange={(e) => setFilters({ minRating: e.target.value === '' ? undefined : Number(e.target.value) })}>
          <option value="">{t('filter.any')}</option>
          {[1, 2, 3, 4, 5].map((n) => (
            <option key={n} value={n}>
              {'★'.repeat(n)}
            </option>
          ))}
        </select>
      </label>
      <label className="field" htmlFor={field('aspect')}>
        <span className="field-label">{t('filter.aspect')}</span>
        <select
          id={field('aspect')}
          data-testid="filter-aspect"
          value={filters.aspect ?? ''}
          onChange={(e) => setFilters({ aspect: e.target.value === '' ? undefined : (e.target.value as 'square' | 'portrait' | 'landscape') })}
        >
          <option value="">{t('filter.any')}</option>
          <option value="square">{t('filter.square')}</option>
          <option value="portrait">{t('filter.portrait')}</option>
          <option value="landscape">{t('filter.landscape')}</option>
        </select>
      </label>
      <label className="field" htmlFor={field('width')}>
        <span className="field-label">{t('filter.width')}</span>
        <input
          id={field('width')}
          type="number"
          min={1}
          data-testid="filter-width"
          value={filters.width ?? ''}
          onChange={(e) => setFilters({ width: e.target.value === '' || Number(e.target.value) < 1 ? undefined : Math.round(Number(e.target.value)) })}
        />
      </label>
      <label className="field" htmlFor={field('height')}>
        <span className="field-label">{t('filter.height')}</span>
        <input
          id={field('height')}
          type="number"
          min={1}
          data-testid="filter-height"
          value={filters.height ?? ''}
          onChange={(e) => setFilters({ height: e.target.value === '' || Number(e.target.value) < 1 ? undefined : Math.round(Number(e.target.value)) })}
        />
      </label>
      <label className="field" htmlFor={field('since')}>
        <span className="field-label">{t('filter.since')}</span>
        <input id={field('since')} type="date" data-testid="filter-since" value={day(filters.since)} onChange={(e) => setFilters({ since: fromDay(e.target.value, false) })} />
      </label>
      <label className="field" htmlFor={field('until')}>
        <span className="field-label">{t('filter.until')}</span>
        <input id={field('until')} type="date" data-testid="filter-until" value={day(filters.until)} onChange={(e) => setFilters({ until: fromDay(e.target.value, true) })} />
      </label>
      <label className="field" htmlFor={field('tag')}>
        <span className="field-label">{t('filter.tag')}</span>
        <select id={field('tag')} data-testid="filter-tag" value={filters.tag ?? ''} onChange={(e) => setFilters({ tag: e.target.value === '' ? undefined : e.target.value })}>
          <option value="">{t('filter.any')}</option>
          {tags.map((tag) => (
            <option key={tag.name} value={tag.name}>
              {tag.name} ({tag.count})
            </option>
          ))}
        </select>
      </label>
      <label className="field" htmlFor={field('album')}>
        <span className="field-label">{t('filter.album')}</span>
        <select id={field('album')} data-testid="filter-album" value={filters.albumId ?? ''} onChange={(e) => setFilters({ albumId: e.target.value === '' ? undefined : Number(e.target.value) })}>
          <option value="">{t('filter.any')}</option>
          {albums
            .filter((a) => a.smartFilters === null)
            .map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
        </select>
      </label>
      <label className="field" htmlFor={field('published')}>
        <span className="field-label">{t('filter.published')}</span>
        <select id={field('published')} data-testid="filter-published" value={yesNo(filters.published)} onChange={(e) => setFilters({ published: fromYesNo(e.target.value) })}>
          <option value="">{t('filter.any')}</option>
          <option value="yes">{t('filter.publishedYes')}</option>
          <option value="no">{t('filter.publishedNo')}</option>
        </select>
      </label>
      <label className="field" htmlFor={field('companion')}>
        <span className="field-label">{t('filter.companion')}</span>
        <input
          id={field('companion')}
          type="text"
          data-testid="filter-companion"
          value={filters.companionId ?? ''}
          onChange={(e) => setFilters({ companionId: e.target.value.trim() === '' ? undefined : e.target.value.trim() })}
        />
      </label>
    </div>
  );
}

/** Saves the current search and filters as a smart album. */
function SaveSmartAlbum({ filters }: { filters: ImageFilters }) {
  const t = useT();
  const createAlbum = useStudio((s) => s.createAlbum);
  const [name, setName] = useState<string | null>(null);
  if (Object.keys(filters).filter((k) => k !== 'trashed').length === 0) return null;
  if (name === null) {
    return (
      <button type="button" className="link" data-testid="save-smart-album" onClick={() => setName('')}>
        {t('albums.saveSearch')}
      </button>
    );
  }
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (name.trim() === '') return;
        void createAlbum(name.trim(), filters).then(() => setName(null));
      }}
    >
      <input autoFocus data-testid="smart-album-name" placeholder={t('albums.smartName')} aria-label={t('albums.smartName')} value={name} onChange={(e) => setName(e.target.value)} />
      <button type="submit">{t('common.save')}</button>
      <button type="button" onClick={() => setName(null)}>
        {t('common.cancel')}
      </button>
    </form>
  );
}
