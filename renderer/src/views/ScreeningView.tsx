/**
 * Screening: a folder (or the studies a PACS query matches) and phrases, the opened studies' example set
 * ("Use as example"), or both → a job that indexes and scores every file,
 * with progress (files/s, ETA), pause/resume/cancel, a live flagged count, and
 * a results table (sort, filter, threshold, export). Jobs are stored in the
 * index: one stopped by a quit or crash is listed as interrupted and resumes.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { download } from '../download';
import { skippedText } from '../../../electron/api/skipped-text';
import { counted, csvCell, duration, formatCount } from '../format';
import { getApi, type Coherence, type Familiarity, type ScreenJob, type ScreenRow } from '../api';
import { FileList } from '../components/FileList';
import { UnitSlider } from '../components/UnitSlider';
import { PhraseWarnings } from '../components/PhraseWarnings';
import { ScanName } from '../components/ScanName';
import { labelFromRow, type ScanLabel } from '../naming';
import { useScanNames, useScanNaming } from '../scanNames';
import { useRowWindow } from '../rowWindow';
import type { OpenViewer } from '../views';
import { ConnectionSelect, PacsQueryFields } from '../components/PacsQueryFields';
import { examplesText, fewExamplesText, useExamples } from '../examples';
import { publishReviewTarget, REVIEW_MARKS, reviewersOpen, whenReviewersLeave, type ReviewMark } from '../reviewTarget';
import {
  DEFAULT_QUERY,
  pacsErrorText,
  queryIssues,
  toQuery,
  useChosenConnection,
  usePacsConnections,
  type QueryErrors,
  type QueryFields,
} from '../pacs';

type Row = ScreenRow;
/** A row as the table shows it: flagged at the threshold set in the view. */
type ShownRow = Row & { flagged: boolean };
type JobProgress = NonNullable<ScreenJob['progress']>;
/**
 * The results table's sort: the scan's name, a phrase's probability (its index), the example similarity, the phrase
 * and the examples together (one phrase beside an example set) or the status.
 */
type SortKey = 'file' | 'status' | 'example' | 'mix' | number;

/** Counts, rate and time of a job, once: the ETA while it runs, the time it took when done. */
function progressText(job: ScreenJob, p: JobProgress): string {
  const counts =
    `${formatCount(p.seen)}${p.total !== null ? ` / ${formatCount(p.total)}` : ''} ${(p.total ?? p.seen) === 1 ? 'file' : 'files'} · ${formatCount(p.encoded)} encoded · ${formatCount(p.unchanged)} unchanged · ` +
    `${formatCount(p.failed)} failed${p.notDicom ? ` · ${skippedText(p)}` : ''}`;
  if (job.state === 'running') {
    const rate = ` · ${p.filesPerSecond.toFixed(1)} files/s`;
    return `${counts}${rate}${p.etaSeconds !== null ? ` · about ${duration(p.etaSeconds)} left` : ''}`;
  }
  // Files/s counts the files worked on (not those unchanged since the last run): their time is the run's.
  const worked = p.encoded + p.failed + p.notDicom;
  if (job.state === 'done' && worked > 0 && p.filesPerSecond > 0)
    return `${counts} · took ${worked / p.filesPerSecond < 1 ? 'under a second' : duration(worked / p.filesPerSecond)} (${p.filesPerSecond.toFixed(1)} files/s)`;
  return counts;
}

/**
 * Whether a result row names a file on this computer (which the viewer can show). Rows of a PACS job are
 * named by the archive and the instance's UIDs instead (the index's key), not by the cached file.
 */
const isLocalFile = (p: string) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p);

/** A mark on its way, by the job and the row it is on (two jobs may screen the same folder). */
const pendingKey = (jobId: string, path: string) => `${jobId}\n${path}`;

/** Marks no longer on their way (kept and read back, or refused): dropped unless made again meanwhile. */
function settle(pending: Map<string, ReviewMark | null>, marks: Iterable<[string, ReviewMark | null]>): void {
  for (const [key, mark] of marks) if (pending.get(key) === mark) pending.delete(key);
}

/** A job's source as listed: its folder, or the PACS connection it screens. */
const sourceText = (folder: string) => (folder.startsWith('pacs:') ? `PACS ${folder.slice(5)}` : folder);

export function ScreeningView({
  onView,
  onConfigurePacs,
  shown = null,
}: {
  onView: OpenViewer;
  onConfigurePacs?: () => void;
  /** The row an open viewer shows (its path or PACS key; null: none): kept in view, for the focus to come back to. */
  shown?: string | null;
}) {
  const api = getApi();
  // What is screened: a folder chosen in a dialog, or the studies a query matches on a PACS.
  const [source, setSource] = useState<'folder' | 'pacs'>('folder');
  const pacsConnections = usePacsConnections();
  const [connection, setConnection] = useChosenConnection(pacsConnections.listing);
  const [fields, setFields] = useState<QueryFields>(DEFAULT_QUERY);
  const [fieldErrors, setFieldErrors] = useState<QueryErrors>({});
  const [jobs, setJobs] = useState<ScreenJob[]>([]);
  const [phrases, setPhrases] = useState(DEFAULT_PHRASE);
  // The opened studies' example set, screened with as well as (or instead of) the phrases.
  const examples = useExamples();
  const [withExamples, setWithExamples] = useState(false);
  const exampleScope = withExamples && examples.scope && examples.paths.length ? examples.scope : undefined;
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<{
    id: string;
    rows: Row[];
    /** Names these rows in the main process: a re-read after a review asks for what changed since. */
    rowsToken: string;
    /** Examples the ranking rests on: the job's and the rows reviewed as the finding (0: none). */
    exampleCount: number;
    /** Rows reviewed as not the finding that the ranking is pushed away from. */
    counterExamples: number;
    exampleThreshold: number | null;
    exampleCentredOn: number | null;
    examplePatches: boolean | null;
    exampleCoherence: Coherence | null;
    /** A job of one phrase beside examples: what its "phrase + examples" score weighs each part by. */
    mixWeights: { phrase: number; examples: number; bySkill: boolean } | null;
  } | null>(null);
  const [threshold, setThreshold] = useState(0.5);
  const [flaggedOnly, setFlaggedOnly] = useState(false);
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 0, descending: true });

  // Jobs a screen.job event updated since the last screen.list was asked for: that answer may be older.
  const updated = useRef(new Set<string>());
  const refresh = useCallback(() => {
    updated.current.clear();
    api.call('screen.list', {}).then(
      (r) =>
        setJobs((now) => {
          const newer = now.filter((j) => updated.current.has(j.id));
          return [...newer, ...r.jobs.filter((j) => !updated.current.has(j.id))].sort(
            (a, b) => b.createdAt - a.createdAt,
          );
        }),
      (e: Error) => setError(e.message),
    );
  }, [api]);
  useEffect(() => {
    const off = api.on('screen.job', (job) => {
      updated.current.add(job.id);
      setJobs((all) => [job, ...all.filter((j) => j.id !== job.id)].sort((a, b) => b.createdAt - a.createdAt));
    });
    refresh();
    return off;
  }, [api, refresh]);

  // Whether the active model knows each job's phrases (phrases.check), asked once per phrase and model.
  const [familiarity, setFamiliarity] = useState<ReadonlyMap<string, Familiarity>>(new Map());
  const asked = useRef(new Set<string>());
  const [modelEpoch, setModelEpoch] = useState(0);
  useEffect(
    () =>
      api.on('model.status', (m) => {
        if (m.state !== 'ready') return;
        asked.current.clear();
        setFamiliarity(new Map());
        setModelEpoch((n) => n + 1);
        // Whether each job's example figures are the active model's (examplesModelActive) changed with it.
        refresh();
      }),
    [api, refresh],
  );
  useEffect(() => {
    const missing = [...new Set(jobs.flatMap((j) => j.phrases))].filter((p) => !asked.current.has(p));
    for (let i = 0; i < missing.length; i += 50) {
      const batch = missing.slice(i, i + 50);
      batch.forEach((p) => asked.current.add(p));
      api.call('phrases.check', { phrases: batch }).then(
        (r) =>
          setFamiliarity((old) => {
            const next = new Map(old);
            r.familiarity.forEach((f, k) => next.set(batch[k] ?? f.phrase, f));
            return next;
          }),
        // No model yet: asked again when one is ready (model.status).
        () => batch.forEach((p) => asked.current.delete(p)),
      );
    }
  }, [api, jobs, modelEpoch]);

  const { remember, label: knownLabel, hideText } = useScanNames();
  // A failed row's reason may name its file (a folder named after the patient): cut as its path is.
  const statusText = (r: ShownRow) =>
    r.status === 'ok' ? (r.flagged ? 'flagged' : '') : `failed: ${hideText(r.error ?? '')}`;
  const naming = useScanNaming();

  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
    } catch (e) {
      const err = e as { code?: string; message: string };
      if (err.code !== 'CANCELLED') setError(err.message);
    }
  };
  const onStart = (e: FormEvent) => {
    e.preventDefault();
    const list = phrases
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const by = exampleScope ? { exampleScope } : {};
    if (source === 'folder') {
      void act(() => api.call('screen.start', { phrases: list, threshold, ...by }));
      return;
    }
    const { query, errors } = toQuery(fields);
    setFieldErrors(errors);
    if (Object.keys(errors).length || !connection) return;
    setError(null);
    api.call('screen.start', { phrases: list, threshold, pacs: { name: connection, query }, ...by }).then(
      () => setFieldErrors({}),
      (e: unknown) => {
        setFieldErrors(queryIssues(e));
        setError(pacsErrorText(e));
      },
    );
  };
  /** The open job's id, for marks still on their way when another job's results are opened. */
  const openId = useRef<string | null>(null);
  openId.current = open?.id ?? null;
  /** The rows held, for a re-read to ask only for what changed in them. */
  const held = useRef<{ id: string; rows: Row[]; rowsToken: string } | null>(null);
  held.current = open;
  /** Each read of results is numbered: a reply that is no longer the latest read is dropped (another job's
   * results were opened meanwhile, or the view was left), so it never replaces what is shown. */
  const reads = useRef(0);
  useEffect(
    () => () => {
      reads.current++; // left: no reply lands after
      openId.current = null;
    },
    [],
  );
  /** The job's rows as ranked now; `fresh`: a job just opened starts at its threshold and its first column. */
  const loadResults = async (job: ScreenJob, fresh: boolean) => {
    const read = ++reads.current;
    if (fresh) {
      setThreshold(job.threshold);
      setSort({ key: job.phrases.length ? 0 : 'example', descending: true });
    }
    const before = !fresh && held.current?.id === job.id ? held.current : null;
    const {
      rows: sent,
      ranking,
      rowsToken,
      exampleCount,
      counterExamples,
      exampleThreshold,
      exampleCentredOn,
      examplePatches,
      exampleCoherence,
      phraseAndExamplesWeights,
    } = await api.call('screen.results', {
      id: job.id,
      ...(before ? { since: before.rowsToken } : {}),
    });
    if (read !== reads.current) return;
    // The same rows as before (a re-read after a review): only the example similarity, the flags and the marks
    // came, in the rows' order.
    const loaded =
      sent ??
      (before && ranking && ranking.flagged.length === before.rows.length
        ? before.rows.map(({ phraseAndExamples: _held, ...r }, i) => ({
            ...r,
            exampleSimilarity: ranking.exampleSimilarity[i]!,
            exampleFlagged: ranking.exampleFlagged[i]!,
            // A job whose last example went (a mark cleared) has no such score any more: the held one goes too.
            ...(ranking.phraseAndExamples ? { phraseAndExamples: ranking.phraseAndExamples[i]! } : {}),
            flagged: ranking.flagged[i]!,
            example: ranking.example[i]!,
            review: ranking.review[i]!,
          }))
        : null);
    if (!loaded) throw new Error('The results changed while they were read; open them again.');
    // The viewer names a scan opened from these rows as the rows do. Read again after a review mark, the rows
    // are named as before: only new ones are added (each addition re-renders every name shown, 20,000 at once).
    const labels = loaded.flatMap((r): [string, ScanLabel][] => {
      if (!fresh && knownLabel(r.path)) return [];
      const label = labelFromRow(r);
      return label ? [[r.path, label]] : [];
    });
    if (labels.length) remember(labels);
    setOpen({
      id: job.id,
      rows: loaded,
      rowsToken,
      exampleCount: exampleCount ?? 0,
      counterExamples,
      exampleThreshold,
      exampleCentredOn,
      examplePatches,
      exampleCoherence,
      mixWeights: phraseAndExamplesWeights,
    });
    // A job of one phrase beside examples opens sorted by both together: on fresh validation phantoms that ranked
    // better than either alone (docs/few-shot.md, "Which column a phrase-and-examples job opens sorted by").
    const mixed = !!phraseAndExamplesWeights;
    if (fresh && mixed) setSort({ key: 'mix', descending: true });
    // Sorted by a column that went with the job's last example: back to the first phrase.
    else if (!mixed)
      setSort((s) => (s.key === 'mix' ? { key: job.phrases.length ? 0 : 'example', descending: true } : s));
  };
  const showResults = (job: ScreenJob) => act(() => loadResults(job, true));
  /**
   * A reviewer's mark on a row (null clears it), from the table or the viewer: the marks apply one after
   * another in the order made; the rows are ranked again once no other mark waits (Y / N in quick succession
   * re-read the rows once), if that job's results are still the ones shown, and the job's flagged count
   * follows. A mark on its way shows as made (pendingMarks, by job and path) until it is refused, which the
   * view reports (the viewer too, while open); the returned promise rejects only then.
   */
  const markQueue = useRef<Promise<unknown>>(Promise.resolve());
  const pendingMarks = useRef(new Map<string, ReviewMark | null>());
  const [pendingCount, setPendingCount] = useState(0);
  // Marks not yet sent: while more follow, the rows are ranked once, after the last.
  const unsent = useRef(0);
  const markRow = useCallback(
    (job: ScreenJob, path: string, mark: ReviewMark | null): Promise<void> => {
      const key = pendingKey(job.id, path);
      pendingMarks.current.set(key, mark);
      setPendingCount((n) => n + 1);
      unsent.current++;
      const run = markQueue.current
        .then(async () => {
          let refused: Error | null = null;
          try {
            await api.call('screen.review', { id: job.id, path, mark });
          } catch (e) {
            settle(pendingMarks.current, [[key, mark]]); // not kept: the row shows its mark as it was
            refused = e as Error;
            setError(`A review mark was not kept: ${refused.message}`);
          }
          unsent.current--;
          // Shown as made until the rows are ranked after the last mark sent (even if that one was refused); with a
          // viewer open over them, once it closes.
          if (unsent.current === 0 && openId.current !== null) {
            if (reviewersOpen() > 0) deferred.current = job;
            else await rankAgainRef.current(job);
          }
          if (refused) throw refused;
        })
        .finally(() => setPendingCount((n) => n - 1));
      markQueue.current = run.catch(() => undefined);
      return run;
    },
    [api],
  );
  /** The rows ranked again with every mark sent so far, and the job list (its flagged count) read again. */
  const rankAgain = async (job: ScreenJob) => {
    const sent = [...pendingMarks.current.entries()];
    try {
      if (openId.current === job.id) await loadResults(job, false);
      settle(pendingMarks.current, sent);
    } catch (e) {
      // The marks were kept; only the ranking with them could not be read: they stay shown as made.
      setError(`The results could not be ranked again: ${(e as Error).message}`);
    }
    if (openId.current !== null) refresh();
  };
  const rankAgainRef = useRef(rankAgain);
  rankAgainRef.current = rankAgain;
  /** A job whose rows wait to be ranked again until the viewer over them closes. */
  const deferred = useRef<ScreenJob | null>(null);
  useEffect(
    () =>
      whenReviewersLeave(() => {
        const job = deferred.current;
        deferred.current = null;
        if (job) markQueue.current = markQueue.current.then(() => rankAgainRef.current(job)).catch(() => undefined);
      }),
    [],
  );
  const reviewing = pendingCount > 0;
  const review = (job: ScreenJob, r: Row, mark: ReviewMark | null) => {
    setError(null);
    markRow(job, r.path, mark).catch(() => undefined); // a refusal is reported by markRow
  };
  /** PACS rows opened in the viewer: the cached file shown, by the row's key (the viewer names the file). */
  const remoteKeys = useRef(new Map<string, string>());

  const openJob = jobs.find((j) => j.id === open?.id) ?? null;
  const jobThreshold = openJob?.threshold ?? null;
  // The open results, for the viewer's review controls: a scan opened from them can be marked where it is seen.
  // A layout effect: the viewer re-renders with the rows just read before they are painted, never with the
  // rows before them and the pending marks already settled.
  // The open rows by path (a PACS row's key), made once per read: the viewer's marks and PACS rows look rows up.
  const openRows = open?.rows;
  const byPath = useMemo(() => new Map(openRows?.map((r) => [r.path, r])), [openRows]);
  useLayoutEffect(() => {
    if (!open || !openJob) return publishReviewTarget(null);
    const rowKey = (p: string) => (byPath.has(p) ? p : (remoteKeys.current.get(p) ?? p));
    publishReviewTarget({
      markOf: (p) => {
        const r = byPath.get(rowKey(p));
        if (!r || r.status !== 'ok') return undefined;
        if (r.example) return 'example';
        const key = pendingKey(openJob.id, r.path);
        return pendingMarks.current.has(key) ? pendingMarks.current.get(key)! : (r.review ?? null);
      },
      mark: (p, m) => markRow(openJob, rowKey(p), m),
    });
  }, [open, byPath, openJob, markRow, pendingCount]);
  useEffect(() => () => publishReviewTarget(null), []);
  // One phrase beside an example set: each row carries both scored together (standardised, weighed as said).
  const mixes = !!open?.mixWeights;
  const rows = useMemo(() => {
    if (!open) return [];
    // At the job's own threshold the main process's flags stand; at another, the phrases are scored again
    // and the examples flag at their own cut, which the main process sends.
    const cut = open.exampleThreshold;
    // The main process says whether the examples flag a row (with counter-examples that is more than the cut).
    const byExamples = (r: Row) =>
      r.exampleFlagged ?? (cut !== null && r.exampleSimilarity !== null && r.exampleSimilarity >= cut);
    const flag = (r: Row) =>
      threshold === jobThreshold ? r.flagged : r.scores.some((s) => s.probability >= threshold) || byExamples(r);
    const shown = open.rows.map((r) => ({ ...r, flagged: flag(r) })).filter((r) => !flaggedOnly || r.flagged);
    // Each row's sort key is made once, not once per comparison (20,000 rows sort in a few ms); the sort is
    // stable, so rows that tie keep the order the main process ranked them in.
    const sign = sort.descending ? -1 : 1;
    const key = sort.key;
    if (key === 'file' || key === 'status') {
      const collator = new Intl.Collator();
      const text = key === 'file' ? (r: ShownRow) => naming(r.path).text : statusText;
      const keyed = shown.map((r) => ({ r, text: text(r) }));
      keyed.sort(
        (a, b) =>
          sign * (collator.compare(a.text, b.text) || (key === 'file' ? collator.compare(a.r.path, b.r.path) : 0)),
      );
      return keyed.map((k) => k.r);
    }
    const value = (r: Row) =>
      key === 'example'
        ? (r.exampleSimilarity ?? -2)
        : key === 'mix'
          ? (r.phraseAndExamples ?? -1e9) // finite: two rows without a score must subtract to 0, not NaN
          : (r.scores[key]?.probability ?? -1);
    const keyed = shown.map((r) => ({ r, value: value(r) }));
    keyed.sort((a, b) => sign * (a.value - b.value));
    return keyed.map((k) => k.r);
  }, [open, jobThreshold, threshold, flaggedOnly, sort, naming]);
  const sortBy = (key: SortKey) =>
    // A new column starts with what a reader wants first: highest scores, names A to Z.
    setSort((s) =>
      s.key === key
        ? { key, descending: !s.descending }
        : { key, descending: typeof key === 'number' || key === 'example' || key === 'mix' },
    );
  const columnCount = (openJob?.phrases.length ?? 0) + (open?.exampleCount ? 1 : 0) + (mixes ? 1 : 0) + 3;
  const ariaSort = (key: SortKey) => (sort.key === key ? (sort.descending ? 'descending' : 'ascending') : 'none');
  const marker = (key: SortKey) => (sort.key === key ? (sort.descending ? ' ▼' : ' ▲') : '');
  // The viewer steps through every row, in the order shown: local files by path, PACS rows by key (those
  // screened: a failed one may not be retrievable at all).
  const { rowPaths, remoteKeysShown } = useMemo(() => {
    const local = rows.map((r) => isLocalFile(r.path));
    return {
      rowPaths: rows.filter((_, i) => local[i]).map((r) => r.path),
      remoteKeysShown: rows.filter((r, i) => !local[i] && r.status === 'ok').map((r) => r.path),
    };
  }, [rows]);
  const remoteRows = rowPaths.length < rows.length;
  // Only the rows in view are drawn; the row an open viewer shows is scrolled into view as it steps.
  const flaggedCount = useMemo(() => rows.filter((r) => r.flagged).length, [rows]);
  const rowsDrawn = useRowWindow<HTMLDivElement>(rows.length, RESULT_ROW);
  const { reveal, toTop } = rowsDrawn;
  // Another job, order or filter starts at the top; a re-rank after a review keeps the place.
  const shownJobId = open?.id;
  const filterCut = flaggedOnly ? threshold : null;
  useLayoutEffect(toTop, [shownJobId, sort, filterCut, toTop]); // before paint: no frame of the old place
  useEffect(() => {
    if (shown !== null) reveal(rows.findIndex((r) => r.path === shown));
  }, [shown, rows, reveal]);
  // A PACS row names the instance by the archive and its UIDs: the main process finds (or retrieves) its file.
  const rowsByKey = useRef(byPath);
  useEffect(() => {
    rowsByKey.current = byPath;
  }, [byPath]);
  const openRemote = useCallback(
    async (key: string) => {
      const { path } = await api.call('pacs.viewInstance', { key });
      const row = rowsByKey.current.get(key);
      const label = row && labelFromRow(row);
      if (label) remember([[path, label]]);
      remoteKeys.current.set(path, key); // reviewable in the viewer by the file shown
      return path;
    },
    [api, remember],
  );
  const viewRemote = (r: Row) =>
    act(async () => {
      const path = await openRemote(r.path);
      const list = remoteKeysShown.includes(r.path) ? remoteKeysShown : [r.path];
      onView(path, undefined, list, { at: r.path, open: openRemote });
    });

  // As the CSV: no naming (patient name, ID, accession…), paths cut as shown.
  const exportRow = ({ naming: _naming, ...r }: Row) => ({
    ...r,
    path: naming(r.path).path,
    ...(r.error ? { error: hideText(r.error) } : {}),
  });
  // The job as exported: its folder, message and the examples it left out cut as the rows are.
  const exportJob = (job: ScreenJob) => ({
    ...job,
    folder: hideText(job.folder),
    message: job.message === null ? null : hideText(job.message),
    examplesLeftOut: job.examplesLeftOut.map((e) => ({ path: naming(e.path).path, reason: hideText(e.reason) })),
  });

  // What an exported example similarity means: how many examples, the cut that flags, what it is centred on,
  // whether pooled patch embeddings count beside the global ones.
  const examplesExport = () =>
    open?.exampleCount
      ? {
          examples: {
            count: open.exampleCount,
            counterExamples: open.counterExamples,
            reviewed: open.rows.filter((r) => r.review).length,
            threshold: open.exampleThreshold,
            centredOn: open.exampleCentredOn,
            patches: open.examplePatches,
            coherence: open.exampleCoherence,
          },
        }
      : {};

  const exportCsv = () => {
    if (!openJob) return;
    const head = [
      'path',
      'sop_instance_uid',
      'series_instance_uid',
      'study_instance_uid',
      'status',
      'error',
      ...openJob.phrases.flatMap((p) => [`${p} score`, `${p} probability`]),
      ...(open?.exampleCount ? ['example similarity'] : []),
      ...(mixes ? ['phrase + examples score'] : []),
      'flagged',
      'review',
      // What "flagged" is at and which rows were written, as the JSON's `shown`: the slider may not be at the job's
      // own threshold. Repeated on every row, trailing, so that a CSV reader takes them as any other column.
      'threshold',
      'flagged_only',
    ];
    // No patient name, ID or accession columns; with identifiers hidden, they are cut out of paths too.
    const lines = rows.map((r) =>
      [
        naming(r.path).path,
        r.sopUid,
        r.seriesUid,
        r.studyUid,
        r.status,
        r.error ? hideText(r.error) : r.error,
        ...(r.scores.length
          ? r.scores.flatMap((s) => [s.similarity.toFixed(6), s.probability.toFixed(6)])
          : openJob.phrases.flatMap(() => ['', ''])),
        ...(open?.exampleCount ? [r.exampleSimilarity === null ? '' : r.exampleSimilarity.toFixed(6)] : []),
        ...(mixes ? [r.phraseAndExamples?.toFixed(6) ?? ''] : []),
        r.flagged ? 1 : 0,
        r.review ?? (r.example ? 'example' : ''),
        threshold,
        flaggedOnly ? 1 : 0,
      ]
        .map(csvCell)
        .join(','),
    );
    download(
      exportName(openJob, 'csv'),
      new Blob([`${head.map(csvCell).join(',')}\n${lines.join('\n')}\n`], { type: 'text/csv' }),
    );
  };

  return (
    <section className="screening" aria-label="Screening">
      <form className="screen-form" onSubmit={onStart} noValidate>
        <div className="toolbar">
          <input
            className="phrase-input"
            aria-label="Phrases to screen for"
            value={phrases}
            onChange={(e) => setPhrases(e.target.value)}
            placeholder={exampleScope ? 'optional: phrases as well, e.g. pneumothorax' : 'pneumothorax, nodule'}
          />
          <div className="source-choice" role="radiogroup" aria-label="What to screen">
            <label>
              <input
                type="radio"
                name="screen-source"
                checked={source === 'folder'}
                onChange={() => setSource('folder')}
              />{' '}
              Folder…
            </label>
            <label>
              <input type="radio" name="screen-source" checked={source === 'pacs'} onChange={() => setSource('pacs')} />{' '}
              PACS query
            </label>
          </div>
          <button type="submit" disabled={(!phrases.trim() && !exampleScope) || (source === 'pacs' && !connection)}>
            {source === 'folder' ? 'Choose folder and start…' : 'Start on the PACS query'}
          </button>
        </div>
        {examples.scope && (
          <div className="toolbar">
            <label
              className="example-option"
              title={
                examples.paths.length
                  ? 'Flag scans as similar to the example scans as the least typical of them (less 0.05), as well as by the phrases, if any'
                  : 'Mark scans that show the finding with “Use as example” (viewer, Query results) first'
              }
            >
              <input
                type="checkbox"
                checked={withExamples && examples.paths.length > 0}
                disabled={!examples.paths.length}
                onChange={(e) => {
                  setWithExamples(e.target.checked);
                  // The placeholder phrase would flag scans for a finding not asked about: examples alone then.
                  if (e.target.checked && phrases === DEFAULT_PHRASE) setPhrases('');
                }}
              />{' '}
              Screen with the example set ({examplesText(examples.paths.length)})
            </label>
            {exampleScope && <span className="muted">phrases are optional then</span>}
            {exampleScope && examples.paths.length < examples.confidentFrom && (
              <span className="hint" data-testid="screen-examples-warning">
                <span aria-hidden="true">⚠ </span>
                {fewExamplesText(examples.confidentFrom)}
              </span>
            )}
          </div>
        )}
        {source === 'pacs' && (
          <div className="pacs-source">
            <ConnectionSelect
              listing={pacsConnections.listing}
              value={connection}
              onChange={setConnection}
              onConfigure={onConfigurePacs}
            />
            <PacsQueryFields value={fields} onChange={setFields} errors={fieldErrors} />
            <p className="muted">
              Every instance of the matching studies is retrieved into the cache and scored; a run stopped halfway
              resumes without retrieving again what was scored.
            </p>
          </div>
        )}
      </form>
      {pacsConnections.error && source === 'pacs' && (
        <p className="error" role="alert">
          {pacsConnections.error}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!jobs.length && (
        <p className="placeholder">
          No screening jobs yet. Choose a folder (every DICOM file in it) or a PACS query (every image of the studies it
          matches): each is scored for the phrases; you can leave it running.
        </p>
      )}
      <ul className="jobs" aria-label="Screening jobs">
        {jobs.map((job) => {
          const p = job.progress;
          const pct = p && p.total ? Math.min(100, Math.round((100 * p.seen) / Math.max(1, p.total))) : null;
          return (
            <li key={job.id} className="job" data-testid="screen-job">
              <div className="job-head">
                <strong>{job.phrases.length ? job.phrases.join(', ') : 'Example set'}</strong>
                {job.examples > 0 && (
                  <span className="job-examples" data-testid="job-examples">
                    {job.phrases.length ? '+ ' : ''}
                    {examplesText(job.examples)}
                  </span>
                )}{' '}
                <span className="path">{hideText(sourceText(job.folder))}</span>
                <span className={`badge state-${job.state}`} data-testid="job-state">
                  {job.state}
                </span>
              </div>
              <PhraseWarnings
                familiarity={job.phrases.flatMap((p) => familiarity.get(p) ?? [])}
                testId="job-phrase-warning"
              />
              {job.examples > 0 && job.examples < examples.confidentFrom && (
                <p className="hint" data-testid="job-examples-warning">
                  <span aria-hidden="true">⚠ </span>
                  {fewExamplesText(examples.confidentFrom)}
                </p>
              )}
              <FileList
                summary={`⚠ ${job.examplesLeftOut.length} of its example scans could not be used and were left out`}
                files={job.examplesLeftOut}
                testId="job-examples-left-out"
              />
              {job.examplesModel && !job.examplesModelActive && (
                <p className="hint" data-testid="job-examples-model">
                  <span aria-hidden="true">⚠ </span>
                  Examples counted as another model encoded them (not the active one): its results, opened with the
                  active model, encode them again from their files, and the count follows.
                </p>
              )}
              {p && (
                <div className="job-progress">
                  <progress max={100} value={pct ?? undefined} aria-label="Progress" />
                  <span data-testid="job-counts">{progressText(job, p)}</span>
                </div>
              )}
              {/* A finished job's message repeats the counts above; other messages say why it stopped. */}
              {job.message && !(job.state === 'done' && p) && (
                <p className="muted" data-testid="job-message">
                  {hideText(job.message)}
                </p>
              )}
              {job.flagged !== null && <p data-testid="job-flagged">{job.flagged} flagged</p>}
              <div className="actions">
                {job.state === 'running' && (
                  <button
                    type="button"
                    onClick={() => act(() => api.call('screen.control', { id: job.id, action: 'pause' }))}
                  >
                    Pause
                  </button>
                )}
                {(job.state === 'paused' || job.state === 'interrupted' || job.state === 'failed') && (
                  <button
                    type="button"
                    onClick={() => act(() => api.call('screen.control', { id: job.id, action: 'resume' }))}
                  >
                    Resume
                  </button>
                )}
                {(job.state === 'running' || job.state === 'paused' || job.state === 'interrupted') && (
                  <button
                    type="button"
                    onClick={() => act(() => api.call('screen.control', { id: job.id, action: 'cancel' }))}
                  >
                    Cancel
                  </button>
                )}
                {job.state === 'done' && (
                  <button type="button" onClick={() => void showResults(job)}>
                    Results
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ul>
      {openJob && open && (
        <section className="screen-results" aria-label="Screening results">
          <div className="toolbar">
            <span className="results-count">
              <strong>{flaggedCount} flagged</strong> of {counted(open.rows.length, 'file')}
              {open.exampleCount > 0 && (
                <>
                  {' '}
                  <span data-testid="results-examples">
                    by {openJob.phrases.length ? 'the phrases and ' : ''}
                    {examplesText(open.exampleCount)}
                    {open.counterExamples > 0 && `, away from ${open.counterExamples} reviewed as not the finding`}
                  </span>
                </>
              )}
            </span>
            {openJob.phrases.length > 0 && (
              <label className="threshold">
                Threshold {threshold.toFixed(2)}
                <UnitSlider value={threshold} label="Flag threshold" onChange={setThreshold} />
              </label>
            )}
            <label>
              <input type="checkbox" checked={flaggedOnly} onChange={(e) => setFlaggedOnly(e.target.checked)} /> flagged
              only
            </label>
            <button type="button" onClick={exportCsv}>
              Export CSV
            </button>
            <button
              type="button"
              onClick={() =>
                download(
                  exportName(openJob, 'json'),
                  new Blob(
                    [
                      JSON.stringify(
                        {
                          job: exportJob(openJob),
                          // The rows' "flagged" is at the threshold set in the view, which may not be the job's;
                          // with "flagged only" the rows are those flagged at it.
                          shown: { threshold, flaggedOnly },
                          ...examplesExport(),
                          rows: rows.map(exportRow),
                        },
                        null,
                        2,
                      ),
                    ],
                    {
                      type: 'application/json',
                    },
                  ),
                )
              }
            >
              Export JSON
            </button>
            <span className="muted">Research use only — not for clinical decisions.</span>
          </div>
          {open.exampleCount > 0 && (
            <p className="muted" data-testid="results-examples-rule">
              Example similarity: the cosine between a scan and the mean of the {examplesText(open.exampleCount)}
              {open.counterExamples > 0 &&
                ` less half the mean of the ${open.counterExamples} reviewed as not the finding (scans like them fall)`}
              {open.examplePatches
                ? ', each described by its embedding and its patch embeddings max-pooled (a small finding still lights some patch)'
                : ', each described by its embedding alone (the model has no patch embeddings, or the job stored its examples before they were kept)'}
              {open.exampleCentredOn !== null
                ? `, both centred on the mean of the ${counted(open.exampleCentredOn, 'scan')} screened (what sets the examples apart, not what every scan shares)`
                : ' (too few scans screened to centre on their mean: compared as they are)'}
              ; a scan as similar as the least typical example, less 0.05, is flagged.
              {open.mixWeights && (
                <span data-testid="results-mix-rule">
                  {' '}
                  “{openJob.phrases[0]} + examples”: the phrase&apos;s zero-shot score and the example similarity, each
                  standardised over the scans screened and weighed {Number(open.mixWeights.phrase.toFixed(2))} :{' '}
                  {Number(open.mixWeights.examples.toFixed(2))}
                  {open.mixWeights.bySkill ? ', each as high as it ranks the examples among them' : ''} (it flags
                  nothing of its own).
                </span>
              )}
              {open.exampleCoherence && (
                <>
                  {' '}
                  <span data-testid="results-examples-coherence">{coherenceText(open.exampleCoherence)}</span>
                </>
              )}
              {!open.exampleCoherence && open.exampleCount > 1 && (
                <>
                  {' '}
                  <span data-testid="results-examples-coherence">
                    {open.exampleCentredOn === null
                      ? 'Too few scans screened to tell how alike the examples are.'
                      : 'How alike the examples are cannot be told: the same scan is among them twice, or the scans screened are all alike.'}
                  </span>
                </>
              )}
              {open.exampleCoherence && !open.exampleCoherence.alike && (
                <>
                  {' '}
                  <span className="hint" data-testid="results-examples-unlike">
                    <span aria-hidden="true">⚠ </span>
                    {open.exampleCoherence.undecided
                      ? 'Too few examples to tell whether they are more alike than scans picked at random: more examples decide it.'
                      : "The examples are no more alike than scans picked at random: the model's image features may not carry what they share, so flagging by them is close to chance."}
                  </span>
                </>
              )}
              {open.exampleCount < examples.confidentFrom && (
                <>
                  {' '}
                  <span className="hint" data-testid="results-examples-warning">
                    <span aria-hidden="true">⚠ </span>
                    {fewExamplesText(examples.confidentFrom)}
                  </span>
                </>
              )}
            </p>
          )}
          {remoteRows && (
            <p className="muted" data-testid="screen-remote-note">
              Images screened on a PACS are named by the archive and their UIDs; opening one retrieves it from the
              archive when it is no longer cached.
            </p>
          )}
          <p className="muted" data-testid="review-hint">
            Review the first results: <strong>✓ Finding</strong> adds a scan to the examples the results are ranked by,{' '}
            <strong>✗ Not it</strong> makes scans like it fall. The ranking updates with each mark; the marks are kept
            with the job and exported with its rows.
          </p>
          <div
            className="results-scroll"
            ref={rowsDrawn.ref}
            onKeyDown={rowsDrawn.onKeyDown}
            data-testid="results-scroll"
            role="region"
            aria-label="Result rows"
          >
            <table className="results-table" data-scan-list aria-rowcount={rows.length + 1}>
              <thead>
                <tr aria-rowindex={1}>
                  <th className="col-scan" aria-sort={ariaSort('file')}>
                    <button type="button" className="sort" onClick={() => sortBy('file')}>
                      scan<span aria-hidden="true">{marker('file')}</span>
                    </button>
                  </th>
                  {openJob.phrases.map((p, j) => (
                    <th key={p} className="col-score" aria-sort={ariaSort(j)}>
                      <button type="button" className="sort" onClick={() => sortBy(j)}>
                        {p}
                        <span aria-hidden="true">{marker(j)}</span>
                      </button>
                    </th>
                  ))}
                  {open.exampleCount > 0 && (
                    <th className="col-score" aria-sort={ariaSort('example')}>
                      <button type="button" className="sort" onClick={() => sortBy('example')}>
                        example similarity<span aria-hidden="true">{marker('example')}</span>
                      </button>
                    </th>
                  )}
                  {mixes && (
                    <th className="col-score" aria-sort={ariaSort('mix')}>
                      <button
                        type="button"
                        className="sort"
                        onClick={() => sortBy('mix')}
                        title="The phrase's zero-shot score and the example similarity, each standardised over the scans screened, weighed as the rule below the table says"
                      >
                        {openJob.phrases[0]} + examples<span aria-hidden="true">{marker('mix')}</span>
                      </button>
                    </th>
                  )}
                  <th className="col-status" aria-sort={ariaSort('status')}>
                    <button type="button" className="sort" onClick={() => sortBy('status')}>
                      status<span aria-hidden="true">{marker('status')}</span>
                    </button>
                  </th>
                  <th className="col-review">review</th>
                </tr>
              </thead>
              <tbody>
                {rowsDrawn.start > 0 && <SpacerRow rows={rowsDrawn.start} columns={columnCount} />}
                {rows.slice(rowsDrawn.start, rowsDrawn.end).map((r, k) => (
                  <tr
                    key={r.path}
                    className={r.flagged ? 'flagged' : ''}
                    data-testid="screen-row"
                    data-row-index={rowsDrawn.start + k}
                    aria-rowindex={rowsDrawn.start + k + 2}
                  >
                    <td>
                      <button
                        type="button"
                        className="link"
                        {...(isLocalFile(r.path) ? { 'data-scan-path': r.path } : { 'data-remote-key': r.path })}
                        onClick={() => (isLocalFile(r.path) ? onView(r.path, undefined, rowPaths) : viewRemote(r))}
                        title={naming(r.path).path}
                      >
                        <ScanName path={r.path} />
                      </button>
                    </td>
                    {openJob.phrases.map((p, j) => (
                      <td key={p}>{r.scores[j] ? r.scores[j]!.probability.toFixed(3) : '—'}</td>
                    ))}
                    {open.exampleCount > 0 && (
                      <td>{r.exampleSimilarity === null ? '—' : r.exampleSimilarity.toFixed(3)}</td>
                    )}
                    {mixes && <td data-testid="mix-score">{r.phraseAndExamples?.toFixed(2) ?? '—'}</td>}
                    <td className="status" title={statusText(r) || undefined}>
                      {statusText(r)}
                    </td>
                    <td className="review">
                      {r.example && (
                        <span className="muted" data-testid="review-example" title="One of the job's example scans">
                          example
                        </span>
                      )}
                      {r.status === 'ok' &&
                        !r.example &&
                        REVIEW_MARKS.map(({ mark, label, title }) => (
                          <button
                            key={mark}
                            type="button"
                            aria-pressed={r.review === mark}
                            // Not \`disabled\` while a mark is on its way: a disabled button loses the focus, and a
                            // reviewer marking from the keyboard would lose their place.
                            aria-disabled={reviewing}
                            data-testid={`review-${mark}`}
                            title={title}
                            onClick={() => !reviewing && review(openJob, r, r.review === mark ? null : mark)}
                          >
                            {label}
                          </button>
                        ))}
                    </td>
                  </tr>
                ))}
                {rowsDrawn.end < rows.length && <SpacerRow rows={rows.length - rowsDrawn.end} columns={columnCount} />}
              </tbody>
            </table>
          </div>
          <p className="muted" data-testid="results-rows-shown">
            {rows.length === 0
              ? 'No rows.'
              : `Rows ${rowsDrawn.shown.first}–${rowsDrawn.shown.last} of ${rows.length}` +
                (rows.length > rowsDrawn.shown.last - rowsDrawn.shown.first + 1
                  ? ' (scroll, or ↑ ↓ Page Up / Down, Home / End from a row).'
                  : '.')}
          </p>
        </section>
      )}
    </section>
  );
}

/**
 * An export's file name says which job it is: its phrases (or its example set), so that the exports of several
 * jobs saved in one folder neither replace one another nor have to be renamed by hand.
 */
function exportName(job: ScreenJob, ext: 'csv' | 'json'): string {
  const what = (job.phrases.length ? job.phrases.join(' ') : 'examples')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `radsift-screening-${what || 'job'}.${ext}`;
}

/** What the phrase box holds at first: an example of what to type. */
const DEFAULT_PHRASE = 'pneumothorax';

/** A result row's height in pixels (styles.css sets the same): rows out of view are drawn as one spacer. */
const RESULT_ROW = 40;

/** Stands in for `rows` rows not drawn, at their height, so the scroll bar spans every row. */
function SpacerRow({ rows, columns }: { rows: number; columns: number }) {
  return (
    <tr className="spacer" aria-hidden="true">
      <td colSpan={columns} style={{ height: rows * RESULT_ROW }} />
    </tr>
  );
}

/** How alike the examples are, in words that agree with the verdict (above or below random pairs). */
function coherenceText(c: Coherence): string {
  const side = c.effect >= 0 ? 'above' : 'below';
  return (
    `How alike the examples are: mean cosine of two ${c.value.toFixed(2)}; of two scans picked at random from those ` +
    `screened ${c.random.toFixed(2)}; ${Math.abs(c.effect).toFixed(2)} standard deviations ${side}, p = ${c.p.toFixed(3)}.`
  );
}
