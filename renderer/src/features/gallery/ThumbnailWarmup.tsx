import { useEffect, useRef } from 'react';
import { useHost, useStudio } from '../../store/react';

/** Thumbnails fetched ahead: about two screens of the grid. */
export const WARM_THUMBNAILS = 48;

/**
 * While another screen is shown, fetches and decodes the gallery's first thumbnails, so that opening the gallery
 * paints them at once instead of waiting for each from the studio. Renders nothing.
 */
export function ThumbnailWarmup() {
  const { client } = useHost();
  const first = useStudio((s) => s.items.slice(0, WARM_THUMBNAILS).map((i) => i.thumbnailPath ?? i.filePath).join('\n'));
  // The images are held so that the browser keeps them decoded until the gallery takes over.
  const held = useRef<HTMLImageElement[]>([]);
  useEffect(() => {
    held.current = first === '' ? [] : first.split('\n').map((path) => {
      const image = new Image();
      image.decoding = 'async';
      image.src = client.fileUrl(path);
      image.decode().catch(() => undefined);
      return image;
    });
  }, [first, client]);
  return null;
}
