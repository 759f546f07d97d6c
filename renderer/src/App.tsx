import { useCallback, useEffect, useState } from 'react';
import { AboutDialog } from './components/AboutDialog';
import { HelpOverlay } from './components/HelpOverlay';
import { ModelsView } from './views/ModelsView';
import { StudiesView, type OpenCommand } from './views/StudiesView';
import { QueryView } from './views/QueryView';
import { MatrixView } from './views/MatrixView';
import { ScreeningView } from './views/ScreeningView';
import { Viewer } from './components/Viewer';
import { getApi, type Catalog } from './api';
import { useAppInfo } from './useAppInfo';
import { VIEWS, type ViewId } from './views';

export function App() {
  const info = useAppInfo();
  const [view, setView] = useState<ViewId>('studies');
  const [aboutOpen, setAboutOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  // The opened studies outlive view switches: Query, Matrix and Screening work on them.
  const [catalog, setCatalog] = useState<Catalog | null>(null);
  // An "open" chosen in the application menu, until the Studies view takes it.
  const [openCommand, setOpenCommand] = useState<OpenCommand | null>(null);
  useEffect(
    () =>
      getApi().on('app.command', ({ command }) => {
        if (command === 'shortcuts') return setHelpOpen(true);
        if (command === 'about') return setAboutOpen(true);
        setView('studies');
        setOpenCommand(command);
      }),
    [],
  );
  // An image opened from Query (or Matrix): shown in a viewer overlay over the current view.
  const [viewing, setViewing] = useState<{ path: string; phrase?: string } | null>(null);
  const openViewer = (path: string, phrase?: string) => setViewing({ path, ...(phrase ? { phrase } : {}) });
  const current = VIEWS.find((v) => v.id === view) ?? VIEWS[0];

  const onKey = useCallback((e: KeyboardEvent) => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === '?') return setHelpOpen(true);
    if (e.key === 'Escape') return setViewing(null);
    const match = VIEWS.find((v) => v.key === e.key);
    if (match) setView(match.id);
  }, []);
  useEffect(() => {
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onKey]);
  // A file dropped outside the Studies drop zone must not make the window navigate to it.
  useEffect(() => {
    const swallow = (e: DragEvent) => e.preventDefault();
    window.addEventListener('dragover', swallow);
    window.addEventListener('drop', swallow);
    return () => {
      window.removeEventListener('dragover', swallow);
      window.removeEventListener('drop', swallow);
    };
  }, []);

  const model = info.state === 'ready' ? info.value.model : null;
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Views">
        <div className="brand">RadSift</div>
        <ul>
          {VIEWS.map((v) => (
            <li key={v.id}>
              <button
                type="button"
                className={v.id === view ? 'nav active' : 'nav'}
                aria-current={v.id === view ? 'page' : undefined}
                title={`${v.label} (${v.key})`}
                onClick={() => setView(v.id)}
              >
                {v.label}
              </button>
            </li>
          ))}
        </ul>
        <button type="button" className="nav" onClick={() => setHelpOpen(true)} title="Keyboard shortcuts (?)">
          Shortcuts
        </button>
        <button type="button" className="nav about" onClick={() => setAboutOpen(true)}>
          About
        </button>
      </nav>
      <main className="content" aria-labelledby="view-title">
        <h1 id="view-title">{current.label}</h1>
        <p className="muted">{current.blurb}</p>
        {view === 'studies' && (
          <StudiesView
            catalog={catalog}
            onCatalog={setCatalog}
            firstRun={info.state === 'ready' && info.value.firstRun}
            command={openCommand}
            onCommandHandled={() => setOpenCommand(null)}
          />
        )}
        {view === 'query' && <QueryView hasStudies={!!catalog} onView={openViewer} />}
        {view === 'models' && <ModelsView />}
        {view === 'matrix' && <MatrixView hasStudies={!!catalog} onView={openViewer} />}
        {view === 'screening' && <ScreeningView onView={openViewer} />}
        {viewing && (
          <div className="viewer-overlay">
            <Viewer
              key={`${viewing.path}|${viewing.phrase ?? ''}`}
              path={viewing.path}
              phrase={viewing.phrase}
              onClose={() => setViewing(null)}
            />
          </div>
        )}
      </main>
      <footer className="statusbar" role="status">
        <span data-testid="status-model">
          {model
            ? `Model: ${model.name}${model.trainedOnSyntheticData ? ' (synthetic training data)' : ''}`
            : 'No model loaded'}
        </span>
        <span>
          {info.state === 'ready' && info.value.executionProvider
            ? `Provider: ${info.value.executionProvider}`
            : 'Provider: —'}
        </span>
        <span className="notice">Research use only — not for clinical decisions</span>
      </footer>
      {aboutOpen && <AboutDialog info={info} onClose={() => setAboutOpen(false)} />}
      {helpOpen && <HelpOverlay onClose={() => setHelpOpen(false)} />}
    </div>
  );
}
