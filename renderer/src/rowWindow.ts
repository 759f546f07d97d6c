/**
 * Long result lists draw only the rows in view (a job of 20,000 scans would otherwise put 20,000 rows, and their
 * buttons, in the DOM: hundreds of ms of style and layout on each re-rank). Rows have one fixed height, so a
 * row's place is its index times that height, as in VS Code's lists. The hook keeps what a reader relies on in a
 * long list: ↑ / ↓, Page Up / Down, Home / End move the focus row by row through all of them (the same column of
 * the next row), and the row a viewer shows is scrolled into view, so that the focus can go back to it when the
 * viewer closes.
 */
import { useCallback, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';

/** The rows to draw, [start, end), for a list scrolled to `top` with `height` pixels in view under its header. */
export function rowWindow(
  count: number,
  rowHeight: number,
  top: number,
  height: number,
  overscan: number,
): { start: number; end: number } {
  const first = Math.floor(Math.max(0, top) / rowHeight);
  const last = Math.ceil((Math.max(0, top) + Math.max(0, height)) / rowHeight);
  return { start: Math.max(0, Math.min(count, first - overscan)), end: Math.min(count, last + overscan) };
}

/**
 * The scroll position that shows row `index` whole below a sticky header of `header` pixels, moving as little
 * as possible: unchanged when it is in view already.
 */
export function scrollTopShowing(index: number, rowHeight: number, header: number, top: number, height: number) {
  const rowTop = index * rowHeight;
  if (rowTop < top) return rowTop;
  const below = header + rowTop + rowHeight - (top + height);
  return below > 0 ? top + below : top;
}

/** Where a navigation key moves from row `from` of `count`, with `page` rows in view; null: not a move. */
export function rowKeyTarget(key: string, from: number, count: number, page: number): number | null {
  const step: Record<string, number> = { ArrowUp: -1, ArrowDown: 1, PageUp: -page, PageDown: page };
  const to = key === 'Home' ? 0 : key === 'End' ? count - 1 : key in step ? from + step[key]! : null;
  return to === null ? null : Math.max(0, Math.min(count - 1, to));
}

const OVERSCAN = 8;
/** The focusable things of a drawn row: its scan link first, then its buttons. */
const FOCUSABLE = 'button, a[href], input';

export interface RowWindow<E extends HTMLElement> {
  /** Attach to the scroll container (its own scroll bar; a sticky `thead` in it counts as the header). */
  ref: (el: E | null) => void;
  start: number;
  end: number;
  /** Rows wholly in view: the first (1-based) and the last. */
  shown: { first: number; last: number };
  /** Scrolls row `index` into view. */
  reveal(index: number): void;
  /** Row navigation keys for the container's rows (each marked `data-row-index`). */
  onKeyDown(e: KeyboardEvent<HTMLElement>): void;
}

export function useRowWindow<E extends HTMLElement>(count: number, rowHeight: number): RowWindow<E> {
  // The container as state: the hook measures it once it exists (a results table appears after a load).
  const [node, setNode] = useState<E | null>(null);
  const ref = useRef<E | null>(null);
  ref.current = node;
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(600);
  const [header, setHeader] = useState(0);
  // A key moved the focus to a row not drawn yet: it is focused once drawn (row, and which of its focusables).
  const pendingFocus = useRef<{ index: number; slot: number } | null>(null);
  useLayoutEffect(() => {
    const el = node;
    if (!el) return;
    const measure = () => {
      setHeight(el.clientHeight);
      setHeader(el.querySelector('thead')?.getBoundingClientRect().height ?? 0);
      setTop(el.scrollTop);
    };
    measure();
    // Also when fewer rows than before (a filter) make the browser clamp the scroll.
    const onScroll = () => setTop(el.scrollTop);
    el.addEventListener('scroll', onScroll, { passive: true });
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    const head = el.querySelector('thead');
    if (head) observer.observe(head); // a phrase column's heading may wrap to more lines
    return () => {
      el.removeEventListener('scroll', onScroll);
      observer.disconnect();
    };
  }, [node]);
  const { start, end } = rowWindow(count, rowHeight, top, height - header, OVERSCAN);

  const reveal = useCallback(
    (index: number) => {
      const el = ref.current;
      if (!el || index < 0 || index >= count) return;
      const head = el.querySelector('thead')?.getBoundingClientRect().height ?? 0;
      const next = scrollTopShowing(index, rowHeight, head, el.scrollTop, el.clientHeight);
      if (next !== el.scrollTop) {
        el.scrollTop = next;
        setTop(el.scrollTop);
      }
    },
    [count, rowHeight],
  );

  /** Focuses row `index`'s focusable number `slot` (its first that can take the focus, if that one cannot). */
  const focusRow = (index: number, slot: number, scroll = true): boolean => {
    const row = ref.current?.querySelector(`[data-row-index="${index}"]`);
    if (!row) return false;
    const targets = [...row.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const usable = (t: HTMLElement | undefined) => t && !(t as HTMLButtonElement).disabled;
    const target = usable(targets[slot]) ? targets[slot] : targets.find(usable);
    target?.focus({ preventScroll: !scroll });
    return true;
  };
  // The element last focused in a row, with the row's index and its slot: when a re-rank takes that row out
  // of the rows drawn (a scan marked "Not it" falls far down), the focus would fall to the page; it goes to
  // the row now at the same place instead, the next to review.
  const lastFocus = useRef<{ el: Element; index: number; slot: number } | null>(null);
  useLayoutEffect(() => {
    const el = node;
    if (!el) return;
    const onFocusIn = (e: FocusEvent) => {
      const target = e.target as Element;
      const row = target.closest<HTMLElement>('[data-row-index]');
      lastFocus.current = row
        ? {
            el: target,
            index: Number(row.dataset.rowIndex),
            slot: [...row.querySelectorAll(FOCUSABLE)].indexOf(target),
          }
        : null;
    };
    el.addEventListener('focusin', onFocusIn);
    return () => el.removeEventListener('focusin', onFocusIn);
  }, [node]);
  useLayoutEffect(() => {
    const want = pendingFocus.current;
    if (want && focusRow(want.index, want.slot)) pendingFocus.current = null;
    const last = lastFocus.current;
    if (!want && last && !last.el.isConnected) {
      lastFocus.current = null;
      const active = document.activeElement;
      // Only a focus that fell to the page; a row scrolled out of the rows drawn is not drawn again here.
      if ((active === null || active === document.body) && count > 0)
        focusRow(Math.min(last.index, count - 1), Math.max(0, last.slot), false);
    }
  });

  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    if (e.target instanceof HTMLInputElement && e.target.type !== 'checkbox') return;
    const row = (e.target as HTMLElement).closest<HTMLElement>('[data-row-index]');
    if (!row || !ref.current?.contains(row)) return;
    const from = Number(row.dataset.rowIndex);
    const page = Math.max(1, Math.floor((height - header) / rowHeight) - 1);
    const to = rowKeyTarget(e.key, from, count, page);
    if (to === null) return;
    e.preventDefault();
    const slot = [...row.querySelectorAll(FOCUSABLE)].indexOf(e.target as Element);
    reveal(to);
    if (!focusRow(to, Math.max(0, slot))) pendingFocus.current = { index: to, slot: Math.max(0, slot) };
  };

  const inView = Math.max(0, height - header);
  const first = Math.min(count, Math.ceil(top / rowHeight) + 1);
  const last = Math.min(count, Math.max(first, Math.floor((top + inView) / rowHeight)));
  return { ref: setNode, start, end, shown: { first, last }, reveal, onKeyDown };
}
