/**
 * `npm run bench:results [-- --count 100000 --scope 1000 --dim 128 --repeats 5]`
 * A screening job's results read the embeddings of its scope's scans only (scopeEmbeddings: the scans of a
 * folder, by id) rather than the model's whole table. On an on-disk index of --count scans with embeddings,
 * pooled patch embeddings and one phrase's best-region margin (random values: the read does not care what
 * they hold), --scope of them in one folder and the rest in another, scan ids interleaved as a second folder
 * indexed later would leave them, this times in one run: the scope read, the whole-table read it replaces
 * (the reference), and every row of the scope's results with that phrase, scored as a model that weighs
 * regions scores them (screenResults); and the same rows ranked by --examples example scans (default 16) with
 * how alike they are (scopeCoherence), each scan's descriptor computed apart for the two (the reference) and
 * shared (descriptorMemo, as the app reads them), the two interleaved. Median of --repeats, in ms; prints JSON.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { IndexStore } from '../../electron/index/index-store.js';
import { seededRandom } from '../../electron/scoring/metrics.js';
import { promptPair } from '../../electron/scoring/prompts.js';
import { normalise } from '../../electron/scoring/vectors.js';
import { exampleProfile } from '../../electron/scoring/example-profile.js';
import {
  descriptorMemo,
  scopeCoherence,
  scopeEmbeddings,
  scopeSpace,
  screenResults,
} from '../../electron/screening/results.js';
import { scanRecord } from '../support/scan-record.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    scope: { type: 'string', default: '1000' },
    dim: { type: 'string', default: '128' },
    repeats: { type: 'string', default: '5' },
    examples: { type: 'string', default: '16' },
  },
});
const count = Number(values.count);
const scope = Number(values.scope);
const dim = Number(values.dim);
const repeats = Number(values.repeats);
if (!(scope >= 1 && scope < count)) throw new Error('--scope must be at least 1 and below --count');

const rnd = seededRandom(3);
const unit = () => normalise(Float32Array.from({ length: dim }, () => rnd() - 0.5));
const dir = await mkdtemp(path.join(tmpdir(), 'radsift-bench-results-'));
const store = IndexStore.open(dir);
try {
  const model = store.model('bench@1', dim, [16, 16]);
  const built = performance.now();
  // Every (count / scope)-th scan is in the scope folder, so its ids are spread over the table.
  const every = Math.floor(count / scope);
  let inScope = 0;
  for (let start = 0; start < count; start += 5000)
    store.transaction(() => {
      for (let i = start; i < Math.min(count, start + 5000); i++) {
        const mine = i % every === 0 && inScope < scope;
        if (mine) inScope++;
        const id = store.putScan(scanRecord(mine ? `/scope/${i}.dcm` : `/other/${i}.dcm`));
        store.putEmbedding(id, model, unit(), null, unit());
        // As a screening run with a model that weighs regions keeps them (one phrase).
        store.putRegions(id, model, ['pleural effusion'], [rnd() - 0.5]);
      }
    });
  const buildSeconds = (performance.now() - built) / 1000;

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const time = (f: () => unknown): number => {
    const ms: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t = performance.now();
      f();
      ms.push(performance.now() - t);
    }
    return Math.round(median(ms) * 10) / 10;
  };
  let scopeRows = 0;
  const scopeRead = time(() => (scopeRows = scopeEmbeddings(store, model, '/scope', { pooled: true }).scanIds.length));
  let allRows = 0;
  const wholeRead = time(() => (allRows = store.embeddings(model, { pooled: true }).scanIds.length));
  const phrase = { pair: promptPair('pleural effusion'), positive: unit(), negative: unit() };
  let resultRows = 0;
  const results = time(() => {
    resultRows = 0;
    for (const _ of screenResults(store, model, '/scope', {
      phrases: [phrase],
      rule: { logitScale: 10, regionOffset: 0.58, regionWeight: 0.5 },
      threshold: 0.5,
    }))
      resultRows++;
  });
  // Ranked by examples: the first K scans of the scope stand for the examples.
  const k = Number(values.examples);
  const byExamples = (shared: boolean) => () => {
    const stored = scopeEmbeddings(store, model, '/scope', { pooled: true });
    const { space, encoded, ids } = scopeSpace(store, model, '/scope', stored);
    const example = exampleProfile(encoded.slice(0, k), space);
    // Apart (the reference): the likeness describes the scans it draws, and the rows describe every scan again.
    const describe = descriptorMemo(example);
    scopeCoherence(example, encoded.slice(0, k), { encoded, ids }, describe);
    let n = 0;
    for (const _ of screenResults(store, model, '/scope', {
      phrases: [phrase],
      rule: { logitScale: 10, regionOffset: 0.58, regionWeight: 0.5 },
      threshold: 0.5,
      embeddings: stored,
      example,
      ...(shared ? { describe } : {}),
    }))
      n++;
    if (n !== scope) throw new Error(`${n} rows ranked by examples`);
  };
  // Interleaved, so that a load that comes or goes during the run weighs on both alike.
  const apartMs: number[] = [];
  const sharedMs: number[] = [];
  for (let r = 0; r < repeats; r++)
    for (const [shared, ms] of [
      [false, apartMs],
      [true, sharedMs],
    ] as const) {
      const t = performance.now();
      byExamples(shared)();
      ms.push(performance.now() - t);
    }
  const examplesApart = Math.round(median(apartMs) * 10) / 10;
  const examplesShared = Math.round(median(sharedMs) * 10) / 10;
  if (scopeRows !== scope || resultRows !== scope || allRows !== count)
    throw new Error(`read ${scopeRows} scope rows, ${resultRows} result rows and ${allRows} rows in all`);
  console.log(
    JSON.stringify(
      {
        scans: count,
        scope,
        dim,
        buildSeconds: Math.round(buildSeconds),
        examples: k,
        ms: { scopeRead, wholeTableRead: wholeRead, scopeResults: results, examplesApart, examplesShared },
        wholeTableOverScope: Math.round((wholeRead / scopeRead) * 10) / 10,
        examplesApartOverShared: Math.round((examplesApart / examplesShared) * 100) / 100,
      },
      null,
      2,
    ),
  );
} finally {
  store.close();
  await rm(dir, { recursive: true, force: true });
}
