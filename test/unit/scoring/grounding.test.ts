import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  contrastToNoise,
  gridBox,
  maskCoverage,
  phraseHeatmap,
  pointingHit,
} from '../../../electron/scoring/grounding.js';

const letterbox = { size: [224, 224] as [number, number], resize: 'letterbox' as const, resizeTo: null };

describe('grounding', () => {
  it('maps a mask onto the patch grid through the model geometry', () => {
    // A square image with bit 2 set in its top-left quarter: exactly the top-left 7×7 cells.
    const square = { width: 280, height: 280, data: new Uint8Array(280 * 280) };
    for (let y = 0; y < 140; y++) for (let x = 0; x < 140; x++) square.data[y * 280 + x] = 0b100;
    const cov = maskCoverage(square, 2, letterbox, [14, 14]);
    for (let gy = 0; gy < 14; gy++)
      for (let gx = 0; gx < 14; gx++) assert.equal(cov[gy * 14 + gx], gy < 7 && gx < 7 ? 1 : 0, `cell ${gy},${gx}`);
    assert.ok(
      maskCoverage(square, 3, letterbox, [14, 14]).every((c) => c === 0),
      'another bit is another finding',
    );

    // A portrait image (half as wide as tall) fully masked: letterboxed into the middle 7 columns.
    const portrait = { width: 100, height: 200, data: new Uint8Array(100 * 200).fill(1) };
    const p = maskCoverage(portrait, 0, letterbox, [14, 14]);
    const row = Array.from(p.subarray(0, 14), (c) => +c.toFixed(3));
    assert.deepEqual(row, [0, 0, 0, 0.5, 1, 1, 1, 1, 1, 1, 0.5, 0, 0, 0]);
  });

  it('scores a heatmap: pointing game and contrast-to-noise', () => {
    const phrase = Float32Array.from([1, 0]);
    // Four cells of 2-d unit patches: the phrase direction in cell 2 only.
    const patches = Float32Array.from([0, 1, 0.6, 0.8, 1, 0, 0.8, 0.6]);
    const heat = phraseHeatmap(patches, phrase);
    assert.deepEqual(
      Array.from(heat, (h) => +h.toFixed(3)),
      [0, 0.6, 1, 0.8],
    );
    assert.equal(pointingHit(heat, [0, 0, 1, 0]), true);
    assert.equal(pointingHit(heat, [1, 0, 0, 0]), false);
    // Inside mean 1; outside cells 0, 0.6, 0.8: mean 0.467, SD 0.416 → (1 − 0.467) / 0.416.
    assert.ok(Math.abs(contrastToNoise(heat, [0, 0, 1, 0]) - 1.281) < 1e-3);
    assert.ok(contrastToNoise(heat, [1, 0, 0, 0]) < 0, 'the heat points away from the finding');
    assert.ok(Number.isNaN(contrastToNoise(heat, [1, 1, 1, 1])), 'nothing outside');
  });

  it('places the grid over the image as the model geometry does', () => {
    // Letterbox, portrait 100×200: the square canvas is twice the image width, centred.
    assert.deepEqual(gridBox(letterbox, 100, 200), { x: -0.5, y: 0, width: 2, height: 1 });
    assert.deepEqual(gridBox({ ...letterbox, resize: 'stretch' }, 100, 200), { x: 0, y: 0, width: 1, height: 1 });
    // Centre crop of a landscape 300×200 to 224: the middle 224 of 336 resized columns.
    const crop = gridBox({ ...letterbox, resize: 'center-crop' }, 300, 200);
    assert.deepEqual(crop, { x: 56 / 336, y: 0, width: 224 / 336, height: 1 });
    // CheXzero's two-stage letterbox (320, then 224): the same square, so the same box.
    assert.deepEqual(gridBox({ ...letterbox, resizeTo: 320 }, 100, 200), { x: -0.5, y: 0, width: 2, height: 1 });
  });
});
