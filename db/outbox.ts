/**
 * The publishing outbox. A publish request becomes one row with an idempotency key; the sync worker claims due
 * rows, drives each through the state machine one step at a time, and records failures with the time of the
 * next attempt. Every request and every step is durable (see connection.ts): a transition lost to a power cut
 * would have the worker redo work it paid for (an upload) or ask the platform about a charge again. The claim's
 * lease is the one write that is not: losing it only makes the row due again.
 *
 * ```
 * pending → moderated → charged → uploaded → registered → published
 *    │          │          └──────────┴───────────┴──→ refunding → refunded
 *    └──────────┴──→ failed
 * ```
 * The image's `sync_state` mirrors its outbox row, updated in the same transaction, so the UI always shows it.
 */
import { sql } from 'kysely';
import { durableTransaction, inTransaction, type LibraryDb, type LibraryTrx } from './connection';
import { LibraryError } from './errors';
import type { ImageSyncState, OutboxRow, OutboxState } from './schema';

export interface PublishJob {
  readonly id: number;
  readonly idempotencyKey: string;
  readonly imageId: number;
  readonly state: OutboxState;
  readonly visibility: string;
  readonly companionId: string | null;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly remoteImageId: string | null;
  readonly remoteUploadId: string | null;
  readonly tokensCharged: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

const TRANSITIONS: Readonly<Record<OutboxState, readonly OutboxState[]>> = {
  pending: ['moderated', 'failed'],
  moderated: ['charged', 'failed'],
  charged: ['uploaded', 'refunding'],
  uploaded: ['registered', 'refunding'],
  registered: ['published', 'refunding'],
  refunding: ['refunded'],
  published: [],
  refunded: [],
  failed: [],
};

export const TERMINAL_OUTBOX_STATES: readonly OutboxState[] = ['published', 'refunded', 'failed'];

function syncStateFor(state: OutboxState): ImageSyncState {
  if (state === 'pending') return 'queued';
  if (state === 'published') return 'published';
  if (state === 'failed' || state === 'refunded') return 'failed';
  return 'publishing';
}

function toPublishJob(row: OutboxRow): PublishJob {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    imageId: row.image_id,
    state: row.state,
    visibility: row.visibility,
    companionId: row.companion_id,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    remoteImageId: row.remote_image_id,
    remoteUploadId: row.remote_upload_id,
    tokensCharged: row.tokens_charged,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

async function mirrorToImage(trx: LibraryTrx, row: OutboxRow): Promise<void> {
  await trx
    .updateTable('images')
    .set({
      sync_state: syncStateFor(row.state),
      ...(row.remote_image_id === null ? {} : { remote_id: row.remote_image_id }),
      ...(row.state === 'published' ? { tokens_spent: row.tokens_charged } : {}),
    })
    .where('id', '=', row.image_id)
    .execute();
}

/**
 * Records a request to publish an image. Idempotent: the same key returns the existing row untouched, so a
 * retried click or a replayed IPC call never publishes twice.
 */
export async function enqueuePublish(
  db: LibraryDb,
  input: Readonly<{ idempotencyKey: string; imageId: number; visibility: string; companionId?: string | null }>,
  now = Date.now(),
): Promise<PublishJob> {
  if (input.idempotencyKey.trim() === '') throw new LibraryError('INVALID_INPUT', 'A publish request needs an idempotency key.');
  return durableTransaction(db, async (trx) => {
    const existing = await trx.selectFrom('outbox').selectAll().where('idempotency_key', '=', input.idempotencyKey).executeTakeFirst();
    if (existing !== undefined) {
      if (existing.image_id !== input.imageId) {
        throw new LibraryError('CONFLICT', 'This idempotency key was already used for another image.', { idempotencyKey: input.idempotencyKey });
      }
      return toPublishJob(existing);
    }
    const image = await trx.selectFrom('images').select('id').where('id', '=', input.imageId).where('deleted_at', 'is', null).executeTakeFirst();
    if (image === undefined) throw new LibraryError('NOT_FOUND', `There is no image ${input.imageId} to publish.`, { imageId: input.imageId });
    const row = await trx
      .insertInto('outbox')
      .values({
        idempotency_key: input.idempotencyKey,
        image_id: input.imageId,
        state: 'pending',
        visibility: input.visibility,
        companion_id: input.companionId ?? null,
        next_attempt_at: now,
        last_error: null,
        remote_image_id: null,
        remote_upload_id: null,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await mirrorToImage(trx, row);
    return toPublishJob(row);
  });
}

/**
 * Claims up to `limit` rows that are due, leasing them for `leaseMs` (their next attempt moves past the lease)
 * so that a second worker, or this one after a crash, does not take them until the lease runs out. `exclude`
 * names rows the caller is working on already (a step it finished made them due again).
 */
export async function claimDuePublishes(
  db: LibraryDb,
  now: number,
  limit: number,
  leaseMs: number,
  exclude: readonly number[] = [],
): Promise<readonly PublishJob[]> {
  // Not fsynced (see the module comment).
  return inTransaction(db, async (trx) => {
    const rows = await trx
      .updateTable('outbox')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: now + leaseMs, updated_at: now }))
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('outbox')
          .select('id')
          .where('state', 'not in', TERMINAL_OUTBOX_STATES)
          .where('next_attempt_at', '<=', now)
          .$if(exclude.length > 0, (qb) => qb.where('id', 'not in', exclude))
          .orderBy('next_attempt_at')
          .limit(limit),
      )
      .returningAll()
      .execute();
    return rows.map(toPublishJob);
  });
}

/**
 * Moves a row from `from` to `to` (checked against the state machine and against the row's current state, so a
 * stale worker cannot apply a step twice), recording what the step learned.
 */
export async function advancePublish(
  db: LibraryDb,
  id: number,
  from: OutboxState,
  to: OutboxState,
  learned: Readonly<{ remoteImageId?: string; remoteUploadId?: string; tokensCharged?: number; lastError?: string }> = {},
  now = Date.now(),
): Promise<PublishJob> {
  if (!TRANSITIONS[from].includes(to)) {
    throw new LibraryError('INVALID_INPUT', `A publish cannot go from ${from} to ${to}.`, { from, to });
  }
  return durableTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('outbox')
      .set({
        state: to,
        updated_at: now,
        // The next step is due at once; a failure will push it back.
        next_attempt_at: now,
        // Why a publish ends in `failed` or goes to `refunding`; cleared by every other step.
        last_error: learned.lastError ?? null,
        ...(learned.remoteImageId === undefined ? {} : { remote_image_id: learned.remoteImageId }),
        ...(learned.remoteUploadId === undefined ? {} : { remote_upload_id: learned.remoteUploadId }),
        ...(learned.tokensCharged === undefined ? {} : { tokens_charged: learned.tokensCharged }),
      })
      .where('id', '=', id)
      .where('state', '=', from)
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) {
      const current = await trx.selectFrom('outbox').select('state').where('id', '=', id).executeTakeFirst();
      if (current === undefined) throw new LibraryError('NOT_FOUND', `There is no publish job ${id}.`, { outboxId: id });
      throw new LibraryError('CONFLICT', `Publish job ${id} is ${current.state}, not ${from}.`, { outboxId: id, state: current.state, from });
    }
    // Charged, uploaded and registered all read "publishing" on the image: only a step that changes what the
    // image shows touches its row (and its triggers).
    if (syncStateFor(from) !== syncStateFor(to) || learned.remoteImageId !== undefined) await mirrorToImage(trx, row);
    return toPublishJob(row);
  });
}

/** Records a failed attempt and when to try again (the worker computes the backoff). */
export async function recordPublishFailure(db: LibraryDb, id: number, error: string, nextAttemptAt: number, now = Date.now()): Promise<PublishJob> {
  return durableTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('outbox')
      .set({ last_error: error, next_attempt_at: nextAttemptAt, updated_at: now })
      .where('id', '=', id)
      .where('state', 'not in', TERMINAL_OUTBOX_STATES)
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) throw new LibraryError('NOT_FOUND', `There is no open publish job ${id}.`, { outboxId: id });
    return toPublishJob(row);
  });
}

export async function listPublishes(db: LibraryDb, imageId?: number): Promise<readonly PublishJob[]> {
  let query = db.selectFrom('outbox').selectAll().orderBy('id');
  if (imageId !== undefined) query = query.where('image_id', '=', imageId);
  return (await query.execute()).map(toPublishJob);
}

/** Rows still in flight, for the UI's "publishing" list. */
export async function countOpenPublishes(db: LibraryDb): Promise<number> {
  const row = await db
    .selectFrom('outbox')
    .select(sql<number>`count(*)`.as('count'))
    .where('state', 'not in', TERMINAL_OUTBOX_STATES)
    .executeTakeFirstOrThrow();
  return row.count;
}
