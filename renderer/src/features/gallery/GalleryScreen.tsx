import { useId, useState, type FormEvent } from 'react';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ProgressBar } from '../../components/ProgressBar';
import { Stars } from '../../components/Stars';
import { useStudio, useStudioShallow, useT } from '../../store/react';
import { AlbumSidebar } from '../albums/AlbumSidebar';
import { PublishSelectionButton } from '../publish/PublishDialog';
import { FilterBar } from './FilterBar';
import { GalleryGrid } from './GalleryGrid';

export function GalleryScreen() {
  const t = useT();
  const source = useStudio((s) => s.source);
  const trash = useStudio((s) => s.filters.trashed === true);
  return (
    <div className="gallery-screen">
      <AlbumSidebar />
      <section className="gallery-main" aria-label={t('gallery.title')}>
        <header className="gallery-header">
          <h1 data-testid="gallery-title">{source.kind === 'album' ? source.album.name : trash ? t('gallery.trash') : t('gallery.library')}</h1>
          {source.kind === 'album' && <span className="muted small">{t(source.album.smartFilters === null ? 'albums.regular' : 'albums.smart')}</span>}
          <SmartAlbumSave />
          {trash && <EmptyTrash />}
        </header>
        <FilterBar />
        <SelectionBar />
        <GalleryGrid />
      </section>
    </div>
  );
}

/** Empties the whole trash, after asking. */
export function EmptyTrash() {
  const deleteForever = useStudio((s) => s.deleteForever);
  const empty = useStudio((s) => s.loaded && s.items.length === 0);
  if (empty) return null;
  return <ConfirmButton label="gallery.emptyTrash" question="gallery.emptyTrashConfirm" act={() => deleteForever(true)} testId="trash-empty" />;
}

/** For a smart album with the user's filters on top: make them the album's own. */
export function SmartAlbumSave() {
  const t = useT();
  const refined = useStudio((s) => s.source.kind === 'album' && s.source.album.smartFilters !== null && Object.keys(s.filters).length > 0);
  const saveSmartFilters = useStudio((s) => s.saveSmartFilters);
  if (!refined) return null;
  return (
    <button type="button" className="link" data-testid="smart-save" onClick={() => void saveSmartFilters()}>
      {t('albums.smartSave')}
    </button>
  );
}

/** Edits to the selected images (or to everything the filters match, after "select all"). */
export function SelectionBar() {
  const t = useT();
  const id = useId();
  const { count, allSelected, total, trash, allAlbums, loadedCount } = useStudioShallow((s) => ({
    count: s.selected.size,
    allSelected: s.allSelected,
    total: s.total,
    trash: s.filters.trashed === true,
    allAlbums: s.albums,
    loadedCount: s.items.length,
  }));
  const actions = useStudioShallow((s) => ({
    selectAll: s.selectAll,
    clearSelection: s.clearSelection,
    favouriteSelection: s.favouriteSelection,
    rateSelection: s.rateSelection,
    trashSelection: s.trashSelection,
    restoreSelection: s.restoreSelection,
    deleteForever: s.deleteForever,
    addToAlbum: s.addToAlbum,
    selection: s.selection,
  }));
  const albums = allAlbums.filter((a) => a.smartFilters === null);
  const shown = allSelected ? (total ?? loadedCount) : count;
  if (count === 0 && !allSelected) {
    return (
      <div className="selection-bar quiet">
        <button type="button" className="link" data-testid="select-all" disabled={loadedCount === 0} onClick={actions.selectAll}>
          {t('gallery.selectAll')}
        </button>
        <span className="muted small">{t('gallery.selectHint')}</span>
      </div>
    );
  }
  return (
    <div className="selection-bar" data-testid="selection-bar">
      <strong data-testid="selection-count">{t(allSelected ? 'gallery.selectedAll' : 'gallery.selected', { count: shown })}</strong>
      {!allSelected && (
        <button type="button" className="link" data-testid="select-all" onClick={actions.selectAll}>
          {t('gallery.selectAll')}
        </button>
      )}
      <button type="button" className="link" data-testid="select-none" onClick={actions.clearSelection}>
        {t('gallery.selectNone')}
      </button>
      <span className="spacer" />
      {!trash && (
        <>
          <button type="button" data-testid="bulk-favourite" onClick={() => void actions.favouriteSelection(true)}>
            ♥ {t('gallery.favourite')}
          </button>
          <button type="button" data-testid="bulk-unfavourite" onClick={() => void actions.favouriteSelection(false)}>
            {t('gallery.unfavourite')}
          </button>
          <Stars value={0} onChange={(rating) => void actions.rateSelection(rating)} testId="bulk-rating" />
          <PublishSelectionButton />
          <select
            aria-label={t('gallery.addToAlbum')}
            id={id}
            data-testid="bulk-album"
            value=""
            onChange={(e) => {
              const selection = actions.selection();
              if (e.target.value !== '' && selection !== null) void actions.addToAlbum(Number(e.target.value), selection);
            }}
          >
            <option value="">{t('gallery.addToAlbum')}</option>
            {albums.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
          <TagForm />
          <ExportForm />
          <button type="button" className="danger" data-testid="bulk-trash" onClick={() => void actions.trashSelection()}>
            {t('gallery.trashSelected')}
          </button>
        </>
      )}
      {trash && (
        <>
          <button type="button" data-testid="bulk-restore" onClick={() => void actions.restoreSelection()}>
            {t('gallery.restoreSelected')}
          </button>
          <ConfirmButton label="gallery.deleteForever" question="gallery.deleteForeverConfirm" vars={{ count: shown }} act={() => actions.deleteForever(false)} testId="bulk-delete" />
        </>
      )}
    </div>
  );
}

/** One tag for the whole selection. */
function TagForm() {
  const t = useT();
  const tagSelection = useStudio((s) => s.tagSelection);
  const [tag, setTag] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (tag.trim() === '') return;
    void tagSelection(tag).then(() => setTag(''));
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <input
        type="text"
        aria-label={t('gallery.tagPlaceholder')}
        placeholder={t('gallery.tagPlaceholder')}
        data-testid="bulk-tag-input"
        maxLength={100}
        value={tag}
        onChange={(e) => setTag(e.target.value)}
      />
      <button type="submit" data-testid="bulk-tag" disabled={tag.trim() === ''}>
        {t('gallery.tag')}
      </button>
    </form>
  );
}

/** Export of the selection to a folder or, for a path ending in .zip, a zip file (on the studio's machine). */
function ExportForm() {
  const t = useT();
  const exportSelection = useStudio((s) => s.exportSelection);
  const exporting = useStudio((s) => s.exporting);
  const [open, setOpen] = useState(false);
  const [target, setTarget] = useState('');
  if (exporting !== null) {
    const label = t('gallery.exporting', { where: exporting.target });
    return (
      <span className="inline-form" data-testid="export-progress">
        <span className="small">{label}</span>
        <ProgressBar value={exporting.done} max={exporting.total} label={label} />
      </span>
    );
  }
  if (!open) {
    return (
      <button type="button" data-testid="bulk-export" onClick={() => setOpen(true)}>
        {t('gallery.export')}
      </button>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const where = target.trim();
    if (where === '') return;
    void exportSelection(/\.zip$/i.test(where) ? { zip: where } : { folder: where }).finally(() => setOpen(false));
  };
  return (
    <form className="inline-form" onSubmit={submit} data-testid="export-form">
      <input
        type="text"
        aria-label={t('gallery.exportPath')}
        placeholder={t('gallery.exportPlaceholder')}
        data-testid="export-path"
        maxLength={4096}
        autoFocus
        value={target}
        onChange={(e) => setTarget(e.target.value)}
      />
      <button type="submit" data-testid="export-go" disabled={target.trim() === ''}>
        {t('gallery.exportGo')}
      </button>
      <button type="button" className="link" onClick={() => setOpen(false)}>
        {t('gallery.exportCancel')}
      </button>
    </form>
  );
}
