import { LIMITS, RejectedFile } from './limits';

/** What a container reader finds in a file before any pixel is decoded. */
export interface ContainerInfo {
  readonly format: 'png' | 'jpeg' | 'webp';
  readonly width: number;
  readonly height: number;
  /** Text metadata by keyword (PNG text chunks; `UserComment`, `ImageDescription`, `Comment` from EXIF/COM). */
  readonly texts: ReadonlyMap<string, string>;
}

export function checkDimensions(width: number, height: number): void {
  if (width <= 0 || height <= 0) throw new RejectedFile('MALFORMED', `The image claims a size of ${width}×${height}.`);
  if (width * height > LIMITS.maxPixels) {
    throw new RejectedFile('PIXEL_FLOOD', `The image claims ${width}×${height} pixels, over the ${LIMITS.maxPixels} pixel limit.`);
  }
}

/** Accumulates text while enforcing the per-file total. */
export class TextBudget {
  private used = 0;
  readonly texts = new Map<string, string>();

  add(keyword: string, text: string): void {
    this.used += Buffer.byteLength(text);
    if (this.used > LIMITS.maxTotalTextBytes) {
      throw new RejectedFile('TEXT_TOO_LARGE', `The file's text metadata exceeds ${LIMITS.maxTotalTextBytes} bytes in all.`);
    }
    if (!this.texts.has(keyword)) this.texts.set(keyword, text);
  }
}

export function checkChunkSize(what: string, length: number): void {
  if (length > LIMITS.maxTextChunkBytes) {
    throw new RejectedFile('TEXT_TOO_LARGE', `The ${what} is ${length} bytes, over the ${LIMITS.maxTextChunkBytes} byte limit.`);
  }
}
