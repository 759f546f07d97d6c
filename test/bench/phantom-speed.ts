/**
 * Render speed at full detector size: `node dist/test/bench/phantom-speed.js [count] [size]`.
 * The first renders pay for JIT warm-up, so the median is reported.
 */
import { sampleCase } from '../../electron/phantom/case.js';
import { renderCase } from '../../electron/phantom/render.js';

const count = Number(process.argv[2] ?? 8);
const size = Number(process.argv[3] ?? 0) || undefined;
const times: number[] = [];
let pixels = 0;
for (let i = 0; i < count; i++) {
  const c = sampleCase(7, i, { size });
  const t0 = performance.now();
  const r = renderCase(c);
  times.push(performance.now() - t0);
  pixels += r.image.width * r.image.height;
}
const sorted = [...times].sort((a, b) => a - b);
console.log(
  `${count} phantoms, mean ${(pixels / count / 1e6).toFixed(1)} MP: median ${sorted[Math.floor(count / 2)]!.toFixed(0)} ms, first ${times[0]!.toFixed(0)} ms, all ${times.map((t) => t.toFixed(0)).join(' ')}`,
);
