/**
 * Query: type a report phrase and rank the opened scans by it. One phrase is
 * scored against its negation (zero-shot probability, CheXzero's rule); add
 * or subtract phrases and example scans to steer ("like these, not like
 * that"). A threshold hides weak matches and the view says when nothing passes.
 * "Use as example" on a result adds it to the opened studies' example set (listed in the Examples panel),
 * which the Screening view screens with.
 */
import { useMemo, useRef, useState, type Dispatch, type FormEvent, type ReactNode, type SetStateAction } from 'react';
import { UnitSlider } from '../components/UnitSlider';
import { MoreCards, useShownCount, useShowViewed, type Viewed } from '../components/MoreCards';
import { getApi, type Request, type Response } from '../api';
import { IndexProgress, useIndexProgress } from '../components/IndexProgress';
import { onGridKey } from '../gridKeys';
import { counted } from '../format';
import type { OpenViewer } from '../views';
import { ProbePanel, type TrainedProbe } from '../components/ProbePanel';
import { PhraseInput } from '../components/PhraseInput';
import { ModelChanged } from '../components/ModelChanged';
import { FileList } from '../components/FileList';
import { PhraseWarnings } from '../components/PhraseWarnings';
import { ScanName } from '../components/ScanName';
import { useScanNaming } from '../scanNames';
import { ExamplesPanel, ExampleToggle } from '../components/Examples';
import { useSessionField } from '../sessionField';

/** Phrase shortcuts while the active model does not say what it was taught (other layouts). */
const COMMON_FINDINGS = [
  'pleural effusion',
  'cardiomegaly',
  'pneumothorax',
  'nodule',
  'consolidation',
  'atelectasis',
  'edema',
  'support devices',
  'no finding',
];

type Term = Request<'query.run'>['phrases'][number];
type Example = Request<'query.run'>['examples'][number];
type Result = Response<'query.run'>;

/**
 * What the Query view holds, kept by App while other views are shown (the view itself is unmounted): phrases,
 * example scans, threshold, the last result and the scans labelled for the probe. A new collection opened starts
 * afresh (EMPTY_QUERY).
 */
export interface QuerySession {
  text: string;
  terms: Term[];
  examples: Example[];
  threshold: number;
  showAll: boolean;
  result: Result | null;
  /** Scans the user labelled for a finding: positives 1, negatives 0 (few-shot examples and probe training). */
  labels: Map<string, 0 | 1>;
  /** The last linear probe trained, with the labels it was trained on (shown only while they are the labels). */
  probe: TrainedProbe | null;
  /** The model loaded since the last result, which went with it (the previous model's scores); null after a run. */
  modelChanged: string | null;
}
export const EMPTY_QUERY: QuerySession = {
  text: '',
  terms: [],
  examples: [],
  threshold: 0.5,
  showAll: false,
  result: null,
  labels: new Map(),
  probe: null,
  modelChanged: null,
};

/** Cards shown at first, and added by each "Show more": each asks for a thumbnail. */
const QUERY_PAGE = 60;

export function QueryView({
  hasStudies,
  onView,
  findings = [],
  viewed = null,
  session,
  onSession,
}: {
  hasStudies: boolean;
  session: QuerySession;
  onSession: Dispatch<SetStateAction<QuerySession>>;
  onView: OpenViewer;
  /** What the viewer shows now, if open: a step past the cards shown shows them up to it. */
  viewed?: Viewed | null;
  /** The findings the active model was taught: its phrase shortcuts. */
  findings?: string[];
}) {
  const api = getApi();
  const presets = findings.length ? [...findings, 'no finding'] : COMMON_FINDINGS;
  const naming = useScanNaming();
  const [text, setText] = useSessionField(session, onSession, 'text');
  const [terms, setTerms] = useSessionField(session, onSession, 'terms');
  const [examples, setExamples] = useSessionField(session, onSession, 'examples');
  const [threshold, setThreshold] = useSessionField(session, onSession, 'threshold');
  const [showAll, setShowAll] = useSessionField(session, onSession, 'showAll');
  const [result, setResult] = useSessionField(session, onSession, 'result');
  const [busy, setBusy] = useState(false);
  const encoding = useIndexProgress();
  const [error, setError] = useState<string | null>(null);
  // A run the user stopped (index.cancel): said as a status, not an error.
  const [stopped, setStopped] = useState<string | null>(null);
  const [labels, setLabels] = useSessionField(session, onSession, 'labels');
  const [probe, setProbe] = useSessionField(session, onSession, 'probe');
  const [modelChanged, setModelChanged] = useSessionField(session, onSession, 'modelChanged');
  const label = (path: string, value: 0 | 1) =>
    setLabels((old) => {
      const next = new Map(old);
      if (next.get(path) === value) next.delete(path);
      else next.set(path, value);
      return next;
    });

  // Each run's number: only the newest run's answer is shown (a threshold moved twice, or a phrase added while a
  // search ran, must not end showing the older one, which may take longer).
  const latestRun = useRef(0);
  async function run(nextTerms: Term[], nextExamples: Example[], nextThreshold = threshold) {
    if (!nextTerms.length && !nextExamples.length) return;
    const ticket = ++latestRun.current;
    setBusy(true);
    setError(null);
    setStopped(null);
    encoding.begin();
    try {
      const answer = await api.call('query.run', {
        phrases: nextTerms,
        examples: nextExamples,
        threshold: nextThreshold,
      });
      if (ticket === latestRun.current) {
        setResult(answer);
        setModelChanged(null);
      }
    } catch (e) {
      const err = e as { code?: string; message: string };
      if (ticket === latestRun.current) (err.code === 'CANCELLED' ? setStopped : setError)(err.message);
    } finally {
      if (ticket === latestRun.current) setBusy(false);
    }
  }

  const search = (phrase: string) => {
    const t = [{ text: phrase, weight: 1 }];
    setTerms(t);
    setExamples([]);
    setText(phrase);
    void run(t, []);
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim()) search(text.trim());
  };
  const addTerm = (weight: number) => {
    if (!text.trim()) return;
    const t = [...terms, { text: text.trim(), weight }];
    setTerms(t);
    void run(t, examples);
  };
  const addExample = (path: string, weight: number) => {
    const ex = [...examples.filter((e) => e.path !== path), { path, weight }];
    setExamples(ex);
    void run(terms, ex);
  };

  const [shownCount, showMore, showThrough] = useShownCount(result, QUERY_PAGE);
  // What the list shows: the matches (or every scan), or the closest when nothing matches; a page at a time.
  // The viewer steps through all of it.
  const listed = useMemo(() => {
    if (!result) return [];
    return result.matches ? (showAll ? result.rows : result.rows.filter((r) => r.match)) : result.rows;
  }, [result, showAll]);
  const listedPaths = useMemo(() => listed.map((r) => r.path), [listed]);
  useShowViewed(listedPaths, viewed, showThrough);
  if (!hasStudies)
    return (
      <p className="placeholder">
        Open a study, a folder or the demo study in the Studies view first; the query ranks the scans you opened.
      </p>
    );
  const shown = listed.slice(0, shownCount);
  const heatPhrase = terms.find((t) => t.weight > 0)?.text;
  return (
    <section className="query" aria-label="Query">
      <form className="toolbar" onSubmit={onSubmit} role="search">
        <PhraseInput
          type="search"
          aria-label="Report phrase"
          placeholder='A report phrase, e.g. "pleural effusion"'
          value={text}
          onValue={setText}
          className="phrase-input"
        />
        <button type="submit" disabled={busy || !text.trim()}>
          Search
        </button>
        <button
          type="button"
          disabled={busy || !text.trim() || !terms.length}
          onClick={() => addTerm(1)}
          title="Add this phrase to the query"
        >
          + phrase
        </button>
        <button
          type="button"
          disabled={busy || !text.trim() || !terms.length}
          onClick={() => addTerm(-1)}
          title="Subtract this phrase from the query"
        >
          − phrase
        </button>
        <label className="threshold">
          Threshold {threshold.toFixed(2)}
          <UnitSlider
            value={threshold}
            label="Probability threshold"
            onChange={setThreshold}
            onCommit={() => void run(terms, examples, threshold)}
          />
        </label>
      </form>
      <div className="presets" role="group" aria-label="Findings the model was taught">
        {presets.map((p) => (
          <button key={p} type="button" className="chip" disabled={busy} onClick={() => search(p)}>
            {p}
          </button>
        ))}
      </div>
      {(terms.length > 1 || examples.length > 0) && (
        // A labelled list of chips: each term reads as what it is, a phrase or an example scan added (+) to the
        // query or subtracted (−) from it, its sign spelt out for a screen reader (they were plain lines of text).
        <div className="terms" data-testid="query-terms">
          <span className="muted" id="query-terms-label">
            Query terms
          </span>
          <ul className="term-list" aria-labelledby="query-terms-label">
            {terms.map((t, i) => (
              <QueryTerm key={`t${i}`} plus={t.weight > 0} title={termTitle(t.weight > 0, 'phrase')}>
                {t.text}
              </QueryTerm>
            ))}
            {examples.map((e) => (
              <QueryTerm key={e.path} plus={e.weight > 0} title={termTitle(e.weight > 0, 'scan')}>
                <span className="visually-hidden">scan </span>
                {naming(e.path).text}
              </QueryTerm>
            ))}
          </ul>
          <button
            type="button"
            className="chip"
            onClick={() => {
              setTerms([]);
              setExamples([]);
              setResult(null);
            }}
          >
            clear
          </button>
        </div>
      )}
      {busy && <IndexProgress progress={encoding.progress} idle="Scoring…" />}
      {stopped && (
        <p className="muted" role="status" data-testid="run-stopped">
          {stopped}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {modelChanged && !result && (terms.length > 0 || examples.length > 0) && (
        <ModelChanged
          model={modelChanged}
          action="Search again"
          disabled={busy}
          onRun={() => void run(terms, examples)}
        />
      )}
      <ExamplesPanel onView={(path, list) => onView(path, undefined, list)} hideWhenEmpty />
      <ProbePanel
        labels={labels}
        probe={probe}
        onProbe={setProbe}
        onView={onView}
        viewed={viewed}
        onClear={() => setLabels(new Map())}
        onFindSimilar={(paths) => {
          const ex = paths.map((path) => ({ path, weight: 1 }));
          setTerms([]);
          setExamples(ex);
          void run([], ex);
        }}
      />
      {result && (
        <>
          <p data-testid="query-summary" className="query-summary">
            <strong>
              {result.matches
                ? `${result.matches} of ${counted(result.scans, 'scan')} ${result.matches === 1 ? 'matches' : 'match'}.`
                : result.scans === 1
                  ? 'The scan does not match; it is shown below for inspection.'
                  : `None of ${result.scans} scans matches; the closest are shown below for inspection.`}
            </strong>{' '}
            A scan matches when {result.rule}.
          </p>
          <PhraseWarnings familiarity={result.familiarity} />
          <p className="muted">Research use only — not for clinical decisions.</p>
          <label className="muted">
            <input
              type="checkbox"
              checked={showAll || !result.matches}
              disabled={!result.matches}
              onChange={(e) => setShowAll(e.target.checked)}
            />{' '}
            show scans below the threshold too
          </label>
          {shown.length > 1 && (
            <p className="muted" id="results-keys">
              Arrow keys move between scans; Enter opens one, and ← / → step through them in the viewer.
            </p>
          )}
          <ol
            className="results"
            data-scan-list
            aria-label="Ranked scans"
            aria-describedby={shown.length > 1 ? 'results-keys' : undefined}
            onKeyDown={onGridKey}
          >
            {shown.map((r) => {
              const named = naming(r.path);
              return (
                <li key={r.path} className={r.match ? 'result match' : 'result'} data-testid="query-result">
                  <button
                    type="button"
                    className="thumb"
                    data-scan-path={r.path}
                    onClick={() => onView(r.path, heatPhrase, listedPaths)}
                    title={named.path}
                  >
                    <img src={api.scanUrl(r.path, { kind: 'thumb', size: 160 })} alt={named.text} loading="lazy" />
                  </button>
                  <ScanName path={r.path} showPath />
                  <span className="scores">
                    {r.probability !== null && <strong data-testid="probability">p {r.probability.toFixed(3)}</strong>}{' '}
                    {result.mixed ? (
                      <span title="The phrases' zero-shot scores and the examples' similarity, each standardised over these scans and weighed as the rule above the results says">
                        score {r.similarity.toFixed(2)}
                      </span>
                    ) : (
                      <>sim {r.similarity.toFixed(3)}</>
                    )}
                  </span>
                  <span className="actions">
                    <button type="button" className="chip" onClick={() => addExample(r.path, 1)} title="More like this">
                      + like
                    </button>
                    <button
                      type="button"
                      className="chip"
                      onClick={() => addExample(r.path, -1)}
                      title="Less like this"
                    >
                      − unlike
                    </button>
                  </span>
                  <span className="actions">
                    <button
                      type="button"
                      className={labels.get(r.path) === 1 ? 'chip plus' : 'chip'}
                      aria-pressed={labels.get(r.path) === 1}
                      onClick={() => label(r.path, 1)}
                      title="Label as positive for the finding"
                    >
                      ✓ positive
                    </button>
                    <button
                      type="button"
                      className={labels.get(r.path) === 0 ? 'chip minus' : 'chip'}
                      aria-pressed={labels.get(r.path) === 0}
                      onClick={() => label(r.path, 0)}
                      title="Label as negative for the finding"
                    >
                      ✗ negative
                    </button>
                  </span>
                  <span className="actions">
                    <ExampleToggle path={r.path} className="chip" />
                  </span>
                </li>
              );
            })}
          </ol>
          <MoreCards
            shown={shown.length}
            total={listed.length}
            page={QUERY_PAGE}
            onMore={showMore}
            testId="query-more"
          />
          <FileList summary={`${counted(result.failed.length, 'scan')} could not be encoded`} files={result.failed} />
        </>
      )}
    </section>
  );
}

/** One term of a mixed query, as a chip: "+ pleural effusion", "− pneumothorax". */
function QueryTerm({ plus, title, children }: { plus: boolean; title: string; children: ReactNode }) {
  return (
    <li className={plus ? 'term plus' : 'term minus'} title={title} data-testid="query-term">
      <span className="term-sign" aria-hidden="true">
        {plus ? '+' : '−'}
      </span>
      <span className="visually-hidden">{plus ? 'plus ' : 'minus '}</span>
      {children}
    </li>
  );
}

const termTitle = (plus: boolean, what: 'phrase' | 'scan'): string =>
  what === 'phrase'
    ? plus
      ? 'Added to the query: scans that match this phrase rank higher'
      : 'Subtracted from the query: scans that match this phrase rank lower'
    : plus
      ? 'An example added to the query: scans like it rank higher'
      : 'An example subtracted from the query: scans like it rank lower';
