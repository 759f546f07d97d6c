/**
 * Studies: open a folder, files or a DICOMDIR (or the demo study, or one of
 * the recently opened folders and files), browse
 * Patient → Study → Series with thumbnails, see which files could not be read
 * and why, and open an image in the viewer; the Examples panel under the tree
 * lists the scans chosen with "Use as example" for these studies. The PACS tab
 * searches an archive and opens a study from it the same way, while it
 * downloads (PacsTab.tsx).
 */
import { prefetchScan } from '../prefetch';
import {
  useEffect,
  useMemo,
  useRef,
  useState,
  type Dispatch,
  type DragEvent,
  type KeyboardEvent,
  type SetStateAction,
} from 'react';
import { useSessionField } from '../sessionField';
import { getApi, type Catalog } from '../api';
import { Viewer, type ViewerMemory } from '../components/Viewer';
import { useJobProgress } from '../useJobProgress';
import { FileList } from '../components/FileList';
import { labelText, TreeLabel, TreeToggle } from '../components/TreeToggle';
import { formatDicomDate, formatPersonName } from '../naming';
import { counted, formatCount } from '../format';
import { useScanNames, useScanNaming } from '../scanNames';
import type { PacsRetrieval } from '../usePacsRetrieval';
import { PacsTab, type PacsSearchState } from './PacsTab';
import { ExamplesPanel } from '../components/Examples';

/** Opening actions the application menu can ask for. */
export type OpenCommand = 'openFolder' | 'openFiles' | 'openDemo';

/** Where studies come from: files on this computer, or a PACS. */
export type StudiesTab = 'local' | 'pacs';
const STUDY_TABS = [
  ['local', 'Local files'],
  ['pacs', 'PACS'],
] as const satisfies readonly (readonly [StudiesTab, string])[];

type Series = Catalog['patients'][number]['studies'][number]['series'][number];

/** More patients than this: the tree opens folded to its patients. */
const LONG_TREE = 40;

/** What the Studies view shows: the series, and the scan open in its viewer (null: the series' thumbnails). */
export interface StudiesPick {
  seriesUid: string | null;
  viewing: string | null;
}
export const NO_STUDIES_PICK: StudiesPick = { seriesUid: null, viewing: null };

export function StudiesView({
  catalog,
  onCatalog,
  firstRun,
  command,
  onCommandHandled,
  pacs,
  tab = 'local',
  onTab,
  pacsSearch,
  onPacsSearch,
  onConfigurePacs,
  pick,
  onPick,
  viewerMemory,
}: {
  catalog: Catalog | null;
  onCatalog: (c: Catalog) => void;
  firstRun: boolean;
  /** A menu command to carry out; `onCommandHandled` says it was taken. */
  command?: OpenCommand | null;
  onCommandHandled?: () => void;
  /** The PACS study being retrieved and shown (its catalog comes through `onCatalog`). */
  pacs: PacsRetrieval;
  tab?: StudiesTab;
  onTab: (tab: StudiesTab) => void;
  pacsSearch: PacsSearchState;
  onPacsSearch: (update: (s: PacsSearchState) => PacsSearchState) => void;
  /** Opens the PACS connection settings. */
  onConfigurePacs: () => void;
  /** The series shown and the scan open in the viewer, kept by App while another view is shown. */
  pick: StudiesPick;
  onPick: Dispatch<SetStateAction<StudiesPick>>;
  /** Where the viewer keeps its window, frame, zoom, pan and heatmap while another view is shown. */
  viewerMemory?: { current: ViewerMemory | null };
}) {
  const api = getApi();
  const { hideIdentifiers, hideText } = useScanNames();
  const naming = useScanNaming();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [seriesUid, setSeriesUid] = useSessionField(pick, onPick, 'seriesUid');
  const [viewing, setViewing] = useSessionField(pick, onPick, 'viewing');
  /** Patients (`p:` id) and studies (`s:` UID) the user folded. */
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const toggle = (key: string) =>
    setCollapsed((old) => {
      const next = new Set(old);
      if (!next.delete(key)) next.add(key);
      return next;
    });
  const pane = useRef<HTMLDivElement>(null);
  const lastViewed = useRef<string | null>(null);
  useEffect(() => {
    if (viewing) {
      lastViewed.current = viewing;
      return;
    }
    // The viewer closed: the keyboard goes back to the thumbnail of the image last shown.
    const path = lastViewed.current;
    lastViewed.current = null;
    if (!path) return;
    [...(pane.current?.querySelectorAll<HTMLElement>('[data-scan-path]') ?? [])]
      .find((el) => el.dataset.scanPath === path)
      ?.focus();
  }, [viewing]);
  // A catalog that changed without an open here (a PACS study that grew as images arrived) keeps the
  // series and image shown while they are in it; otherwise its first series is shown.
  // null at mount: a catalog already there (coming back to Studies) gets its first series shown too.
  const shownCatalog = useRef<Catalog | null>(null);
  useEffect(() => {
    if (catalog === shownCatalog.current) return;
    shownCatalog.current = catalog;
    if (!catalog) return;
    const all = catalog.patients.flatMap((p) => p.studies.flatMap((s) => s.series));
    const kept = all.find((se) => se.seriesInstanceUID === seriesUid);
    if (!kept) setSeriesUid(all[0]?.seriesInstanceUID ?? null);
    if (viewing && !all.some((se) => se.instances.some((i) => i.path === viewing))) setViewing(null);
  }, [catalog]);
  const progress = useJobProgress(['catalog', 'demo']);
  const [recent, setRecent] = useState<string[]>([]);
  const loadRecent = () =>
    api.call('studies.recent', {}).then(
      (r) => setRecent(r.paths),
      () => setRecent([]),
    );
  useEffect(() => {
    void loadRecent();
  }, [api]);
  // A new user starts with the demo study, without having to find it.
  const autoOpened = useRef(false);
  useEffect(() => {
    if (firstRun && !catalog && !autoOpened.current) {
      autoOpened.current = true;
      void open(() => api.call('studies.openDemo', {}));
    }
  }, [firstRun]);

  // A menu command waits while another open runs, then runs once: App forgets it when told it was taken.
  useEffect(() => {
    if (!command || busy) return;
    onCommandHandled?.();
    if (command === 'openDemo') void open(() => api.call('studies.openDemo', {}));
    else void open(() => api.call('studies.open', { kind: command === 'openFolder' ? 'folder' : 'files' }));
  }, [command, busy]);

  async function open(action: () => Promise<Catalog>) {
    setBusy(true);
    setError(null);
    // A PACS study shown until now stops growing (no late refresh may replace what opens here), and is
    // forgotten once something else has opened; when nothing does (a cancelled dialog), it goes on.
    await pacs.hold();
    let opened = false;
    try {
      const c = await action();
      pacs.detach();
      opened = true;
      shownCatalog.current = c;
      onCatalog(c);
      setSeriesUid(c.patients[0]?.studies[0]?.series[0]?.seriesInstanceUID ?? null);
      setViewing(null);
      // A long list starts folded to its patients (the first one open); a short one shows everything.
      setCollapsed(new Set(c.patients.length > LONG_TREE ? c.patients.slice(1).map((p) => `p:${p.patientId}`) : []));
    } catch (e) {
      const err = e as { code?: string; message: string };
      if (err.code !== 'CANCELLED') setError(err.message);
    } finally {
      if (!opened) pacs.release();
      setBusy(false);
      void loadRecent();
    }
  }

  const [dragging, setDragging] = useState(false);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (busy) return; // one open at a time, as the toolbar buttons are disabled meanwhile
    const files = [...e.dataTransfer.files];
    if (!files.length) return;
    onTab('local'); // what was dropped, its progress and any error show in the local tree
    void open(() => api.openDropped(files));
  };

  // ←/→ (wrapping), Home and End select and focus a tab; kept from the viewer's own ←/→ (previous/next scan).
  const onTabKey = (e: KeyboardEvent) => {
    const at = STUDY_TABS.findIndex(([id]) => id === tab);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: STUDY_TABS.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    e.stopPropagation();
    const [id] = STUDY_TABS[(to + STUDY_TABS.length) % STUDY_TABS.length]!;
    onTab(id);
    document.getElementById(`studies-tab-${id}`)?.focus();
  };

  const allSeries: Series[] = catalog?.patients.flatMap((p) => p.studies.flatMap((s) => s.series)) ?? [];
  const series = allSeries.find((s) => s.seriesInstanceUID === seriesUid) ?? null;
  const seriesPaths = useMemo(() => series?.instances.map((i) => i.path), [series]);
  const instances =
    catalog?.patients.reduce(
      (n, p) => n + p.studies.reduce((m, s) => m + s.series.reduce((k, se) => k + se.instances.length, 0), 0),
      0,
    ) ?? 0;

  // An example scan opened from the Examples panel: shown in its series, as if chosen there.
  const showScan = (path: string) => {
    const owner = allSeries.find((se) => se.instances.some((i) => i.path === path));
    if (owner) setSeriesUid(owner.seriesInstanceUID);
    setViewing(path);
  };

  const seriesPane = (
    <div className="series-pane" ref={pane}>
      {viewing ? (
        <Viewer
          path={viewing}
          list={seriesPaths}
          onNavigate={setViewing}
          prefetch={prefetchScan}
          onClose={() => setViewing(null)}
          autoFocus
          memory={viewerMemory}
        />
      ) : (
        series && (
          <ul className="thumbs" aria-label="Images in the series">
            {series.instances.map((inst, i) => {
              // The caption says what its number is: the file's instance number, or, where the file has none,
              // the image's place in the series ("#24" read as either).
              const caption =
                inst.instanceNumber !== undefined ? `Instance ${inst.instanceNumber}` : `Image ${i + 1} of the series`;
              return (
                <li key={inst.path}>
                  <button
                    type="button"
                    className="thumb"
                    data-scan-path={inst.path}
                    onClick={() => setViewing(inst.path)}
                    title={naming(inst.path).path}
                  >
                    <img src={api.scanUrl(inst.path, { kind: 'thumb', size: 160 })} alt={caption} loading="lazy" />
                    {/* Named once: the image's alt text already says it to a screen reader. */}
                    <span aria-hidden="true" data-testid="thumb-caption">
                      {caption}
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        )
      )}
    </div>
  );
  const retrieval = pacs.retrieval;

  return (
    <div
      className={dragging ? 'studies dropping' : 'studies'}
      data-testid="studies-drop-zone"
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = busy ? 'none' : 'copy';
        setDragging(!busy);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <div className="tabs" role="tablist" aria-label="Where the studies come from" onKeyDown={onTabKey}>
        {STUDY_TABS.map(([id, label]) => (
          <button
            key={id}
            type="button"
            role="tab"
            id={`studies-tab-${id}`}
            aria-selected={tab === id}
            aria-controls="studies-tab-panel"
            // One tab stop for the tab list; arrow keys move between the tabs (WAI-ARIA tabs pattern).
            tabIndex={tab === id ? 0 : -1}
            className={tab === id ? 'tab active' : 'tab'}
            onClick={() => onTab(id)}
          >
            {label}
          </button>
        ))}
      </div>
      <div className="tab-panel" id="studies-tab-panel" role="tabpanel" aria-labelledby={`studies-tab-${tab}`}>
        {tab === 'pacs' ? (
          <PacsTab
            search={pacsSearch}
            onSearch={onPacsSearch}
            pacs={pacs}
            catalog={retrieval ? catalog : null}
            seriesUid={seriesUid}
            onSeries={(uid) => {
              setSeriesUid(uid);
              setViewing(null);
            }}
            busy={busy}
            onConfigure={onConfigurePacs}
          >
            {retrieval ? (
              seriesPane
            ) : (
              <div className="series-pane">
                <p className="placeholder">
                  Open a study to see it here: its images appear as they arrive, and stay in the cache.
                </p>
              </div>
            )}
          </PacsTab>
        ) : (
          <>
            <div className="toolbar">
              <button
                type="button"
                disabled={busy}
                onClick={() => open(() => api.call('studies.open', { kind: 'folder' }))}
              >
                Open folder…
              </button>
              <button
                type="button"
                disabled={busy}
                onClick={() => open(() => api.call('studies.open', { kind: 'files' }))}
              >
                Open files / DICOMDIR…
              </button>
              <button type="button" disabled={busy} onClick={() => open(() => api.call('studies.openDemo', {}))}>
                Open demo study
              </button>
              {recent.length > 0 && (
                <label className="recent">
                  Recent{' '}
                  <select
                    aria-label="Open a recent folder or file"
                    value=""
                    disabled={busy}
                    onChange={(e) => {
                      const target = e.target.value;
                      if (target) void open(() => api.call('studies.openRecent', { path: target }));
                    }}
                  >
                    <option value="">{formatCount(recent.length)} opened before…</option>
                    {recent.map((p) => (
                      <option key={p} value={p} title={p}>
                        {p}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              {busy && (
                <span className="muted" role="status" aria-live="polite">
                  {progress?.message ?? 'Working…'}
                  {progress?.total ? ` (${Math.round((100 * progress.done) / progress.total)}%)` : ''}
                </span>
              )}
            </div>
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            {!catalog && !busy && (
              <p className="placeholder">
                Open (or drop here) a folder of DICOM files, or start with the demo study: {''}
                synthetic chest radiographs with reports and known findings, generated on this computer.
              </p>
            )}
            {catalog && (
              <div className="studies-body">
                <nav className="tree" aria-label="Patients, studies and series">
                  <p className="muted" data-testid="catalog-summary">
                    {hideText(catalog.source)}: {counted(catalog.patients.length, 'patient')},{' '}
                    {counted(instances, 'image')}
                    {catalog.failed.length ? `, ${formatCount(catalog.failed.length)} unreadable` : ''}
                    {catalog.skipped.length ? `, ${counted(catalog.skipped.length, 'non-DICOM file')} skipped` : ''}
                    {retrieval && (retrieval.state === 'starting' || retrieval.state === 'running')
                      ? ' (retrieving…)'
                      : ''}
                  </p>
                  <ul>
                    {catalog.patients.map((p, patientIndex) => {
                      const patientKey = `p:${p.patientId}`;
                      const patientOpen = !collapsed.has(patientKey);
                      const person = formatPersonName(p.patientName);
                      const patientText = hideIdentifiers
                        ? `Patient ${patientIndex + 1}`
                        : person || p.patientId || 'No patient name';
                      // The ID after a name; alone, it is the text.
                      const patientDetail = !hideIdentifiers && person && p.patientId ? p.patientId : undefined;
                      return (
                        <li key={p.patientId}>
                          <TreeToggle
                            className="tree-patient"
                            open={patientOpen}
                            onToggle={() => toggle(patientKey)}
                            title={labelText(patientText, patientDetail)}
                          >
                            <TreeLabel text={patientText} detail={patientDetail} />
                          </TreeToggle>
                          {patientOpen && (
                            <ul>
                              {p.studies.map((st) => {
                                const studyKey = `s:${st.studyInstanceUID}`;
                                const studyOpen = !collapsed.has(studyKey);
                                const studyText = `${formatDicomDate(st.studyDate)} ${st.description ?? ''}`.trim();
                                const studyDetail =
                                  !hideIdentifiers && st.accessionNumber ? `Acc ${st.accessionNumber}` : undefined;
                                return (
                                  <li key={st.studyInstanceUID}>
                                    <TreeToggle
                                      className="tree-study"
                                      open={studyOpen}
                                      onToggle={() => toggle(studyKey)}
                                      title={labelText(studyText, studyDetail)}
                                    >
                                      <TreeLabel text={studyText} detail={studyDetail} />
                                    </TreeToggle>
                                    {studyOpen && (
                                      <ul>
                                        {st.series.map((se) => (
                                          <li key={se.seriesInstanceUID}>
                                            <button
                                              type="button"
                                              className={
                                                se.seriesInstanceUID === seriesUid
                                                  ? 'tree-series active'
                                                  : 'tree-series'
                                              }
                                              aria-current={se.seriesInstanceUID === seriesUid ? 'true' : undefined}
                                              onClick={() => {
                                                setSeriesUid(se.seriesInstanceUID);
                                                setViewing(null);
                                              }}
                                            >
                                              {se.modality ?? '?'}{' '}
                                              {se.description ??
                                                (se.seriesNumber != null ? `series ${se.seriesNumber}` : 'series')}{' '}
                                              ({formatCount(se.instances.length)})
                                            </button>
                                          </li>
                                        ))}
                                      </ul>
                                    )}
                                  </li>
                                );
                              })}
                            </ul>
                          )}
                        </li>
                      );
                    })}
                  </ul>
                  <FileList
                    testId="catalog-failed"
                    summary={`${counted(catalog.failed.length, 'DICOM file')} could not be read`}
                    files={catalog.failed}
                  />
                  <FileList
                    testId="catalog-skipped"
                    summary={`${counted(catalog.skipped.length, 'file')} ${catalog.skipped.length === 1 ? 'is' : 'are'} not DICOM (skipped)`}
                    files={catalog.skipped.map((f) => ({ path: f.path }))}
                  />
                </nav>
                <ExamplesPanel onView={showScan} />
                {seriesPane}
              </div>
            )}
          </>
        )}
      </div>
    </div>
  );
}
