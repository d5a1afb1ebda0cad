/**
 * Events from main, applied to the store (CONVENTIONS.md › 13). Library changes come in bursts while the engine
 * works (one per finished job), so the gallery reloads at most once per REFRESH_MS.
 */
import type { StudioClient } from '../../../electron/contract';
import type { Host } from '../host';
import type { StudioStore } from './index';

export const REFRESH_MS = 250;

export function bindEvents(store: StudioStore, host: Host): () => void {
  const client: StudioClient = host.client;
  const s = () => store.getState();
  let imagesTimer: ReturnType<typeof setTimeout> | undefined;
  const refreshImages = () => {
    clearTimeout(imagesTimer);
    imagesTimer = setTimeout(() => {
      void s().refreshImages();
      void s().reloadDetails();
    }, REFRESH_MS);
  };
  const stops = [
    client.on('job.queued', ({ job }) => s().applyJob(job)),
    client.on('job.started', ({ job }) => s().applyJob(job)),
    client.on('job.done', ({ job }) => s().applyJob(job)),
    client.on('job.cancelled', ({ job }) => s().applyJob(job)),
    client.on('job.failed', ({ job, error }) => {
      s().applyJob(job);
      s().reportError(error);
    }),
    client.on('job.progress', (progress) => s().applyProgress(progress)),
    client.on('queue.changed', ({ queue }) => s().applyQueue(queue)),
    client.on('image.created', (created) => s().applyImage(created)),
    client.on('import.progress', ({ importId, progress }) => s().applyImport(importId, { progress })),
    client.on('import.done', ({ importId, report }) => s().applyImport(importId, { report })),
    client.on('import.failed', ({ importId, error }) => {
      s().applyImport(importId, { error });
      s().reportError(error);
    }),
    client.on('library.changed', ({ what }) => {
      if (what === 'albums') {
        void s().loadAlbums();
        if (s().source.kind === 'album') refreshImages();
        else void s().reloadDetails();
      } else if (what === 'tags') {
        void s().loadTags();
        void s().reloadDetails();
      }
      else refreshImages();
    }),
    client.on('export.progress', (progress) => s().applyExportProgress(progress)),
    client.on('settings.changed', ({ settings }) => s().applySettings(settings)),
    client.on('sync.progress', (progress) => s().applySyncProgress(progress)),
    client.on('account.changed', ({ account }) => s().applyAccount(account)),
    host.onStatus((status) => {
      s().setConnection(status);
      // What happened while the connection was down is not replayed: load it all again.
      if (status === 'connected') void s().loadAll();
    }),
  ];
  return () => {
    clearTimeout(imagesTimer);
    for (const stop of stops) stop();
  };
}
