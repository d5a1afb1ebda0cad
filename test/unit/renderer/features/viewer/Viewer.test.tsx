// @vitest-environment jsdom
/** The viewer: metadata, favourite, rating, tags and album cover through the contract, and reusing the parameters. */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImageDetails } from '../../../../../electron/contract';
import { parametersText } from '../../../../../renderer/src/features/viewer/parameters';
import { Viewer } from '../../../../../renderer/src/features/viewer/Viewer';
import { AlbumSidebar } from '../../../../../renderer/src/features/albums/AlbumSidebar';
import { EMBEDDED, fakeStudio, image, renderWith } from '../../support';

afterEach(cleanup);

function studioWithImage() {
  let details: ImageDetails = { ...image(5, { negativePrompt: 'blurry' }), tags: [], albums: [] };
  const studio = fakeStudio({
    listModels: async () => [EMBEDDED],
    listImages: async () => ({ items: [image(5)], nextCursor: null }),
    countImages: async () => ({ count: 1 }),
    getImage: async () => details,
    setFavourite: async (input) => {
      details = { ...details, favourite: input.favourite };
      return { changed: 1 };
    },
    setRating: async (input) => {
      details = { ...details, rating: input.rating };
      return { changed: 1 };
    },
    addTags: async (input) => {
      details = { ...details, tags: [...details.tags, ...input.tags] };
      return { changed: 1 };
    },
  });
  return studio;
}

describe('Viewer', () => {
  it('shows the metadata and edits favourite, rating and tags', async () => {
    const studio = studioWithImage();
    await studio.store.getState().loadImages();
    await studio.store.getState().openViewer(0);
    renderWith(studio, <Viewer />);
    const viewer = screen.getByTestId('viewer');
    expect(viewer.dataset['imageId']).toBe('5');
    expect(screen.getByTestId('viewer-prompt').textContent).toBe('a large red circle 5');
    expect(within(screen.getByTestId('viewer-metadata')).getByText('105')).toBeTruthy();
    expect(screen.queryByTestId('viewer-reveal')).toBeNull();

    fireEvent.click(screen.getByTestId('favourite-button'));
    await waitFor(() => expect(screen.getByTestId('favourite-button').getAttribute('aria-pressed')).toBe('true'));
    fireEvent.click(within(screen.getByTestId('viewer-rating')).getAllByRole('radio')[3] as HTMLElement);
    await waitFor(() => expect(screen.getByTestId('viewer-rating').dataset['rating']).toBe('4'));
    fireEvent.change(screen.getByTestId('viewer-tag-input'), { target: { value: 'keeper' } });
    fireEvent.submit(screen.getByTestId('viewer-tag-input'));
    await waitFor(() => expect(screen.getByTestId('viewer-tags').textContent).toContain('keeper'));
    expect(studio.calls.filter((c) => ['setFavourite', 'setRating', 'addTags'].includes(c.name)).map((c) => c.input)).toEqual([
      { selection: { ids: [5] }, favourite: true },
      { selection: { ids: [5] }, rating: 4 },
      { selection: { ids: [5] }, tags: ['keeper'] },
    ]);
  });

  it('makes the image the cover of an album it is in, and the sidebar shows that cover', async () => {
    const album = { id: 3, name: 'Keepers', coverImageId: null, coverThumbnailPath: null, smartFilters: null, createdAt: 1, updatedAt: 1, imageCount: 1 };
    const studio = fakeStudio({
      listImages: async () => ({ items: [image(5)], nextCursor: null }),
      countImages: async () => ({ count: 1 }),
      getImage: async () => ({ ...image(5), tags: [], albums: [{ id: 3, name: 'Keepers' }] }),
      listAlbums: async () => [album],
      setAlbumCover: async (input) => ({ ...album, coverImageId: input.imageId, coverThumbnailPath: image(5).thumbnailPath, updatedAt: 2 }),
    });
    await studio.store.getState().loadAlbums();
    await studio.store.getState().loadImages();
    await studio.store.getState().openViewer(0);
    renderWith(
      studio,
      <>
        <AlbumSidebar />
        <Viewer />
      </>,
    );
    expect(screen.queryByTestId('album-cover')).toBeNull();
    const button = await screen.findByTestId('viewer-album-cover');
    expect(button.getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(button);
    await waitFor(() => expect(screen.getByTestId('viewer-album-cover').getAttribute('aria-pressed')).toBe('true'));
    expect(studio.calls.find((c) => c.name === 'setAlbumCover')?.input).toEqual({ albumId: 3, imageId: 5 });
    expect(screen.getByTestId('album-cover').getAttribute('src')).toBe('http://studio.test/library/thumbnails/ab/5.webp');
    expect(studio.store.getState().notices.at(-1)).toMatchObject({ message: 'albums.coverSet', vars: { album: 'Keepers' } });

    // The cover button disabled itself and focus fell back to the page: Escape still closes the viewer, but not
    // from a field.
    fireEvent.keyDown(screen.getByTestId('viewer-tag-input'), { key: 'Escape' });
    expect(studio.store.getState().viewerIndex).toBe(0);
    fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(studio.store.getState().viewerIndex).toBeNull();
  });

  it('reuses the parameters in Generate with the seed fixed', async () => {
    const studio = studioWithImage();
    await studio.store.getState().loadModels();
    await studio.store.getState().loadImages();
    await studio.store.getState().openViewer(0);
    renderWith(studio, <Viewer />);
    fireEvent.click(screen.getByTestId('viewer-reuse'));
    const s = studio.store.getState();
    expect(s.route).toBe('generate');
    expect(s.viewerIndex).toBeNull();
    expect(s.form).toMatchObject({ prompt: 'a large red circle 5', negativePrompt: 'blurry', seed: 105, seedMode: 'fixed', steps: 20, sampler: 'euler-a' });
  });

  it('writes the parameters in AUTOMATIC1111’s layout', () => {
    expect(parametersText(image(5, { negativePrompt: 'blurry' }))).toBe(
      'a large red circle 5\nNegative prompt: blurry\nSteps: 20, Sampler: euler-a, CFG scale: 7, Seed: 105, Size: 64x64, Model hash: 54fd724869, Model: studio-shapes',
    );
  });
});
