import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toMm } from '../../../electron/phantom/fields.js';
import { FINDINGS, maskBit, type FindingName } from '../../../electron/phantom/findings.js';
import { generatePhantom } from '../../../electron/phantom/generate.js';
import { effusionForm, type EffusionForm } from '../../../electron/phantom/lesions/effusion.js';
import type { SideSign } from '../../../electron/phantom/thorax.js';

/**
 * Generator 1.14: an upright effusion is free-flowing (a meniscus), subpulmonic (under the lung, mimicking a
 * raised hemidiaphragm whose peak lies too far out) or loculated (a lens against the lateral wall); 1.0–1.13
 * drew every one with a meniscus.
 */
const force = Object.fromEntries(FINDINGS.map((f) => [f, f === 'pleural_effusion'])) as Record<FindingName, boolean>;
const bit = maskBit('pleural_effusion');

test('effusion: subpulmonic fluid lies under the lung, highest lateral of the middle; loculated fluid is a lens on the wall above the angle', () => {
  const seen: Record<EffusionForm, number> = { free: 0, subpulmonic: 0, loculated: 0 };
  for (let i = 0; i < 90; i++) {
    const p = generatePhantom(19, i, { size: 256, force });
    const c = p.case;
    const e = c.findings.pleural_effusion!;
    if (c.acquisition.view === 'AP' || e.side === 'bilateral') continue;
    const side: SideSign = e.side === 'left' ? 1 : -1;
    const form = effusionForm(c, side, e.size);
    seen[form]++;
    if (e.size === 'large') assert.equal(form, 'free', `case ${i}: a large effusion is free-flowing`);
    if (form === 'free') continue;
    const f = p.rendered.fields;
    const th = f.thorax;
    const what = `case ${i} (${e.size} ${form})`;
    let n = 0;
    let lens = 0;
    let peak = { lift: -Infinity, q: 0 };
    for (let iy = 0; iy < f.height; iy++)
      for (let ix = 0; ix < f.width; ix++) {
        if (!(p.rendered.mask[iy * f.width + ix]! & bit)) continue;
        n++;
        const x = toMm(f, ix);
        const y = toMm(f, iy);
        const mid = th.midAt(y);
        const q = (x - mid) / (th.lateralX(side, y) - mid);
        if (form === 'subpulmonic') {
          const lift = th.domeY(side, x) - y;
          assert.ok(lift < 40, `${what}: fluid ${lift.toFixed(0)} mm above the dome`);
          if (lift > peak.lift) peak = { lift, q };
        } else if (th.t(y) < 0.62) {
          // Above where the little free fluid at the angle can climb: the lens, against the wall.
          lens++;
          assert.ok(side * (th.lateralX(side, y) - x) < 32, `${what}: fluid away from the wall`);
        }
      }
    assert.ok(n > 20, `${what}: nothing drawn (${n} px)`);
    if (form === 'loculated') assert.ok(lens > 20, `${what}: no lens on the wall (${lens} px)`);
    // Highest a little lateral of the middle, not at the wall where a meniscus climbs highest.
    if (form === 'subpulmonic')
      assert.ok(peak.q > 0.45 && peak.q < 0.9, `${what}: highest at ${peak.q.toFixed(2)} across`);
  }
  for (const [form, n] of Object.entries(seen)) assert.ok(n >= 2, `${form}: ${n} cases`);
});
