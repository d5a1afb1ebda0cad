/**
 * Bounds that keep a hostile file from crashing an import or filling the memory. Every reader checks them
 * before it allocates or parses; a file over a bound is rejected with a reason, never half-read.
 */
export const LIMITS = {
  /** Largest file the import accepts (an 8K upscale in PNG is about 100 MB). */
  maxFileBytes: 512 * 1024 * 1024,
  /** Largest single text chunk or EXIF block read (a large ComfyUI workflow is a few hundred KB). */
  maxTextChunkBytes: 4 * 1024 * 1024,
  /** Largest inflated size of one compressed text chunk: the guard against compression bombs. */
  maxInflatedBytes: 4 * 1024 * 1024,
  /** All text kept from one file. */
  maxTotalTextBytes: 8 * 1024 * 1024,
  /** Pixel floods: a header claiming more pixels than this is refused before anything decodes it. */
  maxPixels: 16384 * 16384,
  /** Containers made of millions of tiny chunks are refused rather than walked. */
  maxChunks: 200_000,
} as const;

export type RejectionReason =
  | 'NOT_AN_IMAGE'
  | 'TRUNCATED'
  | 'MALFORMED'
  | 'FILE_TOO_LARGE'
  | 'TEXT_TOO_LARGE'
  | 'COMPRESSION_BOMB'
  | 'PIXEL_FLOOD'
  | 'UNDECODABLE'
  | 'DUPLICATE'
  | 'UNREADABLE';

/** Thrown by the readers; the import turns it into one line of its report. */
export class RejectedFile extends Error {
  override readonly name = 'RejectedFile';
  constructor(
    readonly reason: RejectionReason,
    message: string,
  ) {
    super(message);
  }
}
