import { useCallback, useEffect, useRef, useState } from 'react';
import { AboutDialog } from './components/AboutDialog';
import { HelpOverlay } from './components/HelpOverlay';
import { ModelsView } from './views/ModelsView';
import { NO_STUDIES_PICK, StudiesView, type OpenCommand, type StudiesPick, type StudiesTab } from './views/StudiesView';
import { NEW_PACS_SEARCH, type PacsSearchState } from './views/PacsTab';
import { usePacsRetrieval } from './usePacsRetrieval';
import { EMPTY_QUERY, QueryView, type QuerySession } from './views/QueryView';
import { EMPTY_MATRIX, MatrixView, type MatrixSession } from './views/MatrixView';
import { ScreeningView } from './views/ScreeningView';
import { Viewer, type ViewerMemory } from './components/Viewer';
import { getApi, type Catalog } from './api';
import { prefetchOn, prefetchScan } from './prefetch';
import { useAppInfo } from './useAppInfo';
import { fullProvider, shortProvider } from './provider';
import { VIEWS, type OpenViewer, type ViewId } from './views';
import { HideIdentifiersToggle, ScanNamesProvider } from './scanNames';
import { ExamplesProvider } from './examples';

/** How long steps through PACS rows must pause before the row stopped at is retrieved. */
const STEP_SETTLE_MS = 150;
/** The same for rows found before: asked again (their file may have left the cache) once a held key settles. */
const KNOWN_SETTLE_MS = 60;

interface Viewing {
  /** The file shown. */
  path: string;
  /** Its entry in the list: the path itself, or a PACS row's key. */
  entry: string;
  phrase: string | undefined;
  list: readonly string[] | undefined;
  /** How an entry that is not a file is opened (PACS rows); absent when the list holds files. */
  open: ((entry: string) => Promise<string>) | undefined;
  /** The entry being opened (retrieved) after a step; the scan before it stays on screen meanwhile. */
  stepping: string | null;
  /** The entry the last step could not open, and why: steps go on from it. */
  stepError: { entry: string; message: string } | null;
  /** Counts openings: a new one starts a fresh viewer, previous/next keep it. */
  opened: number;
}

export function App() {
  const info = useAppInfo();
  const [view, setView] = useState<ViewId>('studies');
  const [aboutOpen, setAboutOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  // The opened studies outlive view switches: Query, Matrix and Screening work on them.
  const [catalog, setCatalog] = useState<Catalog | null>(null);
  // The Query view's phrases, examples, labels and result outlive a switch to another view; another collection
  // opened starts them afresh (its scans are others), not the same one growing (a PACS study as it downloads) nor
  // the same one opened again (a PACS study's retrieval shows no catalog until its first one comes).
  const [query, setQuery] = useState<QuerySession>(EMPTY_QUERY);
  const scope = catalog?.scope ?? null;
  // So do the Matrix view's phrases, matrix and sort.
  const [matrixSession, setMatrixSession] = useState<MatrixSession>(EMPTY_MATRIX);
  const queryScope = useRef<string | null>(null);
  useEffect(() => {
    if (scope === null || scope === queryScope.current) return;
    queryScope.current = scope;
    setQuery(EMPTY_QUERY);
    setMatrixSession(EMPTY_MATRIX);
  }, [scope]);
  // Another model loaded: the Query result and probe and the matrix were its predecessor's scores, so they go; what
  // the user typed, picked and labelled stays, to be run again.
  const modelKey =
    info.state === 'ready' && info.value.model ? `${info.value.model.id}@${info.value.model.version}` : null;
  const modelName =
    info.state === 'ready' && info.value.model ? `${info.value.model.name} ${info.value.model.version}` : '';
  const queryModel = useRef<string | null>(null);
  useEffect(() => {
    if (modelKey === null || modelKey === queryModel.current) return;
    const before = queryModel.current;
    queryModel.current = modelKey;
    if (before === null) return;
    // The views say why their result went, and offer to run the same again (ModelChanged), where there was one.
    setQuery((q) => (q.result || q.probe ? { ...q, result: null, probe: null, modelChanged: modelName } : q));
    setMatrixSession((m) => (m.matrix ? { ...m, matrix: null, sort: null, modelChanged: modelName } : m));
  }, [modelKey, modelName]);
  // A PACS study opened while it downloads: its catalog grows as images arrive, whatever view is shown.
  const pacs = usePacsRetrieval(setCatalog);
  // The Studies view's tab and PACS search outlive view switches too.
  const [studiesTab, setStudiesTab] = useState<StudiesTab>('local');
  const [pacsSearch, setPacsSearch] = useState<PacsSearchState>(NEW_PACS_SEARCH);
  // So do the series it shows and the scan open in its viewer (a digit key pressed there switched views, losing it).
  const [studiesPick, setStudiesPick] = useState<StudiesPick>(NO_STUDIES_PICK);
  // And what its viewer shows (window, frame, zoom, pan, heatmap): a ref, as a drag changes it at every move.
  const studiesViewer = useRef<ViewerMemory | null>(null);
  // An "open" chosen in the application menu, until the Studies view takes it.
  const [openCommand, setOpenCommand] = useState<OpenCommand | null>(null);
  useEffect(
    () =>
      getApi().on('app.command', ({ command }) => {
        if (command === 'shortcuts') return setHelpOpen(true);
        if (command === 'about') return setAboutOpen(true);
        setView('studies');
        setStudiesTab('local');
        setOpenCommand(command);
      }),
    [],
  );
  // An image opened from Query, Matrix or Screening: shown in a viewer overlay over the current view,
  // with the list it was opened from for previous/next.
  const [viewing, setViewing] = useState<Viewing | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  const lastViewed = useRef<string | null>(null);
  const openings = useRef(0);
  const openViewer: OpenViewer = (path, phrase, list, remote) => {
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setViewing({
      path,
      entry: remote?.at ?? path,
      phrase,
      list,
      open: remote?.open,
      stepping: null,
      stepError: null,
      opened: ++openings.current,
    });
  };
  const closeViewer = useCallback(() => setViewing(null), []);
  const navigate = useCallback(
    (entry: string) =>
      setViewing((v) => v && (v.open ? { ...v, stepping: entry, stepError: null } : { ...v, path: entry, entry })),
    [],
  );
  // A step to a PACS row: its file is found or retrieved, then shown. A further step meanwhile supersedes it.
  const stepping = viewing?.stepping ?? null;
  // The row a long list keeps in view while the viewer steps: the one shown (the focus goes back to it on close;
  // a PACS row being retrieved is not shown yet).
  const shownEntry = viewing?.entry ?? null;
  const openEntry = viewing?.open;
  /** PACS rows found (or retrieved) in this viewer, by entry: a step to one is asked for at once. */
  const opened = useRef(new Map<string, string>());
  useEffect(() => opened.current.clear(), [openEntry]);
  // The next entry's image, asked for ahead of a step (a PACS row: found or retrieved first).
  const prefetch = useCallback(
    (entry: string) => {
      if (!prefetchOn()) return;
      if (!openEntry) return prefetchScan(entry);
      if (opened.current.has(entry)) return; // found already, and its image asked for then
      openEntry(entry).then(
        (path) => {
          opened.current.set(entry, path);
          prefetchScan(path);
        },
        () => undefined,
      ); // a failure is said if the reader steps there
    },
    [openEntry],
  );
  useEffect(() => {
    if (!stepping || !openEntry) return;
    let current = true;
    const settle = (next: (v: Viewing) => Viewing) =>
      current && setViewing((v) => (v && v.stepping === stepping ? next(v) : v));
    // A row found before (asked for ahead) is asked for again at once: the main process says where its file is
    // now (the PACS cache may have let it go meanwhile), in a few ms while it is still there. Any other waits
    // for the steps to settle (a held →), so that only the row stopped at is retrieved.
    const timer = setTimeout(
      () =>
        openEntry(stepping).then(
          (path) => {
            opened.current.set(stepping, path);
            settle((v) => ({ ...v, path, entry: stepping, stepping: null }));
          },
          (e: Error) => settle((v) => ({ ...v, stepping: null, stepError: { entry: stepping, message: e.message } })),
        ),
      opened.current.has(stepping) ? KNOWN_SETTLE_MS : STEP_SETTLE_MS,
    );
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [stepping, openEntry]);
  useEffect(() => {
    if (viewing) {
      lastViewed.current = viewing.entry;
      return;
    }
    // Closed: the keyboard goes back to the scan last shown (its card or row), else to what opened the viewer.
    const entry = lastViewed.current;
    lastViewed.current = null;
    if (!entry) return;
    const from = opener.current?.isConnected ? opener.current : null;
    const list = from?.closest('[data-scan-list]') ?? document;
    const card = [...list.querySelectorAll<HTMLElement>('[data-scan-path], [data-remote-key]')].find(
      (el) => (el.dataset.scanPath ?? el.dataset.remoteKey) === entry,
    );
    // The opener itself where it lies in the scan's row (a Matrix cell: its phrase's heatmap), not the row's first cell.
    const row = card?.closest('tr, li, [role="row"]');
    (from && row?.contains(from) ? from : (card ?? from))?.focus();
  }, [viewing]);
  const current = VIEWS.find((v) => v.id === view) ?? VIEWS[0];

  const onKey = useCallback((e: KeyboardEvent) => {
    // Keys typed into a text field are the field's; a checkbox (e.g. Hide identifiers) or a slider (its keys are the
    // arrows, Page, Home and End) leaves them to the app.
    if (e.target instanceof HTMLTextAreaElement) return;
    if (
      e.target instanceof HTMLInputElement &&
      !['checkbox', 'radio', 'button', 'submit', 'range'].includes(e.target.type)
    )
      return;
    // A list's own keys (typing selects an option) stay the list's.
    if (e.target instanceof HTMLSelectElement) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    // The shortcuts' help opens over anything, the viewer included (it lists the viewer's keys).
    if (e.key === '?') return setHelpOpen(true);
    // A dialog or the viewer open above a view keeps the view keys: switching the view under it would close the
    // results the viewer reviews (its ✓ / ✗ marks then went nowhere).
    if (document.querySelector('[aria-modal="true"]')) return;
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
  const provider = info.state === 'ready' ? info.value.executionProvider : null;
  const modelStatus = info.state === 'ready' ? info.value.modelStatus : null;
  // What a modal stands over is inert: no focus, no click reaches it. The viewer is modal to the views and the
  // sidebar (a view switched under it by Tab and Enter), not to the status bar (its Hide identifiers toggle).
  const behindViewer = viewing !== null;
  const modalOpen = aboutOpen || helpOpen;
  return (
    <ScanNamesProvider catalog={catalog}>
      <ExamplesProvider catalog={catalog}>
        <div className="shell">
          <nav className="sidebar" aria-label="Views" inert={behindViewer || modalOpen}>
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
          <main className="content" aria-labelledby="view-title" inert={behindViewer || modalOpen}>
            <h1 id="view-title">{current.label}</h1>
            <p className="muted">{current.blurb}</p>
            {view === 'studies' && (
              <StudiesView
                catalog={catalog}
                onCatalog={setCatalog}
                firstRun={info.state === 'ready' && info.value.firstRun}
                command={openCommand}
                onCommandHandled={() => setOpenCommand(null)}
                pacs={pacs}
                tab={studiesTab}
                onTab={setStudiesTab}
                pacsSearch={pacsSearch}
                onPacsSearch={setPacsSearch}
                onConfigurePacs={() => setView('models')}
                pick={studiesPick}
                onPick={setStudiesPick}
                viewerMemory={studiesViewer}
              />
            )}
            {view === 'query' && (
              <QueryView
                hasStudies={!!catalog}
                onView={openViewer}
                findings={model?.findings ?? []}
                viewed={viewing}
                session={query}
                onSession={setQuery}
              />
            )}
            {view === 'models' && <ModelsView />}
            {view === 'matrix' && (
              <MatrixView
                hasStudies={!!catalog}
                onView={openViewer}
                shown={shownEntry}
                session={matrixSession}
                onSession={setMatrixSession}
              />
            )}
            {view === 'screening' && (
              <ScreeningView onView={openViewer} onConfigurePacs={() => setView('models')} shown={shownEntry} />
            )}
          </main>
          {viewing && (
            <div
              className="viewer-overlay"
              role="dialog"
              aria-modal="true"
              aria-label="Image viewer"
              data-testid="viewer-overlay"
              inert={modalOpen}
            >
              <Viewer
                key={viewing.opened}
                path={viewing.path}
                phrase={viewing.phrase}
                list={viewing.list}
                at={viewing.entry}
                stepping={viewing.stepping}
                stepError={viewing.stepError}
                onNavigate={navigate}
                prefetch={prefetch}
                onClose={closeViewer}
                autoFocus
              />
            </div>
          )}
          <footer className="statusbar" inert={modalOpen}>
            <div className="status-items" role="status">
              <span
                data-testid="status-model"
                title={
                  model
                    ? `Model: ${model.name}${model.trainedOnSyntheticData ? ' (synthetic training data)' : ''}`
                    : undefined
                }
              >
                {model ? (
                  `Model: ${model.name}${model.trainedOnSyntheticData ? ' (synthetic training data)' : ''}`
                ) : modelStatus?.state === 'failed' ? (
                  // Said where it is seen, not only on the first query: the Models view says why and offers others.
                  <button type="button" className="link status-error" onClick={() => setView('models')}>
                    The model failed to load — see Models
                  </button>
                ) : modelStatus?.state === 'loading' ? (
                  'Model: loading…'
                ) : (
                  'No model loaded'
                )}
              </span>
              <span
                className="status-provider"
                data-testid="status-provider"
                title={provider ? fullProvider(provider) : undefined}
              >
                Provider: {provider ? shortProvider(provider) : '—'}
              </span>
              <span className="notice">Research use only — not for clinical decisions</span>
            </div>
            <HideIdentifiersToggle />
          </footer>
          {aboutOpen && <AboutDialog info={info} onClose={() => setAboutOpen(false)} />}
          {helpOpen && <HelpOverlay onClose={() => setHelpOpen(false)} />}
        </div>
      </ExamplesProvider>
    </ScanNamesProvider>
  );
}
