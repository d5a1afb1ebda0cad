/**
 * Reading an image file's size and generation metadata without decoding its pixels and within fixed bounds.
 * Throws `RejectedFile` with a reason for anything that is not a sound PNG, JPEG or WebP.
 */
import { interpretTexts, type GenerationFields } from './fields';
import { isJpeg, readJpeg } from './jpeg';
import { LIMITS, RejectedFile } from './limits';
import { isPng, readPng } from './png';
import type { ByteSource } from './source';
import { isWebp, readWebp } from './webp';
import type { ContainerInfo } from './container';
import type { ImageFormat, ImageSource } from '../schema';

export interface ImageMetadata {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  readonly source: ImageSource;
  readonly fields: GenerationFields;
  /** The text chunks as read (bounded), kept so that export can reproduce them. */
  readonly texts: ReadonlyMap<string, string>;
}

async function readContainer(source: ByteSource): Promise<ContainerInfo> {
  if (source.size > LIMITS.maxFileBytes) {
    throw new RejectedFile('FILE_TOO_LARGE', `The file is ${source.size} bytes, over the ${LIMITS.maxFileBytes} byte limit.`);
  }
  const head = await source.read(0, 12);
  if (isPng(head)) return readPng(source);
  if (isJpeg(head)) return readJpeg(source);
  if (isWebp(head)) return readWebp(source);
  throw new RejectedFile('NOT_AN_IMAGE', 'The file is not a PNG, JPEG or WebP image.');
}

export async function readImageMetadata(source: ByteSource): Promise<ImageMetadata> {
  const container = await readContainer(source);
  const { source: tool, fields } = interpretTexts(container.texts);
  return { format: container.format, width: container.width, height: container.height, source: tool, fields, texts: container.texts };
}

export { bufferSource, fileSource, type ByteSource } from './source';
export { LIMITS, RejectedFile, type RejectionReason } from './limits';
export { EMPTY_FIELDS, type GenerationFields } from './fields';
