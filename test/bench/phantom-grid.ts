/**
 * Builds docs/images/phantoms-grid.png: a normal phantom and one per finding,
 * seven to a band (each band a plain row, then the same tiles with the mask
 * overlaid), through the same training conversion the model sees.
 * `node dist/test/bench/phantom-grid.js [out.png] [seed] [tile]`
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sampleCase, type PhantomCase } from '../../electron/phantom/case.js';
import { FINDINGS, type FindingName, type FindingOverrides, type FindingSet } from '../../electron/phantom/findings.js';
import { renderCase } from '../../electron/phantom/render.js';
import { trainingImage, trainingMask } from '../../electron/phantom/training.js';
import { encodePng } from '../../electron/util/png.js';

const [out = 'docs/images/phantoms-grid.png', seedArg = '11', tileArg = '240'] = process.argv.slice(2);
const seed = Number(seedArg);
const tile = Number(tileArg);
const PER_BAND = 7;
// One colour per finding bit (labels.csv order): the base eight, then the rare ones.
const COLORS: [number, number, number][] = [
  [40, 120, 255],
  [255, 70, 70],
  [255, 230, 40],
  [255, 140, 0],
  [60, 220, 90],
  [200, 80, 255],
  [0, 220, 220],
  [255, 90, 200],
  [255, 255, 255],
  [120, 255, 120],
  [255, 160, 120],
  [90, 200, 255],
  [255, 60, 140],
  [180, 255, 60],
  [255, 200, 0],
  [150, 120, 255],
  [0, 255, 180],
  [255, 110, 40],
  [230, 120, 255],
  [100, 255, 255],
];

/**
 * Rare findings range from obvious to occult (a hairline rib fracture, a 12° curve, a 4 mm
 * granuloma vanish at 200 px); the grid shows the first case of the seed whose sampled
 * attributes are in the visible part of that range.
 */
const SHOWCASE: Partial<{ [K in FindingName]: (a: NonNullable<FindingSet[K]>) => boolean }> = {
  rib_fracture: (a) => a.displaced || a.age === 'healed',
  scoliosis: (a) => a.severity !== 'mild',
  calcified_granuloma: (a) => a.count > 1 && a.diameterMm > 5,
  hiatal_hernia: (a) => a.airFluidLevel,
  cavitary_lesion: (a) => a.airFluidLevel,
  pneumoperitoneum: (a) => a.size === 'large',
  pneumomediastinum: (a) => a.extent === 'extensive',
  sternotomy_wires: (a) => a.valve !== 'none',
  subcutaneous_emphysema: (a) => a.extent === 'extensive',
  hilar_adenopathy: (a) => a.side === 'bilateral',
};

function pick(finding: FindingName | null, col: number): PhantomCase {
  const force: FindingOverrides = {};
  for (const name of FINDINGS) force[name] = name === finding;
  const ok = finding ? (SHOWCASE[finding] as ((a: unknown) => boolean) | undefined) : undefined;
  for (let index = col; ; index += FINDINGS.length + 1) {
    const c = sampleCase(seed, index, { force, size: 1024 });
    if (!ok || ok(c.findings[finding!]) || index > col + 200 * FINDINGS.length) return c;
  }
}

const tiles: (FindingName | null)[] = [null, ...FINDINGS];
const bands = Math.ceil(tiles.length / PER_BAND);
const width = PER_BAND * tile;
const grid = new Uint8Array(width * bands * 2 * tile * 3);
tiles.forEach((finding, k) => {
  const c = pick(finding, k);
  const r = renderCase(c);
  const img = trainingImage(r.image, tile);
  const mask = trainingMask(r.mask, r.image.width, r.image.height, tile);
  const x0 = (k % PER_BAND) * tile;
  const y0 = Math.floor(k / PER_BAND) * 2 * tile;
  for (let y = 0; y < tile; y++) {
    for (let x = 0; x < tile; x++) {
      const v = img[y * tile + x]!;
      const top = ((y0 + y) * width + x0 + x) * 3;
      const bottom = ((y0 + y + tile) * width + x0 + x) * 3;
      let [rr, gg, bb] = [v, v, v];
      const m = mask[y * tile + x]!;
      for (let b = 0; b < FINDINGS.length; b++) {
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
    `${finding ?? 'normal'} (index ${c.index}): ${c.acquisition.view} ${JSON.stringify(finding ? c.findings[finding] : {})}`,
  );
});
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, encodePng({ width, height: bands * 2 * tile, color: 'rgb', bitDepth: 8, data: grid }, 9));
console.log(`wrote ${out}`);
