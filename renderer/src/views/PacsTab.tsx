/**
 * The Studies view's PACS tab: choose a connection, search it (patient, accession, dates, modality,
 * description), and browse the matches as the local tree shows an opened folder: patient → study,
 * a page at a time ("More studies"). "Open" retrieves a study into the cache and shows it while it
 * downloads: its series appear under it, its images in the pane beside, progress and Cancel with it.
 * Patient names, IDs and accessions follow the "Hide identifiers" toggle.
 */
import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { getApi, type Catalog } from '../api';
import { FileList } from '../components/FileList';
import { ConnectionSelect, PacsQueryFields } from '../components/PacsQueryFields';
import { TreeToggle } from '../components/TreeToggle';
import { formatDicomDate, formatPersonName } from '../naming';
import { counted, formatCount } from '../format';
import {
  DEFAULT_QUERY,
  pacsErrorText,
  queryIssues,
  toQuery,
  useChosenConnection,
  usePacsConnections,
  type PacsStudy,
  type QueryErrors,
  type QueryFields,
  type StudyQuery,
} from '../pacs';
import { useScanNames } from '../scanNames';
import type { PacsRetrieval, Retrieval } from '../usePacsRetrieval';

/** Studies asked for per page. */
const PAGE = 50;

export interface PacsResults {
  /** The connection searched and the query sent (More asks for the next page of the same). */
  name: string;
  query: StudyQuery;
  studies: PacsStudy[];
  more: boolean;
  /** The archive stopped sending matches at its limit: studies past these cannot be paged to. */
  truncated: boolean;
  next: number;
}

/** What the tab shows, kept by the app while other views are open. */
export interface PacsSearchState {
  fields: QueryFields;
  results: PacsResults | null;
}
export const NEW_PACS_SEARCH: PacsSearchState = { fields: DEFAULT_QUERY, results: null };

interface PatientGroup {
  key: string;
  patientId: string | null;
  patientName: string | null;
  studies: PacsStudy[];
}

function byPatient(studies: readonly PacsStudy[]): PatientGroup[] {
  const groups = new Map<string, PatientGroup>();
  for (const st of studies) {
    const key = `${st.patientId ?? ''}\u0000${st.patientName ?? ''}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { key, patientId: st.patientId, patientName: st.patientName, studies: [] }));
    group.studies.push(st);
  }
  return [...groups.values()];
}

/**
 * The latest search asked for, while it runs. The results live above the tab (they survive switching tabs),
 * so an answer that arrives after the tab was left and opened again must not overwrite a newer search's:
 * only the latest search's answer is shown, and a tab opened again while it runs shows it as searching.
 * Module-wide: there is one PACS tab.
 */
let latestSearch: Promise<unknown> | null = null;

export function PacsTab({
  search,
  onSearch,
  pacs,
  catalog,
  seriesUid,
  onSeries,
  busy,
  onConfigure,
  children,
}: {
  search: PacsSearchState;
  onSearch: (update: (s: PacsSearchState) => PacsSearchState) => void;
  pacs: PacsRetrieval;
  /** The opened catalog: the retrieved study's images so far, while `pacs.retrieval` is set. */
  catalog: Catalog | null;
  seriesUid: string | null;
  onSeries: (uid: string) => void;
  /** Something else is being opened: no study can be opened meanwhile. */
  busy: boolean;
  onConfigure: () => void;
  /** The series pane (thumbnails or the viewer) of the opened study. */
  children: ReactNode;
}) {
  const api = getApi();
  const { listing, error: loadError } = usePacsConnections();
  const [name, setName] = useChosenConnection(listing);
  const [searching, setSearching] = useState(() => latestSearch !== null);
  // Opened again while an earlier search runs: searching until it ends (its answer lands above the tab).
  useEffect(() => {
    const pending = latestSearch;
    if (!pending) return;
    let live = true;
    const done = () => {
      if (live && latestSearch !== pending) setSearching(latestSearch !== null);
    };
    pending.then(done, done);
    return () => {
      live = false;
    };
  }, []);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<QueryErrors>({});
  const { hideIdentifiers } = useScanNames();
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const { results } = search;
  const groups = useMemo(() => byPatient(results?.studies ?? []), [results]);
  const { retrieval } = pacs;

  async function run(more: boolean) {
    let target: { name: string; query: StudyQuery; offset: number };
    if (more && results) target = { name: results.name, query: results.query, offset: results.next };
    else {
      const { query, errors } = toQuery(search.fields);
      setFieldErrors(errors);
      if (Object.keys(errors).length) return;
      target = { name, query, offset: 0 };
    }
    setSearching(true);
    setError(null);
    const mine = api.call('pacs.search', {
      name: target.name,
      query: target.query,
      page: { offset: target.offset, limit: PAGE },
    });
    latestSearch = mine;
    try {
      const page = await mine;
      if (mine !== latestSearch) return; // a newer search was asked for meanwhile
      onSearch((s) => {
        const before = more && s.results ? s.results.studies : [];
        const seen = new Set(before.map((st) => st.studyUid));
        return {
          ...s,
          results: {
            name: target.name,
            query: target.query,
            studies: [...before, ...page.studies.filter((st) => !seen.has(st.studyUid))],
            more: page.more,
            truncated: page.truncated ?? false,
            next: page.offset + page.studies.length,
          },
        };
      });
      if (!more) setCollapsed(new Set());
    } catch (e) {
      if (mine !== latestSearch) return;
      setFieldErrors(queryIssues(e));
      setError(pacsErrorText(e));
      if (!more) onSearch((s) => ({ ...s, results: null }));
    } finally {
      if (mine === latestSearch) {
        latestSearch = null;
        setSearching(false);
      }
    }
  }

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (name) void run(false);
  };
  const toggle = (key: string) =>
    setCollapsed((old) => {
      const next = new Set(old);
      if (!next.delete(key)) next.add(key);
      return next;
    });

  return (
    <>
      <form className="pacs-search" aria-label="Search a PACS" onSubmit={onSubmit} noValidate>
        <div className="toolbar">
          <ConnectionSelect
            listing={listing}
            value={name}
            onChange={setName}
            disabled={searching}
            onConfigure={onConfigure}
          />
          <button type="submit" disabled={searching || !name}>
            Search
          </button>
          <button
            type="button"
            disabled={searching}
            onClick={() => {
              onSearch((s) => ({ ...s, fields: DEFAULT_QUERY }));
              setFieldErrors({});
            }}
          >
            Clear
          </button>
          {searching && (
            <span className="muted" role="status" aria-live="polite">
              Searching…
            </span>
          )}
        </div>
        <PacsQueryFields
          value={search.fields}
          onChange={(fields) => onSearch((s) => ({ ...s, fields }))}
          errors={fieldErrors}
          disabled={searching}
        />
      </form>
      {(error ?? loadError) && (
        <p className="error" role="alert" data-testid="pacs-error">
          {error ?? loadError}
        </p>
      )}
      <div className="studies-body pacs-body">
        <nav className="tree" aria-label="PACS studies">
          <p className="muted" data-testid="pacs-summary">
            {results
              ? `${results.name}: ${counted(results.studies.length, 'study', 'studies')}${results.more ? ', more on the server' : ''}`
              : name
                ? `Search ${name} to list its studies.`
                : 'No PACS to search.'}
          </p>
          {results?.truncated && (
            <p className="notice" role="note" data-testid="pacs-truncated">
              The archive sent only these matches: it limits how many one search answers. Narrow the search (dates,
              patient, modality) to see the others.
            </p>
          )}
          {results && !results.studies.length && <p className="muted">No study matches.</p>}
          <ul>
            {groups.map((g, patientIndex) => {
              const patientKey = `p:${g.key}`;
              const patientOpen = !collapsed.has(patientKey);
              const person = formatPersonName(g.patientName ?? undefined);
              return (
                <li key={g.key}>
                  <TreeToggle className="tree-patient" open={patientOpen} onToggle={() => toggle(patientKey)}>
                    {hideIdentifiers ? (
                      `Patient ${patientIndex + 1}`
                    ) : (
                      <span>
                        {person || g.patientId || 'No patient name'}
                        {g.patientId && person && <span className="tree-id"> · {g.patientId}</span>}
                      </span>
                    )}
                  </TreeToggle>
                  {patientOpen && (
                    <ul>
                      {g.studies.map((st) => (
                        <StudyNode
                          key={st.studyUid}
                          study={st}
                          hideIdentifiers={hideIdentifiers}
                          retrieval={retrieval?.study.studyUid === st.studyUid ? retrieval : null}
                          catalog={catalog}
                          seriesUid={seriesUid}
                          onSeries={onSeries}
                          disabled={busy}
                          onOpen={() => results && pacs.open(results.name, st)}
                          onCancel={pacs.cancel}
                        />
                      ))}
                    </ul>
                  )}
                </li>
              );
            })}
          </ul>
          {results?.more && (
            <button type="button" className="more" disabled={searching} onClick={() => void run(true)}>
              More studies
            </button>
          )}
        </nav>
        {children}
      </div>
    </>
  );
}

function StudyNode({
  study: st,
  hideIdentifiers,
  retrieval,
  catalog,
  seriesUid,
  onSeries,
  disabled,
  onOpen,
  onCancel,
}: {
  study: PacsStudy;
  hideIdentifiers: boolean;
  /** This study's retrieval, when it is the one opened. */
  retrieval: Retrieval | null;
  catalog: Catalog | null;
  seriesUid: string | null;
  onSeries: (uid: string) => void;
  disabled: boolean;
  onOpen: () => void;
  onCancel: () => void;
}) {
  const facts = [
    st.modalities.join(', '),
    st.instanceCount !== null ? `${st.instanceCount} ${st.instanceCount === 1 ? 'image' : 'images'}` : '',
    !hideIdentifiers && st.accession ? `Acc ${st.accession}` : '',
  ].filter(Boolean);
  const series = retrieval ? (catalog?.patients.flatMap((p) => p.studies.flatMap((s) => s.series)) ?? []) : [];
  return (
    <li className={retrieval ? 'pacs-study opened' : 'pacs-study'} data-testid="pacs-study">
      <div className="pacs-study-head">
        <span className="pacs-study-text tree-study">
          <span>
            {formatDicomDate(st.studyDate) || 'No date'} {st.description ?? ''}
          </span>
          {facts.length > 0 && <span className="tree-id">{facts.join(' · ')}</span>}
        </span>
        <button type="button" disabled={disabled} onClick={onOpen}>
          Open
        </button>
      </div>
      {retrieval && (
        <>
          <RetrievalStatus retrieval={retrieval} onCancel={onCancel} />
          {series.length > 0 && (
            <ul>
              {series.map((se) => (
                <li key={se.seriesInstanceUID}>
                  <button
                    type="button"
                    className={se.seriesInstanceUID === seriesUid ? 'tree-series active' : 'tree-series'}
                    aria-current={se.seriesInstanceUID === seriesUid ? 'true' : undefined}
                    onClick={() => onSeries(se.seriesInstanceUID)}
                  >
                    {se.modality ?? '?'} {se.description ?? `series ${se.seriesNumber ?? ''}`} ({se.instances.length})
                  </button>
                </li>
              ))}
            </ul>
          )}
          {catalog && (
            <FileList
              testId="catalog-failed"
              summary={`${counted(catalog.failed.length, 'retrieved file')} could not be read`}
              files={catalog.failed}
            />
          )}
        </>
      )}
    </li>
  );
}

/** How far a study's retrieval is, with Cancel while it runs; a failure as an alert. */
function RetrievalStatus({ retrieval: r, onCancel }: { retrieval: Retrieval; onCancel: () => void }) {
  const of = r.total !== null ? ` of ${formatCount(r.total)}` : '';
  // "0 of 1 image", "3 of 12 images": the noun agrees with the whole.
  const images = (r.total ?? r.done) === 1 ? 'image' : 'images';
  const running = r.state === 'starting' || r.state === 'running';
  return (
    <div className="pacs-retrieval" data-testid="pacs-retrieval" data-state={r.state}>
      {running && (
        <div className="job-progress">
          <progress max={r.total ?? undefined} value={r.total ? r.done : undefined} aria-label="Retrieval progress" />
          <span role="status" data-testid="pacs-retrieval-text">
            {r.state === 'starting' ? 'Asking the server…' : `${formatCount(r.done)}${of} ${images} retrieved`}
          </span>
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      )}
      {r.state === 'done' && (
        <p className="muted" data-testid="pacs-retrieval-text">
          All {counted(r.done, 'image')} retrieved.
        </p>
      )}
      {r.state === 'cancelled' && (
        <p className="muted" data-testid="pacs-retrieval-text">
          Cancelled: {r.done}
          {of} {images} retrieved (kept in the cache; Open retrieves the rest).
        </p>
      )}
      {r.error && (
        <p className="error" role="alert" data-testid="pacs-retrieval-error">
          {r.state === 'failed' ? 'Retrieval failed: ' : ''}
          {r.error}
        </p>
      )}
    </div>
  );
}
