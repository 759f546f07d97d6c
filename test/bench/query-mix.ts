/**
 * `npm run bench:query-mix -- <labelled folder> [--model-dir <bundle>] [--min-positives N] [--k 1,4]`
 * How the Query view should rank by example scans, alone and beside a phrase (docs/few-shot.md, "The Query view's
 * example scans"). For each finding with enough positives, k positive examples (--k: 1 and 4 unless told) drawn 20
 * times each (seeded);
 * the ROC AUC over the scans that are not examples of:
 *   (a) the cosine of each scan's plain embedding to the weighted sum of the phrase's and the examples' embeddings
 *       (what the Query view ranked by before the rule);
 *   (b) the phrase's cosine plus each example's cosine in Screening's descriptor space (exampleSpace and
 *       exampleDescriptor, the app's own code: centred on the scans, pooled patches beside the embedding);
 *   (c) the two kinds each standardised over the scans and weighed by the sum of their weights (query-mix.ts; the
 *       phrase 1, the k examples k: what the Query view ranked by from that rule until (d) and (e));
 *   (d) as (c), the phrase's part its zero-shot margin as the app scores a phrase alone (zeroShotMargin: the model's
 *       best region, the whole image or both) instead of its whole-image cosine (docs/few-shot.md, "The phrase's
 *       part of a mix");
 *   (e) as (d), the examples weighing the mean of their weights instead of their sum (one phrase and four examples
 *       1 : 1 instead of 1 : 4), as relevance feedback (Rocchio) adds the relevant documents' mean (docs/few-shot.md,
 *       "How much examples weigh beside a phrase"; ExampleQuery.weight, as the Query view ranks since);
 *   (f) as (e), each part's weight times its skill on the examples themselves (partSkills: of the phrase's margins
 *       by examplesAuc, of the examples by leaveOneOutAuc; (e)'s weights with one example or both skills 0;
 *       docs/few-shot.md, "Each part weighed by how it ranks the examples");
 * for queries of the examples alone ((b) and (c) rank alike there) and of the finding's phrase plus the examples,
 * and the phrase alone, by either score, for reference. Prints JSON: means over findings, per finding, and the
 * rules' verdicts.
 */
import { parseArgs } from 'node:util';
import { encodeLabelled, readLabelled } from './labelled-folder.js';
import { maxPoolPatches } from '../../electron/scoring/example-features.js';
import { exampleDescriptor, exampleSpace, type ExampleScan } from '../../electron/scoring/example-profile.js';
import { rocAuc, seededRandom, shuffled } from '../../electron/scoring/metrics.js';
import { exampleQuery, exampleScores, mixQueryParts, partSkills } from '../../electron/scoring/query-mix.js';
import { zeroShotMargin } from '../../electron/scoring/region-score.js';
import { findingPhrase } from '../../electron/scoring/report-language.js';
import { dot, row, weightedSum } from '../../electron/scoring/vectors.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'model-dir': { type: 'string' },
    'min-positives': { type: 'string', default: '34' },
    k: { type: 'string', default: '1,4' },
  },
});
const folder = await readLabelled(positionals[0]);
const { findings, labelled } = folder;
const { scores, model } = await encodeLabelled(folder, values['model-dir'], findings.map(findingPhrase));
const keep = scores.paths.map((p, i) => [p, i] as const).filter(([p]) => labelled.has(p));
const dim = scores.images.dim;
const scans: ExampleScan[] = keep.map(([, i]) => ({
  embedding: row(scores.images, i),
  pooled: scores.patches?.[i] ? maxPoolPatches(scores.patches[i]!, dim) : null,
}));
const { space } = exampleSpace(scans, dim);
const descriptors = scans.map((s) => exampleDescriptor(s, space));

const DRAWS = 20;
const KS = values.k.split(',').map(Number);
if (!KS.length || KS.some((k) => !(Number.isInteger(k) && k >= 1))) throw new Error('--k: whole numbers, 1 or more');
type Ranking =
  | 'phrase'
  | 'phrase (margin)'
  | 'examples (a)'
  | 'examples (b)'
  | 'mix (a)'
  | 'mix (b)'
  | 'mix (c)'
  | 'mix (d)'
  | 'mix (e)'
  | 'mix (f)';
const RANKINGS: Ranking[] = [
  'phrase',
  'phrase (margin)',
  'examples (a)',
  'examples (b)',
  'mix (a)',
  'mix (b)',
  'mix (c)',
  'mix (d)',
  'mix (e)',
  'mix (f)',
];

const perFinding: Record<string, Record<Ranking, number>> = {};
for (const [j, finding] of findings.entries()) {
  const y = keep.map(([p]) => labelled.get(p)![j]!);
  const pos = y.flatMap((v, i) => (v ? [i] : []));
  if (pos.length < Number(values['min-positives'])) continue;
  const phrase = scores.vectors[j]!.positive;
  const phraseScores = scans.map((s) => dot(s.embedding, phrase));
  // What the app ranks a phrase alone by (its probability is this margin through a monotone softmax).
  const negation = scores.vectors[j]!.negative;
  const phraseMargins = keep.map(([, at], i) =>
    zeroShotMargin(
      phraseScores[i]!,
      dot(scans[i]!.embedding, negation),
      scores.regions[at]?.[j],
      model,
      scores.vectors[j]!.pair.phrase,
    ),
  );
  const sums = Object.fromEntries(RANKINGS.map((r) => [r, 0])) as Record<Ranking, number>;
  const rnd = seededRandom(11 + j);
  for (const k of KS) {
    for (let d = 0; d < DRAWS; d++) {
      const picked = shuffled(pos, rnd).slice(0, k);
      const isExample = new Set(picked);
      const rawSum = weightedSum(
        picked.map((i) => ({ vector: scans[i]!.embedding, weight: 1 })),
        dim,
      );
      const mixSum = weightedSum(
        [{ vector: phrase, weight: 1 }, ...picked.map((i) => ({ vector: scans[i]!.embedding, weight: 1 }))],
        dim,
      );
      // (b), (c): the app's own code (query-mix.ts), each example of weight 1. (b)'s mix adds each example's cosine
      // (their sum, not the cosine to their mean direction) to the phrase's.
      const query = exampleQuery(
        descriptors,
        picked.map((row) => ({ row, weight: 1 })),
      );
      const byExamples = exampleScores(descriptors, query);
      const cosineSum = descriptors.map((v) => picked.reduce((a, i) => a + dot(v, descriptors[i]!), 0));
      // (c), (d): the examples weigh the sum of their weights (k, each 1); (e): their mean, query.weight (query-mix.ts).
      const mixed = mixQueryParts([
        { scores: phraseScores, weight: 1 },
        { scores: byExamples, weight: k },
      ]);
      const mixedMargin = mixQueryParts([
        { scores: phraseMargins, weight: 1 },
        { scores: byExamples, weight: k },
      ]);
      const mixedMean = mixQueryParts([
        { scores: phraseMargins, weight: 1 },
        { scores: byExamples, weight: query.weight },
      ]);
      // (f): each part's weight times its skill on the examples (an example never vouches for itself).
      const skills = partSkills(
        phraseMargins,
        descriptors,
        picked.map((row) => ({ row, weight: 1 })),
      );
      const mixedSkill = skills
        ? mixQueryParts([
            { scores: phraseMargins, weight: skills.phrases },
            { scores: byExamples, weight: query.weight * skills.examples },
          ])
        : mixedMean;
      const by: Record<Ranking, (i: number) => number> = {
        phrase: (i) => phraseScores[i]!,
        'phrase (margin)': (i) => phraseMargins[i]!,
        'examples (a)': (i) => dot(scans[i]!.embedding, rawSum),
        'examples (b)': (i) => byExamples[i]!,
        'mix (a)': (i) => dot(scans[i]!.embedding, mixSum),
        'mix (b)': (i) => phraseScores[i]! + cosineSum[i]!,
        // weights: the phrase 1, the examples k (each 1), as the Query view weighed them until (e)
        'mix (c)': (i) => mixed[i]!,
        'mix (d)': (i) => mixedMargin[i]!,
        'mix (e)': (i) => mixedMean[i]!,
        'mix (f)': (i) => mixedSkill[i]!,
      };
      const rest = y.map((_, i) => i).filter((i) => !isExample.has(i));
      for (const r of RANKINGS)
        sums[r] += rocAuc(
          rest.map(by[r]),
          rest.map((i) => y[i]!),
        );
    }
  }
  perFinding[finding] = Object.fromEntries(RANKINGS.map((r) => [r, round(sums[r] / (DRAWS * KS.length))])) as Record<
    Ranking,
    number
  >;
}

const names = Object.keys(perFinding);
const mean = (r: Ranking) => round(names.reduce((a, f) => a + perFinding[f]![r], 0) / names.length);
const worst = (r: Ranking, than: Ranking) => {
  const drops = names.map((f) => [f, perFinding[f]![r] - perFinding[f]![than]] as const);
  const [finding, change] = drops.reduce((a, b) => (b[1] < a[1] ? b : a));
  return { finding, change: round(change) };
};
const verdict = (r: Ranking, than: Ranking) => {
  const w = worst(r, than);
  return { rise: round(mean(r) - mean(than)), worst: w, met: mean(r) - mean(than) >= 0.005 && w.change >= -0.03 };
};
const mixBest: Ranking = mean('mix (c)') > mean('mix (b)') ? 'mix (c)' : 'mix (b)';
console.log(
  JSON.stringify(
    {
      model: model.id,
      version: model.version,
      scans: keep.length,
      patches: space.patches,
      centredOn: space.centre ? scans.length : null,
      draws: DRAWS,
      k: KS,
      means: Object.fromEntries(RANKINGS.map((r) => [r, mean(r)])),
      rule: {
        examplesAlone: verdict('examples (b)', 'examples (a)'),
        mix: { candidate: mixBest, ...verdict(mixBest, 'mix (a)') },
        phrasePart: verdict('mix (d)', 'mix (c)'),
        examplesByMean: verdict('mix (e)', 'mix (d)'),
        bySkill: verdict('mix (f)', 'mix (e)'),
        // docs/few-shot.md, "Which column a phrase-and-examples job opens sorted by"
        sortByMix: {
          overPhrase: round(mean('mix (f)') - mean('phrase (margin)')),
          overExamples: round(mean('mix (f)') - mean('examples (b)')),
          worstBelowPhrase: worst('mix (f)', 'phrase (margin)'),
          met:
            mean('mix (f)') - mean('phrase (margin)') >= 0.005 &&
            mean('mix (f)') - mean('examples (b)') >= 0.005 &&
            worst('mix (f)', 'phrase (margin)').change >= -0.05,
        },
      },
      perFinding,
    },
    null,
    1,
  ),
);

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
