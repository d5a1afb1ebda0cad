/**
 * The library's public API: what electron/core, electron/sync and the CLI call. Plain Node; it imports nothing
 * of electron, inference or the renderer. Every function takes the database (or a transaction) or the
 * `Library` first; errors are `LibraryError` with a stable `code`.
 */
export { openLibrary, rebuildLibrary, type Library, type OpenLibraryOptions, type OpenedLibrary, type RebuildReport } from './library';
export { resolveLibraryDir } from './location';
export { writeFileAtomic } from './files';
export { LibraryError, type LibraryErrorCode } from './errors';
export { durableTransaction, inTransaction, integrityProblems, type LibraryDb, type LibraryTrx } from './connection';
export { reconcileLibrary, type ReconcileReport } from './reconcile';
export { addGeneratedImages, type GeneratedImage } from './store';
export { importFolder, type ImportOptions, type ImportProgress, type ImportRejection, type ImportReport } from './import';
export { exportImages, type ExportOptions, type ExportProgress, type ExportReport, type ExportSource, type ExportTarget } from './export';
export { emptyTrash, type EmptiedTrash } from './trash';
export {
  addTags,
  countImages,
  getImage,
  listImages,
  listTags,
  removeTags,
  restoreImages,
  setFavourite,
  setRating,
  trashImages,
  updateImageStats,
  type Image,
  type ImageDetails,
  type ImagePage,
  type ImageSelection,
} from './images';
export {
  addToAlbum,
  createAlbum,
  deleteAlbum,
  findAlbumByName,
  getAlbum,
  listAlbumImages,
  listAlbums,
  removeFromAlbum,
  renameAlbum,
  reorderAlbum,
  setAlbumCover,
  setSmartFilters,
  type Album,
} from './albums';
export {
  cancelJob,
  claimNextJob,
  completeJob,
  enqueueJob,
  failJob,
  getJob,
  listJobs,
  moveJob,
  requeueInterruptedJobs,
  requeueJob,
  type Job,
} from './jobs';
export {
  advancePublish,
  claimDuePublishes,
  countOpenPublishes,
  enqueuePublish,
  listPublishes,
  recordPublishFailure,
  TERMINAL_OUTBOX_STATES,
  type PublishJob,
} from './outbox';
export { IMAGE_SORTS, imageFiltersSchema, imageQuerySchema, type ImageFilters, type ImageQuery, type ImageSort } from './query';
export { toFtsQuery } from './search';
export { LIMITS, type GenerationFields, type RejectionReason } from './metadata/index';
export type { ImageFormat, ImageSource, ImageSyncState, JobStatus, OutboxState } from './schema';
