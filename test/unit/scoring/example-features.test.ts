import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { centreRows, maxPoolPatches } from '../../../electron/scoring/example-features.js';
import {
  exampleDescriptor,
  exampleProfile,
  exampleSimilarity,
  exampleSpace,
  MIN_CENTRING_SCANS,
  PLAIN_SPACE,
  type ExampleScan,
} from '../../../electron/scoring/example-profile.js';
import { rocAuc, seededRandom } from '../../../electron/scoring/metrics.js';
import { dot, normalise, type Matrix } from '../../../electron/scoring/vectors.js';

const unit = (xs: number[]) => normalise(Float32Array.from(xs));
const rowOf = (m: Matrix, r: number) => m.data.subarray(r * m.dim, (r + 1) * m.dim);
const scan = (embedding: Float32Array, pooled: Float32Array | null = null): ExampleScan => ({ embedding, pooled });
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
      const profile = exampleProfile([0, 1, 2].map((i) => scan(rowOf(x, i))));
      const pos = dot(rowOf(x, 5), profile.vector);
      const neg = Math.max(...[20, 25, 30, 35].map((i) => dot(rowOf(x, i), profile.vector)));
      return pos - neg;
    };
    const centred = centreRows(m);
    assert.ok(Math.abs(gap(m)) < 0.02, `uncentred gap ${gap(m)}`);
    assert.ok(gap(centred) > 0.5, `centred gap ${gap(centred)}`);
    for (let r = 0; r < centred.rows; r++) assert.ok(Math.abs(dot(rowOf(centred, r), rowOf(centred, r)) - 1) < 1e-5);
  });

  it('describes a scan by its global and pooled embeddings side by side, each half unit length', () => {
    const space = { ...PLAIN_SPACE, patches: true };
    const d = exampleDescriptor(scan(unit([1, 0]), unit([0, 3])), space);
    assert.deepEqual(
      Array.from(d, (x) => +x.toFixed(4)),
      [0.7071, 0, 0, 0.7071],
    );
    assert.equal(exampleDescriptor(scan(unit([1, 0]), unit([0, 3])), PLAIN_SPACE).length, 2, 'global alone');
    assert.throws(() => exampleDescriptor(scan(unit([1, 0])), space), /without pooled patch embeddings/);
  });

  it('a finding the global embedding averages away but a patch shows is found with the pooled half', () => {
    // 30 scans whose 16-d global embeddings differ by noise only; the first 10 have the finding in their
    // pooled patch embedding (axis 1).
    const rnd = seededRandom(3);
    const noise = (n: number, scale: number) => Array.from({ length: n }, () => (rnd() - 0.5) * scale);
    const scans = Array.from({ length: 30 }, (_, i) =>
      scan(unit([1, ...noise(15, 0.4)]), unit([1, i < 10 ? 0.6 : 0, ...noise(14, 0.05)])),
    );
    const { space, count } = exampleSpace(scans, 16);
    assert.equal(count, 30);
    assert.ok(space.patches && space.centre && space.pooledCentre);
    const aucBy = (s: typeof space) => {
      const profile = exampleProfile(scans.slice(0, 4), s);
      const others = scans.slice(4);
      return rocAuc(
        others.map((x) => exampleSimilarity(profile, x)),
        others.map((_, i) => (i + 4 < 10 ? 1 : 0)),
      );
    };
    assert.equal(aucBy(space), 1, 'with the pooled half every other case ranks above every scan without');
    const globalOnly = aucBy({ ...space, pooledCentre: null, patches: false });
    assert.ok(globalOnly < 0.8, `the global embedding alone: AUC ${globalOnly}`);
  });

  it('uses the pooled half only where every scan, and every example, has one', () => {
    const full = Array.from({ length: MIN_CENTRING_SCANS }, (_, i) => scan(unit([1, i]), unit([i, 1])));
    assert.equal(exampleSpace(full, 2).space.patches, true);
    const one = exampleSpace([...full, scan(unit([1, 1]))], 2).space;
    assert.equal(one.patches, false, 'one scan without pooled patches: global embeddings alone');
    assert.equal(one.pooledCentre, null);
    assert.ok(one.centre);
    const few = exampleSpace(full.slice(1), 2).space;
    assert.equal(few.centre, null, 'too few scans: no centre');
    assert.equal(few.pooledCentre, null);
    assert.equal(few.patches, true);
    const profile = exampleProfile([full[0]!, scan(unit([1, 1]))], exampleSpace(full, 2).space);
    assert.equal(profile.space.patches, false, 'an example without pooled patches: global embeddings alone');
    assert.throws(() => exampleSpace([scan(unit([1, 0]), unit([1, 0, 0]))], 2), /3-d pooled vector among 2-d/);
    assert.equal(exampleSpace([], 2).space.patches, false);
  });

  it("the app's example profile, centred on the screened scans, separates what a shared direction hides", () => {
    const scans = sharedDirection(30, 9);
    const { space, count } = exampleSpace(
      scans.map((v) => scan(v)),
      4,
    );
    assert.ok(space.centre, 'a mean from 30 scans');
    assert.equal(space.patches, false);
    assert.equal(count, 30);
    assert.equal(
      exampleSpace(
        scans.slice(0, MIN_CENTRING_SCANS - 1).map((v) => scan(v)),
        4,
      ).space.centre,
      null,
      'too few scans: no centre',
    );
    assert.throws(() => exampleSpace([scan(new Float32Array(3))], 4), /3-d vector among 4-d/);
    const examples = scans.slice(0, 3).map((v) => scan(v));
    const plain = exampleProfile(examples);
    const profile = exampleProfile(examples, space);
    assert.equal(plain.space.centre, null);
    assert.equal(profile.count, 3);
    const flagged = (p: typeof profile) => scans.map((v) => exampleSimilarity(p, scan(v)) >= p.threshold);
    // Uncentred, the shared direction makes every scan look like the examples; centred, only the finding's.
    assert.ok(flagged(plain).slice(10).some(Boolean), 'uncentred: scans without the finding flagged');
    assert.deepEqual(
      flagged(profile),
      scans.map((_, i) => i < 10),
    );
  });

  it('examples with no direction once centred are compared as they are, not flagging every scan', () => {
    const centre = unit([1, 1, 0]);
    const space = { ...PLAIN_SPACE, centre };
    const same = exampleProfile([scan(Float32Array.from(centre)), scan(Float32Array.from(centre))], space);
    assert.equal(same.space.centre, null);
    assert.ok(exampleSimilarity(same, scan(unit([0, 0, 1]))) < same.threshold, 'an unrelated scan is not flagged');
  });
});
