/**
 * The library database as Kysely sees it: one interface per table (CONVENTIONS.md › Data, 9).
 * Times are milliseconds since the Unix epoch (INTEGER); booleans are 0/1 (SQLite has no boolean type).
 * The shape here follows the migrations in `db/migrations/`; a test checks the two agree.
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Where an image's metadata came from. */
export type ImageSource = 'studio' | 'a1111' | 'comfyui' | 'invokeai' | 'fooocus' | 'unknown';
export const IMAGE_SOURCES: readonly ImageSource[] = ['studio', 'a1111', 'comfyui', 'invokeai', 'fooocus', 'unknown'];

/** The publishing state of an image as the UI shows it; mirrors the outbox row that drives it. */
export type ImageSyncState = 'local' | 'queued' | 'publishing' | 'published' | 'failed';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export interface ImagesTable {
  id: Generated<number>;
  /** SHA-256 of the file's bytes, hex: duplicates are refused by this key. */
  content_hash: string;
  /** Relative to the library folder, with forward slashes. */
  file_path: string;
  thumbnail_path: string | null;
  format: ImageFormat;
  file_size: number;
  prompt: string;
  negative_prompt: string;
  model_name: string | null;
  model_hash: string | null;
  sampler: string | null;
  steps: number | null;
  guidance: number | null;
  seed: number | null;
  width: number;
  height: number;
  created_at: number;
  imported_at: number;
  source: ImageSource;
  /**
   * The metadata text the fields were read from, when small (the original file keeps all of it byte for byte):
   * it lets the app reuse an image's exact settings without reopening the file.
   */
  metadata_json: string | null;
  favourite: Generated<number>;
  rating: Generated<number>;
  companion_id: string | null;
  sync_state: Generated<ImageSyncState>;
  remote_id: string | null;
  likes: Generated<number>;
  tokens_spent: Generated<number>;
  /** Set when the image is in the trash. */
  deleted_at: number | null;
  /** Set when reconciliation found the row's file gone. */
  missing_at: number | null;
}

export interface AlbumsTable {
  id: Generated<number>;
  name: string;
  cover_image_id: number | null;
  /** A smart album is a saved search (JSON of `ImageQuery` filters); it has no members of its own. */
  smart_query: string | null;
  created_at: number;
  updated_at: number;
}

export interface AlbumImagesTable {
  album_id: number;
  image_id: number;
  /** Fractional so that a reorder moves only the moved images (see `reorderAlbum`). */
  position: number;
  added_at: number;
}

export interface TagsTable {
  id: Generated<number>;
  name: string;
}

export interface ImageTagsTable {
  image_id: number;
  tag_id: number;
}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'done', 'failed', 'cancelled'];

export interface JobsTable {
  id: Generated<number>;
  status: JobStatus;
  /** Queue order among queued jobs; fractional so that a reorder touches one row. */
  position: number;
  attempts: Generated<number>;
  error: string | null;
  /** The validated generate request, as JSON. */
  request_json: string;
  /** Ids of the images the job produced, as a JSON array, once done. */
  result_json: string | null;
  created_at: number;
  updated_at: number;
}

/**
 * The publishing state machine. `pending` → `moderated` → `charged` → `uploaded` → `registered` → `published`;
 * a final failure after `charged` goes to `refunding` → `refunded`; before it, to `failed`.
 */
export type OutboxState =
  | 'pending'
  | 'moderated'
  | 'charged'
  | 'uploaded'
  | 'registered'
  | 'published'
  | 'refunding'
  | 'refunded'
  | 'failed';
export const OUTBOX_STATES: readonly OutboxState[] = [
  'pending',
  'moderated',
  'charged',
  'uploaded',
  'registered',
  'published',
  'refunding',
  'refunded',
  'failed',
];

export interface OutboxTable {
  id: Generated<number>;
  idempotency_key: string;
  image_id: number;
  state: OutboxState;
  visibility: string;
  companion_id: string | null;
  attempts: Generated<number>;
  next_attempt_at: number;
  last_error: string | null;
  remote_image_id: string | null;
  remote_upload_id: string | null;
  tokens_charged: Generated<number>;
  created_at: number;
  updated_at: number;
}

/** The contentless FTS5 index; rowid is the image id. Written by triggers only. */
export interface ImagesFtsTable {
  rowid: number;
  prompt: string;
  negative_prompt: string;
  tags: string;
  /** Empty since migration 008: album names are searched in `albums_fts`. */
  albums: string;
}

/** One row per album (rowid = album id), for searching album names (migration 008). */
export interface AlbumsFtsTable {
  rowid: number;
  name: string;
}

/**
 * Counters kept by triggers (migration 007); read-only to the app. In `image_facets` a facet the image does not
 * have (no model, no sampler, no companion) is the integer 0.
 */
export interface ImageFacetsTable {
  trashed: number;
  published: number;
  favourite: number;
  rating: number;
  model_name: string | 0;
  sampler: string | 0;
  width: number;
  height: number;
  companion_id: string | 0;
  images: number;
}

/** Live (not trashed) images per UTC day of `created_at`. */
export interface ImageDaysTable {
  day: number;
  images: number;
}

/** The newest and oldest `created_at` among the images whose id is in `[span << 8, (span + 1) << 8)`. */
export interface ImageIdSpansTable {
  span: number;
  newest: number;
  oldest: number;
}

export interface Database {
  images: ImagesTable;
  albums: AlbumsTable;
  album_images: AlbumImagesTable;
  tags: TagsTable;
  image_tags: ImageTagsTable;
  images_fts: ImagesFtsTable;
  albums_fts: AlbumsFtsTable;
  jobs: JobsTable;
  outbox: OutboxTable;
  image_facets: ImageFacetsTable;
  image_days: ImageDaysTable;
  image_id_spans: ImageIdSpansTable;
}

export type ImageRow = Selectable<ImagesTable>;
export type NewImageRow = Insertable<ImagesTable>;
export type ImageUpdate = Updateable<ImagesTable>;
export type AlbumRow = Selectable<AlbumsTable>;
export type NewAlbumRow = Insertable<AlbumsTable>;
export type AlbumUpdate = Updateable<AlbumsTable>;
export type AlbumImageRow = Selectable<AlbumImagesTable>;
export type NewAlbumImageRow = Insertable<AlbumImagesTable>;
export type AlbumImageUpdate = Updateable<AlbumImagesTable>;
export type TagRow = Selectable<TagsTable>;
export type NewTagRow = Insertable<TagsTable>;
export type TagUpdate = Updateable<TagsTable>;
export type ImageTagRow = Selectable<ImageTagsTable>;
export type NewImageTagRow = Insertable<ImageTagsTable>;
export type ImageTagUpdate = Updateable<ImageTagsTable>;
export type JobRow = Selectable<JobsTable>;
export type NewJobRow = Insertable<JobsTable>;
export type JobUpdate = Updateable<JobsTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type NewOutboxRow = Insertable<OutboxTable>;
export type OutboxUpdate = Updateable<OutboxTable>;
