/**
 * The realistic attack on `npm run dev:browser`: the user has RadSift open (the fixture page got
 * the session cookie from the printed URL) and, in the same browser, visits another page. That
 * page is served from another port on 127.0.0.1, which a browser counts as the same *site*, and
 * browsers do not scope cookies by port. What keeps the cookie from that server is its Path, the
 * bridge's random session path. Should the other page know that path too, the SameSite=Strict
 * cookie goes along with its requests, and what stops them is the bridge's checks of the request
 * itself (Sec-Fetch-Site, Origin, Content-Type, client-only methods).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';

// A 1×1 PNG: the scan route serves it as is.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

test.use({ bridgeRefusalsExpected: true });

let attacker: Server;
let attackerOrigin: string;
/** The Cookie header of each request the other server received, by path. */
const attackerSaw: { path: string; cookie: string }[] = [];

test.beforeAll(async () => {
  attacker = createServer((req, res) => {
    attackerSaw.push({ path: req.url ?? '', cookie: req.headers.cookie ?? '' });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html><head><title>Totally unrelated page</title></head><body><h1>Hi</h1></body></html>');
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => attacker.close(() => resolve()));
});

test('the printed URL lets the page in, and leaves no token in the address bar', async ({ page, bridge }) => {
  expect(page.url()).toBe(`${bridge.base}/`);
  const cookies = await page.context().cookies(`${bridge.base}/`);
  expect(cookies).toEqual([
    expect.objectContaining({
      name: `radsift_bridge_${new URL(bridge.origin).port}`,
      httpOnly: true,
      sameSite: 'Strict',
      path: new URL(bridge.base).pathname,
    }),
  ]);
  expect(await page.evaluate(() => document.cookie)).toBe('');
  const info = await page.evaluate(() => window.radsift!.call('app.info', {}));
  expect(info.name).toBe('RadSift');
});

test('a browser without the session gets an explanation, not the app', async ({ browser, bridge }) => {
  const context = await browser.newContext();
  try {
    const other = await context.newPage();
    for (const at of [bridge.origin, `${bridge.base}/`]) {
      const res = await other.goto(at);
      expect(res?.status()).toBe(403);
      await expect(other.locator('body')).toContainText('npm run dev:browser');
    }
    const wrong = await other.goto(`${bridge.base}/?token=not-the-token`);
    expect(wrong?.status()).toBe(403);
    expect(await context.cookies(`${bridge.base}/`)).toEqual([]);
  } finally {
    await context.close();
  }
});

test('a server on another loopback port that this browser visits does not receive the session cookie', async ({
  page,
  bridge,
}) => {
  const sessionPath = new URL(bridge.base).pathname;
  const visits = ['/', '/s/', '/s/elsewhere/', `/x${sessionPath}/`];
  const seen = attackerSaw.length;
  const other = await page.context().newPage();
  for (const at of visits) await other.goto(`${attackerOrigin}${at}`);
  await other.close();
  const received = attackerSaw.slice(seen); // the pages and the browser's own favicon requests
  expect(received.map((r) => r.path)).toEqual(expect.arrayContaining(visits));
  expect(received.filter((r) => r.cookie !== '')).toEqual([]);
  // The victim's page kept its session: the cookie exists, just not for those paths.
  expect(await page.context().cookies(`${bridge.base}/`)).toHaveLength(1);
  expect((await page.evaluate(() => window.radsift!.call('app.info', {}))).name).toBe('RadSift');
});

test('another page in the same browser cannot open folders, call the API, read images or listen to events', async ({
  page,
  bridge,
}) => {
  const base = await mkdtemp(path.join(tmpdir(), 'radsift-attack-'));
  try {
    const target = path.join(base, 'secret-folder');
    const dropped = path.join(base, 'dropped');
    const images = path.join(base, 'images');
    for (const dir of [target, dropped, images]) await mkdir(dir);
    await writeFile(path.join(images, 'scan.png'), PNG);
    await bridge.roots.add(images); // a folder the user opened: its images are served to the app
    bridge.drop.answer([dropped]); // a drop the user is about to make: the attacker must not consume it

    // The victim's page has its session cookie; the attacker's page opens in the same context.
    const evil = await page.context().newPage();
    const before = bridge.refused.length;
    await evil.goto(`${attackerOrigin}/`);

    // This attacker knows the session path (it should not: it is random per launch), to test the checks behind it.
    const bridgeBase = bridge.base;
    const scanUrl = `${bridgeBase}/scan/local/${encodeURIComponent(path.join(images, 'scan.png'))}`;
    const outcome = await evil.evaluate(
      async ({ bridgeBase, target, scanUrl }) => {
        const call = (method: string, payload: unknown) => JSON.stringify({ method, payload });
        const results: Record<string, unknown> = {};

        // (a) "simple" cross-origin requests: no preflight, so the request is sent; the page would get
        // an opaque response, but the bridge's Cross-Origin-Resource-Policy makes the fetch fail.
        const simple = (endpoint: string, body: string) =>
          fetch(`${bridgeBase}${endpoint}`, {
            method: 'POST',
            mode: 'no-cors',
            credentials: 'include',
            headers: { 'content-type': 'text/plain' },
            body,
          }).then(
            (res) => res.type,
            () => 'failed',
          );
        results.noCorsOpenDropped = await simple('/__bridge/invoke', call('studies.openDropped', { paths: [target] }));
        results.noCorsDialog = await simple('/__bridge/invoke', call('dialog.open', { kind: 'folder' }));
        results.noCorsDrop = await simple('/__bridge/drop', JSON.stringify({ names: ['x'] }));
        // A JSON request needs a CORS preflight, which the bridge never grants.
        results.corsJson = await fetch(`${bridgeBase}/__bridge/invoke`, {
          method: 'POST',
          credentials: 'include',
          headers: { 'content-type': 'application/json' },
          body: call('app.info', {}),
        }).then(
          () => 'answered',
          () => 'blocked',
        );

        // (b) form POSTs (enctype text/plain, the classic JSON-body trick) into iframes.
        const formPost = (endpoint: string, json: string) =>
          new Promise<string>((resolve) => {
            const name = `sink${Math.random().toString(36).slice(2)}`;
            const frame = document.createElement('iframe');
            frame.name = name;
            document.body.append(frame);
            const form = document.createElement('form');
            form.method = 'POST';
            form.enctype = 'text/plain';
            form.action = `${bridgeBase}${endpoint}`;
            form.target = name;
            const input = document.createElement('input');
            input.type = 'hidden';
            input.name = `${json.slice(0, -1)},"pad":"`; // the body becomes {…,"pad":"="}
            input.value = '"}';
            form.append(input);
            document.body.append(form);
            const timer = setTimeout(() => resolve('timeout'), 10_000);
            frame.addEventListener('load', () => {
              clearTimeout(timer);
              resolve('loaded');
            });
            form.submit();
          });
        results.formOpenDropped = await formPost('/__bridge/invoke', call('studies.openDropped', { paths: [target] }));
        results.formDialog = await formPost('/__bridge/invoke', call('dialog.open', { kind: 'folder' }));
        results.formDrop = await formPost('/__bridge/drop', JSON.stringify({ names: ['x'] }));

        // (c) the events WebSocket.
        results.webSocket = await new Promise<string>((resolve) => {
          const ws = new WebSocket(`${bridgeBase.replace(/^http/, 'ws')}/__bridge/events`);
          const timer = setTimeout(() => resolve('pending'), 10_000);
          ws.onopen = () => {
            clearTimeout(timer);
            ws.close();
            resolve('opened');
          };
          ws.onerror = () => {
            clearTimeout(timer);
            resolve('refused');
          };
        });

        // (d) an image from a folder the user opened: loaded or not is already a leak.
        results.image = await new Promise<string>((resolve) => {
          const img = new Image();
          img.onload = () => resolve('loaded');
          img.onerror = () => resolve('refused');
          img.src = scanUrl;
        });
        return results;
      },
      { bridgeBase, target, scanUrl },
    );

    expect(outcome).toEqual({
      noCorsOpenDropped: 'failed',
      noCorsDialog: 'failed',
      noCorsDrop: 'failed',
      corsJson: 'blocked',
      formOpenDropped: 'loaded',
      formDialog: 'loaded',
      formDrop: 'loaded',
      webSocket: 'refused',
      image: 'refused',
    });

    // Nothing happened in RadSift.
    const roots = bridge.roots.list();
    expect(roots).not.toContain(await realpath(target));
    expect(roots).not.toContain(await realpath(dropped));
    expect(bridge.dialog.opened).toBe(0);

    // The requests did reach the bridge, with the victim's cookie (the browser counts another port as
    // the same site), and each one failed several checks, any of which refuses it alone.
    const records = bridge.refused.slice(before);
    const post = (path: string) => ({
      method: 'POST',
      path,
      status: 403,
      reasons: expect.arrayContaining(['fetch-site', 'origin', 'content-type']),
      withSession: true,
    });
    expect(records).toEqual([
      post('/__bridge/invoke'), // (a) no-cors fetches
      post('/__bridge/invoke'),
      post('/__bridge/drop'),
      expect.objectContaining({ method: 'OPTIONS', status: 403 }), // the JSON fetch's preflight (never with cookies)
      post('/__bridge/invoke'), // (b) forms
      post('/__bridge/invoke'),
      post('/__bridge/drop'),
      // (c) the WebSocket: Chromium sends no Sec-Fetch-Site with it, the Origin check refuses it
      expect.objectContaining({
        path: '/__bridge/events',
        reasons: expect.arrayContaining(['origin']),
        withSession: true,
      }),
      // (d) the image: a GET has no Origin to check, Sec-Fetch-Site refuses it
      expect.objectContaining({ method: 'GET', status: 403, reasons: ['fetch-site'], withSession: true }),
    ]);
    await evil.close();

    // The app's own page still works: its API, its images, its events, and the drop the attacker could not take.
    const own = await page.evaluate(
      async (scanPath) => {
        const api = window.radsift!;
        const image = await new Promise<string>((resolve) => {
          const img = new Image();
          img.onload = () => resolve('loaded');
          img.onerror = () => resolve('refused');
          img.src = api.scanUrl(scanPath);
        });
        const catalog = await api.openDropped([new File(['x'], 'dropped')]);
        return { image, name: (await api.call('app.info', {})).name, patients: catalog.patients.length };
      },
      path.join(images, 'scan.png'),
    );
    expect(own).toEqual({ image: 'loaded', name: 'RadSift', patients: 0 });
    expect(bridge.roots.list()).toContain(await realpath(dropped));
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});
