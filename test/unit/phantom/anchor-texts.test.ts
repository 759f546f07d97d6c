import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reportAnchors } from '../../../electron/phantom/anchor-texts.js';
import { BASE_FINDINGS, type FindingName } from '../../../electron/phantom/findings.js';

test('by default the anchors are the base eight: names and their positive one-finding sentences', () => {
  const anchors = reportAnchors();
  const findings = new Set(anchors.map((a) => a.finding));
  assert.deepEqual([...findings].sort(), [...BASE_FINDINGS].sort());
  for (const f of BASE_FINDINGS)
    assert.ok(
      anchors.some((a) => a.text === f.replace(/_/g, ' ')),
      f,
    );
  assert.ok(anchors.length > 100, `${anchors.length} anchors`);
  // Canonical wording only (the variety is off): no comparison with a prior.
  assert.ok(!anchors.some((a) => /^(unchanged|stable|new|increased|decreased)\b/.test(a.text)));
  assert.deepEqual(reportAnchors(), anchors, 'deterministic');
});

test('a model taught rare findings gets them as anchors, and never one it was not taught', () => {
  const taught: FindingName[] = [...BASE_FINDINGS, 'scoliosis', 'sternotomy_wires', 'rib_fracture'];
  const anchors = reportAnchors(taught);
  for (const f of ['scoliosis', 'sternotomy_wires', 'rib_fracture'] as const) {
    assert.ok(
      anchors.some((a) => a.finding === f && a.text !== f.replace(/_/g, ' ')),
      `${f}: a report sentence`,
    );
  }
  assert.ok(anchors.every((a) => taught.includes(a.finding)));
  // Not taught, so absent from every case: not even a sentence about something else names them.
  assert.ok(!anchors.some((a) => /pneumoperitoneum|free air|hernia|cavit|subcutaneous/i.test(a.text)));
});
