import { Modal } from './Modal';
import { VIEWS } from '../views';

const SHORTCUTS: [string, string][] = [
  ...VIEWS.map((v): [string, string] => [v.key, `${v.label} view`]),
  ['?', 'this help'],
  ['Ctrl/⌘ O', 'open a folder (File menu)'],
  ['Ctrl/⌘ Shift O', 'open files or a DICOMDIR (File menu)'],
  ['Esc', 'close a dialog or the viewer overlay'],
  ['Drag', 'viewer: window / level (horizontal = width, vertical = level)'],
  ['Shift-drag', 'viewer: pan (or the middle button)'],
  ['Wheel', 'viewer: zoom'],
  ['r', 'viewer: reset window, zoom and pan'],
  ['↑ / ↓', 'viewer: previous / next frame'],
  ['Enter', 'Query: search the typed phrase; viewer: show the heatmap of the typed phrase'],
];

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  return (
    <Modal title="Keyboard shortcuts" id="help-title" onClose={onClose}>
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
    </Modal>
  );
}
