/**
 * The line under a ranked list of cards that shows only its first ones (each card asks for a thumbnail):
 * how many are shown of how many, and a button for the next page. A list is never cut without saying so.
 */
import { useState } from 'react';

/** How many of a ranked list to show: `page` at first and again for each new `list`; a page more on asking. */
export function useShownCount(list: unknown, page: number): [number, () => void] {
  // Kept with the list it was asked for: a new list starts at one page in the same render (no flash of the
  // old count's cards, each asking for a thumbnail).
  const [asked, setAsked] = useState({ list, count: page });
  const count = asked.list === list ? asked.count : page;
  return [count, () => setAsked({ list, count: count + page })];
}

export function MoreCards({
  shown,
  total,
  page,
  onMore,
  testId,
}: {
  shown: number;
  total: number;
  page: number;
  onMore: () => void;
  testId: string;
}) {
  if (total <= shown) return null;
  return (
    <p className="muted more-cards" data-testid={testId}>
      Showing the first {shown} of {total}.{' '}
      <button type="button" onClick={onMore}>
        Show {Math.min(page, total - shown)} more
      </button>
    </p>
  );
}
