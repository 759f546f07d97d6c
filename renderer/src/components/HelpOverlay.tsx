import { Modal } from './Modal';
import { VIEWS } from '../views';

const SHORTCUTS: [string, string][] = [
  ...VIEWS.map((v): [string, string] => [v.key, `${v.label} view`]),
  ['?', 'this help'],
  ['Ctrl/⌘ O', 'open a folder (File menu)'],
  ['Ctrl/⌘ Shift O', 'open files or a DICOMDIR (File menu)'],
  ['Esc', 'close a dialog, or the viewer (also from a text field in it)'],
  ['Drag', 'viewer: window / level (horizontal = width, vertical = level)'],
  ['Shift-drag', 'viewer: pan (or the middle button)'],
  ['Wheel', 'viewer: zoom about the pointer'],
  ['+ / −', 'viewer: zoom in / out about the centre'],
  ['Shift + arrows', 'viewer: pan (move the image)'],
  ['f', 'viewer: fit the whole image in the view'],
  ['r', 'viewer: reset — the file’s own window, and fit'],
  [
    '← / →',
    'viewer: previous / next scan of the list it was opened from; Query: previous / next result; Matrix and screening results: the previous / next cell or button of the row',
  ],
  [
    '↑ / ↓',
    'viewer: previous / next frame; Query: the result above / below; Matrix and screening results: the row above / below, in the same column',
  ],
  ['y / n', 'viewer opened from screening results: mark the scan ✓ Finding / ✗ Not it, and go to the next'],
  ['Page Up / Down, Home / End', 'Matrix and screening results: a page of rows up / down, the first / last row'],
  ['Enter', 'Query: search the typed phrase; viewer: show the heatmap of the typed phrase'],
  ['Enter / Space', 'Studies tree: fold or unfold the focused patient or study'],
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
