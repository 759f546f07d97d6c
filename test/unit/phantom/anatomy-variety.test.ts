import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ribShapes } from '../../../electron/phantom/bones.js';
import { sampleCase } from '../../../electron/phantom/case.js';
import { toPx } from '../../../electron/phantom/fields.js';
import { renderCase } from '../../../electron/phantom/render.js';
import { shoulderTopAt, Thorax } from '../../../electron/phantom/thorax.js';

/**
 * Generator 1.13's realism pass on normal anatomy: no two chests' shoulders or ribs are drawn alike,
 * nor a chest's two sides (1.0–1.12 drew one boxy outline with the humeral heads outside it, and the
 * same rib course at the same spacing in every chest).
 */
const cases = (n: number, size = 256) => Array.from({ length: n }, (_, i) => sampleCase(13, i, { size }));
const sd = (v: number[]) => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
};

test('anatomy: the humeral heads lie inside the shoulders, under a sloping trapezius and a rounded cap', () => {
  for (const c of cases(40)) {
    const th = new Thorax(c);
    for (const side of [-1, 1] as const) {
      const sh = th.shoulders[side];
      const what = `case ${c.index} side ${side}`;
      // The deltoid covers the head: soft tissue lateral to it at its centre's height.
      assert.ok(th.bodyHalf(sh.headY, side) >= sh.headX + sh.headR + 8, `${what}: head outside the shoulder`);
      // Not a box's flat top: half-way out from the neck the shoulder's top falls 0.15-0.6 mm per mm outward.
      const mid = (sh.half - sh.neck) / 2;
      const slope = shoulderTopAt(sh, mid + 1) - shoulderTopAt(sh, mid - 1);
      assert.ok(slope / 2 > 0.15 && slope / 2 < 0.6, `${what}: trapezius slope ${slope / 2}`);
      // A round cap (not a box's corner) over the widest point; below it the outline narrows to the chest wall.
      const capY = shoulderTopAt(sh, sh.half - sh.neck);
      assert.ok(Math.abs(th.bodyHalf(capY, side) - sh.half) < 0.5, `${what}: widest point`);
      assert.ok(th.bodyHalf(capY - sh.cap, side) < sh.half - 0.6 * sh.cap, `${what}: no cap`);
      const halfway = sh.half - th.bodyHalf(capY - sh.cap / 2, side);
      assert.ok(halfway > 0.05 * sh.cap && halfway < 0.3 * sh.cap, `${what}: cap not round (${halfway / sh.cap})`);
      assert.ok(th.bodyHalf(sh.axillaY + 40, side) < sh.half - 20, `${what}: no axilla`);
    }
  }
});

test('anatomy: the shoulders differ between chests and between sides, and the drawing follows them', () => {
  const cs = cases(40);
  const thoraces = cs.map((c) => new Thorax(c));
  const drops = thoraces.map((th) => th.apexY - (th.shoulders[-1].topY + th.shoulders[1].topY) / 2);
  assert.ok(sd(drops) > 3, `shoulder heights alike across chests: sd ${sd(drops)}`);
  const uneven = thoraces.filter((th) => Math.abs(th.shoulders[-1].topY - th.shoulders[1].topY) > 2);
  assert.ok(uneven.length >= 15, `two shoulders level in ${40 - uneven.length} of 40 chests`);
  // Rendered: the body's edge in the row of each humeral head's centre lies beyond the head.
  for (const c of cs.slice(0, 6)) {
    const { fields: f } = renderCase(c);
    const th = f.thorax;
    for (const side of [-1, 1] as const) {
      const sh = th.shoulders[side];
      const ix = Math.round(toPx(f, th.cx + side * sh.headX));
      const iy = Math.round(toPx(f, sh.headY));
      if (ix < 0 || ix >= f.width || iy < 0 || iy >= f.height) continue;
      assert.equal(f.inBody[iy * f.width + ix], 1, `case ${c.index}: humeral head centre outside the body`);
    }
  }
});

test('anatomy: ribs are spaced unevenly and differ between the sides', () => {
  let irregular = 0;
  for (const c of cases(30)) {
    const th = new Thorax(c);
    const pitch = th.hl / (8.2 + 2.6 * c.anatomy.inspiration);
    const shapes = ribShapes(th, pitch);
    const gaps: number[] = [];
    let sideDiff = 0;
    for (const side of [-1, 1] as const)
      for (let k = 1; k < 12; k++)
        gaps.push(1 + (shapes.get(`${side}:${k + 1}`)!.head - shapes.get(`${side}:${k}`)!.head) / pitch);
    for (let k = 1; k <= 12; k++) sideDiff += Math.abs(shapes.get(`-1:${k}`)!.head - shapes.get(`1:${k}`)!.head);
    assert.ok(sideDiff / 12 > 0.3, `case ${c.index}: the two sides' ribs level (${sideDiff / 12} mm)`);
    const courses = [...shapes.values()];
    assert.ok(
      sd(courses.map((s) => s.thickness)) > 0.02 && sd(courses.map((s) => s.arch)) > 0.03,
      `case ${c.index}: ribs alike`,
    );
    if (sd(gaps) > 0.03) irregular++;
  }
  assert.ok(irregular >= 20, `rib spacing near-regular in ${30 - irregular} of 30 chests`);
});
