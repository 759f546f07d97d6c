/**
 * studies.displayWindow: what a frame shows when the viewer asks for no window, read from the render the
 * scan:// protocol just made (no second decode), else decoded; for a file without a window that is its value
 * range, not its full bit depth.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createServices, type AppServices } from '../../../electron/api/create-services.js';
import { dispatch } from '../../../electron/api/dispatch.js';
import { decodeFrame, displayImage, openDicom } from '../../../electron/dicom/image.js';
import { resolveScanPath } from '../../../electron/security/scan-protocol.js';
import { buildDicom, imagePixel, type Item } from '../dicom/builder.js';
import { CORPUS } from '../../support/paths.js';

const ctx = { emit: () => undefined };

describe('studies.displayWindow', () => {
  let work: string;
  let services: AppServices;
  let decodes = 0;
  type Answer =
    | { ok: true; value: { voi: string; window: { center: number; width: number } | null } }
    | { ok: false; error: { code: string } };
  const ask = async (payload: unknown) =>
    (await dispatch(services.handlers, 'studies.displayWindow', payload, ctx)) as Answer;
  // The DICOM renderer as the scan protocol calls it: with the file the guard opened and checked.
  const render = async (file: string, query = 'kind=display&frame=0') => {
    const decision = await resolveScanPath(encodeURIComponent(file), new URLSearchParams(query), services.roots);
    assert.ok(decision.ok, file);
    try {
      return await services.scanRenderers[1]!(decision.file, decision.query);
    } finally {
      await decision.file.close();
    }
  };

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'radsift-display-window-'));
    services = await createServices({ dataDir: path.join(work, 'data'), modelRoots: [], decodeWorkers: 1 });
    const decode = services.decodePool.decode.bind(services.decodePool);
    services.decodePool.decode = (...args) => {
      decodes++;
      return decode(...args);
    };
    for (const f of ['CT1_UNC', 'RG2_UNC', 'VL1_UNC'])
      copyFileSync(path.join(CORPUS, 'nema-wg04', 'REF', f), path.join(work, f));
    const lut: Item = {
      x00283002: ['US', [3, 999, 8]],
      x00283006: ['OW', new Uint8Array(new Uint16Array([0, 100, 255]).buffer)],
    };
    writeFileSync(
      path.join(work, 'voi-lut.dcm'),
      buildDicom({
        ...imagePixel({ rows: 1, columns: 4, bitsAllocated: 16 }),
        x00283010: ['SQ', [lut]],
        x7fe00010: ['OW', new Uint8Array(new Uint16Array([0, 1000, 2000, 500]).buffer)],
      }),
    );
    await services.roots.add(work);
  });
  after(async () => {
    await services.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('a CT without a window: its value range, as rendered, read from that render', async () => {
    const file = path.join(work, 'CT1_UNC');
    assert.ok(await render(file));
    const before = decodes;
    const out = await ask({ path: file });
    assert.equal(decodes, before, 'answered from the render, not decoded again');
    assert.ok(out.ok, JSON.stringify(out));
    const dicom = openDicom(readFileSync(file));
    const expected = displayImage(dicom, await decodeFrame(dicom, 0));
    assert.equal(out.value.voi, 'range');
    assert.deepEqual(out.value.window, expected.window);
    // Not the 16-bit container the viewer used to assume.
    assert.ok(out.value.window!.width < 65536 / 4, JSON.stringify(out.value.window));
  });

  it("a radiograph with a window: the file's; a VOI LUT: said, with the range to drag from; colour: none", async () => {
    const rg = await ask({ path: path.join(work, 'RG2_UNC'), frame: 0 });
    assert.ok(rg.ok);
    const dicom = openDicom(readFileSync(path.join(work, 'RG2_UNC')));
    const fileWindow = displayImage(dicom, await decodeFrame(dicom, 0)).window;
    assert.deepEqual(rg.value, { voi: 'file', window: { center: fileWindow!.center, width: fileWindow!.width } });
    const lut = await ask({ path: path.join(work, 'voi-lut.dcm') });
    assert.ok(lut.ok);
    assert.deepEqual(lut.value, { voi: 'voi-lut', window: { center: 1000, width: 2000 } });
    const colour = await ask({ path: path.join(work, 'VL1_UNC') });
    assert.ok(colour.ok);
    assert.deepEqual(colour.value, { voi: 'colour', window: null });
  });

  it('a render with a window of its own is not taken for the default; a file written again is read anew', async () => {
    const file = path.join(work, 'CT1_UNC');
    const first = await ask({ path: file });
    assert.ok(first.ok);
    await render(file, 'kind=display&frame=0&wc=40&ww=400');
    const again = await ask({ path: file });
    assert.ok(again.ok);
    assert.deepEqual(again.value, first.value);
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const before = decodes;
    const fresh = await ask({ path: file });
    assert.ok(fresh.ok);
    assert.equal(decodes, before + 1, 'a changed file is decoded again');
  });

  it('keeps display renders (one decode for a scan asked for twice), not thumbnails', async () => {
    const file = path.join(work, 'RG2_UNC');
    const before = decodes;
    const [a, b] = [
      await render(file, 'kind=display&frame=0&wc=1&ww=2'),
      await render(file, 'kind=display&frame=0&wc=1&ww=2'),
    ];
    assert.equal(a, b);
    assert.equal(decodes, before + 1);
    await render(file, 'kind=thumb&size=64');
    await render(file, 'kind=thumb&size=64');
    assert.equal(decodes, before + 3, 'thumbnails are rendered each time asked');
  });

  it('refuses a file outside the opened folders, a bad frame, and unknown fields', async () => {
    const outside = await ask({ path: path.join(CORPUS, 'nema-wg04', 'REF', 'CT1_UNC') });
    assert.equal(outside.ok, false);
    assert.equal(!outside.ok && outside.error.code, 'FORBIDDEN');
    for (const bad of [{ path: path.join(work, 'CT1_UNC'), frame: -1 }, { path: '' }, { path: 'x', extra: 1 }]) {
      const out = await ask(bad);
      assert.equal(out.ok, false, JSON.stringify(bad));
      assert.equal(!out.ok && out.error.code, 'BAD_REQUEST');
    }
    const missingFrame = await ask({ path: path.join(work, 'CT1_UNC'), frame: 5 });
    assert.equal(missingFrame.ok, false);
  });
});
