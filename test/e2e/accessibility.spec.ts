/**
 * Accessibility: colour contrast of the renderer's computed colours, checked directly (no page, no bridge).
 */
import { contrast, textOn, viridis } from '../../renderer/src/colormap';
import { expect, test } from './fixtures';

test('numbers on a heatmap colour read at 4.5:1 or more anywhere on the scale (WCAG AA)', () => {
  const worst = Array.from({ length: 1001 }, (_, i) => {
    const bg = viridis(i / 1000);
    const fg = textOn(bg) === '#000' ? ([0, 0, 0] as const) : ([255, 255, 255] as const);
    return contrast(bg, [...fg]);
  }).reduce((a, b) => Math.min(a, b));
  expect(worst).toBeGreaterThanOrEqual(4.5);
});
