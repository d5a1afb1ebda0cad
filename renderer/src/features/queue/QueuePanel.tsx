import { useEffect } from 'react';
import type { JobView } from '../../../../electron/contract';
import { ProgressBar } from '../../components/ProgressBar';
import { useHost, useStudioShallow, useT } from '../../store/react';
import { RESULTS_SHOWN } from './queue-slice';

export function QueuePanel() {
  const t = useT();
  const { jobs, paused } = useStudioShallow((s) => ({ jobs: s.jobs, paused: s.paused }));
  const { pauseQueue, resumeQueue } = useStudioShallow((s) => ({ pauseQueue: s.pauseQueue, resumeQueue: s.resumeQueue }));
  const active = jobs.filter((j) => j.status === 'queued' || j.status === 'running').length;
  return (
    <section className="queue-panel panel" data-testid="queue-panel" aria-label={t('queue.title')}>
      <header className="panel-header">
        <h2>{t('queue.title')}</h2>
        <span className="muted" data-testid="queue-count">
          {t('queue.active', { count: active })}
        </span>
        <button type="button" data-testid={paused ? 'queue-resume' : 'queue-pause'} onClick={() => void (paused ? resumeQueue() : pauseQueue())}>
          {t(paused ? 'queue.resume' : 'queue.pause')}
        </button>
      </header>
      {paused && <p className="banner">{t('queue.pausedNote')}</p>}
      {jobs.length === 0 ? (
        <p className="empty">{t('queue.empty')}</p>
      ) : (
        <ol className="queue-list">
          {jobs.map((job) => (
            <QueueItem key={job.id} job={job} />
          ))}
        </ol>
      )}
    </section>
  );
}

function QueueItem({ job }: { job: JobView }) {
  const t = useT();
  const { client } = useHost();
  const { previews, results } = useStudioShallow((s) => ({ previews: s.previews[job.id], results: s.results[job.id] }));
  const { cancelJob, retryJob, shiftJob, reuseParams, navigate, loadJobResults } = useStudioShallow((s) => ({
    loadJobResults: s.loadJobResults,
    cancelJob: s.cancelJob,
    retryJob: s.retryJob,
    shiftJob: s.shiftJob,
    reuseParams: s.reuseParams,
    navigate: s.navigate,
  }));
  const finishedWithImages = job.status === 'done' && job.imageIds.length > 0;
  useEffect(() => {
    if (finishedWithImages) void loadJobResults(job.id);
  }, [finishedWithImages, job.id, loadJobResults]);
  const progress = job.progress;
  const live = job.status === 'running' ? previews : undefined;
  const done = results?.slice(0, RESULTS_SHOWN) ?? [];
  return (
    <li className={`queue-item status-${job.status}`} data-testid="queue-item" data-job-id={job.id} data-status={job.status}>
      <div className="queue-thumbs">
        {live?.map((p, i) => <img key={i} className="preview" data-testid="job-preview" src={p.dataUrl} width={64} height={64} alt={t('queue.preview')} />)}
        {live === undefined &&
          done.map((image) => (
            <img key={image.id} className="preview" data-testid="job-result" src={client.fileUrl(image.thumbnailPath ?? image.filePath)} width={64} height={64} alt={image.prompt} />
          ))}
        {live === undefined && done.length === 0 && <div className="preview placeholder" aria-hidden="true" />}
      </div>
      <div className="queue-body">
        <p className="queue-prompt" title={job.params.prompt}>
          {job.params.prompt || t('queue.noPrompt')}
        </p>
        <p className="muted small">
          {t('queue.summary', { width: job.params.width, height: job.params.height, steps: job.params.steps, seed: String(job.params.seed), sampler: t(`sampler.${job.params.sampler}`) })}
        </p>
        <p className="queue-status small" data-testid="job-status">
          {t(`job.${job.status}`)}
          {job.status === 'running' && progress !== null && ` · ${t('queue.step', { step: progress.step, total: progress.totalSteps })}`}
        </p>
        {job.status === 'running' && (
          <ProgressBar value={progress?.step ?? 0} max={progress?.totalSteps ?? 0} label={t('queue.progress')} testId="job-progress" />
        )}
        {job.status === 'failed' && job.error !== null && <p className="error-detail small">{job.error}</p>}
      </div>
      <div className="queue-actions">
        {job.status === 'queued' && (
          <>
            <button type="button" className="icon" aria-label={t('queue.moveUp')} title={t('queue.moveUp')} onClick={() => void shiftJob(job.id, -1)}>
              ↑
            </button>
            <button type="button" className="icon" aria-label={t('queue.moveDown')} title={t('queue.moveDown')} onClick={() => void shiftJob(job.id, 1)}>
              ↓
            </button>
          </>
        )}
        {(job.status === 'queued' || job.status === 'running') && (
          <button type="button" data-testid="job-cancel" onClick={() => void cancelJob(job.id)}>
            {t('queue.cancel')}
          </button>
        )}
        {(job.status === 'failed' || job.status === 'cancelled') && (
          <button type="button" data-testid="job-retry" onClick={() => void retryJob(job.id)}>
            {t('queue.retry')}
          </button>
        )}
        {(job.status === 'done' || job.status === 'failed' || job.status === 'cancelled') && (
          <button
            type="button"
            data-testid="job-reuse"
            onClick={() => {
              reuseParams(job.params);
              navigate('generate');
            }}
          >
            {t('queue.reuse')}
          </button>
        )}
      </div>
    </li>
  );
}
