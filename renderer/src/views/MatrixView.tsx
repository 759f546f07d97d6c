/**
 * The retrieval matrix: scans as rows, report phrases as columns, each cell
 * the similarity or the zero-shot probability, coloured on viridis with the
 * value written in. Sort by any column, add and remove phrases, open a scan,
 * export CSV or PNG. Rows are virtualised: only the visible ones are in the DOM.
 */
import {
  useEffect,
  useLayoutEffect,
  useMemo,
  useState,
  type Dispatch,
  type FormEvent,
  type SetStateAction,
} from 'react';
import { useSessionField } from '../sessionField';
import { download } from '../download';
import { counted, csvCell } from '../format';
import { getApi, type Response } from '../api';
import { css, textOn, viridis } from '../colormap';
import { IndexProgress, useIndexProgress } from '../components/IndexProgress';
import { PhraseInput } from '../components/PhraseInput';
import { ModelChanged } from '../components/ModelChanged';
import type { OpenViewer } from '../views';
import { PhraseWarnings, unfamiliarText } from '../components/PhraseWarnings';
import { ScanName } from '../components/ScanName';
import { useScanNaming } from '../scanNames';
import { useRowWindow } from '../rowWindow';

type Matrix = Response<'matrix.run'>;
type Score = 'probability' | 'similarity';

const ROW = 52;
/**
 * The largest canvas the PNG export draws: Chromium (the app's renderer) refuses bigger ones (toBlob yields null):
 * a side of 65,535 px (2,977 rows measured), an area of 2^28 px. A build or GPU that refuses less is caught by the
 * null blob, which is said too.
 */
const PNG_MAX_SIDE = 65_535;
const PNG_MAX_AREA = 268_435_456;
/** The widest a PNG's phrase column grows to fit its heading. */
const PNG_COLUMN_MAX = 240;

/** `text` as drawn in at most `max` px with the canvas' font: cut short with an ellipsis where it is wider. */
function fitText(g: CanvasRenderingContext2D, text: string, max: number): string {
  if (g.measureText(text).width <= max) return text;
  let cut = text;
  while (cut.length > 1 && g.measureText(`${cut}…`).width > max) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}
const DEFAULT_PHRASES = ['pleural effusion', 'cardiomegaly', 'pneumothorax', 'edema'];

/**
 * What the Matrix view holds, kept by App while other views are shown (the view itself is unmounted): the phrases,
 * the matrix computed, the score shown and the sort. Another collection starts afresh (EMPTY_MATRIX); another model
 * drops the matrix, which was its predecessor's scores.
 */
export interface MatrixSession {
  phrases: string[];
  matrix: Matrix | null;
  score: Score;
  /** A phrase column by its index, or 'scan': the rows by the names shown. */
  sort: { column: number | 'scan'; descending: boolean } | null;
  /** The model loaded since the last matrix, which went with it (the previous model's scores); null after a run. */
  modelChanged: string | null;
}
export const EMPTY_MATRIX: MatrixSession = {
  phrases: DEFAULT_PHRASES,
  matrix: null,
  score: 'probability',
  sort: null,
  modelChanged: null,
};

export function MatrixView({
  hasStudies,
  onView,
  shown = null,
  session,
  onSession,
}: {
  hasStudies: boolean;
  onView: OpenViewer;
  session: MatrixSession;
  onSession: Dispatch<SetStateAction<MatrixSession>>;
  /** The scan an open viewer shows (null: none): its row is kept in view, for the focus to come back to. */
  shown?: string | null;
}) {
  const api = getApi();
  const naming = useScanNaming();
  const [phrases, setPhrases] = useSessionField(session, onSession, 'phrases');
  const [draft, setDraft] = useState('');
  const [matrix, setMatrix] = useSessionField(session, onSession, 'matrix');
  const [score, setScore] = useSessionField(session, onSession, 'score');
  const [sort, setSort] = useSessionField(session, onSession, 'sort');
  const [modelChanged, setModelChanged] = useSessionField(session, onSession, 'modelChanged');
  const [busy, setBusy] = useState(false);
  const encoding = useIndexProgress();
  const [error, setError] = useState<string | null>(null);
  // A run the user stopped (index.cancel): said as a status, not an error.
  const [stopped, setStopped] = useState<string | null>(null);

  async function compute(next: string[]) {
    // Columns change: a sort by a column index would now mean another phrase.
    if (next.join('\u0000') !== phrases.join('\u0000')) setSort(null);
    setPhrases(next);
    if (!next.length) return setMatrix(null);
    setBusy(true);
    setError(null);
    setStopped(null);
    encoding.begin();
    try {
      setMatrix(await api.call('matrix.run', { phrases: next }));
      setModelChanged(null);
    } catch (e) {
      const err = e as { code?: string; message: string };
      (err.code === 'CANCELLED' ? setStopped : setError)(err.message);
    } finally {
      setBusy(false);
    }
  }

  const values = (r: Matrix['rows'][number]) => (score === 'probability' ? r.probability : r.similarity);
  const range = useMemo(() => {
    if (!matrix || score === 'probability') return { lo: 0, hi: 1 };
    // A loop, not Math.min(...cells): some 130,000 cells are more arguments than a call takes, and the throw
    // blanked the window.
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of matrix.rows)
      for (const v of r.similarity) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    return { lo, hi };
  }, [matrix, score]);
  const norm = (v: number) => (range.hi > range.lo ? (v - range.lo) / (range.hi - range.lo) : 0.5);
  const rows = useMemo(() => {
    if (!matrix) return [];
    const pick = (r: Matrix['rows'][number]) => (score === 'probability' ? r.probability : r.similarity);
    if (sort?.column === 'scan') {
      // By the names shown, as the Screening table's scan column sorts (its key made once per row; the path
      // breaks ties between scans named alike); numeric, so that S2/I10 comes after S2/I9.
      const collator = new Intl.Collator(undefined, { numeric: true });
      const sign = sort.descending ? -1 : 1;
      const keyed = matrix.rows.map((r) => ({ r, text: naming(r.path).text }));
      keyed.sort((a, b) => sign * (collator.compare(a.text, b.text) || collator.compare(a.r.path, b.r.path)));
      return keyed.map((k) => k.r);
    }
    const out = [...matrix.rows];
    if (sort) {
      const j = sort.column;
      out.sort((a, b) => (pick(b)[j]! - pick(a)[j]!) * (sort.descending ? 1 : -1));
    }
    return out;
  }, [matrix, sort, score, naming]);
  const ariaSort = (column: number | 'scan') =>
    sort?.column === column ? (sort.descending ? 'descending' : 'ascending') : 'none';
  const marker = (column: number | 'scan') => (sort?.column === column ? (sort.descending ? ' ▼' : ' ▲') : '');
  // A column pressed again turns its order; a new one starts with what a reader wants first: highest scores, names A to Z.
  const sortBy = (column: number | 'scan') =>
    setSort({ column, descending: sort?.column === column ? !sort.descending : column !== 'scan' });
  const rowsDrawn = useRowWindow<HTMLDivElement>(rows.length, ROW);
  const paths = useMemo(() => rows.map((r) => r.path), [rows]);
  const { reveal, toTop } = rowsDrawn;
  useLayoutEffect(toTop, [matrix, sort, score, toTop]); // new rows or a new order start at the top
  useEffect(() => {
    if (shown !== null) reveal(paths.indexOf(shown));
  }, [shown, paths, reveal]);

  const onAdd = (e: FormEvent) => {
    e.preventDefault();
    const p = draft.trim().toLowerCase().replace(/\s+/g, ' '); // as the API dedupes phrases (distinctPhrases)
    if (p && !phrases.includes(p)) void compute([...phrases, p]);
    setDraft('');
  };

  const exportCsv = () => {
    if (!matrix) return;
    const head = ['path', ...matrix.phrases.flatMap((p) => [`${p} similarity`, `${p} probability`])]
      .map(csvCell)
      .join(',');
    // With identifiers hidden, the scan's own patient name, ID and accession are cut out of its path too.
    const lines = rows.map((r) =>
      [
        csvCell(naming(r.path).path),
        ...r.similarity.flatMap((s, j) => [s.toFixed(6), r.probability[j]!.toFixed(6)]),
      ].join(','),
    );
    download('radsift-matrix.csv', new Blob([`${head}\n${lines.join('\n')}\n`], { type: 'text/csv' }));
  };

  const exportPng = () => {
    if (!matrix) return;
    setError(null);
    const h = 22;
    const font = '12px sans-serif';
    // Rows are named as in the view (identifiers hidden when the toggle says so); the label column fits the longest.
    const names = rows.map((r) => naming(r.path).text);
    const canvas = document.createElement('canvas');
    const g = canvas.getContext('2d')!;
    g.font = font;
    const lw = names.reduce((w, n) => Math.max(w, Math.ceil(g.measureText(n).width) + 16), 320);
    // Columns as wide as the longest phrase (110-240 px); a longer one ends in an ellipsis rather than running
    // over the next column's heading ("subcutaneous emphysema" is 140 px at this font).
    const cw = matrix.phrases.reduce((w, p) => Math.max(w, Math.ceil(g.measureText(p).width) + 12), 110);
    const columnWidth = Math.min(cw, PNG_COLUMN_MAX);
    const width = lw + columnWidth * matrix.phrases.length;
    const height = h * (rows.length + 2);
    // Too large for one image: said, not dropped (the browser's refusal made the click do nothing at all).
    if (width > PNG_MAX_SIDE) {
      const fit = Math.floor((PNG_MAX_SIDE - lw) / columnWidth);
      return setError(
        `Too many phrase columns for one PNG (${matrix.phrases.length}; at most ${fit} fit): export CSV instead.`,
      );
    }
    if (height > PNG_MAX_SIDE || width * height > PNG_MAX_AREA) {
      const fit = Math.min(Math.floor(PNG_MAX_SIDE / h), Math.floor(PNG_MAX_AREA / width / h)) - 2;
      return setError(`Too many rows for one PNG (${rows.length}; at most ${fit} fit): export CSV instead.`);
    }
    canvas.width = width;
    canvas.height = height;
    g.fillStyle = '#111418';
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.font = font;
    g.fillStyle = '#d8dee6';
    g.fillText(`${score} — research use only, not for clinical decisions`, 6, 15);
    matrix.phrases.forEach((p, j) => g.fillText(fitText(g, p, columnWidth - 8), lw + j * columnWidth + 4, h + 15));
    rows.forEach((r, i) => {
      const y = h * (i + 2);
      g.fillStyle = '#d8dee6';
      g.fillText(names[i]!, 6, y + 15);
      values(r).forEach((v, j) => {
        const c = viridis(norm(v));
        g.fillStyle = css(c);
        g.fillRect(lw + j * columnWidth, y, columnWidth - 2, h - 2);
        g.fillStyle = textOn(c);
        g.fillText(v.toFixed(3), lw + j * columnWidth + 6, y + 15);
      });
    });
    canvas.toBlob((b) => {
      if (b) download('radsift-matrix.png', b);
      else
        setError(
          `The PNG could not be made: the browser refused a ${width} × ${height} px image (${counted(rows.length, 'row')}). ` +
            'Export CSV instead.',
        );
    }, 'image/png');
  };

  if (!hasStudies)
    return (
      <p className="placeholder">
        Open a study, a folder or the demo study in the Studies view first; the matrix shows the scans you opened.
      </p>
    );
  const visible = rows.slice(rowsDrawn.start, rowsDrawn.end);
  // Rows wholly in view, and how many wait below the fold.
  const { first: topRow, last: bottomRow } = rowsDrawn.shown;
  const below = rows.length - bottomRow;
  // The scans' column narrows with the window (its names end in an ellipsis) so that phrases keep room to be read.
  const columns = `clamp(220px, 30vw, 380px) repeat(${matrix?.phrases.length ?? 0}, minmax(96px, 1fr))`;

  return (
    <section className="matrix" aria-label="Retrieval matrix">
      <form className="toolbar" onSubmit={onAdd}>
        <PhraseInput
          className="phrase-input"
          aria-label="Add a phrase"
          placeholder="Add a phrase column…"
          value={draft}
          onValue={setDraft}
        />
        <button type="submit" disabled={busy || !draft.trim()}>
          Add
        </button>
        {/* Both labels take the same cell, the one not shown hidden: the button is as wide as the longer, so the
            controls after it stay where they are when the first matrix turns "Compute matrix" into "Recompute". */}
        <button type="button" className="same-width" disabled={busy} onClick={() => void compute(phrases)}>
          <span className={matrix ? undefined : 'unshown'}>Recompute</span>
          <span className={matrix ? 'unshown' : undefined}>Compute matrix</span>
        </button>
        <label>
          Score{' '}
          <select aria-label="Score type" value={score} onChange={(e) => setScore(e.target.value as Score)}>
            <option value="probability">zero-shot probability</option>
            <option value="similarity">cosine similarity</option>
          </select>
        </label>
        {/* The two exports wrap together: a narrow window does not leave "Export PNG" alone on a line. */}
        <span className="toolbar-group">
          <button type="button" disabled={!matrix} onClick={exportCsv}>
            Export CSV
          </button>
          <button type="button" disabled={!matrix} onClick={exportPng}>
            Export PNG
          </button>
        </span>
      </form>
      <p className="terms">
        {phrases.map((p) => (
          <span key={p} className="chip">
            {p}{' '}
            <button
              type="button"
              className="chip-x"
              aria-label={`Remove ${p}`}
              disabled={busy}
              onClick={() => void compute(phrases.filter((x) => x !== p))}
            >
              ×
            </button>
          </span>
        ))}
      </p>
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
      {modelChanged && !matrix && phrases.length > 0 && (
        <ModelChanged model={modelChanged} action="Compute again" disabled={busy} onRun={() => void compute(phrases)} />
      )}
      {matrix && (
        <>
          <div className="legend" aria-label="Colour scale">
            <span>{range.lo.toFixed(2)}</span>
            <span className="legend-bar" />
            <span>{range.hi.toFixed(2)}</span>
            <span className="muted">
              {counted(matrix.rows.length, 'scan')} × {counted(matrix.phrases.length, 'phrase')} · {score} · research
              use only
            </span>
          </div>
          <PhraseWarnings familiarity={phraseOrder(matrix)} idPrefix="matrix-familiarity" />
          <p className="muted matrix-rows-shown" data-testid="matrix-rows-shown">
            {rows.length === 0
              ? 'No rows.'
              : below > 0
                ? `Showing rows ${topRow}–${bottomRow} of ${rows.length}: scroll for ${below} more.`
                : topRow > 1
                  ? `Showing rows ${topRow}–${bottomRow} of ${rows.length} (the end).`
                  : rows.length === 1
                    ? 'Showing its one row.'
                    : `Showing all ${rows.length} rows.`}
          </p>
          <div
            className="matrix-grid"
            role="table"
            aria-label="Scans by phrases"
            aria-rowcount={rows.length + 1}
            data-scan-list
          >
            <div
              className="matrix-row matrix-head"
              role="row"
              aria-rowindex={1}
              style={{ gridTemplateColumns: columns }}
            >
              <div role="columnheader" className="matrix-slot" aria-sort={ariaSort('scan')}>
                <button type="button" title="Sort by the scans' names" onClick={() => sortBy('scan')}>
                  <span>scan</span>
                  <span aria-hidden="true">{marker('scan')}</span>
                </button>
              </div>
              {matrix.phrases.map((p, j) => {
                const unfamiliar = matrix.familiarity.find((f) => f.phrase === p && !f.known);
                return (
                  // The role on a wrapper, not on the button: a screen reader announces a header it can press.
                  <div key={p} role="columnheader" className="matrix-slot" aria-sort={ariaSort(j)}>
                    <button
                      type="button"
                      className={unfamiliar ? 'unfamiliar' : undefined}
                      aria-describedby={unfamiliar ? `matrix-familiarity-${j}` : undefined}
                      title={unfamiliar ? `“${p}”: ${unfamiliarText(unfamiliar)}` : p}
                      onClick={() => sortBy(j)}
                    >
                      <span className="matrix-phrase">{p}</span>
                      {unfamiliar && (
                        <span className="unfamiliar-mark" aria-hidden="true" data-testid="unfamiliar-mark">
                          {' '}
                          ⚠
                        </span>
                      )}
                      <span aria-hidden="true">{marker(j)}</span>
                    </button>
                  </div>
                );
              })}
            </div>
            <div
              className="matrix-body"
              role="rowgroup"
              aria-label="Matrix rows"
              ref={rowsDrawn.ref}
              onKeyDown={rowsDrawn.onKeyDown}
              data-testid="matrix-body"
            >
              <div style={{ height: rows.length * ROW, position: 'relative' }}>
                {visible.map((r, k) => (
                  <div
                    key={r.path}
                    role="row"
                    className="matrix-row"
                    data-testid="matrix-row"
                    data-row-index={rowsDrawn.start + k}
                    aria-rowindex={rowsDrawn.start + k + 2}
                    style={{
                      gridTemplateColumns: columns,
                      position: 'absolute',
                      top: (rowsDrawn.start + k) * ROW,
                      left: 0,
                      right: 0,
                      height: ROW,
                    }}
                  >
                    <div role="rowheader" className="matrix-slot">
                      <button
                        type="button"
                        className="matrix-scan"
                        data-scan-path={r.path}
                        onClick={() => onView(r.path, undefined, paths)}
                        title={naming(r.path).path}
                      >
                        <img src={api.scanUrl(r.path, { kind: 'thumb', size: 64 })} alt="" loading="lazy" />
                        <ScanName path={r.path} />
                      </button>
                    </div>
                    {values(r).map((v, j) => {
                      const c = viridis(norm(v));
                      return (
                        <div key={j} role="cell" className="matrix-slot">
                          <button
                            type="button"
                            className="matrix-cell"
                            style={{ background: css(c), color: textOn(c) }}
                            onClick={() => onView(r.path, matrix.phrases[j], paths)}
                            aria-label={`${matrix.phrases[j]}: ${v.toFixed(3)}`}
                            title={`Open with the heatmap of “${matrix.phrases[j]}”`}
                          >
                            {v.toFixed(3)}
                          </button>
                        </div>
                      );
                    })}
                  </div>
                ))}
              </div>
            </div>
          </div>
        </>
      )}
    </section>
  );
}

/** The familiarity entries in column order (index j is column j), for the warnings' ids. */
function phraseOrder(matrix: Matrix): Matrix['familiarity'] {
  return matrix.phrases.map(
    (p) =>
      matrix.familiarity.find((f) => f.phrase === p) ?? {
        phrase: p,
        known: true,
        unknownWords: [],
        unknownWordShare: 0,
        nearest: null,
        reason: null,
      },
  );
}
