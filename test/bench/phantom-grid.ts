/**
 * Builds docs/images/phantoms-grid.png: a normal phantom and one per finding
 * (top row plain, bottom row with the mask overlaid), through the same
 * training conversion the model sees. `node dist/test/bench/phantom-grid.js [out.png] [seed] [tile]`
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sampleCase } from '../../electron/phantom/case.js';
import { FINDINGS, type FindingName, type FindingOverrides } from '../../electron/phantom/findings.js';
import { renderCase } from '../../electron/phantom/render.js';
import { trainingImage, trainingMask } from '../../electron/phantom/training.js';
import { encodePng } from '../../electron/util/png.js';

const [out = 'docs/images/phantoms-grid.png', seedArg = '11', tileArg = '240'] = process.argv.slice(2);
const seed = Number(seedArg);
const tile = Number(tileArg);
// One colour per finding bit (labels.csv order).
const COLORS: [number, number, number][] = [
  [40, 120, 255],
  [255, 70, 70],
  [255, 230, 40],
  [255, 140, 0],
  [60, 220, 90],
  [200, 80, 255],
  [0, 220, 220],
  [255, 90, 200],
];

const columns: (FindingName | null)[] = [null, ...FINDINGS];
const grid = new Uint8Array(columns.length * tile * 2 * tile * 3);
const stride = columns.length * tile * 3;
columns.forEach((finding, col) => {
  const force: FindingOverrides = {};
  for (const name of FINDINGS) force[name] = name === finding;
  const c = sampleCase(seed, col, { force, size: 1024 });
  const r = renderCase(c);
  const img = trainingImage(r.image, tile);
  const mask = trainingMask(r.mask, r.image.width, r.image.height, tile);
  for (let y = 0; y < tile; y++) {
    for (let x = 0; x < tile; x++) {
      const v = img[y * tile + x]!;
      const top = y * stride + (col * tile + x) * 3;
      const bottom = (y + tile) * stride + (col * tile + x) * 3;
      let [rr, gg, bb] = [v, v, v];
      const m = mask[y * tile + x]!;
      for (let b = 0; b < 8; b++) {
        if (!(m & (1 << b))) continue;
        const [cr, cg, cb] = COLORS[b]!;
        rr = Math.round(rr * 0.55 + cr * 0.45);
        gg = Math.round(gg * 0.55 + cg * 0.45);
        bb = Math.round(bb * 0.55 + cb * 0.45);
      }
      grid.set([v, v, v], top);
      grid.set([rr, gg, bb], bottom);
    }
  }
  console.log(
    `${finding ?? 'normal'}: ${c.acquisition.view} ${JSON.stringify(c.findings[finding as FindingName] ?? {})}`,
  );
});
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(
  out,
  encodePng({ width: columns.length * tile, height: tile * 2, color: 'rgb', bitDepth: 8, data: grid }, 9),
);
console.log(`wrote ${out}`);
