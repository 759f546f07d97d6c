/**
 * Long result lists draw only the rows in view (a job of 20,000 scans would otherwise put 20,000 rows, and their
 * buttons, in the DOM: hundreds of ms of style and layout on each re-rank). Rows have one fixed height, so a
 * row's place is its index times that height, as in VS Code's lists. The hook keeps what a reader relies on in a
 * long list: ↑ / ↓, Page Up / Down, Home / End move the focus row by row through all of them (the same column of
 * the next row), ← / → along a row, and the row a viewer shows is scrolled into view, so that the focus can go back to it when the
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

/** Whether a modal dialog (the viewer, a settings dialog) is open over the list: it owns the focus and keys. */
function coveredByDialog(list: Element | null): boolean {
  const dialog = document.querySelector('[aria-modal="true"]');
  return !!dialog && !!list && !dialog.contains(list);
}
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
  /** Scrolls back to the first row. */
  toTop(): void;
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
  // The rows a scroll position draws and names as in view: a scroll re-renders the list only when they change
  // (once a row, not once a pixel; each render of a results view does work in proportion to its rows).
  const measured = useRef({ height: 600, header: 0 });
  const drawnFor = useRef(''); // rowsAt of the scroll position last drawn
  const rowsAt = (t: number) => {
    const below = t + measured.current.height - measured.current.header;
    return [Math.floor(t / rowHeight), Math.ceil(t / rowHeight), Math.floor(below / rowHeight)].join(' ');
  };
  useLayoutEffect(() => {
    const el = node;
    if (!el) return;
    const follow = (force: boolean) => {
      const key = rowsAt(el.scrollTop);
      if (!force && key === drawnFor.current) return;
      drawnFor.current = key;
      setTop(el.scrollTop);
    };
    const measure = () => {
      measured.current = {
        height: el.clientHeight,
        header: el.querySelector('thead')?.getBoundingClientRect().height ?? 0,
      };
      setHeight(measured.current.height);
      setHeader(measured.current.header);
      follow(true);
    };
    measure();
    // Also when fewer rows than before (a filter) make the browser clamp the scroll.
    const onScroll = () => follow(false);
    el.addEventListener('scroll', onScroll, { passive: true });
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    const head = el.querySelector('thead');
    if (head) observer.observe(head); // a phrase column's heading may wrap to more lines
    // Focusable itself (not by Tab): the focus goes to the list when the row that had it is scrolled away.
    if (!el.hasAttribute('tabindex')) el.tabIndex = -1;
    return () => {
      el.removeEventListener('scroll', onScroll);
      observer.disconnect();
    };
  }, [node, rowHeight]);
  const { start, end } = rowWindow(count, rowHeight, top, height - header, OVERSCAN);

  /** Back to the first row (a new order or a new set of rows starts at its top). */
  const toTop = useCallback(() => {
    const el = ref.current;
    if (el && el.scrollTop !== 0) {
      el.scrollTop = 0;
      drawnFor.current = rowsAt(0);
      setTop(0);
    }
  }, []);

  const reveal = useCallback(
    (index: number) => {
      const el = ref.current;
      if (!el || index < 0 || index >= count) return;
      const head = el.querySelector('thead')?.getBoundingClientRect().height ?? 0;
      const next = scrollTopShowing(index, rowHeight, head, el.scrollTop, el.clientHeight);
      if (next !== el.scrollTop) {
        el.scrollTop = next;
        drawnFor.current = rowsAt(el.scrollTop);
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
  // The element focused in a row, with the row's index and its slot, while the focus is in the list. The
  // focus keeps its place, not its scan: a re-rank that moves the focused row (a scan marked "Not it" falls,
  // one marked "Finding" rises) gives the focus to the row now at that place, the next to review. A scroll that
  // takes the row out of the rows drawn gives the focus to the list itself, and the keys go on from that row
  // (`fromRow`), as they would from a row still drawn.
  const lastFocus = useRef<{ el: Element; index: number; slot: number } | null>(null);
  const fromRow = useRef<{ index: number; slot: number } | null>(null);
  useLayoutEffect(() => {
    const el = node;
    if (!el) return;
    const onFocusIn = (e: FocusEvent) => {
      const target = e.target as Element;
      const row = target.closest<HTMLElement>('[data-row-index]');
      if (target !== el) fromRow.current = null;
      lastFocus.current = row
        ? {
            el: target,
            index: Number(row.dataset.rowIndex),
            slot: [...row.querySelectorAll(FOCUSABLE)].indexOf(target),
          }
        : null;
    };
    // The focus left the list on purpose (a click elsewhere, Tab): nothing to keep. Told apart from a row
    // removed while focused once the removal is done (Chromium fires focusout during it, still connected).
    const onFocusOut = (e: FocusEvent) => {
      const target = e.target as Element;
      queueMicrotask(() => {
        if (!target.isConnected || el.contains(document.activeElement)) return;
        if (lastFocus.current?.el === target) lastFocus.current = null;
        if (target === el) fromRow.current = null;
      });
    };
    // A click in the list starts the keys from the row clicked (a click on a cell focuses the list itself).
    const onPointerDown = (e: PointerEvent) => {
      const row = (e.target as Element).closest<HTMLElement>('[data-row-index]');
      fromRow.current = row ? { index: Number(row.dataset.rowIndex), slot: 0 } : null;
    };
    el.addEventListener('focusin', onFocusIn);
    el.addEventListener('focusout', onFocusOut);
    el.addEventListener('pointerdown', onPointerDown);
    return () => {
      el.removeEventListener('focusin', onFocusIn);
      el.removeEventListener('focusout', onFocusOut);
      el.removeEventListener('pointerdown', onPointerDown);
    };
  }, [node]);
  useLayoutEffect(() => {
    const want = pendingFocus.current;
    if (want && focusRow(want.index, want.slot)) pendingFocus.current = null;
    const last = lastFocus.current;
    if (want || !last || count === 0 || coveredByDialog(ref.current)) return;
    const index = Math.min(last.index, count - 1);
    const slot = Math.max(0, last.slot);
    if (last.el.isConnected) {
      // Still drawn: moved by a re-rank while focused? The row now at its place takes the focus.
      const row = last.el.closest<HTMLElement>('[data-row-index]');
      if (document.activeElement === last.el && row && Number(row.dataset.rowIndex) !== last.index)
        focusRow(index, slot, false);
      return;
    }
    lastFocus.current = null;
    const active = document.activeElement;
    if (active !== null && active !== document.body) return; // it went elsewhere on purpose
    if (!focusRow(index, slot, false)) {
      fromRow.current = { index, slot };
      ref.current?.focus({ preventScroll: true });
    }
  });

  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    if (coveredByDialog(ref.current)) return; // the keys are the dialog's (the viewer's ↑ / ↓: frames)
    if (e.target instanceof HTMLInputElement && e.target.type !== 'checkbox') return;
    // From a row, or from the list itself (the row that had the focus was scrolled away; else the top row).
    const onList = e.target === ref.current;
    const row = onList ? null : (e.target as HTMLElement).closest<HTMLElement>('[data-row-index]');
    if (!onList && (!row || !ref.current?.contains(row))) return;
    if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && row) {
      // Along the row: its previous / next focusable (a Matrix row's cells, a result's link and buttons).
      const targets = [...row.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
        (t) => !(t as HTMLButtonElement).disabled,
      );
      const next = targets[targets.indexOf(e.target as HTMLElement) + (e.key === 'ArrowRight' ? 1 : -1)];
      e.preventDefault();
      next?.focus();
      return;
    }
    const from = row
      ? Number(row.dataset.rowIndex)
      : (fromRow.current?.index ?? Math.max(-1, Math.ceil((ref.current?.scrollTop ?? 0) / rowHeight) - 1));
    const page = Math.max(1, Math.floor((height - header) / rowHeight) - 1);
    const to = rowKeyTarget(e.key, from, count, page);
    if (to === null || count === 0) return;
    e.preventDefault();
    const slot = Math.max(
      0,
      row ? [...row.querySelectorAll(FOCUSABLE)].indexOf(e.target as Element) : (fromRow.current?.slot ?? 0),
    );
    reveal(to);
    if (!focusRow(to, slot)) pendingFocus.current = { index: to, slot };
  };

  const inView = Math.max(0, height - header);
  const first = Math.min(count, Math.ceil(top / rowHeight) + 1);
  const last = Math.min(count, Math.max(first, Math.floor((top + inView) / rowHeight)));
  return { ref: setNode, start, end, shown: { first, last }, reveal, toTop, onKeyDown };
}
