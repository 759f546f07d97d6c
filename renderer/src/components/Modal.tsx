import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A modal dialog: click outside or Esc closes it; focus starts on Close and goes back where it was on closing. It
 * fits the window: a body taller than that scrolls between the title and Close.
 */
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
        {/* The part that scrolls in a window too low for it (the shortcuts at 700 px): the title and Close stay in
            view. Focusable, so that the keyboard can scroll it too. */}
        <div className="dialog-body" tabIndex={0}>
          {children}
        </div>
        <button ref={closeRef} type="button" onClick={onClose}>
          Close
        </button>
      </section>
    </div>
  );
}
