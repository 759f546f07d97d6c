import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { sampleCase } from '../../../electron/phantom/case.js';
import { FINDINGS, RARE_FINDINGS, type FindingName } from '../../../electron/phantom/findings.js';
import { writeReport } from '../../../electron/phantom/report.js';
import { SHARED } from '../../support/paths.js';
import { RARE_TERMS } from './rare-terms.js';

const LABELER = path.join(SHARED, 'reference', 'chexpert-labeler', 'phrases');
/**
 * CheXpert observation → the phantom findings it may stand for (a lung lesion is a nodule, a
 * cavitary lesion or a calcified granuloma; CheXpert counts a prosthetic valve as a device).
 */
const OBSERVATION: Record<string, FindingName[]> = {
  pleural_effusion: ['pleural_effusion'],
  cardiomegaly: ['cardiomegaly'],
  pneumothorax: ['pneumothorax'],
  lung_lesion: ['nodule', 'cavitary_lesion', 'calcified_granuloma'],
  consolidation: ['consolidation'],
  atelectasis: ['atelectasis'],
  edema: ['edema'],
  support_devices: ['support_devices', 'sternotomy_wires'],
  fracture: ['rib_fracture'],
};

const lists = new Map<string, string[]>();
const readList = (kind: string, name: string): string[] => {
  const file = path.join(LABELER, kind, `${name}.txt`);
  let list = lists.get(file);
  if (!list) {
    list = existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .map((s) => s.trim().toLowerCase().replace(/_/g, ' '))
          .filter(Boolean)
      : [];
    lists.set(file, list);
  }
  return list;
};

/**
 * Observations a CheXpert-style phrase match sees in a sentence (unmentions removed first), each
 * as the findings it may stand for; the rare findings by their own vocabulary (rare-terms.ts).
 */
function mentioned(text: string): FindingName[][] {
  const norm = ` ${text.toLowerCase().replace(/[^a-z0-9]+/g, ' ')} `;
  const out: FindingName[][] = [];
  for (const [obs, findings] of Object.entries(OBSERVATION)) {
    let t = norm;
    for (const u of readList('unmention', obs)) t = t.split(u).join(' ');
    if (readList('mention', obs).some((m) => t.includes(m))) out.push(findings);
  }
  for (const name of RARE_FINDINGS) if (RARE_TERMS[name].test(text)) out.push([name]);
  return out;
}

test(
  'report sentences agree with the labels (checked with the CheXpert phrase lists)',
  { skip: !existsSync(LABELER) && 'chexpert-labeler not in the shared folder' },
  () => {
    const polarities = new Map<string, number>();
    // Enough cases that the language stream's wordings (a third to a half of sentences) all come up.
    for (let i = 0; i < 1500; i++) {
      const c = sampleCase(77, i, {
        prevalence: {
          pleural_effusion: 0.3,
          cardiomegaly: 0.3,
          pneumothorax: 0.2,
          nodule: 0.2,
          consolidation: 0.3,
          atelectasis: 0.3,
          edema: 0.2,
          support_devices: 0.3,
          ...Object.fromEntries(RARE_FINDINGS.map((f) => [f, 0.08])),
        },
      });
      const r = writeReport(c);
      const present = new Set(FINDINGS.filter((f) => c.findings[f]));
      for (const s of r.sentences) {
        polarities.set(s.polarity, (polarities.get(s.polarity) ?? 0) + 1);
        // Whatever a phrase matcher sees must be declared on the sentence.
        for (const any of mentioned(s.text))
          assert.ok(
            any.some((f) => s.findings.includes(f)),
            `case ${i}: "${s.text}" mentions ${any.join(' or ')} undeclared`,
          );
        if (s.polarity === 'positive') {
          for (const f of s.findings) assert.ok(present.has(f), `case ${i}: positive "${s.text}" about absent ${f}`);
        } else {
          for (const f of s.findings)
            assert.ok(!present.has(f), `case ${i}: ${s.polarity} "${s.text}" about present ${f}`);
        }
        if (s.polarity === 'none') assert.equal(s.findings.length, 0);
        assert.ok(r.text.includes(s.text), 'sentence appears in the report text');
      }
      for (const f of present) {
        const positive = r.sentences.filter((s) => s.polarity === 'positive' && s.findings.includes(f));
        assert.ok(
          positive.some((s) => s.section === 'findings') && positive.some((s) => s.section === 'impression'),
          `case ${i}: no positive sentence for ${f}`,
        );
      }
      assert.ok(r.sections.findings.length > 0 && r.sections.impression.length > 0);
      assert.ok(!/pericardial effusion/i.test(r.text));
    }
    for (const p of ['positive', 'negated', 'uncertain', 'none'])
      assert.ok((polarities.get(p) ?? 0) > 10, `few ${p} sentences`);
  },
);

test('normal reports say so and negate in several forms', () => {
  const forms = new Set<string>();
  let normals = 0;
  for (let i = 0; i < 300; i++) {
    const c = sampleCase(3, i);
    if (Object.keys(c.findings).length > 0) continue;
    normals++;
    const r = writeReport(c);
    assert.ok(r.sentences.some((s) => s.section === 'impression' && s.polarity === 'none'));
    for (const s of r.sentences) if (s.polarity === 'negated') forms.add(s.text.split(' ').slice(0, 2).join(' '));
  }
  // About 40 % of cases have none of the base findings, about a fifth of those a rare one.
  assert.ok(normals > 300 * 0.25 && normals < 300 * 0.5, `${normals} normals of 300`);
  assert.ok(forms.size >= 6, `only ${forms.size} negation forms`);
});
