/**
 * `npm run bench:viewer-step [-- --size 2048 --images 8 --rounds 3 --pause 400]`
 * What a reader waits for at each → in the viewer: from the key to the next scan's image drawn, in Debian's
 * Chromium against the real handlers over the loopback bridge, through a series of --images phantoms of
 * --size² (one phantom written again with new instance UIDs by dcmtk's dcmodify), with --pause ms of looking
 * at each scan. Two arms in the same page, alternating by round: the next scan asked for ahead of the step
 * (prefetch.ts, the default) and not (localStorage "radsift.prefetch" = "off": the reference). Each round
 * touches the files first, so no render is left over from the round before. Medians in ms; prints JSON.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from '@playwright/test';
import { writeDemo } from '../../electron/phantom/export.js';
import { openBenchPage } from './bench-page.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '2048' },
    images: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    pause: { type: 'string', default: '400' },
  },
});
const size = Number(values.size);
const images = Number(values.images);
const rounds = Number(values.rounds);
const pause = Number(values.pause);
if (!(size >= 256 && images >= 2 && rounds >= 1 && pause >= 0))
  throw new Error('--size ≥ 256, --images ≥ 2, --rounds ≥ 1, --pause ≥ 0');

const work = await mkdtemp(path.join(tmpdir(), 'radsift-bench-viewer-step-'));
const demo = path.join(work, 'demo');
writeDemo({ dir: demo, count: 1, seed: 3, size });
const [source] = (await readdir(demo, { recursive: true, encoding: 'utf8' })).filter(
  (f) => f.endsWith('.dcm') && !f.startsWith('masks'),
);
const series = path.join(work, 'series');
execFileSync('mkdir', ['-p', series]);
const files: string[] = [];
for (let i = 1; i <= images; i++) {
  const file = path.join(series, `im${i}.dcm`);
  await copyFile(path.join(demo, source!), file);
  execFileSync('dcmodify', ['-nb', '-gin', '-m', `(0020,0013)=${i}`, file], { stdio: 'ignore' });
  files.push(file);
}

// In the page (as text: this file is compiled without the DOM's types). SHOWN(name): that scan's image is drawn.
const SHOWN = (name: string) =>
  `(() => { const img = document.querySelector('[data-testid="viewer-image"]');
    return !!img && img.src.includes(${JSON.stringify(name)}) && img.complete && img.naturalWidth > 0; })()`;

/** From the key to the image of `name` loaded and drawn. */
const stepTo = (page: Page, name: string) =>
  page.evaluate(`new Promise((resolve) => {
    const start = performance.now();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    const check = () => (${SHOWN(name)} ? resolve(performance.now() - start) : requestAnimationFrame(check));
    check();
  })`) as Promise<number>;

const { page, bridge, close } = await openBenchPage({ dataDir: path.join(work, 'data'), modelRoots: [] });
try {
  const times: Record<'prefetch' | 'reference', number[]> = { prefetch: [], reference: [] };
  for (let r = 0; r < rounds; r++)
    for (const arm of r % 2 ? (['reference', 'prefetch'] as const) : (['prefetch', 'reference'] as const)) {
      // No render kept from before: a new file time for the main process's cache, a new page for the
      // browser's images (a page reuses an image it has by its URL, whatever the cache headers say).
      const stamp = new Date(Date.now() + (r * 2 + (arm === 'prefetch' ? 0 : 1)) * 1000);
      for (const f of files) await utimes(f, stamp, stamp);
      await page.evaluate(`localStorage.setItem('radsift.prefetch', '${arm === 'reference' ? 'off' : 'on'}')`);
      await page.reload();
      await page.getByRole('navigation', { name: 'Views' }).waitFor();
      bridge.dialog.answer([series]);
      await page.getByRole('button', { name: 'Open folder…' }).click();
      await page
        .getByTestId('catalog-summary')
        .filter({ hasText: `${images} images` })
        .waitFor({ timeout: 60_000 });
      await page.locator('.tree-series').first().click();
      await page.getByRole('list', { name: 'Images in the series' }).getByRole('button').first().click();
      await page.evaluate(`new Promise((resolve) => {
        const check = () => (${SHOWN('im1.dcm')} ? resolve(true) : requestAnimationFrame(check));
        check();
      })`);
      for (let i = 2; i <= images; i++) {
        await page.waitForTimeout(pause);
        times[arm].push(await stepTo(page, `im${i}.dcm`));
      }
    }
  const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! * 10) / 10;
  const ms = { prefetch: median(times.prefetch), reference: median(times.reference) };
  console.log(
    JSON.stringify(
      {
        size,
        images,
        rounds,
        pauseMs: pause,
        steps: times.prefetch.length,
        msPerStep: ms,
        referenceOverPrefetch: Math.round((ms.reference / ms.prefetch) * 100) / 100,
      },
      null,
      2,
    ),
  );
} finally {
  await close();
  await rm(work, { recursive: true, force: true });
}
