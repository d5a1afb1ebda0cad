/**
 * Every migration, in order. Listed statically (not read from the folder) so that the set the app knows is
 * fixed at build time: a database that has run a migration missing from this list is newer than the app.
 */
import type { Migration } from 'kysely';
import * as createImages from './2026_11_24_001_create_images';
import * as createAlbumsAndTags from './2026_11_24_002_create_albums_and_tags';
import * as createSearch from './2026_11_24_003_create_search';
import * as createJobs from './2026_11_24_004_create_jobs';
import * as createOutbox from './2026_11_24_005_create_outbox';
import * as indexPublishedSorts from './2026_11_24_006_index_published_sorts';
import * as galleryCounters from './2026_11_29_007_gallery_counters';
import * as searchAlbumNames from './2026_11_29_008_search_album_names';

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '2026_11_24_001_create_images': createImages,
  '2026_11_24_002_create_albums_and_tags': createAlbumsAndTags,
  '2026_11_24_003_create_search': createSearch,
  '2026_11_24_004_create_jobs': createJobs,
  '2026_11_24_005_create_outbox': createOutbox,
  '2026_11_24_006_index_published_sorts': indexPublishedSorts,
  '2026_11_29_007_gallery_counters': galleryCounters,
  '2026_11_29_008_search_album_names': searchAlbumNames,
};

/** Bumps with every migration; caches (the benchmark's synthetic library) are keyed by it. */
export const SCHEMA_VERSION = Object.keys(MIGRATIONS).length;
