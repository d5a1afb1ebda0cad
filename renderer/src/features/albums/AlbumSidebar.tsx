import { useState, type DragEvent } from 'react';
import type { Album } from '../../../../electron/contract';
import { useHost, useStudio, useStudioShallow, useT } from '../../store/react';
import { isImageDrag, readDraggedImages } from '../gallery/drag';

/** The library, its trash, and the albums; images dragged from the grid drop onto a regular album. */
export function AlbumSidebar() {
  const t = useT();
  const { albums, source, trash, favourite } = useStudioShallow((s) => ({
    albums: s.albums,
    source: s.source,
    trash: s.filters.trashed === true,
    favourite: s.filters.favourite === true,
  }));
  const { showLibrary, setFilters, createAlbum, showAlbum } = useStudioShallow((s) => ({
    showLibrary: s.showLibrary,
    setFilters: s.setFilters,
    createAlbum: s.createAlbum,
    showAlbum: s.showAlbum,
  }));
  const [newName, setNewName] = useState<string | null>(null);
  const library = source.kind === 'library';
  return (
    <nav className="sidebar" aria-label={t('albums.title')}>
      <ul className="side-list">
        <li>
          <button type="button" className={library && !trash && !favourite ? 'side-item active' : 'side-item'} data-testid="nav-library" onClick={showLibrary}>
            {t('gallery.library')}
          </button>
        </li>
        <li>
          <button
            type="button"
            className={library && favourite ? 'side-item active' : 'side-item'}
            data-testid="nav-favourites"
            onClick={() => {
              showLibrary();
              setFilters({ favourite: true });
            }}
          >
            ♥ {t('gallery.favourites')}
          </button>
        </li>
        <li>
          <button
            type="button"
            className={library && trash ? 'side-item active' : 'side-item'}
            data-testid="nav-trash"
            onClick={() => {
              showLibrary();
              setFilters({ trashed: true });
            }}
          >
            {t('gallery.trash')}
          </button>
        </li>
      </ul>
      <div className="side-heading">
        <h2>{t('albums.title')}</h2>
        <button type="button" className="icon" data-testid="album-new" aria-label={t('albums.new')} title={t('albums.new')} onClick={() => setNewName('')}>
          +
        </button>
      </div>
      {newName !== null && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (newName.trim() === '') return;
            void createAlbum(newName.trim()).then((album) => {
              setNewName(null);
              if (album !== undefined) showAlbum(album);
            });
          }}
        >
          <input autoFocus data-testid="album-name-input" aria-label={t('albums.name')} placeholder={t('albums.name')} value={newName} onChange={(e) => setNewName(e.target.value)} onKeyDown={(e) => e.key === 'Escape' && setNewName(null)} />
          <button type="submit" data-testid="album-create">
            {t('albums.create')}
          </button>
        </form>
      )}
      <ul className="side-list" data-testid="album-list">
        {albums.length === 0 && newName === null && <li className="muted small empty-albums">{t('albums.empty')}</li>}
        {albums.map((album) => (
          <AlbumItem key={album.id} album={album} active={source.kind === 'album' && source.album.id === album.id} />
        ))}
      </ul>
    </nav>
  );
}

function AlbumItem({ album, active }: { album: Album; active: boolean }) {
  const { client } = useHost();
  const t = useT();
  const { showAlbum, renameAlbum, deleteAlbum, addToAlbum } = useStudioShallow((s) => ({
    showAlbum: s.showAlbum,
    renameAlbum: s.renameAlbum,
    deleteAlbum: s.deleteAlbum,
    addToAlbum: s.addToAlbum,
  }));
  const [mode, setMode] = useState<'view' | 'rename' | 'delete'>('view');
  const [name, setName] = useState(album.name);
  const [over, setOver] = useState(false);
  const smart = album.smartFilters !== null;
  const accepts = (event: DragEvent) => !smart && isImageDrag(event.dataTransfer);
  const count = useStudio((s) => (active ? s.total : null));

  if (mode === 'rename') {
    return (
      <li>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim() !== '') void renameAlbum(album.id, name.trim()).then(() => setMode('view'));
          }}
        >
          <input autoFocus data-testid="album-rename-input" aria-label={t('albums.name')} value={name} onChange={(e) => setName(e.target.value)} onKeyDown={(e) => e.key === 'Escape' && setMode('view')} />
          <button type="submit">{t('common.save')}</button>
        </form>
      </li>
    );
  }
  return (
    <li
      className={`album-item${active ? ' active' : ''}${over ? ' drop-target' : ''}`}
      data-testid="album-item"
      data-album-id={album.id}
      data-album-name={album.name}
      onDragOver={(e) => {
        if (!accepts(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        setOver(false);
        if (!accepts(e)) return;
        e.preventDefault();
        const selection = readDraggedImages(e.dataTransfer);
        if (selection !== null) void addToAlbum(album.id, selection);
      }}
    >
      {mode === 'delete' ? (
        <div className="confirm">
          <span className="small">{t('albums.deleteConfirm', { name: album.name })}</span>
          <button type="button" className="danger" data-testid="album-delete-confirm" onClick={() => void deleteAlbum(album.id)}>
            {t('common.delete')}
          </button>
          <button type="button" onClick={() => setMode('view')}>
            {t('common.cancel')}
          </button>
        </div>
      ) : (
        <>
          <button type="button" className="side-item" data-testid="album-open" onClick={() => showAlbum(album)}>
            {album.coverThumbnailPath === null ? (
              <span aria-hidden="true">{smart ? '⚡' : '▣'}</span>
            ) : (
              <img className="album-cover" data-testid="album-cover" src={client.fileUrl(album.coverThumbnailPath)} alt="" width={20} height={20} />
            )}{' '}
            <span className="album-name">{album.name}</span>
            <span className="muted small">{album.imageCount ?? (count === null ? '' : count)}</span>
          </button>
          <span className="album-actions">
            <button type="button" className="icon" data-testid="album-rename" aria-label={t('albums.rename')} title={t('albums.rename')} onClick={() => setMode('rename')}>
              ✎
            </button>
            <button type="button" className="icon" data-testid="album-delete" aria-label={t('albums.delete')} title={t('albums.delete')} onClick={() => setMode('delete')}>
              ×
            </button>
          </span>
        </>
      )}
    </li>
  );
}
