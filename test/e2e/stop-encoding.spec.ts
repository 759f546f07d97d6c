/**
 * Stopping the encoding behind a search: the Query view shows how far the opened scans' encoding is, with a
 * Stop button; a stopped search says how far it got as a status (not an error), and searching again goes on
 * from there and ranks every scan. The default model on the demo study. The decode workers are real; the test
 * only holds back decodes after the first few until Stop is clicked, so the click cannot come after the end.
 */
import path from 'node:path';
import { ARTIFACTS, expect, test, type Bridge } from './fixtures';

test.use({ bundledModels: true });

/** Lets `free` decodes through, then holds each one until `release()` (the held ones then run as they were). */
function holdDecodes(bridge: Bridge, free: number) {
  const pool = bridge.decodePool;
  const decode = pool.decode.bind(pool);
  let open: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (open = resolve));
  let seen = 0;
  pool.decode = async (...args) => {
    if (++seen > free) await released;
    return decode(...args);
  };
  return {
    release: () => open(),
    restore: () => {
      open();
      pool.decode = decode;
    },
  };
}

test('a search can be stopped while it encodes, and the next one goes on from there', async ({ page, bridge }) => {
  test.setTimeout(300_000);
  await page.getByRole('button', { name: 'Open demo study' }).click();
  await expect(page.getByTestId('catalog-summary')).toContainText('24 images', { timeout: 180_000 });
  await page.keyboard.press('2');
  await page.getByRole('searchbox', { name: 'Report phrase' }).fill('pleural effusion');
  const hold = holdDecodes(bridge, 4);
  try {
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const progress = page.getByTestId('index-progress');
    await expect(progress.getByRole('progressbar', { name: 'Encoding the opened scans' })).toBeVisible({
      timeout: 60_000,
    });
    await expect(progress.getByRole('status')).toHaveText(/^Encoding scans with the model: \d+ of 24/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'query-encoding.png') });
    await progress.getByRole('button', { name: 'Stop' }).click();
    await expect(progress.getByRole('status')).toHaveText('Stopping…');
    hold.release();

    const stopped = page.getByTestId('run-stopped');
    await expect(stopped).toHaveText(
      /^Stopped after encoding (\d+) of 24 scans\. They are kept: running it again encodes only the rest\.$/,
      { timeout: 60_000 },
    );
    await expect(progress).toHaveCount(0);
    await expect(page.getByRole('alert')).toHaveCount(0); // a stop is no error
    await expect(page.getByTestId('query-summary')).toHaveCount(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'query-stopped.png') });
    const before = Number(/encoding (\d+) of/.exec((await stopped.textContent())!)![1]);
    expect(before).toBeLessThan(24);
  } finally {
    hold.restore();
  }

  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByTestId('query-summary')).toContainText('of 24 scans', { timeout: 120_000 });
  await expect(page.getByTestId('run-stopped')).toHaveCount(0);
});
