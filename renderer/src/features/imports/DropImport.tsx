import { useEffect, useState } from 'react';
import { ProgressBar } from '../../components/ProgressBar';
import { useStudio, useStudioShallow, useT } from '../../store/react';

const hasFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') === true;

/** Image files dropped anywhere on the window are imported; an overlay shows where they will go. */
export function DropImport() {
  const t = useT();
  const importDropped = useStudio((s) => s.importDropped);
  const [over, setOver] = useState(false);
  useEffect(() => {
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setOver(true);
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const overHandler = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer !== null) e.dataTransfer.dropEffect = 'copy';
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setOver(false);
      void importDropped(Array.from(e.dataTransfer?.files ?? []));
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', overHandler);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', overHandler);
      window.removeEventListener('drop', drop);
    };
  }, [importDropped]);
  return over ? (
    <div className="drop-overlay" data-testid="drop-overlay">
      <p>{t('import.dropHere')}</p>
    </div>
  ) : null;
}

/** Uploads and imports in progress, and the reports of finished ones. */
export function ImportStatus() {
  const t = useT();
  const { imports, upload, dismissImport } = useStudioShallow((s) => ({ imports: s.imports, upload: s.upload, dismissImport: s.dismissImport }));
  const entries = Object.entries(imports);
  if (upload === null && entries.length === 0) return null;
  return (
    <div className="import-status" data-testid="import-status">
      {upload !== null && (
        <div className="import-item">
          <span>{t('import.uploading', { sent: upload.sent, total: upload.total })}</span>
          <ProgressBar value={upload.sent} max={upload.total} label={t('import.uploadProgress')} />
        </div>
      )}
      {entries.map(([id, state]) => (
        <div key={id} className="import-item" data-testid="import-item">
          {state.report !== null ? (
            <span data-testid="import-report">
              {t('import.done', { imported: state.report.imported, duplicates: state.report.duplicates, rejected: state.report.rejected.length })}
            </span>
          ) : state.error !== null ? (
            <span>{t('import.failed')}</span>
          ) : (
            <>
              <span>{t('import.progress', { processed: state.progress?.processed ?? 0, total: state.progress?.total ?? 0 })}</span>
              <ProgressBar value={state.progress?.processed ?? 0} max={state.progress?.total ?? 0} label={t('import.importProgress')} />
            </>
          )}
          {(state.report !== null || state.error !== null) && (
            <button type="button" className="icon" aria-label={t('common.close')} onClick={() => dismissImport(id)}>
              ×
            </button>
          )}
        </div>
      ))}
    </div>
  );
}
