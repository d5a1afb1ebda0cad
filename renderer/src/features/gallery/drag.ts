/** Images dragged from the gallery (onto an album, or within an album to reorder), as an `ImageSelection`. */
import { ImageSelection } from '../../../../electron/contract';

export const IMAGES_MIME = 'application/x-studio-images';

export function writeDraggedImages(data: DataTransfer, selection: ImageSelection): void {
  data.setData(IMAGES_MIME, JSON.stringify(selection));
  data.effectAllowed = 'copyMove';
}

export function isImageDrag(data: DataTransfer): boolean {
  return data.types.includes(IMAGES_MIME);
}

/** The dragged selection, checked against the contract's schema (a drop may come from another page). */
export function readDraggedImages(data: DataTransfer): ImageSelection | null {
  try {
    const parsed = ImageSelection.safeParse(JSON.parse(data.getData(IMAGES_MIME)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
