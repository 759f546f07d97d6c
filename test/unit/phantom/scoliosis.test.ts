import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sampleCase, type PhantomCase } from '../../../electron/phantom/case.js';
import { FINDINGS, type FindingName } from '../../../electron/phantom/findings.js';
import { ribTurn } from '../../../electron/phantom/bones.js';
import { spineCurve } from '../../../electron/phantom/lesions/scoliosis.js';
import { Thorax } from '../../../electron/phantom/thorax.js';

/**
 * A scoliosis is read on a frontal film by more than the column: the ribs turn with their vertebrae, crowded
 * on the concave side and splayed on the convex one, and the rotated vertebrae carry their pedicles and spinous
 * processes toward the concavity (generator 1.12).
 */
const SIZE = 384;

function caseWith(seed: number, index: number, scoliosis: boolean): PhantomCase {
  const force = Object.fromEntries(FINDINGS.map((f) => [f, f === 'scoliosis' && scoliosis])) as Record<
    FindingName,
    boolean
  >;
  return sampleCase(seed, index, { size: SIZE, force });
}

/** The first cases of seed 41 whose curve is at least moderate (a mild one moves the ribs by a pixel or two). */
function moderateCases(n: number): PhantomCase[] {
  const out: PhantomCase[] = [];
  for (let i = 0; out.length < n; i++) {
    const c = caseWith(41, i, true);
    if (c.findings.scoliosis!.cobbDeg >= 20) out.push(c);
  }
  return out;
}

test('scoliosis: the ribs turn with their vertebrae, crowded on the concave side and splayed on the convex side', () => {
  for (const c of moderateCases(3)) {
    const th = new Thorax(c);
    const curve = spineCurve(th)!;
    const convex = Math.sign(curve.dx((curve.top + curve.bottom) / 2));
    const len = curve.bottom - curve.top;
    // Two ribs whose heads lie a quarter of the curve above and below its apex, followed 120 mm outward.
    const upper = curve.top + len * 0.25;
    const lower = curve.top + len * 0.75;
    const end = (y: number, side: number) => y + side * 120 * ribTurn(curve, y);
    const what = `case ${c.index} (${c.findings.scoliosis!.cobbDeg.toFixed(0)}°)`;
    const gap = (side: number) => end(lower, side) - end(upper, side);
    // Crowded: the ribs' lateral ends closer than their heads by several mm at a moderate curve.
    assert.ok(gap(-convex) < lower - upper - 8, `concave side not crowded, ${what}: ${gap(-convex)}`);
    assert.ok(gap(convex) > lower - upper + 8, `convex side not splayed, ${what}: ${gap(convex)}`);
    // At the apex the vertebra is level and so is its rib's turn.
    assert.ok(Math.abs(ribTurn(curve, curve.top + len / 2)) < 0.01);
  }
});

test('scoliosis: the posterior elements of the rotated vertebrae sit toward the concavity, most at the apex', () => {
  for (const c of moderateCases(3)) {
    const curve = spineCurve(new Thorax(c))!;
    const apex = (curve.top + curve.bottom) / 2;
    const bulge = curve.dx(apex);
    // Toward the concavity: against the bulge, and less near the end vertebrae than at the apex.
    assert.ok(curve.rotation(apex) * bulge < 0);
    const nearEnd = curve.top + (curve.bottom - curve.top) * 0.1;
    assert.ok(Math.abs(curve.rotation(nearEnd)) < Math.abs(curve.rotation(apex)));
    assert.ok(Math.abs(curve.rotation(apex)) <= 0.35);
  }
});
