/**
 * The patch grids the index keeps are int8 with a float scale per cell (util/quantised-grid.ts): what that
 * changes in the app's scores. Synthetic grids check the quantiser's own bounds; 200 phantoms encoded by the
 * default model (loaded as `radsift` loads it) × the 20 finding phrases compare each scan's best-region margin
 * and zero-shot probability from its float32 grid (what encoding computes) and from its int8 grid (what a later
 * phrase reads from the index), and each finding's ranking both ways. The tolerances sit a few times above what
 * was measured (docs/index.md) and far below what a broken quantiser gives: with the scale stored off by 2 the
 * largest margin difference was 1.26, with each cell's dot product scaled by its neighbour's 0.52 (tolerance 0.01).
 */
import assert from 'node:assert/strict';
import { readFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliIO } from '../../../electron/cli/command.js';
import { scoreFolder, type FolderScores } from '../../../electron/cli/folder-scores.js';
import { openSession } from '../../../electron/cli/session.js';
import { writeDemo } from '../../../electron/phantom/export.js';
import { FINDINGS, RARE_FINDINGS } from '../../../electron/phantom/findings.js';
import { rocAuc, seededRandom } from '../../../electron/scoring/metrics.js';
import { scorePhrases } from '../../../electron/scoring/phrase-scores.js';
import { regionMargins, zeroShotMargin, type ZeroShotRule } from '../../../electron/scoring/region-score.js';
import { dequantiseGrid, gridBytes, gridFromBytes, quantiseGrid } from '../../../electron/util/quantised-grid.js';
import { PROJECT_ROOT } from '../../support/paths.js';

const RARE = path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt-rare');

/** Unit rows of `dim` random values: cells as a model's patch grid holds them. */
function unitRows(cells: number, dim: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(cells * dim);
  for (let c = 0; c < cells; c++) {
    let n = 0;
    for (let k = 0; k < dim; k++) n += (out[c * dim + k] = random() * 2 - 1) ** 2;
    for (let k = 0; k < dim; k++) out[c * dim + k]! /= Math.sqrt(n);
  }
  return out;
}

/** Kendall's tau-b of two scorings of the same scans (O(n²): a few hundred scans). */
function kendallTau(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < a.length; i++)
    for (let j = i + 1; j < a.length; j++) {
      const x = Math.sign(a[i]! - a[j]!);
      const y = Math.sign(b[i]! - b[j]!);
      if (x === 0 && y === 0) continue;
      if (x === 0) tiesA++;
      else if (y === 0) tiesB++;
      else if (x === y) concordant++;
      else discordant++;
    }
  const n = concordant + discordant;
  return (concordant - discordant) / Math.sqrt((n + tiesA) * (n + tiesB));
}

describe('quantised patch grids', () => {
  it('keeps each component within half a step of its cell scale, in dim + 4 bytes a cell', () => {
    const dim = 128;
    const grid = unitRows(64, dim, 7);
    grid.fill(0, 5 * dim, 6 * dim); // an all-zero cell
    const q = quantiseGrid(grid, dim);
    const back = dequantiseGrid(q);
    for (let c = 0; c < 64; c++) {
      let max = 0;
      for (let k = 0; k < dim; k++) max = Math.max(max, Math.abs(grid[c * dim + k]!));
      assert.ok(Math.abs(q.scales[c]! - max / 127) <= 1e-7 * max, `cell ${c}: scale ${q.scales[c]} for max ${max}`);
      for (let k = 0; k < dim; k++) {
        const i = c * dim + k;
        assert.ok(Math.abs(back[i]! - grid[i]!) <= q.scales[c]! / 2 + 1e-7, `cell ${c}, component ${k}`);
      }
    }
    assert.equal(q.scales[5], 0);
    assert.ok(q.values.subarray(5 * dim, 6 * dim).every((v) => v === 0));
    const bytes = gridBytes(q);
    assert.equal(bytes.byteLength, 64 * (dim + 4));
    // Read back from a Buffer at an odd offset, as SQLite may hand one over.
    const odd = Buffer.alloc(bytes.byteLength + 1);
    bytes.copy(odd, 1);
    const read = gridFromBytes(odd.subarray(1), dim)!;
    assert.deepEqual(Array.from(read.scales), Array.from(q.scales));
    assert.deepEqual(Array.from(read.values), Array.from(q.values));
    assert.equal(gridFromBytes(Buffer.alloc(64 * dim * 4), dim), null, 'a float32 grid is no quantised one');
  });

  it('scores the int8 grid as its dequantised float grid, without dequantising it', () => {
    const dim = 16;
    const grid = unitRows(100, dim, 3);
    const q = quantiseGrid(grid, dim);
    const d = unitRows(2, dim, 5);
    const phrases = [{ pair: { phrase: 'nodule' }, positive: d.subarray(0, dim), negative: d.subarray(dim) }];
    const fromInt8 = regionMargins(q, phrases)[0]!;
    assert.ok(Math.abs(fromInt8 - regionMargins(dequantiseGrid(q), phrases)[0]!) < 1e-6);
    assert.ok(Math.abs(fromInt8 - regionMargins(grid, phrases)[0]!) < 0.02);
    assert.ok(Number.isNaN(regionMargins(q, [{ ...phrases[0]!, pair: { phrase: 'no nodule' } }])[0]!));
    assert.throws(() => regionMargins(quantiseGrid(grid, 8), phrases), RangeError);
  });

  describe('on 200 phantoms with the default model', () => {
    const SCANS = 200;
    const phrases = FINDINGS.map((f) => f.replace(/_/g, ' '));
    let work: string;
    let scores: FolderScores;
    let rule: ZeroShotRule;
    let labels: Map<string, number[]>;
    before(async () => {
      work = await mkdtemp(path.join(tmpdir(), 'radsift-quantised-'));
      const folder = path.join(work, 'scans');
      // Rare findings at 8 % (nodule and pneumothorax too): enough positives in 200 scans to rank each.
      const prevalence = Object.fromEntries([...RARE_FINDINGS, 'nodule', 'pneumothorax'].map((f) => [f, 0.08]));
      writeDemo({ dir: folder, count: SCANS, seed: 64, size: 512, prevalence });
      const [head, ...lines] = (await readFile(path.join(folder, 'labels.csv'), 'utf8')).trim().split('\n');
      assert.deepEqual(head!.split(',').slice(1), [...FINDINGS]);
      labels = new Map(lines.map((l) => l.split(',')).map(([p, ...ys]) => [path.join(folder, p!), ys.map(Number)]));
      const io: CliIO = { stdout: () => {}, stderr: () => {}, cwd: work };
      const session = await openSession({ 'model-dir': [RARE] }, io);
      try {
        rule = session.loaded.model;
        scores = await scoreFolder(session, [folder], phrases, io, { keepPatches: true });
      } finally {
        await session.close();
      }
    });
    after(async () => {
      await rm(work, { recursive: true, force: true });
    });

    it('moves margins, probabilities and rankings by less than the tolerances', (t) => {
      assert.equal(scores.paths.length, SCANS);
      assert.ok(rule.regionOffset !== null, 'the default model scores regions');
      const { dim } = scores.images;
      const int8 = scores.patches!.map((g) => regionMargins(quantiseGrid(g!, dim), scores.vectors));
      const m = phrases.length;
      const asInt8 = scorePhrases(scores.images, scores.vectors, rule, int8);
      let marginDiff = 0;
      let probabilityDiff = 0;
      let regionPhrases = 0;
      const perPhrase: Record<string, { tau: number; auc?: [number, number] }> = {};
      for (let j = 0; j < m; j++) {
        const phrase = phrases[j]!;
        if (Number.isNaN(scores.regions[0]![j]!)) {
          // A phrase the whole image alone scores (shapes of the whole thorax): nothing quantised counts.
          for (let i = 0; i < SCANS; i++) assert.ok(Number.isNaN(int8[i]![j]!), phrase);
          continue;
        }
        regionPhrases++;
        const pos = (i: number) => scores.images.data.subarray(i * dim, (i + 1) * dim);
        const dot = (a: Float32Array, b: ArrayLike<number>) => a.reduce((s, x, k) => s + x * b[k]!, 0);
        const ranked = (margins: (Float32Array | null)[]) =>
          scores.paths.map((_, i) =>
            zeroShotMargin(
              dot(pos(i), scores.vectors[j]!.positive),
              dot(pos(i), scores.vectors[j]!.negative),
              margins[i]![j],
              rule,
              phrase,
            ),
          );
        const f32 = ranked(scores.regions);
        const i8 = ranked(int8);
        for (let i = 0; i < SCANS; i++) {
          marginDiff = Math.max(marginDiff, Math.abs(scores.regions[i]![j]! - int8[i]![j]!));
          probabilityDiff = Math.max(
            probabilityDiff,
            Math.abs(scores.probability[i * m + j]! - asInt8.probability[i * m + j]!),
          );
        }
        const y = scores.paths.map((p) => labels.get(p)![j]!);
        const positives = y.reduce((a, b) => a + b, 0);
        perPhrase[phrase] = {
          tau: kendallTau(f32, i8),
          ...(positives >= 5 && positives <= SCANS - 5 ? { auc: [rocAuc(f32, y), rocAuc(i8, y)] } : {}),
        };
      }
      const taus = Object.values(perPhrase).map((p) => p.tau);
      const aucs = Object.values(perPhrase).flatMap((p) => (p.auc ? [p.auc] : []));
      const aucDiff = Math.max(...aucs.map(([a, b]) => Math.abs(a - b)));
      t.diagnostic(
        JSON.stringify({
          scans: SCANS,
          regionPhrases,
          maxMarginDiff: marginDiff,
          maxProbabilityDiff: probabilityDiff,
          minKendallTau: Math.min(...taus),
          findingsWithAuc: aucs.length,
          maxAucDiff: aucDiff,
          perPhrase,
        }),
      );
      assert.ok(regionPhrases >= 15, `${regionPhrases} phrases scored by a region`);
      assert.ok(aucs.length >= 15, `${aucs.length} findings ranked against labels`);
      assert.ok(marginDiff > 0, 'the int8 grid is not the float one');
      assert.ok(marginDiff < 1e-2, `largest margin difference ${marginDiff}`);
      assert.ok(probabilityDiff < 2e-2, `largest probability difference ${probabilityDiff}`);
      assert.ok(Math.min(...taus) > 0.98, `lowest Kendall tau ${Math.min(...taus)}`);
      assert.ok(aucDiff <= 5e-3, `largest AUC difference ${aucDiff}`);
    });
  });
});
