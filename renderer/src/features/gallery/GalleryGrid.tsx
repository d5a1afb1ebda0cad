/**
 * The gallery grid, virtualized by rows (@tanstack/react-virtual): only the rows in view (plus a few) are in
 * the DOM, so 100,000 images scroll like 100. Pages load as the end comes into view.
 *
 * Performance marks for the UI benchmark: `studio:gallery-first-page` when the first page of a query is on
 * screen, `studio:gallery-first-image` when its first thumbnail has loaded.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState, type DragEvent, type KeyboardEvent, type MouseEvent } from 'react';
import type { ImageSummary } from '../../../../electron/contract';
import { useHost, useStudioShallow, useT } from '../../store/react';
import { isImageDrag, readDraggedImages, writeDraggedImages } from './drag';
import { inAlbumOrder, type SelectMode } from './gallery-slice';

export const TILE_MIN = 160;
export const GAP = 8;

export function GalleryGrid() {
  const t = useT();
  const scroller = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const { items, nextCursor, loading, loaded, selected, allSelected, focus, reorderable } = useStudioShallow((s) => ({
    items: s.items,
    nextCursor: s.nextCursor,
    loading: s.loading,
    loaded: s.loaded,
    selected: s.selected,
    allSelected: s.allSelected,
    focus: s.focus,
    reorderable: inAlbumOrder(s.source, s.filters, s.sort),
  }));
  const actions = useStudioShallow((s) => ({
    loadMore: s.loadMore,
    selectAt: s.selectAt,
    selectAll: s.selectAll,
    clearSelection: s.clearSelection,
    setFocus: s.setFocus,
    openViewer: s.openViewer,
    trashSelection: s.trashSelection,
    selection: s.selection,
    reorderInAlbum: s.reorderInAlbum,
  }));

  useLayoutEffect(() => {
    const element = scroller.current;
    if (element === null) return;
    const observer = new ResizeObserver(() => setWidth(element.clientWidth));
    observer.observe(element);
    setWidth(element.clientWidth);
    return () => observer.disconnect();
  }, []);

  const columns = Math.max(1, Math.floor((width - GAP) / (TILE_MIN + GAP)));
  const tile = Math.max(64, Math.floor((width - GAP * (columns + 1)) / columns));
  const rows = Math.ceil(items.length / columns);
  const virtualizer = useVirtualizer({
    count: rows,
    getScrollElement: () => scroller.current,
    estimateSize: () => tile + GAP,
    overscan: 3,
  });
  useEffect(() => virtualizer.measure(), [tile, virtualizer]);

  const virtualRows = virtualizer.getVirtualItems();
  const lastRow = virtualRows.at(-1)?.index ?? -1;
  useEffect(() => {
    if (nextCursor !== null && !loading && lastRow >= rows - 4) void actions.loadMore();
  }, [lastRow, rows, nextCursor, loading, actions]);

  const marked = useRef({ page: false, image: false });
  useEffect(() => {
    if (!loaded) marked.current = { page: false, image: false };
    else if (items.length > 0 && !marked.current.page) {
      marked.current.page = true;
      performance.mark('studio:gallery-first-page');
    }
  }, [loaded, items.length]);
  const onFirstImage = useCallback(() => {
    if (marked.current.image) return;
    marked.current.image = true;
    performance.mark('studio:gallery-first-image');
  }, []);

  const moveFocus = (index: number, event: KeyboardEvent) => {
    const target = Math.max(0, Math.min(items.length - 1, index));
    if (event.ctrlKey || event.metaKey) actions.setFocus(target);
    else actions.selectAt(target, event.shiftKey ? 'range' : 'replace');
    virtualizer.scrollToIndex(Math.floor(target / columns), { align: 'auto' });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (items.length === 0) return;
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? tile) / (tile + GAP))) * columns;
    const moves: Record<string, number> = {
      ArrowRight: focus + 1,
      ArrowLeft: focus - 1,
      ArrowDown: focus + columns,
      ArrowUp: focus - columns,
      PageDown: focus + page,
      PageUp: focus - page,
      Home: 0,
      End: items.length - 1,
    };
    const to = moves[event.key];
    if (to !== undefined) {
      event.preventDefault();
      moveFocus(to, event);
    } else if (event.key === 'a' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      actions.selectAll();
    } else if (event.key === 'Escape') {
      actions.clearSelection();
    } else if (event.key === ' ') {
      event.preventDefault();
      actions.selectAt(focus, 'toggle');
    } else if (event.key === 'Enter') {
      void actions.openViewer(focus);
    } else if (event.key === 'Delete') {
      void actions.trashSelection();
    }
  };

  const onTileClick = useCallback(
    (index: number, event: MouseEvent) => {
      const mode: SelectMode = event.shiftKey ? 'range' : event.ctrlKey || event.metaKey ? 'toggle' : 'replace';
      actions.selectAt(index, mode);
    },
    [actions],
  );
  const onTileOpen = useCallback((index: number) => void actions.openViewer(index), [actions]);
  const onTileDragStart = useCallback(
    (image: ImageSummary, event: DragEvent) => {
      // Dragging a selected image drags the whole selection; any other image goes alone.
      const selection = actions.selection();
      const inSelection = selection !== null && ('filters' in selection || selection.ids.includes(image.id));
      writeDraggedImages(event.dataTransfer, inSelection ? selection : { ids: [image.id] });
    },
    [actions],
  );
  const onTileDrop = useCallback(
    (image: ImageSummary, event: DragEvent) => {
      if (!isImageDrag(event.dataTransfer)) return;
      event.preventDefault();
      const dragged = readDraggedImages(event.dataTransfer);
      if (dragged !== null && 'ids' in dragged) void actions.reorderInAlbum(dragged.ids.filter((id) => id !== image.id), image.id);
    },
    [actions],
  );

  return (
    <div
      ref={scroller}
      className="gallery-scroller"
      data-testid="gallery-grid"
      data-count={items.length}
      role="grid"
      aria-label={t('gallery.title')}
      aria-multiselectable="true"
      aria-busy={loading}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      {loaded && items.length === 0 && <p className="empty" data-testid="gallery-empty">{t('gallery.empty')}</p>}
      <div className="gallery-rows" style={{ height: virtualizer.getTotalSize() + GAP }}>
        {virtualRows.map((row) => (
          <div key={row.key} className="gallery-row" role="row" style={{ transform: `translateY(${row.start + GAP}px)`, height: tile, gap: GAP, paddingLeft: GAP }}>
            {items.slice(row.index * columns, row.index * columns + columns).map((image, i) => {
              const index = row.index * columns + i;
              return (
                <Tile
                  key={image.id}
                  image={image}
                  index={index}
                  size={tile}
                  selected={allSelected || selected.has(image.id)}
                  focused={index === focus}
                  reorderable={reorderable}
                  onClick={onTileClick}
                  onOpen={onTileOpen}
                  onDragStart={onTileDragStart}
                  onDrop={onTileDrop}
                  onFirstLoad={index === 0 ? onFirstImage : undefined}
                />
              );
            })}
          </div>
        ))}
      </div>
      {loading && <div className="gallery-loading" data-testid="gallery-loading">{t('gallery.loading')}</div>}
    </div>
  );
}

interface TileProps {
  readonly image: ImageSummary;
  readonly index: number;
  readonly size: number;
  readonly selected: boolean;
  readonly focused: boolean;
  readonly reorderable: boolean;
  readonly onClick: (index: number, event: MouseEvent) => void;
  readonly onOpen: (index: number) => void;
  readonly onDragStart: (image: ImageSummary, event: DragEvent) => void;
  readonly onDrop: (image: ImageSummary, event: DragEvent) => void;
  readonly onFirstLoad: (() => void) | undefined;
}

const Tile = memo(function Tile({ image, index, size, selected, focused, reorderable, onClick, onOpen, onDragStart, onDrop, onFirstLoad }: TileProps) {
  const { client } = useHost();
  const t = useT();
  return (
    <div
      className={`tile${selected ? ' selected' : ''}${focused ? ' focused' : ''}`}
      role="gridcell"
      aria-selected={selected}
      data-testid="gallery-tile"
      data-image-id={image.id}
      data-index={index}
      style={{ width: size, height: size }}
      draggable
      onClick={(event) => onClick(index, event)}
      onDoubleClick={() => onOpen(index)}
      onDragStart={(event) => onDragStart(image, event)}
      onDragOver={reorderable ? (event) => event.preventDefault() : undefined}
      onDrop={reorderable ? (event) => onDrop(image, event) : undefined}
    >
      <img src={client.fileUrl(image.thumbnailPath ?? image.filePath)} alt={image.prompt} loading="lazy" decoding="async" draggable={false} onLoad={onFirstLoad} />
      <div className="tile-badges">
        {image.favourite && (
          <span className="badge fav" data-testid="tile-favourite" title={t('viewer.favourite')}>
            ♥
          </span>
        )}
        {image.rating > 0 && <span className="badge">{'★'.repeat(image.rating)}</span>}
      </div>
      <button type="button" className="tile-open" aria-label={t('gallery.open')} data-testid="tile-open" onClick={(event) => {
        event.stopPropagation();
        onOpen(index);
      }}>
        ⤢
      </button>
    </div>
  );
});
