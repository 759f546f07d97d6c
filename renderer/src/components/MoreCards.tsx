/**
 * The line under a ranked list of cards that shows only its first ones (each card asks for a thumbnail):
 * how many are shown of how many, and a button for the next page. A list is never cut without saying so.
 * Rendered right after the list (`<ol>`) it counts.
 */
import { useRef, useState } from 'react';

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
