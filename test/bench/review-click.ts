/**
 * `npm run bench:review-click [-- --scope 20000 --clicks 12]`
 * What a reviewer waits for after each "✓ Finding" / "✗ Not it" in the Screening view: the mark
 * (screen.review) and the job's rows ranked again (screen.results), through the app's real services and
 * the shipped model, on an app index holding --scope scans of one folder (random unit embeddings and pooled
 * patch embeddings: the ranking does not care what they hold; review-job.ts). The job is a phrase-only job that
 * four "finding" marks gave examples; each click then marks one more row "not" (or "finding", every third).
 * Each click is timed twice, interleaved: with the scope's read kept from the click before (ScopeReadCache,
 * as the app runs) and with it dropped first (the reference: every click read the folder again). Both ask,
 * as the view does, only for what changed in the rows it holds (`since`); the size of a whole reply is printed
 * beside. Medians, in ms; the reply's JSON encoding (what the bridge and IPC then carry) is timed apart. Prints
 * JSON.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { callApi, startServices } from '../support/app-services.js';
import { prepareReviewJob, REVIEW_JOB } from './review-job.js';

const { values } = parseArgs({
  options: {
    scope: { type: 'string', default: '20000' },
    clicks: { type: 'string', default: '12' },
  },
});
const scope = Number(values.scope);
const clicks = Number(values.clicks);
if (!(scope >= 50 && clicks >= 1)) throw new Error('--scope must be at least 50 and --clicks at least 1');

const work = await mkdtemp(path.join(tmpdir(), 'radsift-bench-review-'));
const dataDir = path.join(work, 'data');
const folder = path.join(work, 'scans');
const job = REVIEW_JOB;
try {
  const { files, model } = await prepareReviewJob(dataDir, folder, scope);
  const services = await startServices(dataDir);
  const call = <T>(method: Parameters<typeof callApi>[1], req: unknown) => callApi<T>(services, method, req);
  type Results = {
    rows: unknown[] | null;
    ranking: { flagged: unknown[] } | null;
    rowsToken: string;
    exampleCount: number | null;
  };
  const results = (since?: string) => call<Results>('screen.results', { id: job, ...(since ? { since } : {}) });
  const whole = await results();
  if (whole.exampleCount !== 4) throw new Error('the four "finding" marks are not the examples');
  const wholeBytes = JSON.stringify(whole).length;

  const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! * 10) / 10;
  const kept: number[] = [];
  const dropped: number[] = [];
  const encodeMs: number[] = [];
  let bytes = 0;
  // One click: the mark, then the rows ranked again with it (what the view waits for).
  const click = async (file: string, mark: 'finding' | 'not'): Promise<number> => {
    const t = performance.now();
    await call('screen.review', { id: job, path: file, mark });
    const reply = await results(whole.rowsToken);
    const ms = performance.now() - t;
    if (reply.rows || reply.ranking?.flagged.length !== scope) throw new Error('not an update of every row');
    const e = performance.now();
    bytes = JSON.stringify(reply).length;
    encodeMs.push(performance.now() - e);
    return ms;
  };
  for (let c = 0; c < clicks; c++) {
    const file = files[10 + c]!;
    const mark = c % 3 === 2 ? 'finding' : 'not';
    // The same click twice, the mark taken back between (untimed); which goes first alternates, so that
    // neither always follows the other's garbage. The second leaves the mark made.
    const order = c % 2 ? [true, false] : [false, true];
    for (const [n, keep] of order.entries()) {
      if (n === 1) await call('screen.review', { id: job, path: file, mark: null });
      if (!keep) services.screening.scopeReads.clear();
      (keep ? kept : dropped).push(await click(file, mark));
    }
  }
  await services.close();
  const keptMs = median(kept);
  const droppedMs = median(dropped);
  console.log(
    JSON.stringify(
      {
        model,
        scope,
        clicks,
        ms: { readKept: keptMs, readAgain: droppedMs, replyJson: median(encodeMs) },
        replyMegabytes: Math.round(bytes / 1e4) / 100,
        wholeReplyMegabytes: Math.round(wholeBytes / 1e4) / 100,
        readAgainOverKept: Math.round((droppedMs / keptMs) * 100) / 100,
      },
      null,
      2,
    ),
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
