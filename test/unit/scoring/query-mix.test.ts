/**
 * How the Query view scores a query of example scans, and of phrases and examples together (query-mix.ts). On
 * real phantoms through the collection service: test/unit/api/query-examples.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exampleQueryScores, mixQueryParts, standardised } from '../../../electron/scoring/query-mix.js';
import { normalise } from '../../../electron/scoring/vectors.js';

const unit = (xs: number[]) => normalise(Float32Array.from(xs));
const close = (a: ArrayLike<number>, b: number[]) =>
  assert.deepEqual(
    Array.from(a, (x) => Math.round(x * 1e6) / 1e6),
    b.map((x) => Math.round(x * 1e6) / 1e6),
  );

describe('query mix', () => {
  it('standardises to mean 0 and deviation 1, and scores that do not vary to 0', () => {
    const z = standardised([1, 2, 3, 4]);
    assert.ok(Math.abs(z.reduce((a, b) => a + b, 0)) < 1e-12);
    assert.ok(Math.abs(z.reduce((a, b) => a + b * b, 0) / 4 - 1) < 1e-12);
    assert.ok(z[0]! < z[1]! && z[1]! < z[2]! && z[2]! < z[3]!);
    assert.deepEqual(Array.from(standardised([0.3, 0.3, 0.3])), [0, 0, 0]);
  });

  it('scores a scan by its weighted mean cosine to the examples: unlike ones count against it', () => {
    const d = [unit([1, 0]), unit([0, 1]), unit([1, 1]), unit([-1, 0])];
    close(exampleQueryScores(d, [{ row: 0, weight: 1 }]), [1, 0, Math.SQRT1_2, -1]);
    // Like scan 0 (weight 2), unlike scan 1 (weight −1): (2·cos₀ − cos₁) / 3.
    close(
      exampleQueryScores(d, [
        { row: 0, weight: 2 },
        { row: 1, weight: -1 },
      ]),
      [2 / 3, -1 / 3, Math.SQRT1_2 / 3, -2 / 3],
    );
    assert.throws(() => exampleQueryScores(d, []), /no examples/);
    assert.throws(() => exampleQueryScores(d, [{ row: 0, weight: 0 }]), /weight 0/);
    assert.throws(() => exampleQueryScores(d, [{ row: 9, weight: 1 }]), /no scan 9 among 4/);
  });

  it('keeps one kind of term as it is and mixes two by their standard scores, weighed', () => {
    const phrase = [0.1, 0.2, 0.3, 0.4];
    const examples = [0.9, 0.1, 0.5, 0.3];
    assert.deepEqual(Array.from(mixQueryParts([{ scores: phrase, weight: 3 }])), phrase);
    const zp = standardised(phrase);
    const ze = standardised(examples);
    const mixed = mixQueryParts([
      { scores: phrase, weight: 1 },
      { scores: examples, weight: 3 },
    ]);
    close(
      mixed,
      Array.from(zp, (z, i) => (z + 3 * ze[i]!) / 4),
    );
    // The cosines' scales do not matter: the examples' spread is 8 times the phrase's and still weigh 3 to 1.
    close(
      mixQueryParts([
        { scores: phrase, weight: 1 },
        { scores: examples.map((x) => 8 * x - 2), weight: 3 },
      ]),
      Array.from(mixed),
    );
    // A kind of weight 0 drops out; none at all, or negative, is an error.
    close(
      mixQueryParts([
        { scores: phrase, weight: 0 },
        { scores: examples, weight: 2 },
      ]),
      Array.from(ze),
    );
    assert.throws(() => mixQueryParts([]), /no query terms/);
    assert.throws(
      () =>
        mixQueryParts([
          { scores: phrase, weight: 0 },
          { scores: examples, weight: 0 },
        ]),
      /without weight/,
    );
    assert.throws(
      () =>
        mixQueryParts([
          { scores: phrase, weight: 1 },
          { scores: [1, 2], weight: 1 },
        ]),
      /different scans/,
    );
  });
});
