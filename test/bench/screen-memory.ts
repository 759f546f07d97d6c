/**
 * `npm run bench:screen-memory [-- --count 100000 --distinct 64 --size 256]`
 * Memory of `radsift screen --index-only` over a large folder: the walk must
 * stream and the pipeline must hold a bounded number of files, so RSS stays
 * flat however many files there are. The folder holds `count` hard links to
 * `distinct` generated phantoms (each link is its own scan to the index; no
 * disk space per file), 1,000 per sub-folder. Samples the process's RSS
 * (VmRSS: main thread and every worker) four times a second and prints JSON:
 * peak RSS, RSS at 10/50/90 % of the files, files/s.
 */
import { spawn } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../../electron/app/app-identity.js';
import { writeDemoParallel } from '../../electron/phantom/demo-parallel.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    distinct: { type: 'string', default: '64' },
    size: { type: 'string', default: '256' },
    work: { type: 'string' },
  },
});
const count = Number(values.count);
const distinct = Number(values.distinct);
const size = Number(values.size);
const work = values.work ?? path.join(os.tmpdir(), `radsift-bench-memory-n${count}-d${distinct}-s${size}`);
const set = path.join(work, 'set');

function dicomFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.dcm'))
    .map((e) => path.join(e.parentPath, e.name));
}

if (!existsSync(path.join(work, 'ready'))) {
  rmSync(work, { recursive: true, force: true });
  const sources = path.join(work, 'sources');
  await writeDemoParallel({ dir: sources, count: distinct, seed: 5, size });
  const originals = dicomFiles(sources).sort();
  for (let i = 0; i < count; i++) {
    const dir = path.join(set, `d${String(Math.floor(i / 1000)).padStart(4, '0')}`);
    if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
    linkSync(originals[i % originals.length]!, path.join(dir, `f${String(i).padStart(7, '0')}.dcm`));
  }
  mkdirSync(path.join(work, 'ready'));
}

const index = path.join(work, `index-${process.pid}`);
const child = spawn(
  process.execPath,
  [path.join(PROJECT_ROOT, 'dist', 'electron', 'cli', 'radsift.js'), 'screen', set, '--index-only', '--index', index],
  { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, RADSIFT_DATA_DIR: path.join(work, 'data') } },
);
const started = performance.now();
let seen = 0;
let stderrTail = '';
child.stderr.setEncoding('utf8');
child.stderr.on('data', (chunk: string) => {
  stderrTail = (stderrTail + chunk).slice(-2000);
  for (const m of chunk.matchAll(/(\d+)\/\d+ files/g)) seen = Number(m[1]);
});
const samples: { seconds: number; seen: number; rssMB: number }[] = [];
const timer = setInterval(() => {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    samples.push({ seconds: (performance.now() - started) / 1000, seen, rssMB: kb / 1024 });
  } catch {
    // the process has exited
  }
}, 250);
const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
clearInterval(timer);
const seconds = (performance.now() - started) / 1000;
if (code !== 0) {
  process.stderr.write(stderrTail);
  throw new Error(`radsift screen exited with ${code}`);
}
const at = (fraction: number) => samples.find((s) => s.seen >= fraction * count)?.rssMB ?? null;
const round = (x: number | null) => (x === null ? null : Math.round(x));
const indexBytes = readdirSync(index).reduce((sum, f) => sum + statSync(path.join(index, f)).size, 0);
console.log(
  JSON.stringify(
    {
      bench: 'screen-memory',
      files: count,
      distinctImages: distinct,
      imageSize: size,
      seconds: Math.round(seconds),
      filesPerSecond: +(count / seconds).toFixed(1),
      peakRssMB: round(Math.max(...samples.map((s) => s.rssMB))),
      rssMBAt: { '10%': round(at(0.1)), '50%': round(at(0.5)), '90%': round(at(0.9)) },
      samples: samples.length,
      indexMB: +(indexBytes / 1e6).toFixed(1),
    },
    null,
    2,
  ),
);
rmSync(index, { recursive: true, force: true });
