import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toMm } from '../../../electron/phantom/fields.js';
import { FINDINGS, maskBit, type FindingName } from '../../../electron/phantom/findings.js';
import { generatePhantom } from '../../../electron/phantom/generate.js';
import { consolidationExtent } from '../../../electron/phantom/lesions/consolidation-extent.js';
import { lobeMembership, lobeSide } from '../../../electron/phantom/lesions/lobes.js';
import { writeReport } from '../../../electron/phantom/report.js';

/**
 * Generator 1.14: a consolidation fills its whole lobe, one segment-sized patch of it, or several patches
 * (bronchopneumonia), where 1.0–1.13 filled the lobe every time; the report says what the film shows.
 */
const SIZE = 256;
const force = Object.fromEntries(FINDINGS.map((f) => [f, f === 'consolidation'])) as Record<FindingName, boolean>;
// Every other one with a large heart, which hides much of the middle lobe's and lingula's border.
const enlarged = { ...force, cardiomegaly: true };
const phantoms = Array.from({ length: 48 }, (_, i) =>
  generatePhantom(17, i, { size: SIZE, force: i % 2 ? force : enlarged }),
);

test('consolidation: lobar, segmental and multifocal drawings, the partial ones filling less of the lobe', () => {
  const seen = { lobar: 0, segmental: 0, multifocal: 0 };
  const partialShare: number[] = [];
  const bit = maskBit('consolidation');
  for (const p of phantoms) {
    const c = p.case;
    const con = c.findings.consolidation!;
    const extent = consolidationExtent(c);
    seen[extent]++;
    const f = p.rendered.fields;
    const th = f.thorax;
    let lobe = 0;
    let marked = 0;
    let atBorder = false;
    const side = lobeSide(con.lobe);
    for (let iy = 0; iy < f.height; iy++)
      for (let ix = 0; ix < f.width; ix++) {
        const i = iy * f.width + ix;
        if (!f.lung[i]) continue;
        const x = toMm(f, ix);
        const y = toMm(f, iy);
        if (lobeMembership(th, con.lobe, x, y) > 0.3) lobe++;
        if (!(p.rendered.mask[i]! & bit)) continue;
        marked++;
        // The border the report names: the hemidiaphragm under a lower lobe, the heart beside RML and lingula.
        if (con.lobe === 'RLL' || con.lobe === 'LLL') atBorder ||= y > th.domeY(side, x) - 10;
        else if (con.lobe === 'RML' || con.lobe === 'lingula')
          atBorder ||= th.heartThickness(x, y) === 0 && th.heartThickness(x - side * 8, y) > 0;
        else atBorder = true;
      }
    const what = `case ${c.index} (${con.lobe}, ${extent})`;
    assert.ok(marked > 0, `${what}: nothing drawn`);
    if (extent === 'lobar') assert.ok(marked > 0.45 * lobe, `${what}: a lobar consolidation fills ${marked}/${lobe}`);
    else {
      // A lower-lobe segment seen from the front can cover much of its lobe; on average a part is a part.
      assert.ok(marked < 0.9 * lobe, `${what}: a partial consolidation fills ${marked}/${lobe}`);
      partialShare.push(marked / lobe);
    }
    // (A lobar one is generator 1.0's drawing, pixel for pixel; behind a large heart its lingula may not show.)
    if (extent !== 'lobar') assert.ok(atBorder, `${what}: does not reach the border its report says it obscures`);
  }
  for (const [extent, n] of Object.entries(seen)) assert.ok(n >= 3, `${extent}: ${n} of ${phantoms.length}`);
  const mean = partialShare.reduce((a, b) => a + b, 0) / partialShare.length;
  assert.ok(mean < 0.5, `partial consolidations fill ${mean.toFixed(2)} of their lobes on average`);
});

test('consolidation: a report never calls a partial consolidation lobar, nor a lobar one segmental', () => {
  let partial = 0;
  let seenWords = false;
  for (let i = 0; i < 400; i++) {
    const p = generatePhantom(18, i, { size: 64, force });
    const extent = consolidationExtent(p.case);
    const text = writeReport(p.case)
      .sentences.map((s) => s.text)
      .join(' ');
    if (extent !== 'lobar') {
      partial++;
      assert.doesNotMatch(text, /\bLobar opacity\b/, `case ${i}: ${extent} called lobar`);
    } else assert.doesNotMatch(text, /\b(Segmental opacity|Multifocal patchy)\b/, `case ${i}: lobar called partial`);
    if (/Segmental opacity/.test(text)) assert.equal(extent, 'segmental');
    if (/Multifocal patchy/.test(text)) assert.equal(extent, 'multifocal');
    seenWords ||= /Segmental opacity|Multifocal patchy/.test(text);
  }
  assert.ok(partial > 100, `${partial} partial consolidations of 400`);
  assert.ok(seenWords, 'no report used the partial wordings');
});
