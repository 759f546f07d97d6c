/**
 * The execution provider in the status bar and in About (#19): a short line without brackets
 * inside brackets in the status bar, every reason a provider did not load in full in About.
 */
import path from 'node:path';
import { ARTIFACTS, expect, fixtureModel, test } from './fixtures';

test.describe('execution provider', () => {
  test.use({ modelDirs: [fixtureModel()] });

  test('the status bar says it briefly, About says why in full', async ({ page }) => {
    test.setTimeout(120_000);
    // The string the main process sends: "<label>" or "<label> — fell back: <name> (<reason>); …".
    await expect
      .poll(() => page.evaluate(async () => (await window.radsift!.call('app.info', {})).executionProvider), {
        timeout: 60_000,
      })
      .not.toBeNull();
    const full = (await page.evaluate(async () => (await window.radsift!.call('app.info', {})).executionProvider))!;
    const status = page.getByTestId('status-provider');
    await expect(status).not.toHaveText('Provider: —');
    const text = (await status.textContent())!;
    // At most one level of brackets: no "(" inside an open "(".
    let depth = 0;
    for (const c of text) {
      depth += c === '(' ? 1 : c === ')' ? -1 : 0;
      expect(depth, `"${text}" nests brackets`).toBeLessThanOrEqual(1);
    }
    expect(depth).toBe(0);
    if (full.includes(' — fell back: ')) {
      expect(text).toMatch(/^Provider: CPU \(.+\)$/);
      if (/cuda \(CUDA provider libraries are not installed/.test(full))
        expect(text).toContain('CUDA not installed — see GPUs in the README');
    } else expect(text).toBe(`Provider: ${full}`);

    await page.getByRole('button', { name: 'About' }).click();
    const dialog = page.getByRole('dialog', { name: 'About RadSift' });
    await expect(dialog.getByTestId('about-provider')).toHaveText(full.split(' — fell back: ')[0]!);
    const fallbacks = full.split(' — fell back: ')[1];
    if (fallbacks) {
      // Each provider that did not load, with onnxruntime's or RadSift's reason word for word.
      for (const [, name, reason] of fallbacks.matchAll(/(?:^|; )(\w+) \((.*?)\)(?=; \w+ \(|$)/g))
        await expect(dialog.getByTestId('about-provider-fallbacks')).toContainText(
          `${{ cuda: 'CUDA', dml: 'DirectML', coreml: 'Core ML', webgpu: 'WebGPU', cpu: 'CPU' }[name!] ?? name}: ${reason}`,
        );
    }
    await page.screenshot({ path: path.join(ARTIFACTS, 'about-provider.png') });
  });
});
