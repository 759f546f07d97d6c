/**
 * `npm run bench:review -- <labelled folder> [--model-dir <bundle>] [--min-positives N] [--examples K] [--review R]`
 * What reviewing the first results of an example screen buys (docs/few-shot.md, "Reviewing results"). For each
 * finding with enough positives, 20 draws: K examples (default 4) rank every scan as the app does
 * (exampleSpace/exampleProfile over the whole set, the app's own code); a reviewer marks the first R (default
 * 20): those with the finding become examples ("Is the finding"), the others counter-examples ("Not the
 * finding"). On the scans neither picked nor reviewed, AUC and P@10 of three rankings:
 *   first            the K examples alone
 *   confirmedOnly    the examples and the confirmed scans (no counter-examples: review without "Not the finding")
 *   withCounter      the same, pushed away from the counter-examples (exampleProfile's third argument)
 * and the app's flag rule for the last two (recall of the other positives, share of negatives flagged); then the
 * means over findings and the ratios of withCounter to confirmedOnly, measured in the same run. Prints JSON.
 */
import { parseArgs } from 'node:util';
import { encodeLabelled, readLabelled } from './labelled-folder.js';
import { maxPoolPatches } from '../../electron/scoring/example-features.js';
import {
  exampleDescriptor,
  exampleProfile,
  flaggedByExamples,
  exampleSimilarity,
  exampleSpace,
  type ExampleProfile,
  type ExampleScan,
} from '../../electron/scoring/example-profile.js';
import { precisionAtK, rocAuc, seededRandom, shuffled } from '../../electron/scoring/metrics.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'model-dir': { type: 'string' },
    'min-positives': { type: 'string', default: '34' },
    examples: { type: 'string', default: '4' },
    review: { type: 'string', default: '20' },
  },
});
const folder = await readLabelled(positionals[0]);
const { findings, labelled } = folder;
const K = Number(values.examples);
const R = Number(values.review);
const min = Number(values['min-positives']);
if (!(K >= 1 && R >= 1)) throw new Error('--examples and --review must be positive counts');
const { scores, model } = await encodeLabelled(folder, values['model-dir']);
const dim = scores.images.dim;
const keep = scores.paths.map((p, i) => [p, i] as const).filter(([p]) => labelled.has(p));
const scans: ExampleScan[] = keep.map(([, i]) => ({
  embedding: scores.images.data.slice(i * dim, (i + 1) * dim),
  pooled: scores.patches?.[i] ? maxPoolPatches(scores.patches[i]!, dim) : null,
}));
const { space } = exampleSpace(scans, dim);

type Ranking = { auc: number; p10: number; recall?: number; falseAlarms?: number };
const measure = (profile: ExampleProfile, y: number[], rest: number[], flag: boolean): Ranking => {
  const s = rest.map((i) => exampleSimilarity(profile, scans[i]!));
  const labels = rest.map((i) => y[i]!);
  const out: Ranking = { auc: rocAuc(s, labels), p10: precisionAtK(s, labels, 10) };
  if (flag) {
    // The app's rule: with counter-examples, the examples' own rule must flag a scan too.
    const flagged = rest.map((i) => flaggedByExamples(profile, exampleDescriptor(scans[i]!, profile.space)));
    const pos = labels.filter(Boolean).length;
    out.recall = flagged.filter((f, k) => f && labels[k]).length / pos;
    out.falseAlarms = flagged.filter((f, k) => f && !labels[k]).length / (labels.length - pos);
  }
  return out;
};

const names = ['first', 'confirmedOnly', 'withCounter'] as const;
const perFinding: Record<string, Record<(typeof names)[number], Ranking> & { positives: number }> = {};
for (const [j, finding] of findings.entries()) {
  const y = keep.map(([p]) => labelled.get(p)![j]!);
  const pos = y.flatMap((v, i) => (v ? [i] : []));
  if (pos.length < min) continue;
  const rnd = seededRandom(11);
  const sums: Record<string, Record<string, number>> = {};
  let draws = 0;
  for (let d = 0; d < 20; d++) {
    const picked = shuffled(pos, rnd).slice(0, K);
    const first = exampleProfile(
      picked.map((i) => scans[i]!),
      space,
    );
    const others = scans.map((_, i) => i).filter((i) => !picked.includes(i));
    const reviewed = [...others]
      .sort((a, b) => exampleSimilarity(first, scans[b]!) - exampleSimilarity(first, scans[a]!))
      .slice(0, R);
    const rest = others.filter((i) => !reviewed.includes(i));
    if (!rest.some((i) => y[i])) continue;
    const confirmed = [...picked, ...reviewed.filter((i) => y[i])].map((i) => scans[i]!);
    const rejected = reviewed.filter((i) => !y[i]).map((i) => scans[i]!);
    const runs: Record<string, Ranking> = {
      first: measure(first, y, rest, false),
      confirmedOnly: measure(exampleProfile(confirmed, space), y, rest, true),
      withCounter: measure(exampleProfile(confirmed, space, rejected), y, rest, true),
    };
    for (const [name, r] of Object.entries(runs))
      for (const [k, v] of Object.entries(r)) {
        sums[name] ??= {};
        sums[name]![k] = (sums[name]![k] ?? 0) + v;
      }
    draws++;
  }
  if (!draws) continue; // every positive was an example or reviewed: nothing left to rank
  perFinding[finding] = {
    positives: pos.length,
    ...(Object.fromEntries(
      names.map((n) => [n, Object.fromEntries(Object.entries(sums[n]!).map(([k, v]) => [k, round(v / draws)]))]),
    ) as Record<(typeof names)[number], Ranking>),
  };
}
const mean = (name: (typeof names)[number], k: keyof Ranking) => {
  const xs = Object.values(perFinding)
    .map((f) => f[name][k])
    .filter((x): x is number => Number.isFinite(x));
  return round(xs.reduce((a, b) => a + b, 0) / xs.length);
};
const summary = Object.fromEntries(
  names.map((n) => [
    n,
    {
      auc: mean(n, 'auc'),
      p10: mean(n, 'p10'),
      ...(n === 'first' ? {} : { recall: mean(n, 'recall'), falseAlarms: mean(n, 'falseAlarms') }),
    },
  ]),
);
console.log(
  JSON.stringify(
    {
      model: model.id,
      version: model.version,
      scans: scans.length,
      examples: K,
      reviewed: R,
      summary,
      ratios: {
        auc: round(mean('withCounter', 'auc') / mean('confirmedOnly', 'auc')),
        p10: round(mean('withCounter', 'p10') / mean('confirmedOnly', 'p10')),
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
