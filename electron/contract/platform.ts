/**
 * The renderer's calls and events for the platform: account and session, publishing through the outbox,
 * companions and the companion prompt template, and the community gallery. Spread into CALLS and EVENTS
 * (calls.ts, events.ts) so that they exist everywhere or nowhere, like every other call.
 *
 * Runtime: plain TypeScript (renderer, preload, main, web host, web client).
 */
import { z } from 'zod';
import { ImageId } from './schemas';

const strict = <T extends z.ZodRawShape>(shape: T) => z.object(shape).strict().readonly();
const call = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output }) as const;
const none = z.undefined();

/** A platform id (`img_…`, `cmp_…`), as platform-api.yaml defines it. */
export const RemoteId = z.string().regex(/^[a-z]{2,4}_[A-Za-z0-9_-]{6,40}$/);

export const OUTBOX_STATES = ['pending', 'moderated', 'charged', 'uploaded', 'registered', 'published', 'refunding', 'refunded', 'failed'] as const;
export const SYNC_STATES = ['local', 'queued', 'publishing', 'published', 'failed'] as const;

/**
 * How the sign-in is kept: `encrypted` by the OS keychain, `owner-only-file` (web and CLI mode), or
 * `unavailable` (no keyring: the UI warns and asks before keeping it in plain text).
 */
export const SecretStoreStatus = z.object({ protection: z.enum(['encrypted', 'owner-only-file', 'unavailable']), detail: z.string() }).readonly();
export type SecretStoreStatus = z.infer<typeof SecretStoreStatus>;

export const PlatformPlan = z
  .object({
    id: z.enum(['free', 'pro', 'studio']),
    name: z.string(),
    /** free: strict, pro: standard, studio: relaxed. */
    moderationLevel: z.enum(['strict', 'standard', 'relaxed']),
    pricing: z.object({ baseTokens: z.number().int(), tokensPerMegapixel: z.number().int() }).readonly(),
  })
  .readonly();

export const Account = z
  .object({
    signedIn: z.boolean(),
    email: z.string().nullable(),
    displayName: z.string().nullable(),
    plan: PlatformPlan.nullable(),
    balance: z.number().int().nullable(),
    /** Whether the sign-in survives a restart (false: kept in memory only, see `secretStore`). */
    remembered: z.boolean(),
    secretStore: SecretStoreStatus,
  })
  .readonly();
export type Account = z.infer<typeof Account>;

const Verdict = z.enum(['allow', 'review', 'block']);

export const PublishQuote = z
  .object({
    items: z.array(z.object({ imageId: ImageId, price: z.number().int(), moderation: Verdict, terms: z.array(z.string()).readonly() }).readonly()).readonly(),
    total: z.number().int(),
    balance: z.number().int(),
    /** Negative when the balance does not cover the total. */
    balanceAfter: z.number().int(),
    sufficient: z.boolean(),
  })
  .readonly();
export type PublishQuote = z.infer<typeof PublishQuote>;

export const PublishItem = z
  .object({
    /** The outbox row driving the publish (null for an image never queued). */
    outboxId: z.number().int().nullable(),
    imageId: ImageId,
    state: z.enum(OUTBOX_STATES).nullable(),
    syncState: z.enum(SYNC_STATES),
  })
  .readonly();

export const Companion = z
  .object({
    id: RemoteId,
    name: z.string(),
    description: z.string(),
    traits: z.array(z.object({ key: z.string(), label: z.string(), value: z.string() }).readonly()).readonly(),
    updatedAt: z.string(),
  })
  .readonly();
export type Companion = z.infer<typeof Companion>;

export const CompanionListing = z
  .object({
    items: z.array(Companion).readonly(),
    fetchedAt: z.number().int().nullable(),
    /** The platform could not be asked: this is the cached list. */
    offline: z.boolean(),
  })
  .readonly();

/**
 * The companion prompt template, e.g. `{prompt}, {companion.traits}`. Placeholders: {prompt} (required),
 * {companion.name}, {companion.traits} (every trait, comma-separated), {companion.trait.KEY}.
 */
export const CompanionTemplate = z.object({ template: z.string(), defaultTemplate: z.string() }).readonly();

export const CommunityItem = z
  .object({
    id: RemoteId,
    title: z.string(),
    author: z.object({ id: z.string(), displayName: z.string() }).readonly(),
    companionId: z.string().nullable(),
    model: z.string(),
    width: z.number().int(),
    height: z.number().int(),
    likeCount: z.number().int(),
    likedByMe: z.boolean(),
    publishedAt: z.string(),
    /** A short-lived URL of the thumbnail. */
    thumbnailUrl: z.string(),
  })
  .readonly();
export type CommunityItem = z.infer<typeof CommunityItem>;

export const CommunityPage = z.object({ items: z.array(CommunityItem).readonly(), nextCursor: z.string().nullable() }).readonly();

export const LikeState = z.object({ imageId: RemoteId, likeCount: z.number().int(), likedByMe: z.boolean() }).readonly();

const imageIds = z.array(ImageId).min(1).max(100).readonly();

export const PLATFORM_CALLS = {
  /** Signs in; with `allowUnprotectedStorage`, keeps the session even where the OS cannot encrypt it. */
  signIn: call(
    strict({ email: z.string().min(3).max(254), password: z.string().min(1).max(200), allowUnprotectedStorage: z.boolean().default(false) }),
    Account,
  ),
  signOut: call(none, Account),
  /** The user, plan, balance and how the sign-in is kept (signed out: `signedIn: false`). */
  getAccount: call(none, Account),
  /** The price of publishing these images, the balance after, and each prompt's moderation verdict. */
  quotePublish: call(strict({ imageIds }), PublishQuote),
  /** Queues the images for publishing (progress as `sync.progress`); an image already published stays as it is. */
  publishImages: call(strict({ imageIds, companionId: RemoteId.nullable().default(null) }), strict({ items: z.array(PublishItem).readonly() })),
  unpublishImage: call(strict({ imageId: ImageId }), strict({ imageId: ImageId, syncState: z.enum(SYNC_STATES) })),
  /** The companions (from the cache when offline). */
  listCompanions: call(none, CompanionListing),
  getCompanionTemplate: call(none, CompanionTemplate),
  /** Saves the template (null: back to the default); INVALID_INPUT says what is wrong with it. */
  setCompanionTemplate: call(strict({ template: z.string().max(2000).nullable() }), CompanionTemplate),
  listCommunity: call(
    strict({
      sort: z.enum(['newest', 'most_liked']).default('newest'),
      limit: z.number().int().min(1).max(100).default(24),
      cursor: z.string().min(1).max(1000).optional(),
      companionId: RemoteId.optional(),
    }),
    CommunityPage,
  ),
  likeImage: call(strict({ remoteImageId: RemoteId }), LikeState),
  unlikeImage: call(strict({ remoteImageId: RemoteId }), LikeState),
  /** Downloads a community image's original into the library, with its metadata; returns its library id. */
  downloadCommunityImage: call(strict({ remoteImageId: RemoteId }), strict({ imageId: ImageId })),
  /** The platform's page for buying tokens; main opens it in the browser on the desktop. */
  openBuyTokens: call(none, strict({ url: z.string().url() })),
} as const;

export const PLATFORM_EVENTS = {
  /** A publish moved (a step done, a retry planned, bytes sent while uploading). */
  'sync.progress': z
    .object({
      outboxId: z.number().int(),
      imageId: ImageId,
      state: z.enum(OUTBOX_STATES),
      syncState: z.enum(SYNC_STATES),
      attempts: z.number().int(),
      lastError: z.string().nullable(),
      nextAttemptAt: z.number().int(),
      bytes: z.object({ sent: z.number().int(), total: z.number().int() }).readonly().nullable(),
    })
    .readonly(),
  /** Signed in or out, or the balance changed. */
  'account.changed': z.object({ account: Account }).readonly(),
} as const;
