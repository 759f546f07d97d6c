import type { ReactNode } from 'react';

/** A patient or study node of a tree: a button that folds what is under it (Enter/Space too). */
export function TreeToggle({
  open,
  className,
  onToggle,
  children,
}: {
  open: boolean;
  className: string;
  onToggle: () => void;
  children: ReactNode;
}) {
  return (
    <button type="button" className={`tree-node ${className}`} aria-expanded={open} onClick={onToggle}>
      <span className="twisty" aria-hidden="true">
        {open ? '▾' : '▸'}
      </span>
      {children}
    </button>
  );
}
