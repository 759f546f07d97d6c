import type { ReactNode } from 'react';

/**
 * A patient or study node of a tree: a button that folds what is under it (Enter/Space too). `title`: the node's
 * whole text, for a tooltip where TreeLabel shortens it.
 */
export function TreeToggle({
  open,
  className,
  onToggle,
  title,
  children,
}: {
  open: boolean;
  className: string;
  onToggle: () => void;
  title?: string;
  children: ReactNode;
}) {
  return (
    <button type="button" className={`tree-node ${className}`} aria-expanded={open} onClick={onToggle} title={title}>
      <span className="twisty" aria-hidden="true">
        {open ? '▾' : '▸'}
      </span>
      {children}
    </button>
  );
}

/**
 * A node's text, two lines at most with an ellipsis (a real patient name with all five PN components, or a study
 * description past LO's 64 characters, took five lines each), and its `detail` (patient ID, accession) after it,
 * never cut: on the same line when both fit, else on a line of its own. The DOM keeps the whole text, so the
 * button's accessible name is whole; `labelText` gives the same text for its title.
 */
export function TreeLabel({ text, detail }: { text: string; detail?: string | undefined }) {
  return (
    <span className="tree-label">
      <span className="tree-text">{text}</span>
      {/* The space is for the accessible name and copied text; the layout spaces the two with a gap. */}
      {detail && (
        <>
          {' '}
          <span className="tree-id">· {detail}</span>
        </>
      )}
    </span>
  );
}

/** What TreeLabel shows, whole: "Doe, Jane · P123". */
export const labelText = (text: string, detail?: string): string => (detail ? `${text} · ${detail}` : text);
