/**
 * The execution provider in the status bar, About and the Models view (#19): the main process sends it as data
 * ({ active, fallbacks: [{ name, reason }] }), the status bar says it briefly without brackets inside brackets,
 * About gives every reason a provider did not load word for word, the Models view the short form.
 */
import path from 'node:path';
import type { Page } from '@playwright/test';
import { ARTIFACTS, expect, fixtureModel, test } from './fixtures';

const NAMES = { cuda: 'CUDA', dml: 'DirectML', coreml: 'Core ML', webgpu: 'WebGPU', cpu: 'CPU' } as const;
type Provider = { active: keyof typeof NAMES; fallbacks: { name: keyof typeof NAMES; reason: string }[] };

/** No "(" inside an open "(", and every one closed. */
function expectFlatBrackets(text: string): void {
  let depth = 0;
  for (const c of text) {
    depth += c === '(' ? 1 : c === ')' ? -1 : 0;
    expect(depth, `"${text}" nests brackets`).toBeLessThanOrEqual(1);
  }
  expect(depth, text).toBe(0);
}

async function expectShown(page: Page, provider: Provider): Promise<void> {
  const status = page.getByTestId('status-provider');
  await expect(status).not.toHaveText('Provider: —', { timeout: 60_000 });
  const text = (await status.textContent())!;
  expectFlatBrackets(text);
  if (provider.fallbacks.length) {
    expect(text).toMatch(/^Provider: CPU \(.+\)$/);
    for (const f of provider.fallbacks) expect(text).toContain(NAMES[f.name]);
    if (provider.fallbacks.some((f) => f.name === 'cuda' && /not installed/.test(f.reason)))
      expect(text).toContain('CUDA not installed — see GPUs in the README');
  } else expect(text).toBe('Provider: CPU');

  await page.getByRole('button', { name: 'About' }).click();
  const dialog = page.getByRole('dialog', { name: 'About RadSift' });
  await expect(dialog.getByTestId('about-provider')).toHaveText(provider.active === 'cpu' ? 'CPU' : /\w/);
  const listed = dialog.getByTestId('about-provider-fallbacks').getByRole('listitem');
  await expect(listed).toHaveText(provider.fallbacks.map((f) => `${NAMES[f.name]}: ${f.reason}`));
  await page.keyboard.press('Escape');

  await page.keyboard.press('5');
  const state = page.getByTestId('model-state');
  await expect(state).toHaveText(`Active model runs on: ${text.slice('Provider: '.length)}`);
  expectFlatBrackets((await state.textContent())!);
}

test.describe('execution provider', () => {
  test.use({ modelDirs: [fixtureModel()] });

  test('as the main process loads it: the status bar briefly, About in full, Models briefly', async ({ page }) => {
    test.setTimeout(120_000);
    const info = () => page.evaluate(async () => (await window.radsift!.call('app.info', {})).executionProvider);
    await expect.poll(info, { timeout: 60_000 }).not.toBeNull();
    const provider = (await info())!;
    // Data, not a sentence: here CPU, after CUDA where the platform asks for it first (its libraries are not here).
    expect(provider.active).toBe('cpu');
    for (const f of provider.fallbacks) expect(f.reason.length).toBeGreaterThan(0);
    await expectShown(page, provider);
    await page.getByRole('button', { name: 'About' }).click();
    await page.screenshot({ path: path.join(ARTIFACTS, 'about-provider.png') });
  });

  test('two providers passed over, reasons with brackets and "; " of their own: each shown whole', async ({ page }) => {
    test.setTimeout(120_000);
    const provider: Provider = {
      active: 'cpu',
      fallbacks: [
        { name: 'cuda', reason: 'CUDA provider libraries are not installed (see README: GPUs)' },
        { name: 'webgpu', reason: 'No supported adapters; cuda (again) tried (twice)' },
      ],
    };
    // The main process's answer made up, in the shape the contract gives it, for app.info and models.list.
    await page.route('**/__bridge/invoke', async (route) => {
      const { method } = route.request().postDataJSON() as { method: string };
      if (method !== 'app.info' && method !== 'models.list') return route.continue();
      // A call of the page the reload below ends may be cut off under way: nobody waits for its answer.
      const real = (await route
        .fetch()
        .then((r) => r.json())
        .catch(() => null)) as { ok: boolean; value: Record<string, unknown> } | null;
      if (!real) return route.abort().catch(() => undefined);
      const value = { ...real.value, [method === 'app.info' ? 'executionProvider' : 'provider']: provider };
      if (method === 'models.list') value.state = { state: 'ready' };
      await route.fulfill({ json: { ok: true, value } });
    });
    await page.reload();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    await expectShown(page, provider);
    await expect(page.getByTestId('status-provider')).toHaveAttribute(
      'title',
      'CPU — CUDA did not load: CUDA provider libraries are not installed (see README: GPUs); WebGPU did not load: No supported adapters; cuda (again) tried (twice)',
    );
  });
});
