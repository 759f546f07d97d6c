/**
 * `npm run bench:review-ui [-- --scope 20000 --clicks 8]`
 * What a reviewer waits for in the Screening view itself: from a click on a row's "✗ Not it" to the first frame
 * painted after the header says the ranking rests on one more counter-example (timed in the page), in Debian's Chromium against the real handlers over
 * the loopback bridge (the e2e tests' setup), on a job of --scope rows (review-job.ts: random embeddings, the
 * shipped model). The reference, timed in the same page between the clicks: the same two calls (the mark and
 * the rows ranked again) made through the page's API client without the view, so the difference is what
 * the view adds (the rows' state, sorting, the rows in view drawn). Medians in ms; prints JSON.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { openBenchPage } from './bench-page.js';
import { PROJECT_ROOT } from '../support/paths.js';
import { prepareReviewJob, REVIEW_JOB } from './review-job.js';

const { values } = parseArgs({
  options: {
    scope: { type: 'string', default: '20000' },
    clicks: { type: 'string', default: '8' },
  },
});
const scope = Number(values.scope);
const clicks = Number(values.clicks);
if (!(scope >= 600 && clicks >= 1)) throw new Error('--scope must be at least 600 and --clicks at least 1');

const work = await mkdtemp(path.join(tmpdir(), 'radsift-bench-review-ui-'));
const dataDir = path.join(work, 'data');
const { files, model } = await prepareReviewJob(dataDir, path.join(work, 'scans'), scope);
const { page, close } = await openBenchPage({ dataDir, modelRoots: [path.join(PROJECT_ROOT, 'models')] });
try {
  await page.getByRole('navigation', { name: 'Views' }).waitFor();
  await page.evaluate('new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))');
  await page.keyboard.press('4');
  await page.getByTestId('screen-job').first().getByRole('button', { name: 'Results' }).click();
  const header = page.getByTestId('results-examples');
  // A phrase-only job that four "finding" marks gave examples: "by the phrases and 4 examples".
  await header.filter({ hasText: '4 examples' }).waitFor({ timeout: 120_000 });
  const rows = page.getByTestId('screen-row');

  // The reference: a row far down the ranking, marked and cleared through the API (state left as it was),
  // the rows asked for as the view asks (only what changed since the rows it holds).
  const far = files[files.length - 1]!;
  type Api = { radsift: { call(m: string, r: unknown): Promise<{ rowsToken: string }> } };
  const token = await page.evaluate(
    async (id) => (await (globalThis as unknown as Api).radsift.call('screen.results', { id })).rowsToken,
    REVIEW_JOB,
  );
  const apiCall = (mark: 'not' | null) =>
    page.evaluate(
      async ({ id, file, mark, token }) => {
        const api = (globalThis as unknown as Api).radsift;
        const t = performance.now();
        await api.call('screen.review', { id, path: file, mark });
        await api.call('screen.results', { id, since: token });
        return performance.now() - t;
      },
      { id: REVIEW_JOB, file: far, mark, token },
    );

  // A click as the reader makes it, timed in the page: from the click to the first frame painted after the
  // header says the ranking rests on one more counter-example (Playwright's own click and polling left out).
  const uiClick = (c: number) =>
    page.evaluate(`(async () => {
      const button = [...document.querySelectorAll('[data-testid="screen-row"]')]
        .map((row) => row.querySelector('[data-testid="review-not"][aria-pressed="false"]'))
        .find((b) => b !== null);
      if (!button) throw new Error('no row left to mark');
      const said = () =>
        document.querySelector('[data-testid="results-examples"]')?.textContent?.includes('away from ${c} reviewed');
      const t = performance.now();
      const changed = new Promise((done) => {
        const watch = new MutationObserver(() => {
          if (!said()) return;
          watch.disconnect();
          done();
        });
        watch.observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      button.click();
      await changed;
      await new Promise((painted) => requestAnimationFrame(() => setTimeout(painted, 0)));
      return performance.now() - t;
    })()`) as Promise<number>;

  const ui: number[] = [];
  const api: number[] = [];
  for (let c = 1; c <= clicks; c++) {
    await rows.first().waitFor();
    ui.push(await uiClick(c));
    api.push(await apiCall('not'));
    api.push(await apiCall(null));
  }
  const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! * 10) / 10;
  const uiMs = median(ui);
  const apiMs = median(api);
  console.log(
    JSON.stringify(
      {
        model,
        scope,
        clicks,
        ms: { clickToHeader: uiMs, apiReviewAndResults: apiMs },
        clickOverApi: Math.round((uiMs / apiMs) * 100) / 100,
      },
      null,
      2,
    ),
  );
} finally {
  await close();
  await rm(work, { recursive: true, force: true });
}
