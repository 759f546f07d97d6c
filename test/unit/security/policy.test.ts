import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  CSP_DIRECTIVES,
  cspHeader,
  decidePermission,
  decideWindowOpen,
  isNavigationAllowed,
  isRequestAllowed,
  isTrustedSenderUrl,
  WEB_PREFERENCES,
} from '../../../electron/security/policy.js';
import { PROJECT_ROOT } from '../../support/paths.js';

describe('window security policy', () => {
  it('isolates and sandboxes the renderer', () => {
    assert.equal(WEB_PREFERENCES.contextIsolation, true);
    assert.equal(WEB_PREFERENCES.sandbox, true);
    assert.equal(WEB_PREFERENCES.nodeIntegration, false);
    assert.equal(WEB_PREFERENCES.nodeIntegrationInWorker, false);
    assert.equal(WEB_PREFERENCES.nodeIntegrationInSubFrames, false);
    assert.equal(WEB_PREFERENCES.webSecurity, true);
    assert.equal(WEB_PREFERENCES.allowRunningInsecureContent, false);
    assert.equal(WEB_PREFERENCES.webviewTag, false);
    assert.ok(Object.isFrozen(WEB_PREFERENCES));
  });

  it("has a CSP of default-src 'self' with no remote origin anywhere", () => {
    assert.deepEqual(CSP_DIRECTIVES['default-src'], ["'self'"]);
    assert.deepEqual(CSP_DIRECTIVES['script-src'], ["'self'"]);
    assert.deepEqual(CSP_DIRECTIVES['object-src'], ["'none'"]);
    const header = cspHeader();
    assert.doesNotMatch(header, /https?:|wss?:|\*|unsafe-inline|unsafe-eval/);
  });

  it('the CSP meta tag in index.html matches the header the app sends', async () => {
    const html = await readFile(path.join(PROJECT_ROOT, 'renderer', 'index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    assert.equal(meta, cspHeader());
  });

  it('denies every permission request', () => {
    for (const p of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'fullscreen',
      'hid',
      'serial',
    ]) {
      assert.equal(decidePermission(p), false, p);
    }
  });

  it('blocks navigation away from the app and every new window', () => {
    assert.equal(isNavigationAllowed('app://radsift/index.html'), true);
    for (const url of [
      'https://example.org/',
      'http://127.0.0.1/',
      'file:///etc/passwd',
      'app://evil/index.html',
      'scan://local/x',
      'javascript:alert(1)',
      'not a url',
    ]) {
      assert.equal(isNavigationAllowed(url), false, url);
    }
    assert.deepEqual(decideWindowOpen('https://example.org'), { action: 'deny' });
    assert.deepEqual(decideWindowOpen('app://radsift/index.html'), { action: 'deny' });
  });

  it('lets no request reach the network', () => {
    for (const url of ['app://radsift/assets/a.js', 'scan://local/%2Ftmp%2Fa.png', 'devtools://devtools/x']) {
      assert.equal(isRequestAllowed(url), true, url);
    }
    for (const url of [
      'https://example.org/',
      'http://localhost:8080/',
      'ws://127.0.0.1/',
      'wss://a.b/',
      'ftp://a/',
      'file:///etc/passwd',
      '',
    ]) {
      assert.equal(isRequestAllowed(url), false, url);
    }
  });

  it('answers IPC only from the app document', () => {
    assert.equal(isTrustedSenderUrl('app://radsift/index.html'), true);
    for (const url of [
      undefined,
      '',
      'https://radsift/',
      'app://other/index.html',
      'file:///index.html',
      'about:blank',
    ]) {
      assert.equal(isTrustedSenderUrl(url), false, String(url));
    }
  });
});

describe('the Electron shell applies the policy', () => {
  const electronDir = path.join(PROJECT_ROOT, 'electron');

  it('main.ts builds its window from WEB_PREFERENCES and wires every guard', async () => {
    const main = await readFile(path.join(electronDir, 'main.ts'), 'utf8');
    assert.match(main, /webPreferences: \{ \.\.\.WEB_PREFERENCES, preload: PRELOAD \}/);
    assert.equal(main.match(/webPreferences/g)?.length, 1, 'no second webPreferences object');
    for (const wiring of [
      /setPermissionRequestHandler\(.*decidePermission/,
      /setPermissionCheckHandler\(.*decidePermission/,
      /onBeforeRequest\(.*isRequestAllowed/s,
      /'will-navigate'.*isNavigationAllowed/s,
      /setWindowOpenHandler\(.*decideWindowOpen/,
      /'will-attach-webview'/,
      /isTrustedSenderUrl\(event\.senderFrame/,
      /protocol\.handle\(SCAN_SCHEME, createScanHandler/,
      /protocol\.handle\(APP_SCHEME/,
    ]) {
      assert.match(main, wiring);
    }
    assert.doesNotMatch(main, /file:\/\//, 'the renderer is never loaded from file://');
  });

  it('preload exposes only window.radsift, never ipcRenderer', async () => {
    const preload = await readFile(path.join(electronDir, 'preload.ts'), 'utf8');
    const exposures = [...preload.matchAll(/exposeInMainWorld\(\s*'([^']+)'\s*,\s*(\w+)/g)];
    assert.deepEqual(
      exposures.map((m) => [m[1], m[2]]),
      [['radsift', 'api']],
    );
  });

  it('the built preload is CommonJS and requires nothing but electron (sandboxed preloads cannot)', async (t) => {
    const built = path.join(PROJECT_ROOT, 'dist', 'electron', 'preload.cjs');
    const text = await readFile(built, 'utf8').catch(() => null);
    if (text === null) return t.skip('preload not built (npm run build:preload)');
    const required = [...text.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(required)], ['electron']);
    assert.doesNotMatch(text, /^\s*(import|export)\s/m, 'no ES module syntax');
  });

  it('only main.ts and preload.ts import electron', async () => {
    const offenders: string[] = [];
    async function walk(dir: string): Promise<void> {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== 'node_modules') await walk(full);
        } else if (/\.(ts|tsx)$/.test(entry.name)) {
          const text = await readFile(full, 'utf8');
          if (/from ['"]electron['"]|require\(['"]electron['"]\)/.test(text))
            offenders.push(path.relative(PROJECT_ROOT, full));
        }
      }
    }
    await walk(electronDir);
    await walk(path.join(PROJECT_ROOT, 'renderer', 'src'));
    assert.deepEqual(offenders.sort(), ['electron/main.ts', 'electron/preload.ts']);
  });
});
