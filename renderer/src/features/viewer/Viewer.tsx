import { useEffect, useId, useRef, useState } from 'react';
import type { ImageDetails } from '../../../../electron/contract';
import { SAMPLERS } from '../../../../electron/contract';
import { Stars } from '../../components/Stars';
import { PublishButton } from '../publish/PublishDialog';
import { SyncBadge } from '../publish/SyncBadge';
import type { Translate } from '../../i18n';
import { useHost, useStudio, useStudioShallow, useT } from '../../store/react';
import { parametersText } from './parameters';

/** The viewer over the gallery: the image at full size, all its metadata, and what can be done with it. */
export function Viewer() {
  const t = useT();
  const details = useStudio((s) => s.details);
  const { closeViewer, stepViewer } = useStudioShallow((s) => ({ closeViewer: s.closeViewer, stepViewer: s.stepViewer }));
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => dialog.current?.focus(), []);
  // Keys for the viewer come to the window: focus falls back to the page when a button in the viewer disables
  // itself (making the cover, adding to an album), and Escape must still close it. Keys typed in a field are the
  // field's, and keys aimed at another dialog (the publish dialog) are that dialog's.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target instanceof HTMLElement ? event.target : document.body;
      if (target.closest('input, textarea, select') !== null) return;
      if (target !== document.body && dialog.current?.contains(target) !== true) return;
      if (event.key === 'Escape') closeViewer();
      else if (event.key === 'ArrowLeft') void stepViewer(-1);
      else if (event.key === 'ArrowRight') void stepViewer(1);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [closeViewer, stepViewer]);
  if (details === null) return null;
  return (
    <div
      className="viewer-backdrop"
      onClick={(e) => {
        if (e.target === e.currentTarget) closeViewer();
      }}
    >
      <div
        ref={dialog}
        className="viewer"
        role="dialog"
        aria-modal="true"
        aria-label={t('viewer.title')}
        data-testid="viewer"
        data-image-id={details.id}
        tabIndex={-1}
      >
        <ViewerImage details={details} />
        <ViewerPanel details={details} />
        <button type="button" className="icon viewer-close" data-testid="viewer-close" aria-label={t('common.close')} onClick={closeViewer}>
          ×
        </button>
        <button type="button" className="icon viewer-prev" data-testid="viewer-prev" aria-label={t('viewer.previous')} onClick={() => void stepViewer(-1)}>
          ‹
        </button>
        <button type="button" className="icon viewer-next" data-testid="viewer-next" aria-label={t('viewer.next')} onClick={() => void stepViewer(1)}>
          ›
        </button>
      </div>
    </div>
  );
}

function ViewerImage({ details }: { details: ImageDetails }) {
  const { client } = useHost();
  const t = useT();
  return (
    <div className="viewer-image">
      {details.missingAt !== null ? (
        <p className="empty">{t('viewer.missing')}</p>
      ) : (
        <img src={client.fileUrl(details.filePath)} alt={details.prompt} data-testid="viewer-image" width={details.width} height={details.height} />
      )}
    </div>
  );
}

function ViewerPanel({ details }: { details: ImageDetails }) {
  const t = useT();
  const host = useHost();
  const ids = { album: useId(), tag: useId() };
  const albums = useStudio((s) => s.albums);
  const actions = useStudioShallow((s) => ({
    setViewerFavourite: s.setViewerFavourite,
    setViewerRating: s.setViewerRating,
    addViewerTag: s.addViewerTag,
    removeViewerTag: s.removeViewerTag,
    trashViewerImage: s.trashViewerImage,
    restoreViewerImage: s.restoreViewerImage,
    addToAlbum: s.addToAlbum,
    setAlbumCover: s.setAlbumCover,
    reuseParams: s.reuseParams,
    navigate: s.navigate,
    closeViewer: s.closeViewer,
    inform: s.inform,
    reportError: s.reportError,
  }));
  const [tag, setTag] = useState('');
  const [album, setAlbum] = useState('');
  const regularAlbums = albums.filter((a) => a.smartFilters === null && !details.albums.some((m) => m.id === a.id));
  const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

  const copyParameters = async () => {
    try {
      await navigator.clipboard.writeText(parametersText(details));
      actions.inform('viewer.copiedParameters');
    } catch {
      actions.inform('viewer.clipboardRefused');
    }
  };
  const copyImage = async () => {
    if (host.desktop !== null) {
      const result = await host.desktop.copyImage(details.filePath);
      if (result.ok) actions.inform('viewer.copiedImage');
      else actions.reportError(result.error);
      return;
    }
    try {
      // The Clipboard API takes PNG only: anything else is re-encoded first.
      const blob = await (await fetch(host.client.fileUrl(details.filePath), { credentials: 'same-origin' })).blob();
      const png = blob.type === 'image/png' ? blob : await toPng(blob);
      await navigator.clipboard.write([new ClipboardItem({ 'image/png': png })]);
      actions.inform('viewer.copiedImage');
    } catch {
      actions.inform('viewer.clipboardRefused');
    }
  };
  const reveal = async () => {
    if (host.desktop === null) return;
    const result = await host.desktop.revealFile(details.filePath);
    if (!result.ok) actions.reportError(result.error);
  };
  const sampler = SAMPLERS.find((s) => s === details.sampler);
  const reuse = () => {
    actions.reuseParams({
      prompt: details.prompt,
      negativePrompt: details.negativePrompt,
      width: details.width,
      height: details.height,
      ...(sampler === undefined ? {} : { sampler }),
      ...(details.steps === null ? {} : { steps: details.steps }),
      ...(details.guidance === null ? {} : { guidance: details.guidance }),
      ...(details.seed === null ? {} : { seed: details.seed }),
    });
    actions.closeViewer();
    actions.navigate('generate');
  };

  const rows: [string, string][] = [
    [t('meta.model'), details.modelName ?? '—'],
    [t('meta.modelHash'), details.modelHash ?? '—'],
    [t('meta.sampler'), details.sampler ?? '—'],
    [t('meta.steps'), details.steps === null ? '—' : String(details.steps)],
    [t('meta.guidance'), details.guidance === null ? '—' : String(details.guidance)],
    [t('meta.seed'), details.seed === null ? '—' : String(details.seed)],
    [t('meta.size'), `${details.width} × ${details.height}`],
    [t('meta.format'), `${details.format.toUpperCase()} · ${formatBytes(t, details.fileSize)}`],
    [t('meta.source'), t(`source.${details.source}`)],
    [t('meta.created'), dateTime.format(details.createdAt)],
    [t('meta.imported'), dateTime.format(details.importedAt)],
    [t('meta.sync'), t(`sync.${details.syncState}`)],
  ];

  return (
    <aside className="viewer-panel">
      <div className="viewer-actions">
        <button
          type="button"
          className={details.favourite ? 'toggle active' : 'toggle'}
          aria-pressed={details.favourite}
          data-testid="favourite-button"
          onClick={() => void actions.setViewerFavourite(!details.favourite)}
        >
          ♥ {t(details.favourite ? 'viewer.favourited' : 'viewer.favourite')}
        </button>
        <Stars value={details.rating} onChange={(r) => void actions.setViewerRating(r)} testId="viewer-rating" />
        <SyncBadge state={details.syncState} label={t(`sync.${details.syncState}`)} withLabel />
        <PublishButton details={details} />
      </div>
      {details.deletedAt !== null && <p className="banner">{t('viewer.inTrash')}</p>}

      <section>
        <h3>{t('meta.prompt')}</h3>
        <p className="prompt-text" data-testid="viewer-prompt">
          {details.prompt || '—'}
        </p>
        {details.negativePrompt !== '' && (
          <>
            <h3>{t('meta.negativePrompt')}</h3>
            <p className="prompt-text">{details.negativePrompt}</p>
          </>
        )}
        <dl className="meta" data-testid="viewer-metadata">
          {rows.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
        <div className="button-row">
          <button type="button" data-testid="viewer-reuse" onClick={reuse}>
            {t('viewer.reuse')}
          </button>
          <button type="button" data-testid="viewer-copy-parameters" onClick={() => void copyParameters()}>
            {t('viewer.copyParameters')}
          </button>
          <button type="button" data-testid="viewer-copy-image" onClick={() => void copyImage()}>
            {t('viewer.copyImage')}
          </button>
          {host.desktop !== null && (
            <button type="button" data-testid="viewer-reveal" onClick={() => void reveal()}>
              {t('viewer.reveal')}
            </button>
          )}
        </div>
      </section>

      <section>
        <h3>{t('viewer.tags')}</h3>
        <ul className="chips" data-testid="viewer-tags">
          {details.tags.map((name) => (
            <li key={name} className="chip">
              {name}
              <button type="button" className="icon" aria-label={t('viewer.removeTag', { tag: name })} onClick={() => void actions.removeViewerTag(name)}>
                ×
              </button>
            </li>
          ))}
        </ul>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (tag.trim() === '') return;
            void actions.addViewerTag(tag.trim()).then(() => setTag(''));
          }}
        >
          <input id={ids.tag} data-testid="viewer-tag-input" placeholder={t('viewer.addTag')} aria-label={t('viewer.addTag')} value={tag} maxLength={200} onChange={(e) => setTag(e.target.value)} />
          <button type="submit">{t('common.add')}</button>
        </form>
      </section>

      <section>
        <h3>{t('viewer.albums')}</h3>
        <ul className="chips" data-testid="viewer-albums">
          {details.albums.map((a) => {
            const cover = albums.find((x) => x.id === a.id)?.coverImageId === details.id;
            return (
              <li key={a.id} className="chip">
                {a.name}
                <button
                  type="button"
                  className="icon"
                  data-testid="viewer-album-cover"
                  aria-pressed={cover}
                  disabled={cover}
                  title={t(cover ? 'viewer.isCover' : 'viewer.makeCover')}
                  aria-label={t(cover ? 'viewer.isCover' : 'viewer.makeCover')}
                  onClick={() => void actions.setAlbumCover(a.id, details.id)}
                >
                  {cover ? '★' : '☆'}
                </button>
              </li>
            );
          })}
        </ul>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (album !== '') void actions.addToAlbum(Number(album), { ids: [details.id] }).then(() => setAlbum(''));
          }}
        >
          <select id={ids.album} data-testid="viewer-album-select" aria-label={t('viewer.addToAlbum')} value={album} onChange={(e) => setAlbum(e.target.value)}>
            <option value="">{t('viewer.chooseAlbum')}</option>
            {regularAlbums.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
          <button type="submit" data-testid="viewer-album-add" disabled={album === ''}>
            {t('common.add')}
          </button>
        </form>
      </section>

      <div className="button-row">
        {details.deletedAt === null ? (
          <button type="button" className="danger" data-testid="viewer-trash" onClick={() => void actions.trashViewerImage()}>
            {t('viewer.trash')}
          </button>
        ) : (
          <button type="button" data-testid="viewer-restore" onClick={() => void actions.restoreViewerImage()}>
            {t('viewer.restore')}
          </button>
        )}
      </div>
    </aside>
  );
}

function formatBytes(t: Translate, bytes: number): string {
  if (bytes < 1024) return t('meta.bytes', { count: bytes });
  const round = (n: number) => Math.round(n * 10) / 10;
  if (bytes < 1024 * 1024) return t('meta.kib', { count: round(bytes / 1024) });
  return t('meta.mib', { count: round(bytes / 1024 / 1024) });
}

async function toPng(blob: Blob): Promise<Blob> {
  const bitmap = await createImageBitmap(blob);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}
