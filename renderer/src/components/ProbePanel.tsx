/**
 * Few-shot and linear probe: the scans the user marked positive or negative
 * for a finding become examples ("find similar") or the training set of a
 * logistic-regression probe on their descriptors (as Screening's example sets
 * compare scans), whose cross-validated AUC is shown with the number of labels
 * it rests on, and which ranks the rest.
 */
import { useMemo, useState } from 'react';
import { getApi, type Response } from '../api';
import { onGridKey } from '../gridKeys';
import { counted } from '../format';
import { MoreCards, useShownCount, useShowViewed, type Viewed } from './MoreCards';
import type { OpenViewer } from '../views';
import { ScanName } from './ScanName';
import { useScanNaming } from '../scanNames';

type Probe = Response<'probe.train'>;

/** A probe's answer and the labels it was trained on: another label set is not what it rests on. */
export interface TrainedProbe {
  result: Probe;
  labels: Map<string, 0 | 1>;
}

const sameLabels = (a: Map<string, 0 | 1>, b: Map<string, 0 | 1>) =>
  a.size === b.size && [...a].every(([path, label]) => b.get(path) === label);

/** Scans shown at first, and added by each "Show more". */
const PROBE_PAGE = 24;

export function ProbePanel({
  labels,
  probe: trained,
  onProbe,
  onFindSimilar,
  onView,
  onClear,
  viewed = null,
}: {
  labels: Map<string, 0 | 1>;
  /** The last probe trained (kept by the Query view's session), and where a new one goes. */
  probe: TrainedProbe | null;
  onProbe: (probe: TrainedProbe | null) => void;
  onFindSimilar: (paths: string[]) => void;
  onView: OpenViewer;
  onClear: () => void;
  /** What the viewer shows now, if open: a step past the scans shown shows them up to it. */
  viewed?: Viewed | null;
}) {
  const api = getApi();
  const naming = useScanNaming();
  const [finding, setFinding] = useState('');
  // Shown only while the labels are those it was trained on: after a change it says nothing of them.
  const probe = trained && sameLabels(trained.labels, labels) ? trained.result : null;
  const stale = !!trained && !probe;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const positives = [...labels].filter(([, l]) => l === 1).map(([p]) => p);
  const negatives = [...labels].filter(([, l]) => l === 0).map(([p]) => p);

  async function train() {
    setBusy(true);
    setError(null);
    try {
      const asked = new Map(labels);
      onProbe({ result: await api.call('probe.train', { positives, negatives }), labels: asked });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const [shownCount, showMore, showThrough] = useShownCount(probe, PROBE_PAGE);
  const shown = probe ? probe.rows.slice(0, shownCount) : [];
  // The viewer steps through the whole ranking.
  const rankedPaths = useMemo(() => probe?.rows.map((r) => r.path) ?? [], [probe]);
  useShowViewed(rankedPaths, viewed, showThrough);
  if (!labels.size) return null;
  return (
    <section className="probe" aria-label="Labels and linear probe">
      <div className="toolbar">
        <input
          className="phrase-input"
          aria-label="Finding being labelled"
          placeholder="finding being labelled (for your notes)"
          value={finding}
          onChange={(e) => setFinding(e.target.value)}
        />
        <span data-testid="label-counts">
          {positives.length} positive, {negatives.length} negative
        </span>
        <button type="button" disabled={!positives.length} onClick={() => onFindSimilar(positives)}>
          Find similar
        </button>
        <button
          type="button"
          disabled={busy || positives.length < 2 || negatives.length < 2}
          onClick={() => void train()}
          title="Needs at least 2 positive and 2 negative scans"
        >
          {busy ? 'Training…' : 'Train linear probe'}
        </button>
        <button
          type="button"
          onClick={() => {
            onProbe(null);
            onClear();
          }}
        >
          Clear labels
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {stale && (
        <p className="muted" data-testid="probe-stale">
          The labels changed since the probe was trained: train it again to rank by them.
        </p>
      )}
      {probe && (
        <>
          <p data-testid="probe-auc">
            Linear probe{finding ? ` for “${finding}”` : ''}: cross-validated AUC{' '}
            {probe.auc === null ? '— (too few labels to fold)' : probe.auc.toFixed(3)} on{' '}
            {counted(probe.positives + probe.negatives, 'label')} ({probe.positives} positive, {probe.negatives}{' '}
            negative).{' '}
            <span className="muted" data-testid="probe-features">
              It reads each scan&apos;s embedding{probe.features.patches ? ' and pooled patch embeddings' : ''}
              {probe.features.centredOn
                ? `, centred on the ${counted(probe.features.centredOn, 'scan')} it ranks`
                : ' as they are (too few scans to centre on)'}
              , as Screening&apos;s example sets compare scans. A handful of labels gives a rough estimate; research use
              only.
            </span>
          </p>
          <ol className="results" aria-label="Ranked by the probe" data-scan-list onKeyDown={onGridKey}>
            {shown.map((r) => (
              <li key={r.path} className="result" data-testid="probe-result">
                <button
                  type="button"
                  className="thumb"
                  data-scan-path={r.path}
                  onClick={() => onView(r.path, undefined, rankedPaths)}
                  title={naming(r.path).path}
                >
                  <img
                    src={api.scanUrl(r.path, { kind: 'thumb', size: 160 })}
                    alt={naming(r.path).text}
                    loading="lazy"
                  />
                </button>
                <ScanName path={r.path} />
                <span className="scores">
                  <strong>probe {r.score.toFixed(3)}</strong>{' '}
                  {labels.has(r.path) ? (labels.get(r.path) ? '· labelled +' : '· labelled −') : ''}
                </span>
              </li>
            ))}
          </ol>
          <MoreCards
            shown={shown.length}
            total={probe.rows.length}
            page={PROBE_PAGE}
            onMore={showMore}
            testId="probe-more"
          />
        </>
      )}
    </section>
  );
}
