import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { durableTransaction, syncWriteAheadLog } from '../../../db/connection';
import { cancelJob, claimNextJob, completeJob, enqueueJob, failJob, getJob, listJobs, moveJob, requeueInterruptedJobs, requeueJob } from '../../../db/jobs';
import { advancePublish, claimDuePublishes, countOpenPublishes, enqueuePublish, listPublishes, recordPublishFailure } from '../../../db/outbox';
import { getImage } from '../../../db/images';
import { insertRows, syntheticRow, withLibrary } from './helpers';

describe('jobs', () => {
  it('queues in order, claims the head, reorders, and finishes with results', () =>
    withLibrary(async (library) => {
      const a = await enqueueJob(library.db, { prompt: 'a' }, 1);
      const b = await enqueueJob(library.db, { prompt: 'b' }, 2);
      const c = await enqueueJob(library.db, { prompt: 'c' }, 3);
      await moveJob(library.db, c.id, a.id);
      expect((await listJobs(library.db, ['queued'])).map((j) => j.id)).toEqual([c.id, a.id, b.id]);
      await moveJob(library.db, c.id, null);
      expect((await listJobs(library.db, ['queued'])).map((j) => j.id)).toEqual([a.id, b.id, c.id]);
      const claimed = await claimNextJob(library.db, 10);
      expect(claimed).toMatchObject({ id: a.id, status: 'running', attempts: 1, request: { prompt: 'a' } });
      const [imageId = 0] = await insertRows(library, [syntheticRow(1)]);
      expect(await completeJob(library.db, a.id, [imageId], 11)).toMatchObject({ status: 'done', imageIds: [imageId] });
      await expect(completeJob(library.db, a.id, [], 12)).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(moveJob(library.db, a.id, null)).rejects.toMatchObject({ code: 'CONFLICT' });
      await claimNextJob(library.db);
      expect(await failJob(library.db, b.id, 'engine out of memory')).toMatchObject({ status: 'failed', error: 'engine out of memory' });
      expect(await cancelJob(library.db, c.id)).toMatchObject({ status: 'cancelled' });
      expect(await claimNextJob(library.db)).toBeUndefined();
      await expect(getJob(library.db, 999)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }));

  it('puts jobs a crash left running back at the head of the queue, in their order', () =>
    withLibrary(async (library) => {
      const jobs = [];
      for (let i = 0; i < 4; i++) jobs.push(await enqueueJob(library.db, { i }));
      await claimNextJob(library.db);
      await claimNextJob(library.db);
      expect(await requeueInterruptedJobs(library.db)).toBe(2);
      expect((await listJobs(library.db, ['queued'])).map((j) => j.id)).toEqual(jobs.map((j) => j.id));
      const retried = await claimNextJob(library.db);
      expect(retried).toMatchObject({ id: jobs[0]?.id, attempts: 2 });
      await requeueJob(library.db, retried?.id ?? 0, 'engine crashed');
      expect((await listJobs(library.db, ['queued']))[0]).toMatchObject({ id: jobs[0]?.id, error: 'engine crashed' });
    }));

  it('lists only the most recently finished jobs when asked for a limit, and every open job', () =>
    withLibrary(async (library) => {
      const jobs = [];
      for (let i = 0; i < 8; i++) jobs.push(await enqueueJob(library.db, { i }, i));
      // Finish six of them out of queue order: the update time, not the position, says which are recent.
      const finishOrder = [3, 0, 5, 1, 4, 2];
      for (const [step, index] of finishOrder.entries()) {
        const id = jobs[index]?.id ?? 0;
        const head = (await listJobs(library.db, ['queued']))[0]?.id ?? 0;
        if (head !== id) await moveJob(library.db, id, head);
        expect(await claimNextJob(library.db)).toMatchObject({ id });
        if (step % 3 === 0) await completeJob(library.db, id, [], 1000 + step);
        else if (step % 3 === 1) await failJob(library.db, id, 'broken', 1000 + step);
        else await cancelJob(library.db, id, 1000 + step);
      }
      const everything = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
      const all = await listJobs(library.db, everything);
      expect(all).toHaveLength(8);
      const limited = await listJobs(library.db, everything, { finishedLimit: 3 });
      const recent = [jobs[2], jobs[4], jobs[1]].map((j) => j?.id);
      const open = all.filter((j) => j.status === 'queued').map((j) => j.id);
      expect(open).toHaveLength(2);
      expect(new Set(limited.map((j) => j.id))).toEqual(new Set([...open, ...recent]));
      // Still in queue order, as without a limit.
      expect(limited.map((j) => j.id)).toEqual(all.map((j) => j.id).filter((id) => limited.some((j) => j.id === id)));
      expect((await listJobs(library.db, ['done'], { finishedLimit: 1 })).map((j) => j.id)).toEqual([jobs[1]?.id]);
      expect(await listJobs(library.db, ['failed', 'cancelled'], { finishedLimit: 0 })).toEqual([]);
      await expect(listJobs(library.db, ['done'], { finishedLimit: -1 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }));
});

describe('outbox', () => {
  it('is idempotent by key and mirrors its state onto the image', () =>
    withLibrary(async (library) => {
      const [imageId = 0, other = 0] = await insertRows(library, [syntheticRow(1), syntheticRow(2)]);
      const first = await enqueuePublish(library.db, { idempotencyKey: 'k-1', imageId, visibility: 'public' }, 100);
      const again = await enqueuePublish(library.db, { idempotencyKey: 'k-1', imageId, visibility: 'public' }, 200);
      expect(again).toEqual(first);
      await expect(enqueuePublish(library.db, { idempotencyKey: 'k-1', imageId: other, visibility: 'public' })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect((await getImage(library.db, imageId)).syncState).toBe('queued');

      const [claimed] = await claimDuePublishes(library.db, 100, 10, 30_000);
      expect(claimed).toMatchObject({ id: first.id, attempts: 1, nextAttemptAt: 30_100 });
      expect(await claimDuePublishes(library.db, 200, 10, 30_000)).toEqual([]);

      await advancePublish(library.db, first.id, 'pending', 'moderated');
      await advancePublish(library.db, first.id, 'moderated', 'charged', { tokensCharged: 4 });
      expect((await getImage(library.db, imageId)).syncState).toBe('publishing');
      await expect(advancePublish(library.db, first.id, 'moderated', 'charged')).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(advancePublish(library.db, first.id, 'charged', 'published')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await advancePublish(library.db, first.id, 'charged', 'uploaded', { remoteUploadId: 'u-1' });
      await advancePublish(library.db, first.id, 'uploaded', 'registered', { remoteImageId: 'img-9' });
      const done = await advancePublish(library.db, first.id, 'registered', 'published');
      expect(done).toMatchObject({ state: 'published', tokensCharged: 4, remoteImageId: 'img-9', remoteUploadId: 'u-1' });
      expect(await getImage(library.db, imageId)).toMatchObject({ syncState: 'published', remoteId: 'img-9', tokensSpent: 4 });
      expect(await countOpenPublishes(library.db)).toBe(0);
      await expect(library.db.deleteFrom('images').where('id', '=', imageId).execute()).rejects.toThrow(/FOREIGN KEY/);
    }));

  it('records failures with the next attempt time and refunds after a charge', () =>
    withLibrary(async (library) => {
      const [imageId = 0] = await insertRows(library, [syntheticRow(1)]);
      const job = await enqueuePublish(library.db, { idempotencyKey: 'k-2', imageId, visibility: 'unlisted', companionId: 'mia' }, 0);
      await claimDuePublishes(library.db, 0, 10, 1000);
      await advancePublish(library.db, job.id, 'pending', 'moderated');
      await advancePublish(library.db, job.id, 'moderated', 'charged', { tokensCharged: 2 });
      const failed = await recordPublishFailure(library.db, job.id, 'S3 unavailable', 5000, 10);
      expect(failed).toMatchObject({ lastError: 'S3 unavailable', nextAttemptAt: 5000, state: 'charged' });
      expect(await claimDuePublishes(library.db, 4999, 10, 1000)).toEqual([]);
      expect(await claimDuePublishes(library.db, 5000, 10, 1000)).toHaveLength(1);
      await advancePublish(library.db, job.id, 'charged', 'refunding');
      await advancePublish(library.db, job.id, 'refunding', 'refunded');
      expect((await getImage(library.db, imageId)).syncState).toBe('failed');
      await expect(recordPublishFailure(library.db, job.id, 'late', 0)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await listPublishes(library.db, imageId)).toMatchObject([{ state: 'refunded', companionId: 'mia', visibility: 'unlisted' }]);
    }));

  it('makes queue and outbox commits durable by fsyncing the write-ahead log, the connection staying NORMAL', () =>
    withLibrary(async (library) => {
      const inside = await durableTransaction(library.db, async (trx) => {
        await enqueueJob(trx, {});
        return (await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(trx)).rows[0]?.synchronous;
      });
      expect(inside).toBe(1);
      await syncWriteAheadLog(library.sqlite.name);
      await expect(syncWriteAheadLog(path.join(library.dir, 'missing.sqlite'))).rejects.toMatchObject({ code: 'IO_ERROR' });
    }));

  // Linux lets a test unlink the log under an open connection (SQLite keeps writing to it): the sync then finds no
  // log and says so, which shows that a durable transaction does sync this database's log.
  it.runIf(process.platform === 'linux')('fails a durable commit whose log cannot be synced', () =>
    withLibrary(async (library) => {
      await enqueueJob(library.db, {});
      await unlink(`${library.sqlite.name}-wal`);
      await expect(durableTransaction(library.db, (trx) => enqueueJob(trx, {}))).rejects.toMatchObject({ code: 'IO_ERROR' });
    }));
});
