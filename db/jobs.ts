/**
 * The generation queue, persisted: a job survives restarts and crashes in whatever state it last committed.
 * Every write is a durable transaction (see connection.ts): a queued job the user saw accepted must not vanish.
 *
 * Life of a job: `queued` → (claimed) `running` → `done` | `failed` | `cancelled`. At start-up
 * `requeueInterruptedJobs` puts back the jobs a crash left `running`.
 */
import { sql } from 'kysely';
import { durableTransaction, type LibraryDb } from './connection';
import { LibraryError } from './errors';
import type { JobRow, JobStatus } from './schema';

export interface Job {
  readonly id: number;
  readonly status: JobStatus;
  readonly position: number;
  readonly attempts: number;
  readonly error: string | null;
  /** The request as the caller stored it (JSON); the queue does not interpret it. */
  readonly request: unknown;
  readonly imageIds: readonly number[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    status: row.status,
    position: row.position,
    attempts: row.attempts,
    error: row.error,
    request: JSON.parse(row.request_json) as unknown,
    imageIds: row.result_json === null ? [] : (JSON.parse(row.result_json) as number[]),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Adds a job at the end of the queue; the returned id is committed (and fsynced) when this resolves. */
export async function enqueueJob(db: LibraryDb, request: unknown, now = Date.now()): Promise<Job> {
  const requestJson = JSON.stringify(request);
  if (requestJson === undefined) throw new LibraryError('INVALID_INPUT', 'A job request must be JSON.');
  return durableTransaction(db, async (trx) => {
    const { last } = await trx
      .selectFrom('jobs')
      .select((eb) => eb.fn.coalesce(eb.fn.max('position'), sql.lit(0)).as('last'))
      .executeTakeFirstOrThrow();
    const row = await trx
      .insertInto('jobs')
      .values({ status: 'queued', position: last + 1, request_json: requestJson, error: null, result_json: null, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toJob(row);
  });
}

/** Takes the first queued job and marks it running (one more attempt); undefined when the queue is empty. */
export async function claimNextJob(db: LibraryDb, now = Date.now()): Promise<Job | undefined> {
  return durableTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('jobs')
      .set((eb) => ({ status: 'running', attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', '=', (eb) =>
        eb.selectFrom('jobs').select('id').where('status', '=', 'queued').orderBy('position').orderBy('id').limit(1),
      )
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? undefined : toJob(row);
  });
}

async function transition(
  db: LibraryDb,
  id: number,
  from: readonly JobStatus[],
  to: JobStatus,
  patch: Readonly<{ error?: string | null; result_json?: string | null; position?: number }>,
  now: number,
): Promise<Job> {
  return durableTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('jobs')
      .set({ status: to, updated_at: now, ...patch })
      .where('id', '=', id)
      .where('status', 'in', from)
      .returningAll()
      .executeTakeFirst();
    if (row !== undefined) return toJob(row);
    const current = await trx.selectFrom('jobs').select('status').where('id', '=', id).executeTakeFirst();
    if (current === undefined) throw new LibraryError('NOT_FOUND', `There is no job ${id}.`, { jobId: id });
    throw new LibraryError('CONFLICT', `Job ${id} is ${current.status}; it cannot become ${to}.`, { jobId: id, status: current.status, to });
  });
}

/**
 * Marks a running job done with the images it produced. Pass the transaction that inserted the images
 * (`addGeneratedImages` does) so that the rows and the job's end commit together.
 */
export function completeJob(db: LibraryDb, id: number, imageIds: readonly number[], now = Date.now()): Promise<Job> {
  return transition(db, id, ['running'], 'done', { result_json: JSON.stringify(imageIds), error: null }, now);
}

export function failJob(db: LibraryDb, id: number, error: string, now = Date.now()): Promise<Job> {
  return transition(db, id, ['running'], 'failed', { error }, now);
}

/** Puts a running job back at the head of the queue (its engine crashed; it will be retried). */
export async function requeueJob(db: LibraryDb, id: number, error: string | null, now = Date.now()): Promise<Job> {
  return durableTransaction(db, async (trx) => {
    const { first } = await trx
      .selectFrom('jobs')
      .select((eb) => eb.fn.coalesce(eb.fn.min('position'), sql.lit(1)).as('first'))
      .where('status', '=', 'queued')
      .executeTakeFirstOrThrow();
    return transition(trx, id, ['running'], 'queued', { error, position: first - 1 }, now);
  });
}

export function cancelJob(db: LibraryDb, id: number, now = Date.now()): Promise<Job> {
  return transition(db, id, ['queued', 'running'], 'cancelled', {}, now);
}

/** At start-up: every job left `running` by a crash goes back to the queue, ahead of the others. */
export async function requeueInterruptedJobs(db: LibraryDb, now = Date.now()): Promise<number> {
  return durableTransaction(db, async (trx) => {
    const { first } = await trx
      .selectFrom('jobs')
      .select((eb) => eb.fn.coalesce(eb.fn.min('position'), sql.lit(1)).as('first'))
      .where('status', '=', 'queued')
      .executeTakeFirstOrThrow();
    const result = await sql`
      UPDATE jobs SET status = 'queued', updated_at = ${now},
        position = ${first} - 1 - (SELECT count(*) FROM jobs AS later WHERE later.status = 'running' AND later.position > jobs.position)
      WHERE status = 'running'`.execute(trx);
    return Number(result.numAffectedRows ?? 0n);
  });
}

/** Moves a queued job just before another queued job, or to the end when `beforeJobId` is null. */
export async function moveJob(db: LibraryDb, id: number, beforeJobId: number | null, now = Date.now()): Promise<Job> {
  return durableTransaction(db, async (trx) => {
    const queued = (jobId: number) =>
      trx.selectFrom('jobs').select(['id', 'position']).where('id', '=', jobId).where('status', '=', 'queued').executeTakeFirst();
    const job = await queued(id);
    if (job === undefined) throw new LibraryError('CONFLICT', `Job ${id} is not queued; only queued jobs can be moved.`, { jobId: id });
    let position: number;
    if (beforeJobId === null) {
      const { last } = await trx.selectFrom('jobs').select((eb) => eb.fn.coalesce(eb.fn.max('position'), sql.lit(0)).as('last')).executeTakeFirstOrThrow();
      position = last + 1;
    } else {
      const before = await queued(beforeJobId);
      if (before === undefined) throw new LibraryError('CONFLICT', `Job ${beforeJobId} is not queued.`, { jobId: beforeJobId });
      const previous = await trx
        .selectFrom('jobs')
        .select((eb) => eb.fn.max('position').as('position'))
        .where('position', '<', before.position)
        .where('id', '<>', id)
        .executeTakeFirstOrThrow();
      position = previous.position === null ? before.position - 1 : (previous.position + before.position) / 2;
    }
    const row = await trx.updateTable('jobs').set({ position, updated_at: now }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    return toJob(row);
  });
}

export async function getJob(db: LibraryDb, id: number): Promise<Job> {
  const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw new LibraryError('NOT_FOUND', `There is no job ${id}.`, { jobId: id });
  return toJob(row);
}

const FINISHED: readonly JobStatus[] = ['done', 'failed', 'cancelled'];

/**
 * Jobs with the given statuses in queue order (queued first by position, then the rest by id). Finished jobs
 * (done, failed, cancelled) pile up for as long as the library lives, so `finishedLimit` keeps only the most
 * recently updated that many of them (a partial index serves that read); queued and running jobs are always
 * listed in full.
 */
export async function listJobs(
  db: LibraryDb,
  statuses: readonly JobStatus[],
  options: Readonly<{ finishedLimit?: number }> = {},
): Promise<readonly Job[]> {
  const { finishedLimit } = options;
  if (finishedLimit !== undefined && (!Number.isSafeInteger(finishedLimit) || finishedLimit < 0)) {
    throw new LibraryError('INVALID_INPUT', 'finishedLimit is a whole number of jobs.', { finishedLimit });
  }
  const open = statuses.filter((s) => !FINISHED.includes(s));
  const finished = statuses.filter((s) => FINISHED.includes(s));
  const rows: JobRow[] = [];
  if (open.length > 0) rows.push(...(await db.selectFrom('jobs').selectAll().where('status', 'in', open).execute()));
  if (finished.length > 0 && finishedLimit !== 0) {
    // Named, because with few rows or no statistics the planner prefers the status index and sorts every
    // finished job; this one hands them over newest first and stops at the limit.
    const recent = await sql<JobRow>`
      SELECT * FROM jobs INDEXED BY jobs_finished_recent
      WHERE status IN ('done', 'failed', 'cancelled') AND status IN (${sql.join(finished)})
      ORDER BY updated_at DESC, id DESC
      ${finishedLimit === undefined ? sql`` : sql`LIMIT ${finishedLimit}`}`.execute(db);
    rows.push(...recent.rows);
  }
  return rows.sort((a, b) => a.position - b.position || a.id - b.id).map(toJob);
}
