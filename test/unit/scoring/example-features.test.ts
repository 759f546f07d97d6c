import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { centreRows, concatRows, maxPoolPatches } from '../../../electron/scoring/example-features.js';
import {
  centreOf,
  exampleProfile,
  exampleSimilarity,
  MIN_CENTRING_SCANS,
} from '../../../electron/scoring/example-profile.js';
import { seededRandom } from '../../../electron/scoring/metrics.js';
import { dot, normalise, type Matrix } from '../../../electron/scoring/vectors.js';

const unit = (xs: number[]) => normalise(Float32Array.from(xs));
const rowOf = (m: Matrix, r: number) => m.data.subarray(r * m.dim, (r + 1) * m.dim);
/** n unit scans sharing a dominant direction (axis 0); the first 10 have the finding (axis 1); noise on 2–3. */
const sharedDirection = (n: number, seed: number) => {
  const rnd = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => unit([10, i < 10 ? 1 : 0, (rnd() - 0.5) * 0.5, (rnd() - 0.5) * 0.5]));
};

describe('few-shot descriptors', () => {
  it('max-pools each dimension over the patches and normalises', () => {
    // three cells of dim 2: the second dimension peaks in the last cell only
    const pooled = maxPoolPatches(Float32Array.from([0.6, -0.8, 0.3, 0.1, -0.2, 0.8]), 2);
    assert.deepEqual(
      Array.from(pooled, (x) => +x.toFixed(6)),
      Array.from(unit([0.6, 0.8]), (x) => +x.toFixed(6)),
    );
    assert.throws(() => maxPoolPatches(new Float32Array(5), 2), /not cells × 2/);
  });

  it('centring removes the direction every row shares, so a cosine to a few examples sees what differs', () => {
    // A shared direction (axis 0) dwarfs the finding (axis 1): uncentred, an example's cosine to a scan
    // without the finding is near 1 as well; centred, the two sides separate.
    const rows = sharedDirection(40, 5);
    const m: Matrix = { data: new Float32Array(rows.length * 4), rows: rows.length, dim: 4 };
    rows.forEach((r, i) => m.data.set(r, i * 4));
    const gap = (x: Matrix) => {
      const profile = exampleProfile([0, 1, 2].map((i) => rowOf(x, i)));
      const pos = dot(rowOf(x, 5), profile.vector);
      const neg = Math.max(...[20, 25, 30, 35].map((i) => dot(rowOf(x, i), profile.vector)));
      return pos - neg;
    };
    const centred = centreRows(m);
    assert.ok(Math.abs(gap(m)) < 0.02, `uncentred gap ${gap(m)}`);
    assert.ok(gap(centred) > 0.5, `centred gap ${gap(centred)}`);
    for (let r = 0; r < centred.rows; r++) assert.ok(Math.abs(dot(rowOf(centred, r), rowOf(centred, r)) - 1) < 1e-5);
  });

  it('concatenates two unit halves into one unit row of both dimensions', () => {
    const a: Matrix = { data: Float32Array.from([1, 0, 0, 1]), rows: 2, dim: 2 };
    const b: Matrix = { data: Float32Array.from([0, 1, 0, 0, 1, 0]), rows: 2, dim: 3 };
    const c = concatRows(a, b);
    assert.equal(c.dim, 5);
    assert.deepEqual(
      Array.from(rowOf(c, 0), (x) => +x.toFixed(4)),
      [0.7071, 0, 0, 0.7071, 0],
    );
    assert.throws(() => concatRows(a, { data: new Float32Array(3), rows: 1, dim: 3 }), /2 rows beside 1/);
  });

  it("the app's example profile, centred on the screened scans, separates what a shared direction hides", () => {
    const scans = sharedDirection(30, 9);
    const { centre, count } = centreOf(scans, 4);
    assert.ok(centre, 'a mean from 30 scans');
    assert.equal(count, 30);
    assert.equal(centreOf(scans.slice(0, MIN_CENTRING_SCANS - 1), 4).centre, null, 'too few scans: no centre');
    assert.throws(() => centreOf([new Float32Array(3)], 4), /3-d vector among 4-d/);
    const examples = scans.slice(0, 3);
    const plain = exampleProfile(examples);
    const profile = exampleProfile(examples, centre);
    assert.equal(plain.centre, null);
    assert.equal(profile.count, 3);
    const flagged = (p: typeof profile) => scans.map((v) => exampleSimilarity(p, v) >= p.threshold);
    // Uncentred, the shared direction makes every scan look like the examples; centred, only the finding's.
    assert.ok(flagged(plain).slice(10).some(Boolean), 'uncentred: scans without the finding flagged');
    assert.deepEqual(
      flagged(profile),
      scans.map((_, i) => i < 10),
    );
  });

  it('examples with no direction once centred are compared as they are, not flagging every scan', () => {
    const centre = unit([1, 1, 0]);
    const same = exampleProfile([Float32Array.from(centre), Float32Array.from(centre)], centre);
    assert.equal(same.centre, null);
    assert.ok(exampleSimilarity(same, unit([0, 0, 1])) < same.threshold, 'an unrelated scan is not flagged');
  });
});
