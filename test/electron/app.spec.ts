/**
 * The packaged shape of the app: the real Electron main process, preload and
 * renderer. Runs wherever an Electron binary exists; skipped (with the reason)
 * elsewhere.
 */
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectron } from './electron-binary';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const found = findElectron();

test.describe('Electron app', () => {
  test.skip('reason' in found, 'reason' in found ? found.reason : '');

  let app: ElectronApplication;
  let page: Page;

  test.beforeAll(async () => {
    if (!('path' in found)) return;
    app = await electron.launch({ executablePath: found.path, args: [ROOT], cwd: ROOT });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });
  test.afterAll(async () => {
    await app?.close();
  });

  test('opens the shell from app:// with the About panel answering over IPC', async () => {
    expect(page.url()).toBe('app://radsift/index.html');
    await expect(page.getByRole('navigation', { name: 'Views' })).toBeVisible();
    await page.getByRole('button', { name: 'About' }).click();
    const version = await app.evaluate(({ app: a }) => a.getVersion());
    await expect(page.getByTestId('about-version')).toHaveText(version);
    await page.screenshot({ path: path.join(ROOT, 'test-results', 'screenshots', 'electron-about.png') });
  });

  test('runs the renderer isolated and sandboxed', async () => {
    const exposed = await page.evaluate(() => ({
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
      radsift: typeof window.radsift?.call,
    }));
    expect(exposed).toEqual({ require: 'undefined', process: 'undefined', radsift: 'function' });
  });

  test('blocks navigation, new windows and network requests', async () => {
    await page.evaluate(() => {
      window.open('https://example.org/');
      location.href = 'https://example.org/';
    });
    await page.waitForTimeout(500);
    expect(app.windows()).toHaveLength(1);
    expect(page.url()).toBe('app://radsift/index.html');
    const fetched = await page.evaluate(async () => {
      try {
        await fetch('http://127.0.0.1:9/');
        return 'reached';
      } catch {
        return 'blocked';
      }
    });
    expect(fetched).toBe('blocked');
  });
});
