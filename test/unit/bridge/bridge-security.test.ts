/**
 * The loopback bridge (`npm run dev:browser`, the e2e tests) refuses every request that does not
 * come from the page it served: each test below removes one condition (cookie, Host, Origin,
 * content type, Sec-Fetch-Site) from an otherwise correct request and expects a refusal, so
 * dropping any one check fails a test. The renderer here is a stand-in page in a temp folder:
 * nothing depends on `npm run build`'s renderer.
 */
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { CLIENT_ONLY_METHODS } from '../../../electron/api/client.js';
import { loggableRequestPath, MAX_BODY, OUTSIDE_SESSION, startBridge, type Bridge } from '../../bridge/server.js';

// A 1×1 PNG: the scan route serves it as is.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body in chunks without a Content-Length. */
  chunked?: boolean;
  /** false: send no Host header at all. */
  setHost?: boolean;
}

describe('loopback bridge: only the page it served may use it', () => {
  let bridge: Bridge;
  let base: string;
  let port: number;
  /** The per-launch path everything lives under (`/s/…`). */
  let sessionPath: string;
  let hostHeader: string;
  let cookie: string;
  let scanDir: string;
  let outsideDir: string;

  /** node:http, so that Host can be anything (fetch sets it from the URL). */
  function raw(options: RawRequest = {}): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: options.method ?? 'GET',
          path: options.path ?? `${sessionPath}/`,
          headers: options.headers ?? {},
          setHost: options.setHost ?? true,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      req.on('error', reject);
      if (options.chunked && options.body) {
        const body = Buffer.from(options.body);
        for (let at = 0; at < body.length; at += 64 * 1024) req.write(body.subarray(at, at + 64 * 1024));
        req.end();
      } else req.end(options.body);
    });
  }

  /** What the bridge's own page sends with a POST: its cookie, Origin and JSON. */
  function pageHeaders(overrides: Record<string, string | undefined> = {}): Record<string, string> {
    const headers: Record<string, string | undefined> = {
      cookie,
      origin: bridge.origin,
      'content-type': 'application/json',
      ...overrides,
    };
    return Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined));
  }

  function invoke(method: string, payload: unknown, overrides: Record<string, string | undefined> = {}) {
    return fetch(`${bridge.base}/__bridge/invoke`, {
      method: 'POST',
      headers: pageHeaders(overrides),
      body: JSON.stringify({ method, payload }),
    });
  }

  /** Resolves with whether a WebSocket to the events endpoint opened, or the HTTP status that refused it. */
  function openSocket(headers: Record<string, string>, origin?: string): Promise<{ opened: boolean; status?: number }> {
    return openSocketAt(`${sessionPath}/__bridge/events`, headers, origin);
  }

  function openSocketAt(
    at: string,
    headers: Record<string, string>,
    origin?: string,
  ): Promise<{ opened: boolean; status?: number }> {
    return new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${at}`, origin ? { headers, origin } : { headers });
      ws.on('open', () => {
        ws.close();
        resolve({ opened: true });
      });
      ws.on('unexpected-response', (_req, res) => {
        resolve({ opened: false, status: res.statusCode });
        res.resume();
        ws.terminate();
      });
      ws.on('error', () => resolve({ opened: false }));
    });
  }

  const rootsHold = async (dir: string) => bridge.roots.list().includes(await realpath(dir));

  before(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'radsift-bridge-security-'));
    const rendererDir = path.join(base, 'renderer');
    await mkdir(rendererDir);
    await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><html><head></head><body>app</body></html>');
    await writeFile(path.join(base, 'client.js'), '/* bridge client stand-in */');
    scanDir = path.join(base, 'scans');
    outsideDir = path.join(base, 'outside');
    await mkdir(scanDir);
    await mkdir(outsideDir);
    await writeFile(path.join(scanDir, 'image.png'), PNG);
    await writeFile(path.join(outsideDir, 'image.png'), PNG);
    bridge = await startBridge({
      rendererDir,
      clientScript: path.join(base, 'client.js'),
      modelRoots: [],
      dataDir: path.join(base, 'data'),
    });
    port = Number(new URL(bridge.origin).port);
    sessionPath = new URL(bridge.base).pathname;
    hostHeader = `127.0.0.1:${port}`;
    const login = await fetch(bridge.url, { redirect: 'manual' });
    cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
  });

  after(async () => {
    await bridge.close();
    await rm(base, { recursive: true, force: true });
  });

  it('prints a URL with a random base64url token under a random session path, and a token-free base', () => {
    assert.match(bridge.token, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
    assert.match(sessionPath, /^\/s\/[A-Za-z0-9_-]{22}$/, '16 random bytes, base64url');
    assert.equal(bridge.url, `${bridge.base}/?token=${bridge.token}`);
    assert.equal(bridge.base, `${bridge.origin}${sessionPath}`);
    assert.equal(bridge.origin, `http://127.0.0.1:${port}`);
  });

  it('the token URL sets an HttpOnly, SameSite=Strict cookie for the session path only, and redirects without the token', async () => {
    const res = await fetch(`${bridge.base}/some/page?x=1&token=${bridge.token}`, { redirect: 'manual' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `${sessionPath}/some/page?x=1`);
    const [setCookie] = res.headers.getSetCookie();
    assert.ok(setCookie);
    const [pair, ...attributes] = setCookie.split(';').map((s) => s.trim());
    assert.equal(pair, `radsift_bridge_${port}=${bridge.token}`);
    // Path: browsers send loopback cookies to every port, but only under this path.
    assert.deepEqual(attributes.sort(), ['HttpOnly', `Path=${sessionPath}`, 'SameSite=Strict']);

    const page = await fetch(`${bridge.base}/`, { headers: { cookie } });
    assert.equal(page.status, 200);
    const script = `<script src="${sessionPath}/__bridge/client.js"></script>`;
    assert.ok((await page.text()).includes(script));
    // The session path without its slash is sent to the folder form, so the page's relative URLs resolve.
    const bare = await fetch(`${bridge.base}?view=1`, { headers: { cookie }, redirect: 'manual' });
    assert.deepEqual([bare.status, bare.headers.get('location')], [308, `${sessionPath}/?view=1`]);
  });

  it('outside the session path nothing is served, with the cookie and the token or without', async () => {
    const other = `/s/${'A'.repeat(22)}`;
    for (const route of ['/', '/index.html', '/__bridge/client.js', `${sessionPath}x/`, `${other}/`, '/s/']) {
      const res = await raw({ path: route, headers: { host: hostHeader, cookie } });
      assert.equal(res.status, 403, `GET ${route}`);
      assert.match(res.body, /open the URL that `npm run dev:browser` printed/i);
      const login = await raw({ path: `${route}?token=${bridge.token}`, headers: { host: hostHeader } });
      assert.equal(login.status, 403, `token URL at ${route}`);
      assert.equal(login.headers['set-cookie'], undefined);
    }
    const post = await raw({
      method: 'POST',
      path: '/__bridge/invoke',
      headers: pageHeaders(),
      body: JSON.stringify({ method: 'app.info', payload: {} }),
    });
    assert.equal(post.status, 403);
    assert.deepEqual(await openSocketAt('/__bridge/events', { cookie }, bridge.origin), { opened: false, status: 403 });
    // The record of such a refusal does not repeat the path, which may be a guess at the session path.
    const last = bridge.refused.at(-1)!;
    assert.deepEqual([last.path, last.reasons], [OUTSIDE_SESSION, ['path']]);
  });

  it('a wrong token sets no cookie and is refused', async () => {
    const wrong = `${bridge.token.slice(0, -1)}${bridge.token.endsWith('A') ? 'B' : 'A'}`;
    for (const token of [wrong, '', 'x']) {
      const res = await fetch(`${bridge.base}/?token=${token}`, { redirect: 'manual' });
      assert.equal(res.status, 403);
      assert.deepEqual(res.headers.getSetCookie(), []);
    }
  });

  it('without the session cookie every path is refused with a plain explanation', async () => {
    await bridge.roots.add(scanDir);
    const scan = `/scan/local/${encodeURIComponent(path.join(scanDir, 'image.png'))}`;
    for (const cookieValue of [undefined, `radsift_bridge_${port}=${bridge.token.slice(1)}`, `other=${bridge.token}`]) {
      const headers: Record<string, string> = cookieValue ? { cookie: cookieValue } : {};
      for (const route of ['/', '/index.html', '/__bridge/client.js', scan]) {
        const res = await fetch(`${bridge.base}${route}`, { headers });
        assert.equal(res.status, 403, `GET ${route} with ${cookieValue ?? 'no cookie'}`);
        assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
        assert.match(await res.text(), /open the URL that `npm run dev:browser` printed/i);
      }
      for (const route of ['/__bridge/invoke', '/__bridge/drop']) {
        const res = await fetch(`${bridge.base}${route}`, {
          method: 'POST',
          headers: pageHeaders({ cookie: cookieValue }),
          body: JSON.stringify({ method: 'app.info', payload: {} }),
        });
        assert.equal(res.status, 403, `POST ${route} with ${cookieValue ?? 'no cookie'}`);
      }
    }
    // What `npm run dev:browser` logs of these refusals names no scan's folder (a patient's, perhaps).
    const logged = bridge.refused.map((r) => loggableRequestPath(r.path));
    assert.ok(bridge.refused.some((r) => decodeURIComponent(r.path).includes(scanDir)));
    assert.ok(logged.includes('/scan/local/<path>'));
    assert.ok(!logged.some((p) => decodeURIComponent(p).includes(scanDir)), logged.join('\n'));
    // The same image with the cookie: the refusal above was the cookie's doing.
    const ok = await fetch(`${bridge.base}${scan}`, { headers: { cookie } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('content-type'), 'image/png');
  });

  it('a request works with the cookie, the Origin and JSON, and never gets CORS headers', async () => {
    const res = await invoke('app.info', {});
    assert.equal(res.status, 200);
    const envelope = (await res.json()) as { ok: boolean; value: { name: string } };
    assert.equal(envelope.ok, true);
    assert.equal(envelope.value.name, 'RadSift');
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    const withCharset = await invoke('app.info', {}, { 'content-type': 'application/json; charset=utf-8' });
    assert.equal(withCharset.status, 200);
    // A browser's preflight (no cookie) is refused, without any Access-Control-* header.
    const preflight = await fetch(`${bridge.base}/__bridge/invoke`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.status, 403);
    assert.deepEqual(
      [...preflight.headers.keys()].filter((k) => k.startsWith('access-control-')),
      [],
    );
  });

  it('a forged Host is refused even with the cookie (DNS rebinding)', async () => {
    const body = JSON.stringify({ method: 'app.info', payload: {} });
    for (const host of [
      `evil.example:${port}`,
      'evil.example',
      `127.0.0.1:${port + 1}`,
      `127.0.0.1.evil.example:${port}`,
    ]) {
      const get = await raw({ headers: { host, cookie } });
      assert.equal(get.status, 403, `GET with Host ${host}`);
      const post = await raw({
        method: 'POST',
        path: `${sessionPath}/__bridge/invoke`,
        headers: { ...pageHeaders(), host },
        body,
      });
      assert.equal(post.status, 403, `POST with Host ${host}`);
      const login = await raw({ path: `${sessionPath}/?token=${bridge.token}`, headers: { host } });
      assert.equal(login.status, 403, `token URL with Host ${host}`);
      assert.equal(login.headers['set-cookie'], undefined);
    }
    // Node's HTTP server itself answers 400 to an HTTP/1.1 request without Host.
    const noHost = await raw({ headers: { cookie }, setHost: false });
    assert.ok([400, 403].includes(noHost.status), `no Host at all: ${noHost.status}`);
    for (const host of [hostHeader, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      const ok = await raw({ headers: { host, cookie } });
      assert.equal(ok.status, 200, `Host ${host} is the bridge itself`);
    }
  });

  it('a POST without the Origin of the bridge itself is refused, and does nothing', async () => {
    const opened = bridge.dialog.opened;
    for (const origin of [
      'http://evil.example',
      `http://evil.example:${port}`,
      `http://127.0.0.1:${port + 1}`,
      `https://127.0.0.1:${port}`,
      'null',
      undefined,
    ]) {
      const res = await invoke('dialog.open', { kind: 'folder' }, { origin });
      assert.equal(res.status, 403, `Origin ${origin ?? '(none)'}`);
    }
    assert.equal(bridge.dialog.opened, opened, 'no dialog was shown');
    // The same call from the page's Origin reaches the handler (the scripted dialog is cancelled).
    const res = await invoke('dialog.open', { kind: 'folder' });
    assert.equal(res.status, 200);
    assert.equal(bridge.dialog.opened, opened + 1);
    for (const origin of [`http://localhost:${port}`, `http://[::1]:${port}`]) {
      assert.equal((await invoke('app.info', {}, { origin })).status, 200, `Origin ${origin}`);
    }
  });

  it('a POST body that is not application/json is refused (no CORS-free "simple" requests)', async () => {
    const opened = bridge.dialog.opened;
    for (const type of [
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      undefined,
    ]) {
      const res = await invoke('dialog.open', { kind: 'folder' }, { 'content-type': type });
      assert.equal(res.status, 415, `Content-Type ${type ?? '(none)'}`);
    }
    assert.equal(bridge.dialog.opened, opened, 'no dialog was shown');
  });

  it('a request another site or origin made (Sec-Fetch-Site) is refused', async () => {
    for (const site of ['cross-site', 'same-site']) {
      assert.equal((await fetch(`${bridge.base}/`, { headers: { cookie, 'sec-fetch-site': site } })).status, 403);
      assert.equal((await invoke('app.info', {}, { 'sec-fetch-site': site })).status, 403);
    }
    for (const site of ['same-origin', 'none']) {
      assert.equal((await fetch(`${bridge.base}/`, { headers: { cookie, 'sec-fetch-site': site } })).status, 200);
    }
  });

  it('client-only methods are refused on /__bridge/invoke, even from the page itself', async () => {
    assert.ok(CLIENT_ONLY_METHODS.has('studies.openDropped'));
    for (const target of ['/etc', outsideDir]) {
      const res = await invoke('studies.openDropped', { paths: [target] });
      assert.equal(res.status, 403);
      const envelope = (await res.json()) as { ok: boolean; error: { code: string } };
      assert.deepEqual([envelope.ok, envelope.error.code], [false, 'FORBIDDEN']);
      assert.equal(await rootsHold(target), false, `${target} did not become an allowed root`);
    }
  });

  it('the drop path opens only what the drop script says, never paths from the request', async () => {
    const post = (body: unknown) =>
      fetch(`${bridge.base}/__bridge/drop`, { method: 'POST', headers: pageHeaders(), body: JSON.stringify(body) });
    const none = (await (await post({ paths: [outsideDir] })).json()) as {
      ok: boolean;
      error: { code: string; message: string };
    };
    assert.deepEqual(none, {
      ok: false,
      error: { code: 'BAD_REQUEST', message: 'Nothing that was dropped is a file on this computer' },
    });
    assert.equal(await rootsHold(outsideDir), false);

    const dropped = path.join(base, 'dropped');
    await mkdir(dropped);
    bridge.drop.answer([dropped]);
    // A foreign Origin does not get to use the scripted drop either.
    const foreign = await fetch(`${bridge.base}/__bridge/drop`, {
      method: 'POST',
      headers: pageHeaders({ origin: 'http://evil.example' }),
      body: '{}',
    });
    assert.equal(foreign.status, 403);
    assert.equal(await rootsHold(dropped), false);

    const res = await post({ names: ['x.dcm'] });
    const envelope = (await res.json()) as { ok: boolean; value: { patients: unknown[] } };
    assert.equal(envelope.ok, true);
    assert.equal(await rootsHold(dropped), true, 'the dropped folder became an allowed root');
  });

  it('the events WebSocket opens only with the cookie, the Host and the Origin of the bridge', async () => {
    assert.deepEqual(await openSocket({}, bridge.origin), { opened: false, status: 403 }, 'no cookie');
    assert.deepEqual(
      await openSocket({ cookie }, 'http://evil.example'),
      { opened: false, status: 403 },
      'foreign Origin',
    );
    assert.deepEqual(await openSocket({ cookie }, `http://127.0.0.1:${port + 1}`), { opened: false, status: 403 });
    assert.deepEqual(await openSocket({ cookie }), { opened: false, status: 403 }, 'no Origin');
    assert.deepEqual(
      await openSocket({ cookie, host: `evil.example:${port}` }, `http://evil.example:${port}`),
      { opened: false, status: 403 },
      'forged Host',
    );
    assert.deepEqual(await openSocket({ cookie }, bridge.origin), { opened: true });

    // An open socket receives events.
    const ws = new WebSocket(`ws://127.0.0.1:${port}${sessionPath}/__bridge/events`, {
      headers: { cookie },
      origin: bridge.origin,
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const message = new Promise<string>((resolve) => ws.once('message', (data: Buffer) => resolve(String(data))));
    bridge.emit('app.command', { command: 'openFolder' });
    assert.deepEqual(JSON.parse(await message), { event: 'app.command', payload: { command: 'openFolder' } });
    ws.close();
  });

  it('an oversized body gets a clean 413, and the bridge keeps answering', async () => {
    const big = Buffer.alloc(MAX_BODY + 1, 0x20);
    const headers = { ...pageHeaders(), host: hostHeader };
    const declared = await raw({ method: 'POST', path: `${sessionPath}/__bridge/invoke`, headers, body: big });
    assert.equal(declared.status, 413, 'with a Content-Length');
    const chunked = await raw({
      method: 'POST',
      path: `${sessionPath}/__bridge/invoke`,
      headers,
      body: big,
      chunked: true,
    });
    assert.equal(chunked.status, 413, 'chunked, no Content-Length');
    // Just at the limit is read (and is not JSON: dispatch answers UNKNOWN_METHOD).
    const atLimit = await raw({
      method: 'POST',
      path: `${sessionPath}/__bridge/invoke`,
      headers,
      body: big.subarray(0, MAX_BODY),
      chunked: true,
    });
    assert.equal(atLimit.status, 200);
    const res = await invoke('app.info', {});
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { ok: boolean }).ok, true);
  });
});
