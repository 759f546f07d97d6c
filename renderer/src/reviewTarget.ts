/**
 * The screening job whose results are open, as the viewer sees it: a scan opened from those results can be
 * reviewed where it is looked at ("✓ Finding" / "✗ Not it", or Y / N, which also step to the next scan),
 * instead of closing the viewer to find its row. The Screening view publishes the job while its results are
 * shown and withdraws it when they are not; the viewer reads it. Marks made from the viewer apply one after
 * another, in the order made, and show at once: a mark on its way counts as made until it fails. While a
 * viewer is open the rows under it are ranked again only when it closes.
 */
import { useEffect, useSyncExternalStore } from 'react';

export type ReviewMark = 'finding' | 'not';

export interface ReviewTarget {
  /** A row's mark: null for none, "example" for one of the job's own examples (no marks), undefined for a scan
   * that is no markable row of the job (not one of its rows, or one that could not be read). */
  markOf(path: string): ReviewMark | 'example' | null | undefined;
  /** Sets (null: clears) a row's mark; it shows as made at once; the promise rejects, with the reason, only
   * if the mark is refused (the rows are ranked again once no other mark waits). */
  mark(path: string, mark: ReviewMark | null): Promise<void>;
}

/** The two marks as the Screening view's rows and the viewer show them; `key` marks and steps on in the viewer. */
export const REVIEW_MARKS = [
  {
    mark: 'finding',
    label: '✓ Finding',
    key: 'y',
    title: 'Shows the finding: it joins the examples the results are ranked by',
  },
  { mark: 'not', label: '✗ Not it', key: 'n', title: 'Not the finding: scans like it fall in the ranking' },
] as const;

let current: ReviewTarget | null = null;
const listeners = new Set<() => void>();

export function publishReviewTarget(target: ReviewTarget | null): void {
  current = target;
  for (const listener of listeners) listener();
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

export const useReviewTarget = (): ReviewTarget | null => useSyncExternalStore(subscribe, () => current);

/**
 * Viewers open over the results: while one is, the rows under it need not be ranked again after each mark
 * (7 MB read and drawn at 20,000 rows, competing with the next scan's image); the Screening view ranks them once
 * the last viewer closes (whenReviewersLeave).
 */
let reviewers = 0;
const leaveListeners = new Set<() => void>();

export const reviewersOpen = (): number => reviewers;

/** Calls `listener` each time the last open viewer closes; returns the unsubscribe. */
export function whenReviewersLeave(listener: () => void): () => void {
  leaveListeners.add(listener);
  return () => leaveListeners.delete(listener);
}

/** A viewer that offers review marks, while mounted. */
export function useReviewerPresence(): void {
  useEffect(() => {
    reviewers++;
    return () => {
      reviewers--;
      if (reviewers === 0) for (const listener of leaveListeners) listener();
    };
  }, []);
}
