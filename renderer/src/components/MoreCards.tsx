/**
 * The line under a ranked list of cards that shows only its first ones (each card asks for a thumbnail):
 * how many are shown of how many, and a button for the next page. A list is never cut without saying so.
 * Rendered right after the list (`<ol>`) it counts.
 */
import { useEffect, useRef, useState } from 'react';

/** How many of a ranked list to show: `page` at first and again for each new `list`; a page more on asking. */
export function useShownCount(list: unknown, page: number): [number, () => void, (n: number) => void] {
  // Kept with the list it was asked for: a new list starts at one page in the same render (no flash of the
  // old count's cards, each asking for a thumbnail).
  const [asked, setAsked] = useState({ list, count: page });
  const count = asked.list === list ? asked.count : page;
  const showThrough = (n: number) => {
    if (n > count) setAsked({ list, count: Math.ceil(n / page) * page });
  };
  return [count, () => setAsked({ list, count: count + page }), showThrough];
}

/** What the viewer shows, and the list it steps through (App's `viewing`). */
export interface Viewed {
  entry: string;
  list: readonly string[] | undefined;
}

/**
 * The viewer, opened on this list's cards, steps through the whole ranking, not only the cards shown: the
 * pages it steps into are shown too, so that the focus goes back to the card of the scan last seen.
 */
export function useShowViewed(paths: readonly string[], viewed: Viewed | null, showThrough: (n: number) => void): void {
  const index = viewed && viewed.list === paths ? paths.indexOf(viewed.entry) : -1;
  useEffect(() => {
    if (index >= 0) showThrough(index + 1);
  });
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
  const line = useRef<HTMLParagraphElement>(null);
  if (total <= shown) return null;
  // The button goes once the last page is shown: the focus goes to the first card added, not to the page.
  const more = () => {
    const list = line.current?.previousElementSibling;
    onMore();
    requestAnimationFrame(() => list?.children[shown]?.querySelector<HTMLElement>('[data-scan-path]')?.focus());
  };
  return (
    <p className="muted more-cards" data-testid={testId} ref={line}>
      Showing the first {shown} of {total}.{' '}
      <button type="button" onClick={more}>
        Show {Math.min(page, total - shown)} more
      </button>
    </p>
  );
}
