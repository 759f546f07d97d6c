import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { CliIO } from '../../../electron/cli/command.js';
import { main } from '../../../electron/cli/radsift.js';
import { sampleCase } from '../../../electron/phantom/case.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import {
  BASE_FINDINGS,
  DEFAULT_PREVALENCE,
  FINDINGS,
  isRareFinding,
  MASK_PLANES,
  maskBit,
  RARE_FINDINGS,
  type FindingOverrides,
  type RareFindingName,
} from '../../../electron/phantom/findings.js';
import { generatePhantom } from '../../../electron/phantom/generate.js';
import { writeReport } from '../../../electron/phantom/report.js';
import { decodeGrayPng } from '../../../electron/util/png.js';
import { RARE_TERMS } from './rare-terms.js';

const none = (): FindingOverrides => Object.fromEntries(FINDINGS.map((f) => [f, false]));

test('each rare finding appears at about its default prevalence (1–3 %)', () => {
  const n = 6000;
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++)
    for (const k of Object.keys(sampleCase(31, i).findings)) counts.set(k, (counts.get(k) ?? 0) + 1);
  for (const name of RARE_FINDINGS) {
    const p = DEFAULT_PREVALENCE[name];
    assert.ok(p >= 0.01 && p <= 0.03, `${name} default ${p}`);
    const rate = (counts.get(name) ?? 0) / n;
    const se = Math.sqrt((p * (1 - p)) / n);
    // Trauma and air leaks raise a few (rib fractures with a pneumothorax, …): at most by half.
    assert.ok(rate > p - 4 * se && rate < p * 1.5 + 4 * se, `${name}: ${(rate * 100).toFixed(2)} % vs ${p * 100} %`);
  }
});

test('--prevalence takes the rare names too', () => {
  let hits = 0;
  for (let i = 0; i < 300; i++)
    if (sampleCase(32, i, { prevalence: { hiatal_hernia: 0.5 } }).findings.hiatal_hernia) hits++;
  assert.ok(hits > 120 && hits < 180, `${hits} of 300`);
});

test('rare findings never move the base findings, anatomy or acquisition of a case', () => {
  for (let i = 0; i < 40; i++) {
    const plain = sampleCase(33, i, { force: Object.fromEntries(RARE_FINDINGS.map((f) => [f, false])) });
    const all = sampleCase(33, i, { force: Object.fromEntries(RARE_FINDINGS.map((f) => [f, true])) });
    const some = sampleCase(33, i, { exclude: ['scoliosis', 'rib_fracture'] });
    for (const c of [all, some]) {
      assert.deepEqual(c.anatomy, plain.anatomy);
      assert.deepEqual(c.acquisition, plain.acquisition);
      for (const b of BASE_FINDINGS) assert.deepEqual(c.findings[b], plain.findings[b]);
    }
    // Forcing one rare finding leaves the others as drawn.
    const drawn = sampleCase(33, i);
    const forced = sampleCase(33, i, { force: { cavitary_lesion: true } });
    for (const r of RARE_FINDINGS)
      if (r !== 'cavitary_lesion') assert.deepEqual(forced.findings[r], drawn.findings[r], `${r} moved`);
  }
});

test('each rare finding has a mask where present, none where absent, inside the body; its report names it', () => {
  for (const [k, name] of RARE_FINDINGS.entries()) {
    for (const seed of [41, 42]) {
      const p = generatePhantom(seed, k, { size: 224, force: { ...none(), [name]: true } });
      const f = p.rendered.fields;
      for (const other of FINDINGS) {
        const bit = maskBit(other);
        let count = 0;
        for (let i = 0; i < p.rendered.mask.length; i++)
          if (p.rendered.mask[i]! & bit) {
            count++;
            assert.ok(f.inBody[i], `${name}: mask outside the body`);
          }
        assert.equal(count > 0, other === name, `seed ${seed} ${name}: ${other} has ${count} mask pixels`);
      }
      const said = p.report.sentences.filter((s) => s.findings.includes(name));
      assert.ok(
        said.some((s) => s.polarity === 'positive' && s.section === 'findings') &&
          said.some((s) => s.polarity === 'positive' && s.section === 'impression'),
        `${name}: not reported`,
      );
      assert.ok(!said.some((s) => s.polarity !== 'positive'), `${name}: present but negated or hedged`);
    }
  }
});

test('same seed, same rare findings: pixels, masks and reports are identical', () => {
  const force = Object.fromEntries(RARE_FINDINGS.map((f) => [f, true]));
  const a = generatePhantom(44, 2, { size: 256, force });
  const b = generatePhantom(44, 2, { size: 256, force });
  assert.deepEqual(a.case, b.case);
  assert.deepEqual(a.rendered.image.pixels, b.rendered.image.pixels);
  assert.deepEqual(a.rendered.mask, b.rendered.mask);
  assert.equal(a.report.text, b.report.text);
});

const EXCLUDED: RareFindingName[] = [
  'pneumoperitoneum',
  'pneumomediastinum',
  'rib_fracture',
  'widened_mediastinum',
  'cavitary_lesion',
];

test('excluded findings never appear, not even when forced or certain, and no report names them', () => {
  const certain = Object.fromEntries(EXCLUDED.map((f) => [f, 1]));
  const forced = Object.fromEntries(EXCLUDED.map((f) => [f, true]));
  let mentionsElsewhere = 0;
  for (let i = 0; i < 1500; i++) {
    const c = sampleCase(45, i, { exclude: EXCLUDED, prevalence: certain, force: i % 2 ? forced : {} });
    for (const x of EXCLUDED) assert.equal(c.findings[x], undefined, `case ${i}: ${x} present`);
    const r = writeReport(c);
    for (const s of r.sentences) {
      for (const x of EXCLUDED) {
        assert.ok(!s.findings.includes(x), `case ${i}: "${s.text}" names excluded ${x}`);
        assert.ok(!RARE_TERMS[x].test(s.text), `case ${i}: "${s.text}" uses the words of excluded ${x}`);
      }
    }
    // Without the exclusion these reports do name them (negated) now and then.
    const plain = writeReport(sampleCase(45, i));
    if (plain.sentences.some((s) => s.findings.some((f) => EXCLUDED.includes(f as RareFindingName))))
      mentionsElsewhere++;
  }
  assert.ok(mentionsElsewhere > 100, `only ${mentionsElsewhere} reports mention them without the exclusion`);
});

test('an excluded set on disk: labels 0, no mask bits, no sentences, listed in the manifest; base findings kept', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'radsift-rare-'));
  try {
    const exclude: RareFindingName[] = ['hiatal_hernia', 'scoliosis', 'calcified_granuloma', 'sternotomy_wires'];
    const prevalence = Object.fromEntries(RARE_FINDINGS.map((f) => [f, 0.5]));
    writeDemo({
      dir: path.join(root, 'demo'),
      trainingDir: path.join(root, 'train'),
      count: 8,
      seed: 46,
      size: 160,
      trainingSize: 48,
      prevalence,
      exclude,
    });
    const manifest = JSON.parse(readFileSync(path.join(root, 'train', 'manifest.json'), 'utf8')) as {
      findings: string[];
      allFindings: string[];
      maskPlanes: number;
      excludedFindings: string[];
    };
    assert.deepEqual(manifest.findings, [...BASE_FINDINGS]);
    assert.deepEqual(manifest.allFindings, [...FINDINGS]);
    assert.equal(manifest.maskPlanes, MASK_PLANES);
    assert.deepEqual(manifest.excludedFindings, exclude);
    const records = readFileSync(path.join(root, 'train', 'records.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    let rarePresent = 0;
    for (const r of records) {
      const labels = r.labels as Record<string, number>;
      const all = r.allLabels as Record<string, number>;
      // The 1.0 contract: exactly the base findings in `labels`, `mask`, sentence `findings`.
      assert.deepEqual(Object.keys(labels), [...BASE_FINDINGS]);
      assert.equal(r.mask, (r.maskPlanes as string[])[0]);
      for (const x of exclude) assert.equal(all[x], 0);
      for (const f of RARE_FINDINGS) rarePresent += all[f]!;
      for (const s of r.sentences as { text: string; findings: string[]; allFindings: string[] }[]) {
        assert.ok(s.findings.every((f) => (BASE_FINDINGS as readonly string[]).includes(f)));
        for (const x of exclude) assert.ok(!s.allFindings.includes(x) && !RARE_TERMS[x].test(s.text), s.text);
      }
      const planes = (r.maskPlanes as string[]).map((p) => decodeGrayPng(readFileSync(path.join(root, 'train', p))));
      for (const f of FINDINGS) {
        const k = FINDINGS.indexOf(f);
        const set = planes[k >> 3]!.data.some((v) => (v >> (k & 7)) & 1);
        assert.equal(set, all[f] === 1, `${String(r.id)}: ${f} mask`);
      }
    }
    assert.ok(rarePresent > 4, 'the other rare findings still appear');
    const header = readFileSync(path.join(root, 'demo', 'labels.csv'), 'utf8').split('\n')[0]!;
    assert.equal(header, `path,${FINDINGS.join(',')}`);
    const masks = readdirSync(path.join(root, 'demo', 'masks'), { recursive: true }).map(String);
    assert.equal(masks.filter((m) => m.endsWith('.dcm.png')).length, 8);
    assert.equal(masks.filter((m) => m.endsWith('.dcm.p1.png')).length, 8);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('radsift demo --exclude-findings takes rare findings only', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'radsift-rare-cli-'));
  try {
    let out = '';
    let err = '';
    const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: root };
    const bad = await main(['demo', 'x', '--count', '1', '--exclude-findings', 'nodule'], io);
    assert.equal(bad, 1);
    assert.match(err, /base finding/);
    const unknown = await main(['demo', 'x', '--count', '1', '--exclude-findings', 'banana'], io);
    assert.equal(unknown, 1);
    const code = await main(
      ['demo', 'd', '--count', '3', '--size', '128', '--workers', '1', '--exclude-findings', 'scoliosis,hiatal_hernia'],
      io,
    );
    assert.equal(code, 0, err);
    assert.ok(out.includes('"count":3'));
    const reports = readFileSync(path.join(root, 'd', 'reports.jsonl'), 'utf8');
    assert.ok(!/scoliosis|hiatal/i.test(reports));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('rare findings are flagged as such', () => {
  assert.deepEqual(FINDINGS.filter(isRareFinding), [...RARE_FINDINGS]);
  assert.ok(RARE_FINDINGS.length >= 10 && FINDINGS.length <= 32);
});

test('a varied report calls a hiatal hernia small, moderate or large by its measured width (generator 1.8)', () => {
  const seen = { small: 0, moderate: 0, large: 0 };
  for (let i = 0; i < 400; i++) {
    const c = sampleCase(46, i, { prevalence: { hiatal_hernia: 1 } });
    const h = c.findings.hiatal_hernia;
    assert.ok(h, `case ${i}: no hernia at prevalence 1`);
    const text = writeReport(c)
      .sentences.filter((s) => s.findings.includes('hiatal_hernia') && s.polarity === 'positive')
      .map((s) => s.text.toLowerCase())
      .join(' ');
    const band = h.diameterMm >= 60 ? 'large' : h.diameterMm >= 45 ? 'moderate' : 'small';
    seen[band]++;
    const words = text.match(/\b(small to moderate|moderate-to-large|small|moderate|large)\b/g) ?? [];
    const allowed = {
      small: ['small'],
      moderate: ['moderate', 'small to moderate'],
      large: ['large', 'moderate-to-large'],
    };
    for (const w of words)
      assert.ok(allowed[band].includes(w), `${(h.diameterMm / 10).toFixed(1)} cm hernia called "${w}": ${text}`);
  }
  assert.ok(seen.small > 20 && seen.moderate > 20 && seen.large > 20, JSON.stringify(seen));
});
