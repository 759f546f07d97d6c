import { useEffect, useRef } from 'react';
import { VIEWS } from '../views';

const SHORTCUTS: [string, string][] = [
  ...VIEWS.map((v): [string, string] => [v.key, `${v.label} view`]),
  ['?', 'this help'],
  ['Esc', 'close a dialog or the viewer overlay'],
  ['Drag', 'viewer: window / level (horizontal = width, vertical = level)'],
  ['Shift-drag', 'viewer: pan (or the middle button)'],
  ['Wheel', 'viewer: zoom'],
  ['r', 'viewer: reset window, zoom and pan'],
  ['↑ / ↓', 'viewer: previous / next frame'],
  ['Enter', 'Query: search the typed phrase'],
];

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div className="overlay" role="presentation" onClick={onClose}>
      <section
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="help-title"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.key === 'Escape' && onClose()}
      >
        <h2 id="help-title">Keyboard shortcuts</h2>
        <dl className="facts">
          {SHORTCUTS.map(([k, what]) => (
            <div key={k} className="fact-row">
              <dt>
                <kbd>{k}</kbd>
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
        <button ref={ref} type="button" onClick={onClose}>
          Close
        </button>
      </section>
    </div>
  );
}
