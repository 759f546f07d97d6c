/**
 * A FIFO (or any file that is not a regular file) named where a scan is expected is refused at once by every
 * reader of whole files: the decode job (screening, the viewer's renders) and the plain-image renderer. A plain
 * open() would wait for a writer and hold one of libuv's threads, and a few of those hang every file read.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readRegularFile } from '../../../electron/util/regular-file.js';
import { decodeScratch, runDecodeJob } from '../../../electron/screening/decode-job.js';
import { AllowedRoots } from '../../../electron/security/allowed-roots.js';
import { createScanHandler, scanUrlFor } from '../../../electron/security/scan-protocol.js';
import { withinTime } from '../../support/fifo.js';

describe('files read whole are regular files', () => {
  let work: string;
  let fifo: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'radsift-regular-'));
    fifo = path.join(work, 'IM0001.dcm');
    execFileSync('mkfifo', [fifo]);
  });
  after(() => rm(work, { recursive: true, force: true }));

  it('reads a regular file, refuses a FIFO and a folder without waiting', async () => {
    await writeFile(path.join(work, 'plain'), 'bytes');
    assert.equal((await readRegularFile(path.join(work, 'plain'))).toString(), 'bytes');
    await assert.rejects(withinTime(readRegularFile(fifo), 5000, fifo), { code: 'EFTYPE' });
    await assert.rejects(readRegularFile(work), { code: 'EFTYPE' });
  });

  it('the decode job and the scan protocol refuse a FIFO named like a scan', async () => {
    for (const scratch of [undefined, decodeScratch()])
      await assert.rejects(
        withinTime(runDecodeJob({ path: fifo, outputs: ['display'] }, scratch), 5000, fifo),
        /cannot read file.*not a regular file/,
      );
    const png = path.join(work, 'image.png');
    execFileSync('mkfifo', [png]);
    // The scan protocol's guard opens the file before any renderer reads it: refused there, said as a render failure.
    const roots = new AllowedRoots();
    await roots.add(work);
    const res = await withinTime(createScanHandler(roots)(new Request(scanUrlFor(png))), 5000, png);
    assert.equal(res.status, 422);
    assert.equal(((await res.json()) as { code: string }).code, 'EFTYPE');
  });
});
