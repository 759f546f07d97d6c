import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FINDINGS, maskBit, type FindingOverrides } from '../../../electron/phantom/findings.js';
import { generatePhantom } from '../../../electron/phantom/generate.js';
import { trainingMask } from '../../../electron/phantom/training.js';

/** Cases that cover every finding alone, pairs, and sampled mixes. */
function cases(): { index: number; force?: FindingOverrides }[] {
  const out: { index: number; force?: FindingOverrides }[] = [];
  FINDINGS.forEach((name, k) => {
    const force: FindingOverrides = {};
    for (const other of FINDINGS) force[other] = other === name || other === FINDINGS[(k + 3) % FINDINGS.length];
    out.push({ index: k, force });
  });
  for (let i = 0; i < 10; i++) out.push({ index: 100 + i });
  return out;
}

test('a finding’s mask is non-empty iff its label is 1, and lies inside the body', () => {
  for (const { index, force } of cases()) {
    const p = generatePhantom(5, index, { size: 224, force });
    const f = p.rendered.fields;
    // At this size the work raster is the detector matrix.
    assert.equal(f.width, p.rendered.image.width);
    for (const name of FINDINGS) {
      const bit = maskBit(name);
      let count = 0;
      let outside = 0;
      for (let i = 0; i < f.mask.length; i++) {
        if (!(p.rendered.mask[i]! & bit)) continue;
        count++;
        if (!f.inBody[i]) outside++;
      }
      assert.equal(
        count > 0,
        p.labels[name] === 1,
        `case ${index}: ${name} label ${p.labels[name]} but ${count} mask pixels`,
      );
      assert.equal(outside, 0, `case ${index}: ${name} mask leaves the body`);
    }
    // Lung findings stay in the lungs (air or the recesses), not the mediastinum.
    for (const name of ['pneumothorax', 'consolidation', 'edema', 'nodule'] as const) {
      const bit = maskBit(name);
      for (let i = 0; i < f.mask.length; i++)
        if (p.rendered.mask[i]! & bit) assert.ok(f.lungAir[i]! > 0, `${name} outside the lung`);
    }
  }
});

test('training masks keep every present finding after downscaling', () => {
  for (const { index, force } of cases().slice(0, 8)) {
    const p = generatePhantom(5, index, { size: 320, force });
    const small = trainingMask(p.rendered.mask, p.rendered.image.width, p.rendered.image.height, 32);
    for (const name of FINDINGS) {
      const present = small.some((v) => (v & maskBit(name)) !== 0);
      assert.equal(present, p.labels[name] === 1, `${name} at 32 px`);
    }
  }
});
