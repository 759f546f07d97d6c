/** RenderCache: one render per file version and query, bounded in bytes, failures never kept. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { RenderCache, type Rendered } from '../../../electron/api/render-cache.js';

const dir = mkdtempSync(path.join(tmpdir(), 'radsift-render-cache-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The file as it is now: the version a request's open file would have. */
function version(file: string) {
  const s = statSync(file);
  return { path: file, size: s.size, mtimeMs: s.mtimeMs };
}

function counting(bytes = 10) {
  let renders = 0;
  const render = async (): Promise<Rendered> => {
    renders++;
    await new Promise((r) => setTimeout(r, 5));
    return { body: new Uint8Array(bytes), contentType: 'image/png' };
  };
  return { render, count: () => renders };
}

describe('RenderCache', () => {
  const file = path.join(dir, 'a.dcm');
  writeFileSync(file, 'x');
  const q = (s: string) => new URLSearchParams(s);

  it('renders once for a request asked again, or twice at once (a prefetch and its step)', async () => {
    const cache = new RenderCache();
    const { render, count } = counting();
    const [a, b] = await Promise.all([
      cache.get(version(file), q('kind=display&frame=0'), render),
      cache.get(version(file), q('frame=0&kind=display'), render),
    ]);
    assert.equal(a, b);
    await cache.get(version(file), q('kind=display&frame=0'), render);
    assert.equal(count(), 1, 'the order of the query does not matter');
    await cache.get(version(file), q('kind=display&frame=0&wc=40&ww=400'), render);
    assert.equal(count(), 2, 'another window is another render');
  });

  it('renders again once the file is written again', async () => {
    const cache = new RenderCache();
    const { render, count } = counting();
    await cache.get(version(file), q('kind=display'), render);
    utimesSync(file, new Date(), new Date(Date.now() + 10_000));
    await cache.get(version(file), q('kind=display'), render);
    assert.equal(count(), 2);
  });

  it('keeps no failure, and stays within its bytes, oldest out first', async () => {
    const cache = new RenderCache(100);
    await assert.rejects(cache.get(version(file), q('kind=a'), () => Promise.reject(new Error('corrupt frame'))));
    const { render, count } = counting(10);
    await cache.get(version(file), q('kind=a'), render);
    assert.equal(count(), 1, 'the failure was not kept');
    for (let i = 0; i < 12; i++) await cache.get(version(file), q(`kind=display&frame=${i}`), counting(10).render);
    assert.ok(cache.bytes <= 100, `${cache.bytes} bytes held`);
    await cache.get(version(file), q('kind=a'), render);
    assert.equal(count(), 2, 'the oldest render went first');
    const big = counting(60);
    await cache.get(version(file), q('kind=big'), big.render);
    await cache.get(version(file), q('kind=big'), big.render);
    assert.equal(big.count(), 2, 'a render over a quarter of the bound is not kept');
  });
});
