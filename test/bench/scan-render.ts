/**
 * `npm run bench:scan-render [-- --renders 200 --guard 2000]`
 * What a scan:// request costs from the URL to the body, through createScanHandler as main.ts wires it: the guard
 * (open, check the real path), then a DICOM display render in the decode pool (no render cache: every request
 * decodes) of corpus radiographs, and the guard alone on a small PNG (the passthrough renderer). Prints JSON:
 * ms per request, median and mean, per file. Reads RADSIFT_SHARED's corpus (nema-wg04/REF).
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dicomScanRenderer } from '../../electron/api/scan-images.js';
import { DecodePool } from '../../electron/screening/decode-pool.js';
import { AllowedRoots } from '../../electron/security/allowed-roots.js';
import { createScanHandler, passthroughRenderer, scanUrlFor } from '../../electron/security/scan-protocol.js';

const { values } = parseArgs({
  options: { renders: { type: 'string', default: '200' }, guard: { type: 'string', default: '2000' } },
});
const shared = process.env.RADSIFT_SHARED ?? path.resolve('..', 'shared');
const ref = path.join(shared, 'corpus', 'nema-wg04', 'REF');
// A 1×1 PNG: the guard's cost, the read negligible.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

const work = await mkdtemp(path.join(tmpdir(), 'radsift-bench-scan-'));
const pool = new DecodePool();
try {
  await mkdir(path.join(work, 'a', 'b', 'c'), { recursive: true });
  const files = ['RG2_UNC', 'CT1_UNC'];
  for (const f of files) await copyFile(path.join(ref, f), path.join(work, 'a', 'b', 'c', `${f}.dcm`));
  await writeFile(path.join(work, 'a', 'b', 'c', 'tiny.png'), PNG);
  const roots = new AllowedRoots();
  await roots.add(work);
  const handler = createScanHandler(roots, [passthroughRenderer, dicomScanRenderer(pool)]);
  const once = async (url: string): Promise<number> => {
    const start = performance.now();
    const res = await handler(new Request(url));
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    return performance.now() - start;
  };
  const series = async (url: string, n: number) => {
    for (let i = 0; i < Math.min(10, n); i++) await once(url); // warm-up: codecs, JIT
    const ms: number[] = [];
    for (let i = 0; i < n; i++) ms.push(await once(url));
    ms.sort((a, b) => a - b);
    const round = (x: number) => Math.round(x * 1000) / 1000;
    return { n, medianMs: round(ms[n >> 1]!), meanMs: round(ms.reduce((a, b) => a + b, 0) / n) };
  };
  const out: Record<string, unknown> = {};
  out['tiny.png (guard + read)'] = await series(
    scanUrlFor(path.join(work, 'a', 'b', 'c', 'tiny.png')),
    Number(values.guard),
  );
  for (const f of files)
    out[`${f} display`] = await series(
      scanUrlFor(path.join(work, 'a', 'b', 'c', `${f}.dcm`), { kind: 'display', frame: 0 }),
      Number(values.renders),
    );
  console.log(JSON.stringify(out, null, 1));
} finally {
  await pool.close();
  await rm(work, { recursive: true, force: true });
}
