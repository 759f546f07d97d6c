/**
 * Counter-examples (scans a reviewer marked "not the finding"): the examples' direction less COUNTER_WEIGHT
 * times theirs (Rocchio). On real phantoms through the screening service: test/unit/api/screen-review.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  COUNTER_WEIGHT,
  exampleProfile,
  flaggedByExamples,
  exampleSimilarity,
  PLAIN_SPACE,
  type ExampleScan,
} from '../../../electron/scoring/example-profile.js';
import { seededRandom } from '../../../electron/scoring/metrics.js';
import { dot, normalise } from '../../../electron/scoring/vectors.js';

const unit = (xs: number[]) => normalise(Float32Array.from(xs));
const scan = (xs: number[], pooled: number[] | null = null): ExampleScan => ({
  embedding: unit(xs),
  pooled: pooled ? unit(pooled) : null,
});

describe('counter-examples', () => {
  // The finding is axis 0; a look-alike the examples share some of is axis 1.
  const examples = [scan([1, 0.5, 0.1]), scan([1, 0.4, -0.1]), scan([1, 0.6, 0])];
  const lookAlike = scan([0.3, 1, 0]);
  const finding = scan([1, 0, 0]);

  it('without counter-examples the profile is the examples mean direction, as before', () => {
    const plain = exampleProfile(examples);
    const none = exampleProfile(examples, PLAIN_SPACE, []);
    assert.deepEqual(Array.from(none.vector), Array.from(plain.vector));
    assert.equal(none.threshold, plain.threshold);
    assert.equal(plain.counterCount, 0);
  });

  it('scans like a rejected one fall, the finding does not, and the examples stay flagged', () => {
    const plain = exampleProfile(examples);
    const reviewed = exampleProfile(examples, PLAIN_SPACE, [scan([0.2, 1, 0.1]), scan([0.4, 1, -0.1])]);
    assert.equal(reviewed.counterCount, 2);
    assert.ok(Math.abs(dot(reviewed.vector, reviewed.vector) - 1) < 1e-6);
    // the look-alike ranked above the finding before review, and below it after
    assert.ok(exampleSimilarity(plain, lookAlike) > 0.5, `before ${exampleSimilarity(plain, lookAlike)}`);
    assert.ok(exampleSimilarity(reviewed, lookAlike) < exampleSimilarity(plain, lookAlike) - 0.3);
    assert.ok(exampleSimilarity(reviewed, finding) > exampleSimilarity(reviewed, lookAlike) + 0.5);
    for (const e of examples) assert.ok(exampleSimilarity(reviewed, e) >= reviewed.threshold);
    assert.ok(exampleSimilarity(reviewed, lookAlike) < reviewed.threshold, 'the look-alike is no longer flagged');
  });

  it('the push is COUNTER_WEIGHT of the counter-examples direction', () => {
    const against = scan([0, 1, 0]);
    const p = exampleProfile([scan([1, 0, 0])], PLAIN_SPACE, [against]);
    const expected = unit([1, -COUNTER_WEIGHT, 0]);
    p.vector.forEach((x, k) => assert.ok(Math.abs(x - expected[k]!) < 1e-6, `${Array.from(p.vector)}`));
  });

  it('a counter-example can take flags away but never add them, even one that looks like an example', () => {
    const rnd = seededRandom(5);
    const noise = (d: number) => Array.from({ length: d }, () => rnd() - 0.5);
    const four = [0, 1, 2, 3].map(() => scan(noise(16)));
    const scans = Array.from({ length: 2000 }, () => unit(noise(16)));
    const flagged = (p: ReturnType<typeof exampleProfile>) => scans.filter((d) => flaggedByExamples(p, d)).length;
    const plain = exampleProfile(four);
    const nearCopy = scan(Array.from(four[0]!.embedding, (x) => x + 0.01 * (rnd() - 0.5)));
    const pushed = exampleProfile(four, PLAIN_SPACE, [nearCopy]);
    // the pushed cut falls with the example the counter-example resembles, and alone would flag more scans ...
    assert.ok(pushed.threshold < plain.threshold - 0.05, `${plain.threshold} → ${pushed.threshold}`);
    const byCutAlone = scans.filter((d) => dot(d, pushed.vector) >= pushed.threshold).length;
    assert.ok(byCutAlone > flagged(plain), `${flagged(plain)} → ${byCutAlone}`);
    // ... but a scan must pass the examples' own rule too
    assert.ok(flagged(pushed) <= flagged(plain), `${flagged(plain)} → ${flagged(pushed)}`);
    for (const e of four.slice(1)) assert.ok(flaggedByExamples(pushed, e.embedding), 'the other examples stay flagged');
  });

  it('a counter-example without pooled patches makes the profile compare global embeddings only', () => {
    const withPatches = [scan([1, 0], [0, 1]), scan([1, 0.1], [0.1, 1])];
    const space = { ...PLAIN_SPACE, patches: true };
    assert.equal(exampleProfile(withPatches, space).space.patches, true);
    assert.equal(exampleProfile(withPatches, space, [scan([0, 1], [1, 0])]).space.patches, true);
    assert.equal(exampleProfile(withPatches, space, [scan([0, 1])]).space.patches, false);
  });
});
