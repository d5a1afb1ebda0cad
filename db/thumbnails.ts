/**
 * Thumbnails: WebP, at most 256 px on the long side, oriented as the original's EXIF says. sharp is told the
 * same pixel limit as the metadata readers, so a pixel flood that slipped past a header check still stops here.
 */
import sharp from 'sharp';
import { LIMITS, RejectedFile } from './metadata/limits';

export const THUMBNAIL_SIZE = 256;

/** Decodes `input` (bytes or a file path) and returns the thumbnail; an undecodable image is rejected. */
export async function makeThumbnail(input: Buffer | string): Promise<Buffer> {
  try {
    return await sharp(input, { limitInputPixels: LIMITS.maxPixels, failOn: 'warning' })
      .rotate()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new RejectedFile('UNDECODABLE', `The image cannot be decoded: ${message}`);
  }
}
