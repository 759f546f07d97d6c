import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sampleCase, type PhantomCase } from '../../../electron/phantom/case.js';
import { toDisplay8 } from '../../../electron/phantom/display.js';
import { FINDINGS, type FindingName, type FindingOverrides } from '../../../electron/phantom/findings.js';
import { effusionForm } from '../../../electron/phantom/lesions/effusion.js';
import { renderCase } from '../../../electron/phantom/render.js';
import { Thorax } from '../../../electron/phantom/thorax.js';

const only = (name?: FindingName): FindingOverrides => Object.fromEntries(FINDINGS.map((f) => [f, f === name]));

function render(c: PhantomCase) {
  const r = renderCase(c);
  return { r, display: toDisplay8(r.image), th: new Thorax(c), mm: c.acquisition.pixelMm };
}

/** Mean display value in a box given in millimetres. */
function meanBox(
  d: { display: Uint8Array; r: ReturnType<typeof renderCase>; mm: number },
  x0: number,
  x1: number,
  y0: number,
  y1: number,
): number {
  const w = d.r.image.width;
  let s = 0;
  let n = 0;
  for (let y = Math.round(y0 / d.mm); y < Math.round(y1 / d.mm); y++) {
    for (let x = Math.round(Math.min(x0, x1) / d.mm); x < Math.round(Math.max(x0, x1) / d.mm); x++) {
      s += d.display[y * w + x]!;
      n++;
    }
  }
  return s / n;
}

test('a right pleural effusion makes the right base brighter than the left', () => {
  // Free-flowing ones (a meniscus over the base); generator 1.14's subpulmonic and loculated forms have tests of their own.
  const free = [0, 1, 2, 3, 4, 5].filter(
    (i) => effusionForm(sampleCase(21, i, { size: 320, view: 'PA' }), -1, 'moderate') === 'free',
  );
  assert.ok(free.length >= 3);
  for (const index of free.slice(0, 3)) {
    const c = sampleCase(21, index, { size: 320, view: 'PA', force: only('pleural_effusion') });
    c.findings.pleural_effusion = { side: 'right', size: 'moderate' };
    const d = render(c);
    const { th } = d;
    const y0 = th.cpY[-1] - 0.3 * th.hl;
    const y1 = th.cpY[-1] - 0.12 * th.hl;
    const box = (side: -1 | 1) => meanBox(d, th.cx + side * th.wt * 0.55, th.cx + side * th.wt * 0.85, y0, y1);
    assert.ok(box(-1) > box(1) + 25, `right ${box(-1).toFixed(0)} vs left ${box(1).toFixed(0)}`);
  }
});

test('cardiomegaly widens the heart silhouette', () => {
  const ratio = (force: FindingOverrides, index: number) => {
    const c = sampleCase(22, index, { size: 320, view: 'PA', force });
    const d = render(c);
    const { th } = d;
    // Width of the bright central band at the lower heart, relative to the thorax.
    const y = th.heart.cy;
    const w = d.r.image.width;
    const row = Math.round(y / d.mm) * w;
    const lungLevel =
      (meanBox(d, th.cx - th.wt * 0.85, th.cx - th.wt * 0.75, y - 5, y + 5) +
        meanBox(d, th.cx + th.wt * 0.75, th.cx + th.wt * 0.85, y - 5, y + 5)) /
      2;
    const centre = meanBox(d, th.spineX - 5, th.spineX + 5, y - 5, y + 5);
    const cut = (lungLevel + centre) / 2;
    let left = Math.round(th.spineX / d.mm);
    let right = left;
    while (left > 0 && d.display[row + left]! > cut) left--;
    while (right < w - 1 && d.display[row + right]! > cut) right++;
    return ((right - left) * d.mm) / (2 * th.wt);
  };
  for (const index of [0, 1]) {
    const normal = ratio(only(), index);
    const big = ratio(only('cardiomegaly'), index);
    assert.ok(normal < 0.52, `normal CTR ${normal.toFixed(2)}`);
    assert.ok(big > normal * 1.15, `cardiomegaly ${big.toFixed(2)} vs normal ${normal.toFixed(2)}`);
  }
});

test('stored images use the detector bit depth and windows fit inside it', () => {
  for (let i = 0; i < 6; i++) {
    const c = sampleCase(23, i, { size: 200 });
    const r = renderCase(c);
    const max = 2 ** r.image.bitsStored - 1;
    let hi = 0;
    for (const v of r.image.pixels) hi = Math.max(hi, v);
    assert.ok(hi <= max && hi > max * 0.5, `max ${hi} of ${max}`);
    for (const w of r.image.windows) assert.ok(w.center > 0 && w.center < max && w.width > 1);
    // Lungs darker than the mediastinum on display, whatever the photometric.
    const d = toDisplay8(r.image);
    const th = new Thorax(c);
    const mm = c.acquisition.pixelMm;
    const at = (x: number, y: number) => d[Math.round(y / mm) * r.image.width + Math.round(x / mm)]!;
    const y = th.apexY + th.hl * 0.45;
    assert.ok(
      at(th.cx - th.wt * 0.6, y) < at(th.spineX, y),
      `lung ${at(th.cx - th.wt * 0.6, y)} vs mediastinum ${at(th.spineX, y)}`,
    );
  }
});
