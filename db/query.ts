/**
 * What the gallery asks for: filters, a sort and a page. Validated with zod because it arrives from the
 * renderer, the CLI and saved searches (smart albums) alike.
 *
 * Pages are keyset-paginated: the cursor holds the last row's sort key and id, so a page never shifts when new
 * images arrive (an OFFSET would) and costs the same at page 1 and page 10,000. Each sort ends in `id`, which
 * makes the order total.
 */
import { z } from 'zod';
import { LibraryError } from './errors';

export const IMAGE_SORTS = ['newest', 'oldest', 'most_liked', 'most_tokens', 'rating', 'relevance'] as const;
export type ImageSort = (typeof IMAGE_SORTS)[number];

export const imageFiltersSchema = z
  .object({
    /** Search box input (see `toFtsQuery`). */
    text: z.string().max(1000).optional(),
    /** `created_at` bounds, inclusive, in ms since the epoch. */
    since: z.number().int().optional(),
    until: z.number().int().optional(),
    models: z.array(z.string()).max(100).readonly().optional(),
    samplers: z.array(z.string()).max(100).readonly().optional(),
    width: z.number().int().positive().optional(),
    height: z.number().int().positive().optional(),
    aspect: z.enum(['square', 'portrait', 'landscape']).optional(),
    favourite: z.boolean().optional(),
    minRating: z.number().int().min(0).max(5).optional(),
    albumId: z.number().int().positive().optional(),
    companionId: z.string().optional(),
    published: z.boolean().optional(),
    tag: z.string().optional(),
    /** The trash view instead of the gallery. */
    trashed: z.boolean().optional(),
  })
  .strict()
  .readonly();
export type ImageFilters = z.infer<typeof imageFiltersSchema>;

export const imageQuerySchema = z
  .object({
    filters: imageFiltersSchema.default({}),
    sort: z.enum(IMAGE_SORTS).default('newest'),
    limit: z.number().int().min(1).max(1000).default(100),
    cursor: z.string().max(200).optional(),
  })
  .strict()
  .readonly();
export type ImageQuery = z.input<typeof imageQuerySchema>;
export type ParsedImageQuery = z.output<typeof imageQuerySchema>;

export function parseImageQuery(query: ImageQuery): ParsedImageQuery {
  const parsed = imageQuerySchema.safeParse(query);
  if (!parsed.success) {
    throw new LibraryError('INVALID_INPUT', `Invalid image query: ${z.prettifyError(parsed.error)}`, { issues: parsed.error.issues });
  }
  return parsed.data;
}

export function parseImageFilters(filters: unknown): ImageFilters {
  const parsed = imageFiltersSchema.safeParse(filters);
  if (!parsed.success) {
    throw new LibraryError('INVALID_INPUT', `Invalid filters: ${z.prettifyError(parsed.error)}`, { issues: parsed.error.issues });
  }
  return parsed.data;
}

/** A page position: the last row's sort value and id. Opaque to callers. */
export interface Cursor {
  readonly value: number;
  readonly id: number;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.value, cursor.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Cursor {
  const invalid = () => new LibraryError('INVALID_INPUT', 'The page cursor is not one this library issued.', { cursor });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'number' || !Number.isSafeInteger(parsed[1])) {
    throw invalid();
  }
  return { value: parsed[0], id: parsed[1] as number };
}
