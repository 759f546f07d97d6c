/**
 * The app as the UI benchmarks drive it: the real handlers over the loopback bridge (the e2e tests' setup) and
 * a page of Debian's Chromium opened on it. `close()` ends both.
 */
import { chromium, type Page } from '@playwright/test';
import { startBridge } from '../bridge/server.js';

export async function openBenchPage(
  options: Parameters<typeof startBridge>[0],
): Promise<{ page: Page; bridge: Awaited<ReturnType<typeof startBridge>>; close: () => Promise<void> }> {
  const bridge = await startBridge(options);
  const browser = await chromium.launch({
    executablePath: process.env.RADSIFT_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(bridge.url);
  return {
    page,
    bridge,
    close: async () => {
      await browser.close();
      await bridge.close();
    },
  };
}
