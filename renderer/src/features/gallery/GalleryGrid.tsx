/**
 * The gallery grid, virtualized by rows (@tanstack/react-virtual): only the rows in view (plus a few) are in
 * the DOM, so 100,000 images scroll like 100. Pages load as the end comes into view.
 *
 * Performance marks for the UI benchmark: `studio:gallery-first-page` when the first page of a query is on
 * screen, `studio:gallery-first-image` when its first thumbnail has loaded.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent, type MouseEvent } from 'react';
import type { ImageSummary } from '../../../../electron/contract';
import { useHost, useStudioShallow, useT } from '../../store/react';
import { SyncBadge, syncLabels } from '../publish/SyncBadge';
import { isImageDrag, readDraggedImages, writeDraggedImages } from './drag';
import { inAlbumOrder, type SelectMode } from './gallery-slice';

export const TILE_MIN = 160;
export const GAP = 8;

export function GalleryGrid() {
  const t = useT();
  const { client } = useHost();
  const scroller = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const { items, nextCursor, loading, loaded, selected, allSelected, focus, reorderable, emptyMessage } = useStudioShallow((s) => ({
    items: s.items,
    nextCursor: s.nextCursor,
    loading: s.loading,
    loaded: s.loaded,
    selected: s.selected,
    allSelected: s.allSelected,
    focus: s.focus,
    reorderable: inAlbumOrder(s.source, s.filters, s.sort),
    // Nothing to show: an empty trash, nothing matching the search and filters, or a library still empty.
    emptyMessage: s.filters.trashed === true ? ('gallery.trashEmpty' as const) : Object.keys(s.filters).length > 0 ? ('gallery.noMatch' as const) : ('gallery.empty' as const),
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
    // No rows until the grid's width is known: tiles laid out for a width of 0 would fetch thumbnails for nothing.
    count: width > 0 ? rows : 0,
    getScrollElement: () => scroller.current,
    estimateSize: () => tile,
    // Rows are exactly one tile high: no need to ask the DOM.
    measureElement: () => tile,
    gap: GAP,
    paddingStart: GAP,
    paddingEnd: GAP,
    overscan: 2,
    // Scrolling moves the rows and sizes the container in the DOM directly; React renders only when the range of
    // rows in view changes, not on every scroll frame, and then batched rather than inside the scroll event.
    directDomUpdates: true,
    directDomUpdatesMode: 'position',
    useFlushSync: false,
  });
  useEffect(() => virtualizer.measure(), [tile, virtualizer]);

  const virtualRows = virtualizer.getVirtualItems();
  // Rows in view fetch their thumbnails ahead of the overscan rows around them (HTTP/1.1 gives a page 6
  // connections per host, handed out by priority).
  const inView = virtualizer.range;
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

  const handlers = useMemo<TileHandlers>(
    () => ({
      onClick: onTileClick,
      onOpen: onTileOpen,
      onDragStart: onTileDragStart,
      onDrop: onTileDrop,
      onFirstLoad: onFirstImage,
      src: (image) => client.fileUrl(image.thumbnailPath ?? image.filePath),
      labels: { favourite: t('viewer.favourite'), open: t('gallery.open'), sync: syncLabels(t) },
    }),
    [onTileClick, onTileOpen, onTileDragStart, onTileDrop, onFirstImage, client, t],
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
      {loaded && items.length === 0 && <p className="empty" data-testid="gallery-empty">{t(emptyMessage)}</p>}
      <div className="gallery-rows" ref={virtualizer.containerRef}>
        {virtualRows.map((row) => (
          <Row
            key={row.key}
            index={row.index}
            measure={virtualizer.measureElement}
            priority={inView !== null && row.index >= inView.startIndex && row.index <= inView.endIndex ? 'high' : 'low'}
            columns={columns}
            tile={tile}
            items={items}
            selected={selected}
            allSelected={allSelected}
            focus={focus}
            reorderable={reorderable}
            handlers={handlers}
          />
        ))}
      </div>
      {loading && <div className="gallery-loading" data-testid="gallery-loading">{t('gallery.loading')}</div>}
    </div>
  );
}

interface TileHandlers {
  readonly onClick: (index: number, event: MouseEvent) => void;
  readonly onOpen: (index: number) => void;
  readonly onDragStart: (image: ImageSummary, event: DragEvent) => void;
  readonly onDrop: (image: ImageSummary, event: DragEvent) => void;
  /** Called when the gallery's first thumbnail has loaded. */
  readonly onFirstLoad: () => void;
  readonly src: (image: ImageSummary) => string;
  readonly labels: { readonly favourite: string; readonly open: string; readonly sync: ReturnType<typeof syncLabels> };
}

interface RowProps {
  readonly index: number;
  /** The virtualizer's ref: it positions the row. */
  readonly measure: (row: HTMLDivElement | null) => void;
  readonly priority: 'high' | 'low';
  readonly columns: number;
  readonly tile: number;
  readonly items: readonly ImageSummary[];
  readonly selected: ReadonlySet<number>;
  readonly allSelected: boolean;
  readonly focus: number;
  readonly reorderable: boolean;
  readonly handlers: TileHandlers;
}

/** One row of tiles; memoized, so scrolling re-renders only the rows that enter the view. */
const Row = memo(function Row({ index, measure, priority, columns, tile, items, selected, allSelected, focus, reorderable, handlers }: RowProps) {
  const first = index * columns;
  return (
    <div ref={measure} data-index={index} className="gallery-row" role="row" style={{ height: tile, gap: GAP, paddingLeft: GAP }}>
      {items.slice(first, first + columns).map((image, i) => (
        <Tile
          key={image.id}
          image={image}
          index={first + i}
          size={tile}
          priority={priority}
          selected={allSelected || selected.has(image.id)}
          focused={first + i === focus}
          reorderable={reorderable}
          handlers={handlers}
        />
      ))}
    </div>
  );
});

interface TileProps {
  readonly image: ImageSummary;
  readonly index: number;
  readonly size: number;
  readonly priority: 'high' | 'low';
  readonly selected: boolean;
  readonly focused: boolean;
  readonly reorderable: boolean;
  readonly handlers: TileHandlers;
}

const Tile = memo(function Tile({ image, index, size, priority, selected, focused, reorderable, handlers }: TileProps) {
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
      onClick={(event) => handlers.onClick(index, event)}
      onDoubleClick={() => handlers.onOpen(index)}
      onDragStart={(event) => handlers.onDragStart(image, event)}
      onDragOver={reorderable ? (event) => event.preventDefault() : undefined}
      onDrop={reorderable ? (event) => handlers.onDrop(image, event) : undefined}
    >
      <img src={handlers.src(image)} alt={image.prompt} decoding="async" fetchPriority={priority} draggable={false} onLoad={index === 0 ? handlers.onFirstLoad : undefined} />
      <div className="tile-badges">
        {image.favourite && (
          <span className="badge fav" data-testid="tile-favourite" title={handlers.labels.favourite}>
            ♥
          </span>
        )}
        {image.rating > 0 && <span className="badge">{'★'.repeat(image.rating)}</span>}
        <SyncBadge state={image.syncState} label={handlers.labels.sync[image.syncState]} />
      </div>
      <button
        type="button"
        className="tile-open"
        aria-label={handlers.labels.open}
        data-testid="tile-open"
        onClick={(event) => {
          event.stopPropagation();
          handlers.onOpen(index);
        }}
      >
        ⤢
      </button>
    </div>
  );
});
