import { useEffect } from 'react';
import { ThumbnailWarmup } from '../features/gallery/ThumbnailWarmup';
import { DropImport, ImportStatus } from '../features/imports/DropImport';
import { Notices } from '../features/notices/Notices';
import { PublishDialogHost } from '../features/publish/PublishDialog';
import { Viewer } from '../features/viewer/Viewer';
import { useStudio, useStudioShallow, useT } from '../store/react';
import { ROUTES } from './routes';

export function App() {
  const t = useT();
  const { route, connection, viewerOpen, locale, running } = useStudioShallow((s) => ({
    route: s.route,
    connection: s.connection,
    viewerOpen: s.viewerIndex !== null,
    locale: s.locale,
    running: s.jobs.filter((j) => j.status === 'running' || j.status === 'queued').length,
  }));
  const navigate = useStudio((s) => s.navigate);
  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = t('app.title');
  }, [locale, t]);
  const current = ROUTES.find((r) => r.id === route) ?? ROUTES[0];
  return (
    <div className="app" data-testid="app" data-route={route}>
      <header className="topbar">
        <span className="brand">{t('app.title')}</span>
        <nav className="tabs" role="tablist" aria-label={t('nav.label')}>
          {ROUTES.map((r) => (
            <button key={r.id} type="button" role="tab" aria-selected={r.id === route} className={r.id === route ? 'tab active' : 'tab'} data-testid={`nav-${r.id}`} onClick={() => navigate(r.id)}>
              {t(r.label)}
              {r.id === 'generate' && running > 0 && <span className="tab-badge">{running}</span>}
            </button>
          ))}
        </nav>
        <span className="spacer" />
        {connection !== 'connected' && (
          <span className={`connection ${connection}`} role="status" data-testid="connection-status" data-status={connection}>
            {t(connection === 'lost' ? 'app.connectionLost' : 'app.reconnecting')}
          </span>
        )}
      </header>
      <main className="screen" data-testid={`screen-${route}`}>
        <current.Screen />
      </main>
      {route !== 'gallery' && <ThumbnailWarmup />}
      {viewerOpen && <Viewer />}
      <PublishDialogHost />
      <DropImport />
      <ImportStatus />
      <Notices />
    </div>
  );
}
