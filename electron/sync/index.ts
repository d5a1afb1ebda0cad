/**
 * The sync module's public API (electron/core, electron/main and the CLI import this): the platform client,
 * the session and its secret store, companions and the prompt template, the outbox worker, the gallery.
 * Runtime: main-side Node.
 */
export { PlatformSync, type Account, type PlatformSyncOptions, type PublishQuote, type PublishRequestResult } from './sync';
export { PlatformClient, type AccessTokens, type PlatformClientOptions, type SyncLog } from './client';
export { PlatformAuth, PLATFORM_AUDIENCE, type SignInResult } from './auth';
export { defaultSecretFile, FileSecretStore, type SecretProtection, type SecretStore, type SecretStoreStatus, type SecretWriteOptions } from './secrets';
export { checkCompanionTemplate, type CompanionListing } from './companions';
export { moderateLocally, type LocalModeration } from './moderation';
export { Publisher, type PublisherOptions, type PublishProgress } from './publisher';
export { describeError, PLATFORM_ERROR_CODES, PlatformError, type PlatformErrorCode } from './errors';
export type { GalleryQuery } from './gallery';
export type { Companion, GalleryPage, LikeState, Plan } from './wire';
