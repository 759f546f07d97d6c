import type { KeyboardEvent } from 'react';

/**
 * Arrow keys in a wrapped grid of cards (a list whose items flow into rows): ← / → move one
 * card, ↑ / ↓ one row, Home / End to the first and last; the focus goes to the card's
 * `[data-scan-path]` element (its image button). Keys pressed in a text field are left alone.
 */
export function onGridKey(e: KeyboardEvent<HTMLElement>): void {
  const steps: Record<string, number | 'first' | 'last' | 'row' | '-row'> = {
    ArrowLeft: -1,
    ArrowRight: 1,
    ArrowUp: '-row',
    ArrowDown: 'row',
    Home: 'first',
    End: 'last',
  };
  const step = steps[e.key];
  if (step === undefined || e.altKey || e.ctrlKey || e.metaKey) return;
  if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) return;
  const items = [...e.currentTarget.children] as HTMLElement[];
  const from = items.findIndex((li) => li.contains(e.target as Node));
  if (from < 0) return;
  const columns = Math.max(1, items.filter((li) => li.offsetTop === items[0]!.offsetTop).length);
  const to =
    step === 'first'
      ? 0
      : step === 'last'
        ? items.length - 1
        : from + (step === 'row' ? columns : step === '-row' ? -columns : step);
  e.preventDefault();
  if (to < 0 || to >= items.length || to === from) return;
  items[to]!.querySelector<HTMLElement>('[data-scan-path]')?.focus();
}
