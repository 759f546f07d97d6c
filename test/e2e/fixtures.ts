/**
 * Playwright fixtures: a loopback bridge with the real API handlers (compiled
 * to dist/ by `npm run build`) and a page opened on it.
 */
import { test as base, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type * as BridgeModuleType from '../bridge/server.js';
import { scratchDir } from '../support/scratch';

type BridgeModule = typeof BridgeModuleType;
export type Bridge = Awaited<ReturnType<BridgeModule['startBridge']>>;

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = path.join(ROOT, 'test-results', 'screenshots');
/** The reference DICOM corpus, as test/support/paths.ts finds it: RADSIFT_SHARED, or `shared` beside the checkout. */
export const CORPUS = path.join(process.env.RADSIFT_SHARED ?? path.resolve(ROOT, '..', 'shared'), 'corpus');

export const test = base.extend<{
  bridge: Bridge;
  expectedConsoleErrors: RegExp[];
  bridgeRefusalsExpected: boolean;
  modelDirs: string[];
  firstRun: boolean;
  bundledModels: boolean;
  dataDir: string | undefined;
}>({
  /** Start the bridge as on a user's first start. */
  firstRun: [false, { option: true }],
  /** Offer the models bundled in models/ (the default model); off by default so tests control the model. */
  bundledModels: [false, { option: true }],
  /** Extra model folders for the bridge (e.g. exported test models). */
  modelDirs: [[], { option: true }],
  /** The app's data folder (an index prepared by the test); by default a new one, removed with the bridge. */
  dataDir: [undefined, { option: true }],
  /** Console errors a test provokes on purpose (e.g. a refused image). */
  expectedConsoleErrors: [[], { option: true }],
  /** Requests the bridge refuses (no session, foreign Origin…) are provoked on purpose; otherwise none may occur. */
  bridgeRefusalsExpected: [false, { option: true }],
  bridge: async ({ modelDirs, firstRun, bundledModels, dataDir }, use) => {
    const mod = (await import(path.join(ROOT, 'dist', 'test', 'bridge', 'server.js'))) as BridgeModule;
    const bridge = await mod.startBridge({
      modelDirs,
      firstRun,
      modelRoots: bundledModels ? [path.join(ROOT, 'models')] : [],
      ...(dataDir ? { dataDir } : {}),
    });
    await use(bridge);
    await bridge.close();
  },
  page: async ({ page, bridge, expectedConsoleErrors, bridgeRefusalsExpected }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !expectedConsoleErrors.some((re) => re.test(m.text()))) errors.push(m.text());
    });
    // The printed URL: its token sets the session cookie, then the bridge redirects to its session path.
    await page.goto(bridge.url);
    // The view shortcuts (1-5, ?) listen from an effect that runs after the shell first renders: a key pressed
    // before then is lost (seen once in CI under load). Wait for the shell, then for a frame and a task, by
    // which time React has run its effects.
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0))));
    await use(page);
    expect(errors, 'no errors or CSP violations in the renderer').toEqual([]);
    if (!bridgeRefusalsExpected) expect(bridge.refused, 'the bridge refused none of the app’s requests').toEqual([]);
  },
});

/** A small CLIP model with random weights, exported by Debian's PyTorch: enough to test the plumbing without a trained model. */
export function fixtureModel(): string {
  const dir = scratchDir('radsift-e2e-models-');
  execFileSync('/usr/bin/python3', [path.join(ROOT, 'test', 'fixtures', 'models', 'make_layout_fixtures.py'), dir], {
    stdio: 'ignore',
  });
  return path.join(dir, 'hf-clip-bpe');
}

export { expect };
