import path from 'node:path';
import { ARTIFACTS, expect, test } from './fixtures';

test('the shell lists every view and switches with the keyboard', async ({ page }) => {
  const nav = page.getByRole('navigation', { name: 'Views' });
  for (const name of ['Studies', 'Query', 'Matrix', 'Screening', 'Models']) {
    await expect(nav.getByRole('button', { name, exact: true })).toBeVisible();
  }
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Studies');
  await page.keyboard.press('3');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Matrix');
  await nav.getByRole('button', { name: 'Models', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Models');
  await expect(page.getByRole('status')).toContainText('Research use only — not for clinical decisions');
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toContainText('Screening view');
  // A dialog open above a view keeps the keys: the view under it stays (so does the one under the viewer).
  await page.keyboard.press('3');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Models');
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
  await page.keyboard.press('3');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Matrix');
});

test('About shows what the main process answers: version, model, provider, notice', async ({ page }) => {
  // The version comes from package.json via app.info: renderer → bridge → real handler → back.
  const { version } = (await import(path.join(process.cwd(), 'package.json'), { with: { type: 'json' } })).default as {
    version: string;
  };
  await page.getByRole('button', { name: 'About' }).click();
  const dialog = page.getByRole('dialog', { name: 'About RadSift' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('about-version')).toHaveText(version);
  await expect(dialog.getByTestId('about-model')).toHaveText('No model loaded');
  await expect(dialog.getByTestId('about-provider')).toContainText('None');
  await expect(dialog.getByTestId('about-notice')).toHaveText('Research use only — not for clinical decisions.');
  await page.screenshot({ path: path.join(ARTIFACTS, 'about.png') });
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});

test('window.radsift gets typed errors for bad calls and cannot reach Node', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const api = window.radsift!;
    const codes: string[] = [];
    for (const [method, payload] of [
      ['no.such.method', {}],
      ['dialog.open', { kind: 'everything' }],
      ['app.info', { extra: 1 }],
      ['dialog.open', { kind: 'folder' }], // the scripted dialog has no answer queued: the user cancels
    ] as const) {
      try {
        await (api.call as (m: string, p: unknown) => Promise<unknown>)(method, payload);
        codes.push('ok');
      } catch (e) {
        codes.push((e as { code: string }).code);
      }
    }
    return {
      codes,
      hasRequire: typeof (window as unknown as { require?: unknown }).require,
      hasProcess: typeof (window as unknown as { process?: unknown }).process,
    };
  });
  expect(result.codes).toEqual(['UNKNOWN_METHOD', 'BAD_REQUEST', 'BAD_REQUEST', 'CANCELLED']);
  expect(result.hasRequire).toBe('undefined');
  expect(result.hasProcess).toBe('undefined');
});

test.describe('scan protocol', () => {
  test.use({ expectedConsoleErrors: [/status of 403/] });

  test('images load only from allowed folders through the scan protocol', async ({ page, bridge }) => {
    const fs = await import('node:fs/promises');
    const os = await import('node:os');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'radsift-e2e-'));
    const png = Buffer.from(
      '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
      'hex',
    );
    await fs.mkdir(path.join(dir, 'allowed'));
    await fs.writeFile(path.join(dir, 'allowed', 'a.png'), png);
    await fs.writeFile(path.join(dir, 'secret.png'), png);
    try {
      bridge.dialog.answer([path.join(dir, 'allowed')]);
      const statuses = await page.evaluate(
        async ({ allowed, secret }) => {
          const api = window.radsift!;
          await api.call('dialog.open', { kind: 'folder' });
          const get = async (p: string) => (await fetch(api.scanUrl(p))).status;
          return [await get(allowed), await get(secret), await get(allowed.replace('a.png', '../../secret.png'))];
        },
        { allowed: path.join(dir, 'allowed', 'a.png'), secret: path.join(dir, 'secret.png') },
      );
      expect(statuses).toEqual([200, 403, 403]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

test('in a 1024 × 700 window the shortcuts fit: their list scrolls between the title and Close', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.getByRole('button', { name: 'Shortcuts' }).click();
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  const box = (await help.boundingBox())!;
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height).toBeLessThanOrEqual(700);
  await expect(help.getByRole('heading', { name: 'Keyboard shortcuts' })).toBeInViewport();
  await expect(help.getByRole('button', { name: 'Close' })).toBeInViewport();
  // The last shortcut is reached by scrolling the list, which the keyboard can do too.
  const last = help.getByText('Studies tree: fold or unfold the focused patient or study');
  await expect(last).not.toBeInViewport();
  await help.locator('.dialog-body').focus();
  await page.keyboard.press('End');
  await expect(last).toBeInViewport();
  await expect(help.getByRole('heading', { name: 'Keyboard shortcuts' })).toBeInViewport();
  await help.getByRole('button', { name: 'Close' }).click();
  await expect(help).toBeHidden();
});
