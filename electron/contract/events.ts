/**
 * Every event main sends to the renderer, once: name → payload schema. Clients validate payloads on receipt
 * and drop (and log) what does not match.
 *
 * Runtime: plain TypeScript (renderer, preload, main, web host, web client).
 */
import { z } from 'zod';
import { PLATFORM_EVENTS } from './platform';
import { StudioError } from './result';
import { ImageSummary, ImportProgress, ImportReport, JobId, JobView, PreviewImage, QueueView, Settings } from './schemas';

export const EVENTS = {
  /** A job entered the queue (submitted, retried, or put back after an engine crash or a restart). */
  'job.queued': z.object({ job: JobView }).readonly(),
  'job.started': z.object({ job: JobView }).readonly(),
  /** Each denoising step; `previews` (one per image of the batch) every few steps. */
  'job.progress': z
    .object({ jobId: JobId, step: z.number().int(), totalSteps: z.number().int(), previews: z.array(PreviewImage).readonly().optional() })
    .readonly(),
  'job.done': z.object({ job: JobView }).readonly(),
  'job.failed': z.object({ job: JobView, error: StudioError }).readonly(),
  'job.cancelled': z.object({ job: JobView }).readonly(),
  /** The order of the queue or its paused state changed. */
  'queue.changed': z.object({ queue: QueueView }).readonly(),
  /** A generated image is in the library (its job may have made several). */
  'image.created': z.object({ image: ImageSummary, jobId: JobId }).readonly(),
  'import.progress': z.object({ importId: z.string(), progress: ImportProgress }).readonly(),
  'import.done': z.object({ importId: z.string(), report: ImportReport }).readonly(),
  'import.failed': z.object({ importId: z.string(), error: StudioError }).readonly(),
  /** An export under way (`exportImages`), for the target it was given: bytes of the originals copied of all. */
  'export.progress': z.object({ target: z.string(), done: z.number().int(), total: z.number().int() }).readonly(),
  /** Something the gallery shows changed; refetch what depends on `what`. */
  'library.changed': z.object({ what: z.enum(['images', 'albums', 'tags']) }).readonly(),
  'settings.changed': z.object({ settings: Settings }).readonly(),
  ...PLATFORM_EVENTS,
} as const;

export type EventTable = typeof EVENTS;
export type EventName = keyof EventTable;
export type EventPayload<K extends EventName> = z.output<EventTable[K]>;
/** One event as main emits it. */
export type StudioEvent = { readonly [K in EventName]: { readonly name: K; readonly payload: EventPayload<K> } }[EventName];

export const EVENT_NAMES = Object.keys(EVENTS) as readonly EventName[];
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(EVENTS, name);
}
