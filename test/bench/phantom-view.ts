/**
 * Renders single phantoms to PNG for eyeballing: `node dist/test/bench/phantom-view.js <out.png> [seed] [index] [size] [finding,…]`.
 * Prints the render time. Forced findings come as a comma list.
 */
import { writeFileSync } from 'node:fs';
import { sampleCase } from '../../electron/phantom/case.js';
import { toDisplay8 } from '../../electron/phantom/display.js';
import { FINDINGS, type FindingName } from '../../electron/phantom/findings.js';
import { renderCase } from '../../electron/phantom/render.js';
import { encodePng } from '../../electron/util/png.js';

const [out = '/tmp/phantom.png', seed = '1', index = '0', size = '0', forced = ''] = process.argv.slice(2);
const force: Partial<Record<FindingName, boolean>> = {};
for (const name of FINDINGS) force[name] = false;
for (const name of forced.split(',').filter(Boolean)) force[name as FindingName] = true;
const c = sampleCase(Number(seed), Number(index), {
  size: Number(size) || undefined,
  force: forced === 'sample' ? {} : force,
});
const t0 = performance.now();
const r = renderCase(c);
const ms = performance.now() - t0;
writeFileSync(
  out,
  encodePng({ width: r.image.width, height: r.image.height, color: 'gray', bitDepth: 8, data: toDisplay8(r.image) }, 1),
);
console.log(
  `${r.image.width}×${r.image.height} ${c.acquisition.view} ${c.acquisition.photometric} ${ms.toFixed(0)} ms`,
  JSON.stringify(c.findings),
);
