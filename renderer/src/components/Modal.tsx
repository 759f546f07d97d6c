import { useEffect, useRef, type ReactNode } from 'react';

/** A modal dialog: click outside or Esc closes it; focus starts on Close and goes back where it was on closing. */
export function Modal({
  title,
  id,
  onClose,
  children,
}: {
  title: string;
  id: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    // What had the focus (a view's control, the viewer): a keyboard user goes on from there, not from the page's top.
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeRef.current?.focus();
    return () => {
      if (before?.isConnected) before.focus();
    };
  }, []);
  return (
    <div className="overlay" role="presentation" onClick={onClose}>
      <section
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={id}
        // Focusable, so a click on its text keeps the focus (and Esc) in the dialog rather than on the page.
        tabIndex={-1}
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key !== 'Escape') return;
          // Only this dialog closes, not the viewer it may stand over.
          e.stopPropagation();
          onClose();
        }}
      >
        <h2 id={id}>{title}</h2>
        {children}
        <button ref={closeRef} type="button" onClick={onClose}>
          Close
        </button>
      </section>
    </div>
  );
}
