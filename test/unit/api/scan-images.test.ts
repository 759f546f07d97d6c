/**
 * The scan protocol's DICOM renderer renders the file the guard opened and checked: a folder on its path swapped
 * for a link to a folder outside the roots, holding another scan of the same name, after the check and before
 * the render, changes nothing that is served (a worker given the path rendered the outside scan).
 */
import assert from 'node:assert/strict';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dicomScanRenderer } from '../../../electron/api/scan-images.js';
import { decodeScratch, runDecodeJob } from '../../../electron/screening/decode-job.js';
import { DecodePool } from '../../../electron/screening/decode-pool.js';
import { AllowedRoots } from '../../../electron/security/allowed-roots.js';
import { createScanHandler, scanUrlFor, type ScanRenderer } from '../../../electron/security/scan-protocol.js';
import { folderSwap, type FolderSwap } from '../../support/folder-swap.js';
import { CORPUS } from '../../support/paths.js';

describe('DICOM scan:// renders', () => {
  let swap: FolderSwap;
  let roots: AllowedRoots;
  let pool: DecodePool;
  const ref = (f: string) => readFile(path.join(CORPUS, 'nema-wg04', 'REF', f));
  before(async () => {
    swap = await folderSwap({ name: 'image.dcm', inside: await ref('CT1_UNC'), outside: await ref('MR1_UNC') });
    roots = new AllowedRoots();
    await roots.add(swap.root);
    pool = new DecodePool({ size: 1 });
  });
  after(async () => {
    await pool.close();
    await swap.remove();
  });

  const body = async (renderer: ScanRenderer, file: string, allowed = roots) => {
    const res = await createScanHandler(allowed, [renderer])(new Request(scanUrlFor(file, { kind: 'display' })));
    assert.equal(res.status, 200, await res.clone().text());
    return Buffer.from(await res.arrayBuffer());
  };

  it('renders the checked file when its folder is swapped for a link to outside before the render', async () => {
    const render = dicomScanRenderer(pool);
    const inside = await body(render, swap.file);
    // What the outside scan renders to, for comparison: through roots of its own, never the test's.
    const elsewhere = new AllowedRoots();
    await elsewhere.add(path.dirname(swap.outsideFile));
    const outside = await body(render, swap.outsideFile, elsewhere);
    assert.notDeepEqual(inside, outside, 'two different scans');
    const swapping: ScanRenderer = async (file, query) => {
      await swap.out();
      return render(file, query);
    };
    const served = await swap.restoring(() => body(swapping, swap.file));
    assert.notDeepEqual(served, outside, 'the outside scan was rendered');
    assert.deepEqual(served, inside);
  });

  it('the decode job reads an open descriptor as it reads a path, with scratch memory or without', async () => {
    const byPath = await runDecodeJob({ path: swap.file, outputs: ['display'] });
    const handle = await open(swap.file);
    try {
      for (const scratch of [undefined, decodeScratch()]) {
        const byFd = await runDecodeJob({ fd: handle.fd, outputs: ['display'] }, scratch);
        assert.deepEqual(byFd.display!.data, byPath.display!.data);
      }
    } finally {
      await handle.close();
    }
  });
});
