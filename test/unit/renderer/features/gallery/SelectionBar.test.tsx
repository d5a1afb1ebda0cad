// @vitest-environment jsdom
/** The selection bar's tag and export tools: what they send through the contract and what the user is told. */
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { SelectionBar } from '../../../../../renderer/src/features/gallery/GalleryScreen';
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
});
