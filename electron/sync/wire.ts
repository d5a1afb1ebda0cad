/**
 * The platform's answers as zod schemas, after platform-api.yaml: every body that crosses from the network
 * is parsed here before the sync module uses it, so a platform that breaks its contract is a `PROTOCOL` error,
 * never a crash deeper in. Only the fields Studio reads are listed; others are let through and ignored.
 * Runtime: main-side Node.
 */
import { z } from 'zod';

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  code: z.string(),
  retryAfter: z.number().int().optional(),
  balance: z.number().int().optional(),
  price: z.number().int().optional(),
});

export const TokenPair = z.object({
  tokenType: z.literal('Bearer'),
  accessToken: z.string().min(1),
  expiresIn: z.number().int(),
  refreshToken: z.string().min(16),
  refreshExpiresIn: z.number().int(),
});
export type TokenPair = z.infer<typeof TokenPair>;

export const ModerationLevel = z.enum(['strict', 'standard', 'relaxed']);
export type ModerationLevel = z.infer<typeof ModerationLevel>;
export const Verdict = z.enum(['allow', 'review', 'block']);
export type Verdict = z.infer<typeof Verdict>;

export const Plan = z.object({
  id: z.enum(['free', 'pro', 'studio']),
  name: z.string(),
  moderationLevel: ModerationLevel,
  pricing: z.object({ baseTokens: z.number().int(), tokensPerMegapixel: z.number().int() }),
});
export type Plan = z.infer<typeof Plan>;

export const User = z.object({ id: z.string(), email: z.string(), displayName: z.string(), plan: Plan, createdAt: z.string() });
export type User = z.infer<typeof User>;

export const Wallet = z.object({ balance: z.number().int() });

export const Quote = z.object({
  price: z.number().int(),
  balance: z.number().int(),
  balanceAfter: z.number().int(),
  sufficient: z.boolean(),
});
export type Quote = z.infer<typeof Quote>;

export const Consumption = z.object({
  consumeKey: z.string(),
  amount: z.number().int(),
  balance: z.number().int(),
  status: z.enum(['charged', 'refunded']),
});
export type Consumption = z.infer<typeof Consumption>;

export const Refund = z.object({ consumeKey: z.string(), amount: z.number().int(), balance: z.number().int() });

export const ModerationResult = z.object({
  verdict: Verdict,
  level: ModerationLevel,
  categories: z.array(z.object({ category: z.string(), verdict: Verdict, terms: z.array(z.string()) })),
});
export type ModerationResult = z.infer<typeof ModerationResult>;

const Trait = z.object({ key: z.string(), label: z.string(), value: z.string() });
export const Companion = z.object({ id: z.string(), name: z.string(), description: z.string(), traits: z.array(Trait), updatedAt: z.string() });
export type Companion = z.infer<typeof Companion>;
export const CompanionList = z.object({ items: z.array(Companion) });

const UploadCredentials = z.object({
  endpoint: z.string().url(),
  region: z.string().min(1),
  bucket: z.string().min(1),
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  sessionToken: z.string().min(1),
});

export const Upload = z.object({
  id: z.string(),
  key: z.string().min(1),
  method: z.enum(['single', 'multipart', 'credentials']),
  size: z.number().int(),
  partSize: z.number().int().positive(),
  credentials: UploadCredentials.nullable().optional(),
  expiresAt: z.string(),
});
export type Upload = z.infer<typeof Upload>;

export const CompletedUpload = z.object({ id: z.string(), key: z.string(), size: z.number().int() });

export const Generation = z.object({
  prompt: z.string(),
  negativePrompt: z.string().optional(),
  model: z.string(),
  sampler: z.string(),
  steps: z.number().int(),
  cfgScale: z.number(),
  seed: z.number().int(),
});
export type Generation = z.infer<typeof Generation>;

export const RemoteImage = z.object({
  id: z.string(),
  consumeKey: z.string(),
  status: z.enum(['draft', 'published', 'unpublished']),
  likeCount: z.number().int(),
  moderation: ModerationResult,
});
export type RemoteImage = z.infer<typeof RemoteImage>;

export const Download = z.object({ imageId: z.string(), url: z.string().url(), size: z.number().int(), contentType: z.string(), generation: Generation });

export const LikeState = z.object({ imageId: z.string(), likeCount: z.number().int(), likedByMe: z.boolean() });
export type LikeState = z.infer<typeof LikeState>;

const GalleryItem = z.object({
  id: z.string(),
  title: z.string(),
  author: z.object({ id: z.string(), displayName: z.string() }),
  companionId: z.string().nullable(),
  model: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  likeCount: z.number().int(),
  likedByMe: z.boolean(),
  publishedAt: z.string(),
  thumbnailUrl: z.string(),
});
export const GalleryPage = z.object({ items: z.array(GalleryItem), nextCursor: z.string().nullable() });
export type GalleryPage = z.infer<typeof GalleryPage>;

/** 204 No Content and other answers without a body the caller needs. */
export const Empty = z.unknown();
