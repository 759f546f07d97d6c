/**
 * `npm run bench:regions -- <labelled folder> [--model-dir <bundle>] [--min-positives N] [--top K] [--scores out.csv]`
 * Zero-shot from the whole image against scores read from the patch grid, on a labelled phantom set
 * (labels.csv beside the scans, as `radsift demo` writes). A small finding (a hairline rib fracture, a 2 px
 * granuloma) fills a few cells of the grid and little of the global embedding, so the cells that match the
 * phrase best may rank it better (docs/region-scores.md). Per finding with enough positives, AUC and P@10 of:
 *   wholeImage   the global embedding's margin: cosine with the phrase's prompt ensemble minus that with its
 *                negation (the zero-shot probability of a model that scores no regions ranks the same)
 *   bestRegion   the largest cell margin
 *   bestRegionPos the largest cell cosine with the phrase alone (what the recipe's grounding term trains)
 *   topK         the mean of the K largest cell margins
 *   pooled       the max-pooled patch embedding's margin (the vector the index keeps for every scan)
 *   wholeAndRegion the sum of the whole image's margin and the best region's, for every phrase (ranks as their
 *                mean, the app's rule before shapes of the whole thorax kept the whole image alone)
 *   app          the probability the app computes (scoreFolder: the whole image's margin and the best region's
 *                weighed by the manifest's regionWeight, for a model whose manifest sets regionOffset, but the whole
 *                image's alone for a shape of the whole thorax, prompts.ts scoresWholeImageOnly; else the whole
 *                image's)
 * then the means, their ratios to the whole image's, measured in the same run, and the median over every
 * scan and finding of bestRegion − wholeImage: the label-free figure a bundle's regionOffset is set to.
 * `rules`: the ways of joining the whole image's margin g and the best region's r that docs/region-scores.md
 * weighs, each as the app would apply it (a shape of the whole thorax keeps g): the weighted means
 * (1 − w)·g + w·(r − regionOffset) for w = 0, 0.25, 0.5 (the app's rule), 0.75 and 1 (the region alone), and the
 * noisy-or of the two margins' probabilities. Their means over the findings reported, AUC and P@10.
 * `regionAloneOffset`: the offset at which the best region alone (w = 1) passes 0.5 for as many scans and phrases
 * as the whole image does (label-free, over every scan and every phrase a region is scored for): where such a
 * model's flags sit. An offset places scores only: it shifts every scan's score for a phrase alike.
 * --scores writes every scan's margins per finding, to study other rules without encoding again. Prints JSON.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { encodeLabelled, readLabelled } from './labelled-folder.js';
import { maxPoolPatches } from '../../electron/scoring/example-features.js';
import { phraseHeatmap } from '../../electron/scoring/grounding.js';
import { scoresWholeImageOnly } from '../../electron/scoring/prompts.js';
import { pairProbability } from '../../electron/scoring/zero-shot.js';
import { precisionAtK, rocAuc } from '../../electron/scoring/metrics.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'model-dir': { type: 'string' },
    'min-positives': { type: 'string', default: '10' },
    top: { type: 'string', default: '4' },
    /** Also write every scan's scores per finding (CSV), to study other rules without encoding again. */
    scores: { type: 'string' },
  },
});
const folder = await readLabelled(positionals[0]);
const { dir, findings, labelled } = folder;
const top = Number(values.top);
const min = Number(values['min-positives']);
if (!(top >= 1)) throw new Error('--top must be a positive number of cells');

const phrases = findings.map((f) => f.replace(/_/g, ' '));
const { scores, model: loaded } = await encodeLabelled(folder, values['model-dir'], phrases, (s) =>
  process.stderr.write(s),
);
// The model as loaded: what the figures belong to, and how its zero-shot scores are made.
const { id, version, logitScale, regionOffset } = loaded;
const model = `${id} ${version}`;
const keep = scores.paths.map((p, i) => [p, i] as const).filter(([p, i]) => labelled.has(p) && scores.patches![i]);
if (!keep.length) throw new Error('the model gives no patch embeddings, or no labelled scan was read');
const m = phrases.length;

/** The mean of the k largest values. */
function topMean(values: Float32Array, k: number): number {
  const sorted = Float32Array.from(values).sort();
  let s = 0;
  for (let i = 1; i <= k; i++) s += sorted[sorted.length - i]!;
  return s / k;
}
const round = (x: number) => Math.round(x * 1000) / 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/**
 * The offset t at which as many region margins exceed t as whole-image margins exceed 0: the k-th largest region
 * margin, k the count of positive whole-image margins (at least one). null without margins.
 */
function shareMatchingOffset(whole: readonly number[], region: readonly number[]): number | null {
  if (!region.length) return null;
  const k = Math.max(1, whole.filter((g) => g > 0).length);
  const sorted = [...region].sort((a, b) => b - a);
  return sorted[Math.min(k, sorted.length) - 1]!;
}

type Measure = { auc: number; p10: number };
const columns = ['wholeImage', 'bestRegion', 'bestRegionPos', `top${top}`, 'pooled', 'wholeAndRegion', 'app'] as const;
const dump: string[] = ['path,finding,label,wholeImage,bestRegion,bestRegionPos,topK,pooled,wholeAndRegion,app'];
const gaps: number[] = [];
// Label-free, over every scan and every phrase a region is scored for: the two margins, for regionAloneOffset.
const wholeMargins: number[] = [];
const regionMarginsSeen: number[] = [];
const rows: ({ phrase: string; positives: number } & Record<string, Measure | string | number>)[] = [];
const REGION_WEIGHTS = [0, 0.25, 0.5, 0.75, 1] as const;
const ruleNames = [...REGION_WEIGHTS.map((w) => `regionWeight${w}`), 'noisyOr'];
/** The rules' scores of one scan for one phrase, from its two margins (the whole image's g, the best region's r). */
function ruleScores(phrase: string, g: number, r: number): number[] {
  if (scoresWholeImageOnly(phrase)) return ruleNames.map(() => g);
  const offset = regionOffset ?? 0;
  const noisyOr = 1 - (1 - pairProbability(g, 0, logitScale)) * (1 - pairProbability(r - offset, 0, logitScale));
  return [...REGION_WEIGHTS.map((w) => (1 - w) * g + w * (r - offset)), noisyOr];
}
const ruleRows: Record<string, Measure>[] = [];
for (const [j, phrase] of phrases.entries()) {
  const y = keep.map(([p]) => labelled.get(p)![j]!);
  const positives = y.filter(Boolean).length;
  const v = scores.vectors[j]!;
  const margin = (e: ArrayLike<number>) => {
    let s = 0;
    for (let k = 0; k < e.length; k++) s += e[k]! * (v.positive[k]! - v.negative[k]!);
    return s;
  };
  const dim = scores.images.dim;
  const byColumn: Record<string, number[]> = {
    wholeImage: keep.map(([, i]) => margin(scores.images.data.subarray(i * dim, (i + 1) * dim))),
    bestRegion: [],
    bestRegionPos: [],
    [`top${top}`]: [],
    pooled: [],
    wholeAndRegion: [],
    app: keep.map(([, i]) => scores.probability[i * m + j]!),
  };
  for (const [r, [, i]] of keep.entries()) {
    const pos = phraseHeatmap(scores.patches![i]!, v.positive);
    const neg = phraseHeatmap(scores.patches![i]!, v.negative);
    const cells = pos.map((p, c) => p - neg[c]!);
    byColumn.bestRegion!.push(topMean(cells, 1));
    byColumn.bestRegionPos!.push(topMean(pos, 1));
    byColumn[`top${top}`]!.push(topMean(cells, top));
    byColumn.pooled!.push(margin(maxPoolPatches(scores.patches![i]!, dim)));
    byColumn.wholeAndRegion!.push(byColumn.wholeImage![r]! + byColumn.bestRegion![r]!);
  }
  if (!scoresWholeImageOnly(phrase)) {
    wholeMargins.push(...byColumn.wholeImage!);
    regionMarginsSeen.push(...byColumn.bestRegion!);
  }
  keep.forEach(([p], r) => {
    gaps.push(byColumn.bestRegion![r]! - byColumn.wholeImage![r]!);
    dump.push([path.relative(dir, p), phrase, y[r], ...columns.map((c) => byColumn[c]![r])].join(','));
  });
  if (positives < min || positives === y.length) continue;
  const measure = (s: number[]) => ({ auc: round(rocAuc(s, y)), p10: round(precisionAtK(s, y, 10)) });
  const byRule = keep.map((_, r) => ruleScores(phrase, byColumn.wholeImage![r]!, byColumn.bestRegion![r]!));
  ruleRows.push(Object.fromEntries(ruleNames.map((name, k) => [name, measure(byRule.map((s) => s[k]!))])));
  rows.push({ phrase, positives, ...Object.fromEntries(columns.map((c) => [c, measure(byColumn[c]!)])) });
}
const mean = (c: string, k: keyof Measure) => round(rows.reduce((a, r) => a + (r[c] as Measure)[k], 0) / rows.length);
const means = Object.fromEntries(columns.map((c) => [c, { auc: mean(c, 'auc'), p10: mean(c, 'p10') }]));
// Means of the unrounded per-finding figures would differ in the fourth decimal; these average the rounded
// ones, as `means` does, so the two blocks agree where they measure the same thing (w 0.5 and `app`).
const ruleMean = (name: string, k: keyof Measure) =>
  round(ruleRows.reduce((a, r) => a + r[name]![k], 0) / ruleRows.length);
const rules = Object.fromEntries(ruleNames.map((n) => [n, { auc: ruleMean(n, 'auc'), p10: ruleMean(n, 'p10') }]));
const aloneOffset = shareMatchingOffset(wholeMargins, regionMarginsSeen);
if (values.scores) await writeFile(values.scores, `${dump.join('\n')}\n`);
console.log(
  JSON.stringify(
    {
      model,
      logitScale,
      regionOffset,
      scans: keep.length,
      top,
      findings: rows,
      means,
      rules,
      rulesByFinding: Object.fromEntries(rows.map((r, i) => [r.phrase, ruleRows[i]])),
      aucRatioToWholeImage: Object.fromEntries(
        columns.slice(1).map((c) => [c, round(means[c]!.auc / means.wholeImage!.auc)]),
      ),
      medianBestRegionOverWholeImage: round(median(gaps)),
      regionAloneOffset: aloneOffset === null ? null : round(aloneOffset),
    },
    null,
    2,
  ),
);
