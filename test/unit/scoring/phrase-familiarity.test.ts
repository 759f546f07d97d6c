import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FAMILIARITY_RULE, judgeFamiliarity, type Anchors } from '../../../electron/scoring/phrase-familiarity.js';

const anchors: Anchors = {
  texts: ['pleural effusion', 'cardiomegaly'],
  findings: ['pleural_effusion', 'cardiomegaly'],
  vectors: Float32Array.from([1, 0, 0, 0, 1, 0]),
  dim: 3,
};
const unit = (x: number, y: number, z: number) => {
  const n = Math.hypot(x, y, z);
  return Float32Array.from([x / n, y / n, z / n]);
};

describe('phrase familiarity', () => {
  it('a phrase near an anchor with known words is known, with its nearest finding', () => {
    const f = judgeFamiliarity('enlarged heart', unit(0.1, 1, 0.1), { count: 2, unknown: [] }, anchors);
    assert.equal(f.known, true);
    assert.equal(f.reason, null);
    assert.equal(f.nearest!.finding, 'cardiomegaly');
  });
  it('more than half the words unknown flags it, however near it lands', () => {
    const f = judgeFamiliarity('banana', unit(1, 0, 0), { count: 1, unknown: ['banana'] }, anchors);
    assert.equal(f.known, false);
    assert.match(f.reason!, /new to the model \(banana\)/);
    const half = judgeFamiliarity('lobar collapse', unit(1, 0, 0), { count: 2, unknown: ['lobar'] }, anchors);
    assert.equal(half.known, true, `exactly ${FAMILIARITY_RULE.maxUnknownWordShare} is not more than half`);
  });
  it('known words far from every anchor flag it too', () => {
    const f = judgeFamiliarity('rib fracture', unit(0.3, 0.3, 1), { count: 2, unknown: [] }, anchors);
    assert.equal(f.known, false);
    assert.ok(f.nearest!.similarity < FAMILIARITY_RULE.minAnchorSimilarity);
    assert.match(f.reason!, /far from the report language/);
  });
});
