/**
 * `npm run bench:query-phrase [-- --count 100 --size 1024 --phrases 4]`
 * The Query view over an opened folder with the default model (its zero-shot scores weigh each scan's best
 * region): how long a query of a phrase not asked before takes when the index kept the scans' patch grids
 * (up to KEEP_PATCHES_UP_TO opened scans: the margins come from the grids), against the reference measured
 * in the same run, warm: the same query over an identical copy of the folder at another path, which the index
 * has never seen, so every scan is decoded and encoded as every new phrase's query did before the grids were
 * kept (and still does above that limit). The model and decode workers are warm for both: a first query
 * (not timed) loads them. Phantoms from `radsift demo` (seed 63); prints JSON: the times, their ratio, and what
 * the kept grids take in the index (int8 with a scale per cell since schema 7: bytes a scan, counted after the
 * app closes). --count may go up to KEEP_PATCHES_UP_TO (2,048): above it no grids are kept.
 */
import Database from 'better-sqlite3';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { KEEP_PATCHES_UP_TO } from '../../electron/api/collection-service.js';
import { createServices } from '../../electron/api/create-services.js';
import { dispatch, type HandlerContext } from '../../electron/api/dispatch.js';
import { INDEX_FILE } from '../../electron/index/index-store.js';
import { writeDemo } from '../../electron/phantom/export.js';
import { PROJECT_ROOT } from '../support/paths.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100' },
    size: { type: 'string', default: '1024' },
    phrases: { type: 'string', default: '4' },
  },
});
const count = Number(values.count);
if (!(count >= 1 && count <= KEEP_PATCHES_UP_TO))
  throw new Error(`--count must be 1 to ${KEEP_PATCHES_UP_TO} (above it, no grids are kept)`);
// Scoliosis last: a whole-thorax phrase reads no grid (scoresWholeImageOnly), so its query costs a text encode
// alone, and among the default four it would flatter the median that `speedup` is taken from.
const PHRASES = ['pneumothorax', 'rib fracture', 'calcified granuloma', 'nodule', 'pleural effusion', 'scoliosis'];
const later = PHRASES.slice(1, 1 + Number(values.phrases));

const work = await mkdtemp(path.join(tmpdir(), 'radsift-bench-query-'));
try {
  const folder = path.join(work, 'scans');
  const copy = path.join(work, 'copy');
  for (const dir of [folder, copy]) writeDemo({ dir, count, seed: 63, size: Number(values.size) });
  const dataDir = path.join(work, 'data');
  const services = await createServices({ dataDir, modelRoots: [path.join(PROJECT_ROOT, 'models')] });
  let result: Record<string, unknown>;
  try {
    const ctx: HandlerContext = { emit: () => undefined };
    const call = async (method: Parameters<typeof dispatch>[1], req: unknown) => {
      const out = await dispatch(services.handlers, method, req, ctx);
      if (!out.ok) throw new Error(`${method}: ${out.error.message}`);
      return out.value;
    };
    const timed = async (phrase: string) => {
      const t = performance.now();
      await call('query.run', { phrases: [{ text: phrase, weight: 1 }], examples: [] });
      return performance.now() - t;
    };
    // Warm-up (untimed): loads the model and decode workers, encodes the folder and keeps its grids.
    await call('studies.openDropped', { paths: [folder] });
    await timed(PHRASES[0]!);
    const fromGrids: number[] = [];
    for (const p of later) fromGrids.push(await timed(p));
    // The reference: a phrase's query that encodes every scan, warm (the copy is new to the index).
    await call('studies.openDropped', { paths: [copy] });
    const encoding = await timed(later[0]!);
    const sorted = [...fromGrids].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    result = {
      model: (await services.models.ready()).model.id,
      scans: count,
      size: Number(values.size),
      encodingQueryMs: Math.round(encoding),
      newPhraseFromGridsMs: fromGrids.map(Math.round),
      newPhraseMedianMs: Math.round(median),
      speedup: Number((encoding / median).toFixed(1)),
      speedupEach: fromGrids.map((t) => Number((encoding / t).toFixed(1))),
      msPerScan: { encoding: Number((encoding / count).toFixed(2)), fromGrids: Number((median / count).toFixed(2)) },
    };
  } finally {
    await services.close();
  }
  // The grids kept now (the copy's, the collection open last), as stored: the app holds the index while open.
  const file = path.join(dataDir, 'index', INDEX_FILE);
  const db = new Database(file, { readonly: true });
  try {
    const g = db
      .prepare('SELECT count(*) AS n, sum(length(patches)) AS bytes FROM embeddings WHERE patches IS NOT NULL')
      .get() as { n: number; bytes: number | null };
    result.keptGrids = g.n;
    result.gridBytesPerScan = g.n ? Math.round((g.bytes ?? 0) / g.n) : 0;
    result.gridMBTotal = Number(((g.bytes ?? 0) / 2 ** 20).toFixed(1));
  } finally {
    db.close();
  }
  result.indexFileMB = Number(((await stat(file)).size / 2 ** 20).toFixed(1));
  console.log(JSON.stringify(result, null, 2));
} finally {
  await rm(work, { recursive: true, force: true });
}
