// @vitest-environment jsdom
/** The selection bar's tag and export tools: what they send through the contract and what the user is told. */
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { EmptyTrash, SelectionBar } from '../../../../../renderer/src/features/gallery/GalleryScreen';
import { bindEvents } from '../../../../../renderer/src/store/events';
import { fakeStudio, image, renderWith } from '../../support';

afterEach(cleanup);

async function withSelection(handlers: Parameters<typeof fakeStudio>[0]) {
  const studio = fakeStudio({
    listImages: async () => ({ items: [image(3), image(2), image(1)], nextCursor: null }),
    countImages: async () => ({ count: 3 }),
    listTags: async () => [],
    ...handlers,
  });
  await studio.store.getState().loadImages();
  await waitFor(() => expect(studio.store.getState().items).toHaveLength(3));
  studio.store.getState().selectAt(0, 'replace');
  studio.store.getState().selectAt(2, 'range');
  renderWith(studio, <SelectionBar />);
  return studio;
}

describe('SelectionBar', () => {
  it('tags the selection with one tag and says how many were tagged', async () => {
    const studio = await withSelection({ addTags: async () => ({ changed: 3 }) });
    fireEvent.change(screen.getByTestId('bulk-tag-input'), { target: { value: '  keeper ' } });
    fireEvent.click(screen.getByTestId('bulk-tag'));
    await waitFor(() => expect(studio.calls.find((c) => c.name === 'addTags')?.input).toEqual({ selection: { ids: [3, 2, 1] }, tags: ['keeper'] }));
    await waitFor(() => expect(studio.store.getState().notices.at(-1)).toMatchObject({ kind: 'info', message: 'gallery.tagged', vars: { count: 3, tag: 'keeper' } }));
    expect(studio.calls.filter((c) => c.name === 'listTags').length).toBeGreaterThan(0);
    expect((screen.getByTestId('bulk-tag-input') as HTMLInputElement).value).toBe('');
  });

  it('exports to a folder, or to a zip for a path ending in .zip, and reports images whose file is gone', async () => {
    const studio = await withSelection({
      exportImages: async (input) => ('zip' in input.target ? { exported: 2, missing: [1] } : { exported: 3, missing: [] }),
    });
    fireEvent.click(screen.getByTestId('bulk-export'));
    fireEvent.change(screen.getByTestId('export-path'), { target: { value: '/home/me/best' } });
    fireEvent.click(screen.getByTestId('export-go'));
    await waitFor(() => expect(studio.store.getState().notices.at(-1)).toMatchObject({ message: 'gallery.exported', vars: { count: 3, where: '/home/me/best' } }));
    expect(screen.queryByTestId('export-form')).toBeNull();

    fireEvent.click(screen.getByTestId('bulk-export'));
    fireEvent.change(screen.getByTestId('export-path'), { target: { value: '/home/me/best.ZIP' } });
    fireEvent.click(screen.getByTestId('export-go'));
    await waitFor(() => expect(studio.store.getState().notices.at(-1)).toMatchObject({ message: 'gallery.exportedMissing', vars: { count: 2, missing: 1 } }));
    expect(studio.calls.filter((c) => c.name === 'exportImages').map((c) => c.input)).toEqual([
      { source: { ids: [3, 2, 1] }, target: { folder: '/home/me/best' } },
      { source: { ids: [3, 2, 1] }, target: { zip: '/home/me/best.ZIP' } },
    ]);
  });

  it('shows the export’s progress from main while it runs', async () => {
    let finish: (report: { exported: number; missing: readonly number[] }) => void = () => undefined;
    const studio = await withSelection({ exportImages: () => new Promise((resolve) => (finish = resolve)) });
    const stop = bindEvents(studio.store, studio.host);
    fireEvent.click(screen.getByTestId('bulk-export'));
    fireEvent.change(screen.getByTestId('export-path'), { target: { value: '/home/me/best.zip' } });
    fireEvent.click(screen.getByTestId('export-go'));
    await screen.findByTestId('export-progress');
    studio.emit('export.progress', { target: '/elsewhere.zip', done: 1, total: 10 });
    studio.emit('export.progress', { target: '/home/me/best.zip', done: 300, total: 1200 });
    await waitFor(() => expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('300'));
    expect(screen.getByRole('progressbar').getAttribute('aria-valuemax')).toBe('1200');
    finish({ exported: 3, missing: [] });
    await waitFor(() => expect(screen.queryByTestId('export-progress')).toBeNull());
    expect(screen.getByTestId('bulk-export')).toBeTruthy();
    stop();
  });

  it('shows a failed export as an error and keeps nothing half-open', async () => {
    const studio = await withSelection({
      exportImages: async () => {
        throw new Error('disk full');
      },
    });
    fireEvent.click(screen.getByTestId('bulk-export'));
    fireEvent.change(screen.getByTestId('export-path'), { target: { value: '/full/disk' } });
    fireEvent.click(screen.getByTestId('export-go'));
    await waitFor(() => expect(studio.store.getState().notices.at(-1)).toMatchObject({ kind: 'error', error: { code: 'INTERNAL' } }));
    await waitFor(() => expect(screen.queryByTestId('export-form')).toBeNull());
  });

  it('deletes the selected images of the trash for good only after asking, then reloads the trash', async () => {
    let trashed = [image(3), image(2), image(1)];
    const studio = fakeStudio({
      listImages: async () => ({ items: trashed, nextCursor: null }),
      countImages: async () => ({ count: trashed.length }),
      emptyTrash: async (input) => {
        const ids = input.selection !== undefined && 'ids' in input.selection ? input.selection.ids : trashed.map((i) => i.id);
        trashed = trashed.filter((i) => !ids.includes(i.id));
        return { deleted: ids.length - 1, kept: 1 };
      },
    });
    studio.store.getState().setFilters({ trashed: true });
    await waitFor(() => expect(studio.store.getState().items).toHaveLength(3));
    studio.store.getState().selectAt(0, 'replace');
    studio.store.getState().selectAt(1, 'range');
    renderWith(studio, <SelectionBar />);
    fireEvent.click(screen.getByTestId('bulk-delete'));
    expect(studio.calls.some((c) => c.name === 'emptyTrash')).toBe(false);
    expect(screen.getByRole('group').textContent).toContain('Delete 2 images and their files for good?');
    fireEvent.click(screen.getByTestId('bulk-delete-confirm'));
    await waitFor(() => expect(studio.store.getState().notices.at(-1)).toMatchObject({ message: 'gallery.deletedForeverKept', vars: { count: 1, kept: 1 } }));
    expect(studio.calls.find((c) => c.name === 'emptyTrash')?.input).toEqual({ selection: { ids: [3, 2] } });
    expect(studio.store.getState().items.map((i) => i.id)).toEqual([1]);
    expect(studio.store.getState().selected.size).toBe(0);
  });

  it('empties the whole trash from its header, after asking', async () => {
    const studio = fakeStudio({
      listImages: async () => ({ items: studio.calls.some((c) => c.name === 'emptyTrash') ? [] : [image(1)], nextCursor: null }),
      countImages: async () => ({ count: 1 }),
      emptyTrash: async () => ({ deleted: 1, kept: 0 }),
    });
    studio.store.getState().setFilters({ trashed: true });
    await waitFor(() => expect(studio.store.getState().items).toHaveLength(1));
    renderWith(studio, <EmptyTrash />);
    fireEvent.click(screen.getByTestId('trash-empty'));
    fireEvent.click(screen.getByTestId('trash-empty-confirm'));
    await waitFor(() => expect(studio.store.getState().notices.at(-1)).toMatchObject({ message: 'gallery.deletedForever', vars: { count: 1 } }));
    expect(studio.calls.find((c) => c.name === 'emptyTrash')?.input).toEqual({});
    await waitFor(() => expect(screen.queryByTestId('trash-empty')).toBeNull());
  });
});
