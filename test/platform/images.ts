/**
 * Uploads, images, likes and the public gallery. Object bytes go straight between the client and S3 through
 * presigned URLs; this module keeps the rows that say who owns which object and what may be shown.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PlatformDatabase } from './database';
import { moderate, type ModerationResult } from './moderation';
import { plans, publishPrice, type PlanId } from './plans';
import { Problem } from './problem';
import type { ObjectStore } from './storage';
import { fingerprint, type Wallet } from './wallet';

export const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url')}`;

interface UploadRow {
  id: string;
  user_id: string;
  object_key: string;
  purpose: 'original' | 'thumbnail';
  content_type: string;
  size: number;
  method: 'single' | 'multipart';
  part_size: number;
  s3_upload_id: string | null;
  state: 'pending' | 'completed' | 'aborted';
  etag: string | null;
  expires_at: string;
  completed_at: string | null;
}

interface ImageRow {
  id: string;
  owner_id: string;
  consume_key: string;
  fingerprint: string;
  status: 'draft' | 'published' | 'unpublished' | 'deleted';
  title: string;
  companion_id: string | null;
  model: string;
  width: number;
  height: number;
  generation: string;
  moderation: string;
  original_upload_id: string;
  thumbnail_upload_id: string;
  like_count: number;
  publish_seq: number | null;
  created_at: string;
  published_at: string | null;
}

export interface Generation {
  readonly prompt: string;
  readonly negativePrompt?: string;
  readonly model: string;
  readonly sampler: string;
  readonly steps: number;
  readonly cfgScale: number;
  readonly seed: number;
}

export interface RegisterImageRequest {
  readonly consumeKey: string;
  readonly originalUploadId: string;
  readonly thumbnailUploadId: string;
  readonly width: number;
  readonly height: number;
  readonly title?: string;
  readonly companionId?: string;
  readonly generation: Generation;
}

export interface GalleryQuery {
  readonly sort: 'newest' | 'most_liked';
  readonly companionId?: string;
  readonly model?: string;
  readonly limit: number;
  readonly cursor?: string;
}

export class Images {
  private readonly cursorKey = randomBytes(32);

  constructor(
    private readonly db: PlatformDatabase,
    private readonly store: ObjectStore,
    private readonly wallet: Wallet,
    private readonly partSize: number,
    private readonly presignTtlSeconds: number,
  ) {}

  // Uploads

  async createUpload(userId: string, request: { purpose: 'original' | 'thumbnail'; contentType: string; size: number; transfer?: 'presigned' | 'credentials' }) {
    const id = newId('upl');
    const key = `users/${userId}/${id}/${request.purpose}`;
    if (request.transfer === 'credentials') return this.createCredentialsUpload(userId, id, key, request);
    const multipart = request.size > this.partSize;
    const partCount = Math.ceil(request.size / this.partSize);
    if (multipart && partCount > 10_000) {
      throw new Problem('VALIDATION_FAILED', 'The file needs more than 10,000 parts.', { errors: [{ in: 'body', pointer: '/size', message: 'too large' }] });
    }
    const s3UploadId = multipart ? await this.store.createMultipart(key, request.contentType) : null;
    const parts =
      s3UploadId === null
        ? []
        : await Promise.all(
            Array.from({ length: partCount }, async (_, index) => ({ partNumber: index + 1, url: await this.store.presignPart(key, s3UploadId, index + 1) })),
          );
    const url = multipart ? null : await this.store.presignPut(key, request.contentType);
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.presignTtlSeconds * 1000).toISOString();
    this.db
      .prepare(
        `INSERT INTO uploads (id, user_id, object_key, purpose, content_type, size, method, part_size, s3_upload_id, state, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
      )
      .run(id, userId, key, request.purpose, request.contentType, request.size, multipart ? 'multipart' : 'single', this.partSize, s3UploadId, now.toISOString(), expiresAt);
    return {
      id,
      key,
      purpose: request.purpose,
      method: multipart ? 'multipart' : 'single',
      size: request.size,
      partSize: this.partSize,
      url,
      parts,
      // The single PUT is signed with its content type; part URLs sign nothing but the host.
      headers: multipart ? {} : { 'content-type': request.contentType },
      credentials: null,
      expiresAt,
    };
  }

  /**
   * An upload the client writes with an S3 SDK under temporary credentials for exactly `key`. The row is a
   * `single` upload: whatever way the client stored the object, completing it checks the stored size.
   */
  private createCredentialsUpload(userId: string, id: string, key: string, request: { purpose: 'original' | 'thumbnail'; contentType: string; size: number }) {
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.presignTtlSeconds * 1000).toISOString();
    this.db
      .prepare(
        `INSERT INTO uploads (id, user_id, object_key, purpose, content_type, size, method, part_size, s3_upload_id, state, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, 'single', ?, NULL, 'pending', ?, ?)`,
      )
      .run(id, userId, key, request.purpose, request.contentType, request.size, this.partSize, now.toISOString(), expiresAt);
    return {
      id,
      key,
      purpose: request.purpose,
      method: 'credentials',
      size: request.size,
      partSize: this.partSize,
      url: null,
      parts: [],
      headers: {},
      credentials: this.store.scopedCredentials(),
      expiresAt,
    };
  }

  private upload(userId: string, uploadId: string): UploadRow {
    const row = this.db.prepare('SELECT * FROM uploads WHERE id = ? AND user_id = ?').get(uploadId, userId) as UploadRow | undefined;
    if (row === undefined) throw new Problem('NOT_FOUND', `No upload ${uploadId}.`);
    return row;
  }

  private completed(row: UploadRow) {
    return { id: row.id, key: row.object_key, size: row.size, etag: row.etag ?? '', completedAt: row.completed_at ?? '' };
  }

  /**
   * Completes an upload once: a repeated call answers as the first did. When S3 completed the multipart
   * upload but this server never recorded it (a crash or a lost answer), the stored object settles it.
   */
  async completeUpload(userId: string, uploadId: string, parts: readonly { partNumber: number; etag: string }[]) {
    const row = this.upload(userId, uploadId);
    if (row.state === 'completed') return this.completed(row);
    if (row.state === 'aborted') throw new Problem('UPLOAD_INCOMPLETE', 'The upload was aborted; create a new one.');
    if (row.method === 'multipart') {
      const expected = Math.ceil(row.size / row.part_size);
      if (parts.length !== expected || parts.some((part, index) => part.partNumber !== index + 1)) {
        throw new Problem('UPLOAD_MISMATCH', `Expected parts 1 to ${expected} in order.`);
      }
      try {
        await this.store.completeMultipart(row.object_key, row.s3_upload_id ?? '', parts);
      } catch (error) {
        const stored = await this.store.head(row.object_key);
        if (stored === undefined) {
          throw new Problem('UPLOAD_MISMATCH', `S3 refused to complete the upload: ${error instanceof Error ? error.name : 'unknown error'}.`);
        }
      }
    } else if (parts.length > 0) {
      throw new Problem('UPLOAD_MISMATCH', 'A single upload is completed with no parts.');
    }
    const stored = await this.store.head(row.object_key);
    if (stored === undefined) throw new Problem('UPLOAD_INCOMPLETE', 'No object was stored for this upload yet.');
    if (stored.size !== row.size) {
      await this.store.delete(row.object_key);
      throw new Problem('UPLOAD_MISMATCH', `The stored object has ${stored.size} bytes, not ${row.size}; it was discarded.`);
    }
    const completedAt = new Date().toISOString();
    this.db.prepare("UPDATE uploads SET state = 'completed', etag = ?, completed_at = ? WHERE id = ? AND state = 'pending'").run(stored.etag, completedAt, row.id);
    return this.completed(this.upload(userId, uploadId));
  }

  async abortUpload(userId: string, uploadId: string): Promise<void> {
    const row = this.upload(userId, uploadId);
    if (row.state === 'completed') throw new Problem('UPLOAD_COMPLETED', 'A completed upload cannot be aborted.');
    if (row.state === 'aborted') return;
    if (row.s3_upload_id !== null) await this.store.abortMultipart(row.object_key, row.s3_upload_id);
    else await this.store.delete(row.object_key);
    this.db.prepare("UPDATE uploads SET state = 'aborted' WHERE id = ?").run(row.id);
  }

  // Images

  private toImage(row: ImageRow) {
    const original = this.db.prepare('SELECT object_key, size, content_type FROM uploads WHERE id = ?').get(row.original_upload_id) as UploadRow;
    const thumbnail = this.db.prepare('SELECT object_key, size, content_type FROM uploads WHERE id = ?').get(row.thumbnail_upload_id) as UploadRow;
    const object = (upload: UploadRow) => ({ key: upload.object_key, size: upload.size, contentType: upload.content_type });
    return {
      id: row.id,
      ownerId: row.owner_id,
      consumeKey: row.consume_key,
      status: row.status,
      title: row.title,
      companionId: row.companion_id,
      width: row.width,
      height: row.height,
      generation: JSON.parse(row.generation) as Generation,
      moderation: JSON.parse(row.moderation) as ModerationResult,
      likeCount: row.like_count,
      original: object(original),
      thumbnail: object(thumbnail),
      createdAt: row.created_at,
      publishedAt: row.published_at,
    };
  }

  /** The image as `viewer` may see it: owners see their own in any state, others only while published. */
  private visible(imageId: string, viewer: string | undefined): ImageRow {
    const row = this.db.prepare('SELECT * FROM images WHERE id = ?').get(imageId) as ImageRow | undefined;
    if (row === undefined || row.status === 'deleted' || (row.status !== 'published' && row.owner_id !== viewer)) {
      throw new Problem('NOT_FOUND', `No image ${imageId}.`);
    }
    return row;
  }

  private owned(imageId: string, userId: string): ImageRow {
    const row = this.visible(imageId, userId);
    if (row.owner_id !== userId) throw new Problem('NOT_FOUND', `No image ${imageId} of yours.`);
    return row;
  }

  register(userId: string, planId: PlanId, request: RegisterImageRequest): { readonly image: ReturnType<Images['toImage']>; readonly created: boolean } {
    const print = fingerprint(request);
    return this.db.transaction(() => {
      const existing = this.db.prepare('SELECT * FROM images WHERE owner_id = ? AND consume_key = ?').get(userId, request.consumeKey) as ImageRow | undefined;
      if (existing !== undefined) {
        if (existing.status === 'deleted') throw new Problem('CONSUMPTION_IN_USE', 'This consumption paid for an image that was deleted.');
        if (existing.fingerprint !== print) throw new Problem('IDEMPOTENCY_MISMATCH', `An image with consumeKey ${request.consumeKey} was registered with another body.`);
        return { image: this.toImage(existing), created: false };
      }
      const consumption = this.wallet.consumption(userId, request.consumeKey);
      if (consumption.status === 'refunded') throw new Problem('CONSUMPTION_REFUNDED', 'This consumption was refunded; consume again.');
      const price = publishPrice(plans[planId], request.width, request.height);
      if (consumption.amount < price) {
        throw new Problem('INSUFFICIENT_TOKENS', `The consumption paid ${consumption.amount} tokens; this image costs ${price}.`, { balance: this.wallet.balance(userId), price });
      }
      for (const [uploadId, purpose] of [[request.originalUploadId, 'original'], [request.thumbnailUploadId, 'thumbnail']] as const) {
        const upload = this.upload(userId, uploadId);
        if (upload.purpose !== purpose) throw new Problem('UPLOAD_MISMATCH', `Upload ${uploadId} is not a ${purpose}.`);
        if (upload.state !== 'completed') throw new Problem('UPLOAD_INCOMPLETE', `Upload ${uploadId} is not completed.`);
        const taken = this.db.prepare('SELECT id FROM images WHERE original_upload_id = ? OR thumbnail_upload_id = ?').get(uploadId, uploadId);
        if (taken !== undefined) throw new Problem('UPLOAD_MISMATCH', `Upload ${uploadId} belongs to another image.`);
      }
      if (request.companionId !== undefined && this.db.prepare('SELECT id FROM companions WHERE id = ?').get(request.companionId) === undefined) {
        throw new Problem('VALIDATION_FAILED', `No companion ${request.companionId}.`, {
          errors: [{ in: 'body', pointer: '/companionId', message: 'unknown companion' }],
        });
      }
      const moderation = moderate(plans[planId].moderationLevel, request.generation.prompt);
      if (moderation.verdict === 'block') throw new Problem('MODERATION_BLOCKED', 'The prompt is blocked at your plan level.', { moderation });
      const id = newId('img');
      this.db
        .prepare(
          `INSERT INTO images (id, owner_id, consume_key, fingerprint, status, title, companion_id, model, width, height, generation,
             moderation, original_upload_id, thumbnail_upload_id, created_at)
           VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id, userId, request.consumeKey, print, request.title ?? '', request.companionId ?? null, request.generation.model,
          request.width, request.height, JSON.stringify(request.generation), JSON.stringify(moderation),
          request.originalUploadId, request.thumbnailUploadId, new Date().toISOString(),
        );
      return { image: this.get(id, userId), created: true };
    })();
  }

  get(imageId: string, viewer: string | undefined) {
    return this.toImage(this.visible(imageId, viewer));
  }

  publish(imageId: string, userId: string) {
    return this.db.transaction(() => {
      const row = this.owned(imageId, userId);
      if (row.status === 'published') return this.toImage(row);
      const moderation = JSON.parse(row.moderation) as ModerationResult;
      if (moderation.verdict !== 'allow') throw new Problem('MODERATION_REVIEW', 'A moderator has to approve this image first.', { moderation });
      if (this.wallet.consumption(userId, row.consume_key).status === 'refunded') {
        throw new Problem('CONSUMPTION_REFUNDED', 'The consumption that paid for this image was refunded.');
      }
      const { seq } = this.db.prepare('SELECT coalesce(max(publish_seq), 0) + 1 AS seq FROM images').get() as { seq: number };
      this.db.prepare("UPDATE images SET status = 'published', publish_seq = ?, published_at = ? WHERE id = ?").run(seq, new Date().toISOString(), imageId);
      return this.get(imageId, userId);
    })();
  }

  unpublish(imageId: string, userId: string) {
    const row = this.owned(imageId, userId);
    if (row.status === 'published') this.db.prepare("UPDATE images SET status = 'unpublished' WHERE id = ?").run(imageId);
    return this.get(imageId, userId);
  }

  async delete(imageId: string, userId: string): Promise<void> {
    const row = this.owned(imageId, userId);
    const keys = this.db.prepare('SELECT object_key FROM uploads WHERE id IN (?, ?)').all(row.original_upload_id, row.thumbnail_upload_id) as { object_key: string }[];
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM likes WHERE image_id = ?').run(imageId);
      this.db.prepare("UPDATE images SET status = 'deleted', like_count = 0, publish_seq = NULL WHERE id = ?").run(imageId);
    })();
    // After the commit: a crash here leaves orphaned objects (harmless), never a row pointing at nothing.
    await Promise.all(keys.map(({ object_key }) => this.store.delete(object_key)));
  }

  /**
   * Whether an image paid by this consumption was ever published (then it may not be refunded: the service
   * was delivered, even if the image was unpublished or deleted since).
   */
  consumptionInUse(userId: string, consumeKey: string): boolean {
    return this.db.prepare('SELECT 1 FROM images WHERE owner_id = ? AND consume_key = ? AND published_at IS NOT NULL').get(userId, consumeKey) !== undefined;
  }

  approve(imageId: string): void {
    const row = this.db.prepare('SELECT moderation FROM images WHERE id = ?').get(imageId) as { moderation: string } | undefined;
    if (row === undefined) throw new Problem('NOT_FOUND', `No image ${imageId}.`);
    const moderation = JSON.parse(row.moderation) as ModerationResult;
    this.db.prepare('UPDATE images SET moderation = ? WHERE id = ?').run(JSON.stringify({ ...moderation, verdict: 'allow' }), imageId);
  }

  async download(imageId: string, viewer: string) {
    const image = this.get(imageId, viewer);
    return {
      imageId,
      url: await this.store.presignGet(image.original.key),
      expiresAt: new Date(Date.now() + this.presignTtlSeconds * 1000).toISOString(),
      size: image.original.size,
      contentType: image.original.contentType,
      generation: image.generation,
    };
  }

  // Likes

  likes(imageId: string, viewer: string | undefined) {
    const row = this.visible(imageId, viewer);
    const liked = viewer !== undefined && this.db.prepare('SELECT 1 FROM likes WHERE image_id = ? AND user_id = ?').get(imageId, viewer) !== undefined;
    return { imageId, likeCount: row.like_count, likedByMe: liked };
  }

  like(imageId: string, userId: string, liked: boolean) {
    this.db.transaction(() => {
      const row = this.visible(imageId, userId);
      // Likes count only while an image is public; taking one back is always allowed.
      if (liked && row.status !== 'published') throw new Problem('NOT_FOUND', `Image ${imageId} is not published.`);
      const changed = liked
        ? this.db.prepare('INSERT OR IGNORE INTO likes (image_id, user_id, created_at) VALUES (?, ?, ?)').run(imageId, userId, new Date().toISOString()).changes
        : this.db.prepare('DELETE FROM likes WHERE image_id = ? AND user_id = ?').run(imageId, userId).changes;
      if (changed > 0) this.db.prepare('UPDATE images SET like_count = like_count + ? WHERE id = ?').run(liked ? 1 : -1, imageId);
    })();
    return this.likes(imageId, userId);
  }

  // Gallery

  private sealCursor(payload: object): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${createHmac('sha256', this.cursorKey).update(body).digest('base64url')}`;
  }

  private openCursor(cursor: string, scope: string): readonly number[] {
    const [body = '', mac = ''] = cursor.split('.');
    const expected = createHmac('sha256', this.cursorKey).update(body).digest();
    const given = Buffer.from(mac, 'base64url');
    const invalid = () =>
      new Problem('VALIDATION_FAILED', 'The cursor is not one this gallery issued for this sort and these filters.', {
        errors: [{ in: 'query', pointer: '/cursor', message: 'invalid cursor' }],
      });
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as { scope: string; after: number[] };
    if (payload.scope !== scope) throw invalid();
    return payload.after;
  }

  async gallery(query: GalleryQuery, viewer: string | undefined) {
    const scope = fingerprint({ sort: query.sort, companionId: query.companionId ?? null, model: query.model ?? null });
    const conditions = ["i.status = 'published'"];
    const values: (string | number)[] = [];
    const where = (condition: string, ...parameters: (string | number)[]) => {
      conditions.push(condition);
      values.push(...parameters);
    };
    if (query.companionId !== undefined) where('i.companion_id = ?', query.companionId);
    if (query.model !== undefined) where('i.model = ?', query.model);
    if (query.cursor !== undefined) {
      const [first = 0, second = 0] = this.openCursor(query.cursor, scope);
      if (query.sort === 'newest') where('i.publish_seq < ?', first);
      else where('(i.like_count < ? OR (i.like_count = ? AND i.publish_seq < ?))', first, first, second);
    }
    const order = query.sort === 'newest' ? 'i.publish_seq DESC' : 'i.like_count DESC, i.publish_seq DESC';
    const rows = this.db
      .prepare(
        `SELECT i.*, u.display_name, t.object_key AS thumbnail_key FROM images i
         JOIN users u ON u.id = i.owner_id JOIN uploads t ON t.id = i.thumbnail_upload_id
         WHERE ${conditions.join(' AND ')} ORDER BY ${order} LIMIT ?`,
      )
      .all(...values, query.limit + 1) as (ImageRow & { display_name: string; thumbnail_key: string })[];
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const likedIds = new Set(
      viewer === undefined || page.length === 0
        ? []
        : (this.db.prepare(`SELECT image_id FROM likes WHERE user_id = ? AND image_id IN (${page.map(() => '?').join(',')})`).all(viewer, ...page.map((r) => r.id)) as { image_id: string }[]).map(
            (r) => r.image_id,
          ),
    );
    const items = await Promise.all(
      page.map(async (row) => ({
        id: row.id,
        title: row.title,
        author: { id: row.owner_id, displayName: row.display_name },
        companionId: row.companion_id,
        model: row.model,
        width: row.width,
        height: row.height,
        likeCount: row.like_count,
        likedByMe: likedIds.has(row.id),
        publishedAt: row.published_at ?? '',
        thumbnailUrl: await this.store.presignGet(row.thumbnail_key),
      })),
    );
    const nextCursor =
      rows.length > query.limit && last !== undefined
        ? this.sealCursor({ scope, after: query.sort === 'newest' ? [last.publish_seq] : [last.like_count, last.publish_seq] })
        : null;
    return { items, nextCursor };
  }
}
