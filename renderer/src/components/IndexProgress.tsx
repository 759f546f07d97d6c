/**
 * The encoding behind a Query or Matrix run: how far it is, about how long is left, and Stop (index.cancel).
 * A stopped run keeps what it encoded (the view shows the run's CANCELLED message as a status).
 */
import { useRef, useState } from 'react';
import { getApi, type EventPayload } from '../api';
import { duration, formatCount as n } from '../format';
import { useJobProgress } from '../useJobProgress';

type Progress = EventPayload<'job.progress'>;

/**
 * The progress of the run a view starts with `begin()`. The view listens all along (the run's first event,
 * sent as it starts, is not missed), and an earlier run's last event is not shown as this one's.
 */
export function useIndexProgress(): { progress: Progress | null; begin: () => void } {
  const progress = useJobProgress(['index']);
  const earlier = useRef<string | null>(null);
  return {
    progress: progress && progress.jobId !== earlier.current ? progress : null,
    begin: () => {
      earlier.current = progress?.jobId ?? null;
    },
  };
}

export function IndexProgress({ progress, idle }: { progress: Progress | null; idle: string }) {
  const [stopping, setStopping] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const total = progress?.total ?? null;
  const stop = () => {
    if (!progress) return;
    setStopping(true);
    getApi()
      .call('index.cancel', { jobId: progress.jobId })
      .catch((e: Error) => {
        setStopping(false);
        setProblem(e.message);
      });
  };
  return (
    <div className="index-progress" data-testid="index-progress">
      {progress && total ? (
        <>
          <progress value={Math.min(progress.done, total)} max={total} aria-label="Encoding the opened scans" />
          <span role="status" aria-live="polite">
            {stopping
              ? 'Stopping…'
              : `Encoding scans with the model: ${n(progress.done)} of ${n(total)}${
                  progress.etaSeconds != null && progress.done < total
                    ? ` · about ${duration(progress.etaSeconds)} left`
                    : ''
                }`}
          </span>
          <button type="button" disabled={stopping} onClick={stop}>
            Stop
          </button>
        </>
      ) : (
        <span className="muted" role="status" aria-live="polite">
          {idle}
        </span>
      )}
      {problem && (
        <span className="error" role="alert">
          {problem}
        </span>
      )}
    </div>
  );
}
